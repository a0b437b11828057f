/** A page's one h1 (screen readers and axe look for it) with optional actions on the right. */
import { Flex, Typography } from "antd";
import type { ReactNode } from "react";
import { useEffect } from "react";

import { useT } from "../i18n";

export function PageHeader({ title, extra }: { title: string; extra?: ReactNode }) {
  const t = useT();
  useEffect(() => {
    document.title = `${title} — ${t("app.short")}`;
  }, [title, t]);
  return (
    <Flex justify="space-between" align="center" wrap gap="small" className="page-header">
      <Typography.Title level={1} className="page-title">
        {title}
      </Typography.Title>
      {extra}
    </Flex>
  );
}
