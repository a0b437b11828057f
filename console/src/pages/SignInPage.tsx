/**
 * Sign-in (the only page loaded before the user is known: kept small). Cognito's
 * USER_PASSWORD_AUTH, then the new-password challenge where the pool asks for it.
 */
import { Alert, Button, Card, Form, Input, Typography } from "antd";
import { useState } from "react";

import { CognitoError, setNewPassword, signIn } from "../auth/cognito";
import { useSession } from "../auth/session";
import { useLocale, useT } from "../i18n";

interface Challenge {
  session: string;
  username: string;
}

export default function SignInPage() {
  const t = useT();
  const { locale, setLocale } = useLocale();
  const { start } = useSession();
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const explain = (reason: unknown): string => {
    if (reason instanceof CognitoError) {
      if (reason.code === "NotAuthorizedException" || reason.code === "UserNotFoundException") {
        return t("signIn.failed");
      }
      if (reason.code === "InvalidPasswordException") return t("signIn.weakPassword", { detail: reason.message });
      if (reason.code === "NetworkError") return t("signIn.network");
      return t("signIn.error", { detail: reason.message || reason.code });
    }
    return t("signIn.network");
  };

  const onSignIn = async ({ username, password }: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      const result = await signIn(username.trim(), password);
      if (result.kind === "new-password") setChallenge(result);
      else start(result.tokens);
    } catch (reason) {
      setError(explain(reason));
    } finally {
      setBusy(false);
    }
  };

  const onNewPassword = async ({ newPassword }: { newPassword: string }) => {
    if (!challenge) return;
    setBusy(true);
    setError(null);
    try {
      start(await setNewPassword(challenge.username, challenge.session, newPassword));
    } catch (reason) {
      setError(explain(reason));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <Card className="sign-in-card">
        <Typography.Title level={1} className="sign-in-title">
          {challenge ? t("signIn.newPasswordTitle") : t("signIn.title")}
        </Typography.Title>
        {error && <Alert type="error" showIcon title={error} role="alert" className="sign-in-error" />}
        {challenge ? (
          <Form layout="vertical" onFinish={onNewPassword} requiredMark={false}>
            <Typography.Paragraph>{t("signIn.newPasswordHelp")}</Typography.Paragraph>
            <Form.Item
              label={t("signIn.newPassword")}
              name="newPassword"
              rules={[{ required: true, message: t("signIn.required", { field: t("signIn.newPassword") }) }]}
            >
              <Input.Password autoComplete="new-password" autoFocus />
            </Form.Item>
            <Form.Item
              label={t("signIn.confirmPassword")}
              name="confirm"
              dependencies={["newPassword"]}
              rules={[
                { required: true, message: t("signIn.required", { field: t("signIn.confirmPassword") }) },
                ({ getFieldValue }) => ({
                  validator: (_, value) =>
                    !value || getFieldValue("newPassword") === value
                      ? Promise.resolve()
                      : Promise.reject(new Error(t("signIn.mismatch"))),
                }),
              ]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={busy} block>
              {t("signIn.setPassword")}
            </Button>
          </Form>
        ) : (
          <Form layout="vertical" onFinish={onSignIn} requiredMark={false}>
            <Form.Item
              label={t("signIn.username")}
              name="username"
              rules={[{ required: true, message: t("signIn.required", { field: t("signIn.username") }) }]}
            >
              <Input autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item
              label={t("signIn.password")}
              name="password"
              rules={[{ required: true, message: t("signIn.required", { field: t("signIn.password") }) }]}
            >
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={busy} block>
              {t("signIn.submit")}
            </Button>
          </Form>
        )}
        <Button type="link" className="sign-in-language" onClick={() => setLocale(locale === "vi" ? "en" : "vi")}>
          {t("language.switch")}
        </Button>
      </Card>
    </main>
  );
}
