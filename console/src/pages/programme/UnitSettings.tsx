/** A unit's broadcast windows, what follows an interruption, and the voice of its area. */
import { App, Button, Card, Input, Radio, Select, Space, Typography } from "antd";
import { useEffect, useId, useState } from "react";

import { api, ok } from "../../api/client";
import { errorMessage } from "../../components/ErrorAlert";
import { useApi } from "../../components/useApi";
import { useT } from "../../i18n";
import { programmeMessages } from "./messages";
import type { BroadcastWindow } from "./timeline";

type Voice = "vi" | "vi-vn-x-central" | "vi-vn-x-south";
const VOICES: Voice[] = ["vi", "vi-vn-x-central", "vi-vn-x-south"];

export function UnitSettings({ unit, editable }: { unit: string; editable: boolean }) {
  const t = useT(programmeMessages);
  const { message } = App.useApp();
  const afterLabel = useId();
  const voiceLabel = useId();
  const settings = useApi(
    () => ok(api().GET("/units/{code}/programme/settings", { params: { path: { code: unit } } })),
    [unit],
  );
  const voice = useApi(() => ok(api().GET("/units/{code}/voice", { params: { path: { code: unit } } })), [unit]);
  const [windows, setWindows] = useState<BroadcastWindow[]>([]);
  const [after, setAfter] = useState<"restart" | "resume">("restart");
  const [chosenVoice, setChosenVoice] = useState<Voice>();

  useEffect(() => {
    if (settings.data) {
      setWindows(settings.data.windows ?? []);
      setAfter(settings.data.after_interruption ?? "restart");
    }
  }, [settings.data]);
  useEffect(() => setChosenVoice(voice.data?.voice as Voice | undefined), [voice.data]);

  const saveSettings = async () => {
    try {
      await ok(
        api().PUT("/units/{code}/programme/settings", {
          params: { path: { code: unit } },
          body: { windows, after_interruption: after },
        }),
      );
      message.success(t("programme.saved"));
      settings.reload();
    } catch (error) {
      message.error(errorMessage(error, t));
    }
  };
  const saveVoice = async () => {
    if (!chosenVoice) return;
    try {
      await ok(api().PUT("/units/{code}/voice", { params: { path: { code: unit } }, body: { voice: chosenVoice } }));
      message.success(t("programme.saved"));
      voice.reload();
    } catch (error) {
      message.error(errorMessage(error, t));
    }
  };

  return (
    <Card size="small" title={<h2 className="card-title">{t("programme.settings")}</h2>} className="page-card">
      <Space direction="vertical" style={{ width: "100%" }}>
        {windows.map((window, index) => (
          <Space key={index} wrap>
            <Input
              style={{ width: 90 }}
              aria-label={t("programme.windowStart", { n: index + 1 })}
              value={window.start}
              disabled={!editable}
              onChange={(event) =>
                setWindows((all) => all.map((w, i) => (i === index ? { ...w, start: event.target.value } : w)))
              }
            />
            <span aria-hidden="true">–</span>
            <Input
              style={{ width: 90 }}
              aria-label={t("programme.windowEnd", { n: index + 1 })}
              value={window.end}
              disabled={!editable}
              onChange={(event) =>
                setWindows((all) => all.map((w, i) => (i === index ? { ...w, end: event.target.value } : w)))
              }
            />
            {editable && (
              <Button size="small" onClick={() => setWindows((all) => all.filter((_, i) => i !== index))}>
                {t("programme.removeWindow", { n: index + 1 })}
              </Button>
            )}
          </Space>
        ))}
        <Typography.Text id={afterLabel}>{t("programme.afterInterruption")}</Typography.Text>
        <Radio.Group
          aria-labelledby={afterLabel}
          value={after}
          disabled={!editable}
          onChange={(event) => setAfter(event.target.value)}
          options={[
            { value: "restart", label: t("programme.after.restart") },
            { value: "resume", label: t("programme.after.resume") },
          ]}
        />
        {editable && (
          <Space wrap>
            <Button onClick={() => setWindows((all) => [...all, { start: "11:00", end: "11:30" }])}>
              {t("programme.addWindow")}
            </Button>
            <Button type="primary" onClick={() => void saveSettings()}>
              {t("programme.saveSettings")}
            </Button>
          </Space>
        )}
        <Typography.Text id={voiceLabel}>{t("programme.voice")}</Typography.Text>
        <Space wrap>
          <Select<Voice>
            aria-labelledby={voiceLabel}
            style={{ minWidth: 160 }}
            value={chosenVoice}
            disabled={!editable}
            onChange={setChosenVoice}
            options={VOICES.map((value) => ({ value, label: t(`programme.voice.${value}`) }))}
          />
          {voice.data?.inherited_from && (
            <Typography.Text type="secondary">
              {t("programme.voiceInherited", { unit: voice.data.inherited_from })}
            </Typography.Text>
          )}
          {editable && <Button onClick={() => void saveVoice()}>{t("programme.saveVoice")}</Button>}
        </Space>
      </Space>
    </Card>
  );
}
