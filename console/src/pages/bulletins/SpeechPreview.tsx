/**
 * Beside the text: how the normaliser will read it (POST /speech/normalize, debounced), and a
 * preview in the chosen voice from the speech API (Polly's SynthesizeSpeech), played in the page.
 */
import { SoundOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Form, Select, Space, Typography } from "antd";
import { useEffect, useRef, useState } from "react";

import { api, ok } from "../../api/client";
import { errorMessage } from "../../components/ErrorAlert";
import { useT } from "../../i18n";
import { synthesize } from "../../speech";
import { bulletinMessages } from "./messages";

export const VOICES = ["Trung", "TrungNu", "Bac", "BacNu", "Nam", "NamNu"] as const;
const SYNC_LIMIT = 3000; // Polly's synchronous limit in billed characters
const DEBOUNCE_MS = 600;

export function SpeechPreview({ text }: { text: string }) {
  const t = useT(bulletinMessages);
  const [reading, setReading] = useState("");
  const [readingError, setReadingError] = useState<unknown>();
  const [voice, setVoice] = useState<string>("Trung");
  const [audioUrl, setAudioUrl] = useState<string>();
  const [audioBytes, setAudioBytes] = useState({ size: 0, type: "" });
  const [busy, setBusy] = useState(false);
  const [speechError, setSpeechError] = useState<unknown>();
  const audio = useRef<HTMLAudioElement>(null);

  useEffect(() => {
    if (!text.trim()) {
      setReading("");
      return;
    }
    let live = true;
    const timer = window.setTimeout(() => {
      ok(api().POST("/speech/normalize", { body: { text } })).then(
        (answer) => live && (setReading(answer.text), setReadingError(undefined)),
        (error: unknown) => live && setReadingError(error),
      );
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [text]);

  useEffect(() => () => {
    if (audioUrl) URL.revokeObjectURL(audioUrl);
  }, [audioUrl]);

  const listen = async () => {
    setBusy(true);
    setSpeechError(undefined);
    try {
      const blob = await synthesize(text.slice(0, SYNC_LIMIT), voice);
      setAudioBytes({ size: blob.size, type: blob.type });
      setAudioUrl(URL.createObjectURL(blob));
      window.setTimeout(() => void audio.current?.play().catch(() => undefined), 0);
    } catch (error) {
      setSpeechError(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card size="small" title={t("speech.reading")} className="bulletin-side">
      <Typography.Paragraph data-testid="reading" className="bulletin-reading" aria-live="polite">
        {reading || <Typography.Text type="secondary">{t("speech.readingEmpty")}</Typography.Text>}
      </Typography.Paragraph>
      {readingError !== undefined && <Alert type="error" showIcon title={errorMessage(readingError, t)} />}
      <Form layout="vertical" component="div">
        <Form.Item label={t("speech.voice")} htmlFor="speech-voice" className="bulletin-voice">
          <Space wrap>
            <Select
              id="speech-voice"
              value={voice}
              onChange={setVoice}
              className="bulletin-voice-select"
              options={VOICES.map((id) => ({ value: id, label: t(`voice.${id}`) }))}
            />
            <Button icon={<SoundOutlined />} onClick={() => void listen()} loading={busy} disabled={!text.trim()}>
              {busy ? t("speech.preparing") : t("speech.play")}
            </Button>
          </Space>
        </Form.Item>
      </Form>
      {text.length > SYNC_LIMIT && <Typography.Text type="secondary">{t("speech.truncated")}</Typography.Text>}
      {speechError !== undefined && <Alert type="error" showIcon title={errorMessage(speechError, t)} />}
      {audioUrl && (
        <audio ref={audio} controls src={audioUrl} data-testid="tts-audio" data-bytes={audioBytes.size} data-type={audioBytes.type} aria-label={t("speech.play")} className="bulletin-audio" />
      )}
    </Card>
  );
}
