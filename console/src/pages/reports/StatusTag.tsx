/** A report's status as a coloured tag ("missing": no report made for the period). */
import { Tag } from "antd";

import { useT } from "../../i18n";
import { reportMessages } from "./messages";

const COLOR: Record<string, string> = { draft: "default", submitted: "blue", accepted: "green", returned: "orange", missing: "red" };

export function StatusTag({ status }: { status: string | null | undefined }) {
  const t = useT(reportMessages);
  const name = (status ?? "missing") as "draft" | "submitted" | "accepted" | "returned" | "missing";
  return <Tag color={COLOR[name]}>{t(`rp.status.${name}`)}</Tag>;
}
