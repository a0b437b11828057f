/** Voices (listen to each with a sentence of one's own) and the unit's pronunciation lexicons. */
import { App, Button, Card, Input, Popconfirm, Space, Table, Typography } from "antd";
import { useEffect, useId, useState } from "react";

import { allows } from "../../auth/permissions";
import { useSession } from "../../auth/session";
import { ErrorAlert, errorMessage } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { useApi } from "../../components/useApi";
import { useT } from "../../i18n";
import { deleteLexicon, describeVoices, getLexicon, listLexicons, putLexicon, synthesize } from "../../speech";
import type { LexiconSummary, Voice } from "../../speech";
import { speechMessages } from "./speechMessages";

const PLS_TEMPLATE = `<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="x-sampa" xml:lang="vi-VN">
  <lexeme><grapheme>HTX</grapheme><alias>hợp tác xã</alias></lexeme>
</lexicon>`;

function Voices() {
  const t = useT(speechMessages);
  const sampleId = useId();
  const voices = useApi(describeVoices, []);
  const [text, setText] = useState(t("speech.sampleText"));
  const [audio, setAudio] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  useEffect(() => () => void (audio && URL.revokeObjectURL(audio)), [audio]);

  const listen = async (voice: Voice) => {
    setBusy(voice.Id);
    setError(undefined);
    try {
      setAudio(URL.createObjectURL(await synthesize(text, voice.Id)));
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <Card size="small" title={<h2 className="card-title">{t("speech.voices")}</h2>} className="page-card">
      <label htmlFor={sampleId}>{t("speech.sample")}</label>
      <Input.TextArea id={sampleId} rows={2} value={text} maxLength={500} onChange={(e) => setText(e.target.value)} />
      {audio && (
        <audio controls autoPlay src={audio} aria-label={t("speech.player")} className="speech-player" data-testid="voice-sample" />
      )}
      {!!error && <ErrorAlert error={error} />}
      {voices.error ? (
        <ErrorAlert error={voices.error} onRetry={voices.reload} />
      ) : (
        <Table<Voice>
          size="small"
          rowKey="Id"
          loading={voices.loading}
          dataSource={voices.data}
          pagination={false}
          scroll={{ x: true }}
          columns={[
            { title: "Id", dataIndex: "Id" },
            { title: t("speech.name"), dataIndex: "Name" },
            {
              title: t("speech.gender"),
              dataIndex: "Gender",
              render: (gender: string) => (gender === "Male" || gender === "Female" ? t(`speech.gender.${gender}`) : gender),
            },
            {
              title: "",
              render: (_: unknown, voice) => (
                <Button size="small" loading={busy === voice.Id} onClick={() => void listen(voice)}>
                  {t("speech.listen", { voice: voice.Id })}
                </Button>
              ),
            },
          ]}
        />
      )}
    </Card>
  );
}

function Lexicons() {
  const t = useT(speechMessages);
  const { message } = App.useApp();
  const { user } = useSession();
  const nameId = useId();
  const contentId = useId();
  const editor = allows(user, "bulletins:compose");
  const lexicons = useApi(listLexicons, []);
  const [name, setName] = useState("");
  const [content, setContent] = useState(PLS_TEMPLATE);

  const open = async (lexicon: string) => {
    try {
      setContent(await getLexicon(lexicon));
      setName(lexicon);
    } catch (error) {
      message.error(errorMessage(error, t));
    }
  };
  const save = async () => {
    try {
      await putLexicon(name, content);
      message.success(t("speech.saved"));
      lexicons.reload();
    } catch (error) {
      message.error(errorMessage(error, t));
    }
  };
  const remove = async (lexicon: string) => {
    try {
      await deleteLexicon(lexicon);
      message.success(t("speech.deleted"));
      lexicons.reload();
    } catch (error) {
      message.error(errorMessage(error, t));
    }
  };

  return (
    <Card size="small" title={<h2 className="card-title">{t("speech.lexicons")}</h2>} className="page-card">
      <Typography.Paragraph type="secondary">{t("speech.lexiconsHelp")}</Typography.Paragraph>
      {lexicons.error ? (
        <ErrorAlert error={lexicons.error} onRetry={lexicons.reload} />
      ) : (
        <Table<LexiconSummary>
          size="small"
          rowKey="Name"
          loading={lexicons.loading}
          dataSource={lexicons.data}
          pagination={false}
          scroll={{ x: true }}
          locale={{ emptyText: t("speech.none") }}
          columns={[
            { title: t("speech.name"), dataIndex: "Name" },
            { title: t("speech.entries"), render: (_: unknown, lexicon) => lexicon.Attributes.LexemesCount ?? "—" },
            {
              title: "",
              render: (_: unknown, lexicon) => (
                <Space>
                  <Button size="small" onClick={() => void open(lexicon.Name)}>
                    {t("speech.open")}
                  </Button>
                  {editor && (
                    <Popconfirm title={t("speech.confirmDelete", { name: lexicon.Name })} onConfirm={() => void remove(lexicon.Name)}>
                      <Button size="small" danger>
                        {t("speech.delete")}
                      </Button>
                    </Popconfirm>
                  )}
                </Space>
              ),
            },
          ]}
        />
      )}
      {editor && (
        <Space direction="vertical" style={{ width: "100%", marginTop: 16 }}>
          <label htmlFor={nameId}>{t("speech.lexiconName")}</label>
          <Input id={nameId} value={name} maxLength={20} onChange={(e) => setName(e.target.value)} style={{ maxWidth: 260 }} />
          <label htmlFor={contentId}>{t("speech.lexiconContent")}</label>
          <Input.TextArea id={contentId} rows={6} value={content} onChange={(e) => setContent(e.target.value)} className="code-text" />
          <Button type="primary" onClick={() => void save()} disabled={!/^[0-9A-Za-z]{1,20}$/.test(name)}>
            {t("speech.save")}
          </Button>
        </Space>
      )}
    </Card>
  );
}

export default function SpeechPage() {
  const t = useT(speechMessages);
  return (
    <>
      <PageHeader title={t("speech.title")} />
      <Voices />
      <Lexicons />
    </>
  );
}
