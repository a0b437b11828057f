/** Placeholder until this page is built (issue 13). */
import { PageHeader } from "../../components/PageHeader";
import { useT } from "../../i18n";

export default function BulletinPage() {
  const t = useT();
  return <PageHeader title={t("nav.bulletins")} />;
}
