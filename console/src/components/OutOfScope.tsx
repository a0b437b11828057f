/** What a user sees when a URL names a unit outside their subtree (the API answered 403). */
import { Button, Result } from "antd";
import { Link } from "react-router-dom";

import { useSession } from "../auth/session";
import { useT } from "../i18n";

export function OutOfScope({ unit }: { unit: string }) {
  const t = useT();
  const { user } = useSession();
  return (
    <Result
      status="403"
      title={t("outOfScope.title")}
      subTitle={t("outOfScope.body", { unit, home: user?.unit ?? "" })}
      extra={
        <Link to="/">
          <Button type="primary">{t("outOfScope.back")}</Button>
        </Link>
      }
    />
  );
}
