/** A report's status as a coloured tag ("missing": no report made for the period). */
import { Tag } from "antd";

import { useT } from "../../i18n";
import { reportMessages } from "./messages";

// Dark fills with white text: antd's light presets fail the contrast check.
const COLOR: Record<string, string> = { draft: "default", submitted: "#1d4ed8", accepted: "#166534", returned: "#9a3412", missing: "#b91c1c" };
export const LATE = "#7f1d1d";

export function StatusTag({ status }: { status: string | null | undefined }) {
  const t = useT(reportMessages);
  const name = (status ?? "missing") as "draft" | "submitted" | "accepted" | "returned" | "missing";
  return <Tag color={COLOR[name]}>{t(`rp.status.${name}`)}</Tag>;
}
