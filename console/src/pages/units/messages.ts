import { defineMessages } from "../../i18n";

export const unitMessages = defineMessages({
  vi: {
    "unit.children": "Đơn vị trực thuộc",
    "unit.code": "Mã",
    "unit.name": "Tên",
    "unit.type": "Loại",
    "unit.parent": "Đơn vị cấp trên",
    "unit.programme": "Lịch phát",
    "unit.devices": "Thiết bị",
  },
  en: {
    "unit.children": "Units under it",
    "unit.code": "Code",
    "unit.name": "Name",
    "unit.type": "Type",
    "unit.parent": "Parent unit",
    "unit.programme": "Programme",
    "unit.devices": "Devices",
  },
});
