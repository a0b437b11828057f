/** An API refusal or failure as a person reads it: the API's own message, never raw JSON. */
import { Alert, Button } from "antd";

import { ApiError } from "../api/client";
import { useT } from "../i18n";
import type { Translate } from "../i18n";

export function errorMessage(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t("error.network");
    if (error.message) return error.message;
    return t("error.unknown", { status: error.status });
  }
  return error instanceof Error && error.message ? error.message : t("error.unknown", { status: "?" });
}

export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  return (
    <Alert
      type="error"
      showIcon
      title={t("error.title")}
      description={errorMessage(error, t)}
      action={onRetry ? <Button onClick={onRetry}>{t("retry")}</Button> : undefined}
    />
  );
}
