/** A training provider's CSV: read in the browser, sent whole; the answer lists each row refused
 * (line, column, message) while the valid rows are stored. */
import { Alert, Button, Card, Space, Table, Typography } from "antd";
import { useState } from "react";

import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { ErrorAlert } from "../../components/ErrorAlert";
import { useT } from "../../i18n";
import { trainingMessages } from "./messages";

type ImportResult = components["schemas"]["ImportResult"];
type RowError = components["schemas"]["RowError"];

export function ImportCard({ unit, onImported }: { unit: string; onImported: () => void }) {
  const t = useT(trainingMessages);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportResult>();
  const [error, setError] = useState<unknown>();

  async function run() {
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      const csv = await file.text();
      setResult(await ok(api().POST("/training/records/import", { body: { unit, csv } })));
      onImported();
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card size="small">
      <Space direction="vertical" style={{ width: "100%" }}>
        <h2 className="section-title">{t("tr.import")}</h2>
        <Typography.Paragraph type="secondary">{t("tr.importHelp")}</Typography.Paragraph>
        <label>
          {t("tr.importFile")}{" "}
          <input type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
        <Button type="primary" onClick={run} loading={busy} disabled={!file}>
          {t("tr.importRun")}
        </Button>
        {error !== undefined && <ErrorAlert error={error} />}
        {result && (
          <>
            <Alert
              type={result.errors.length ? "warning" : "success"}
              title={t("tr.importResult", { stored: result.stored, rows: result.rows })}
            />
            {result.errors.length > 0 && (
              <Table<RowError>
                size="small"
                rowKey={(e) => `${e.row}-${e.column}`}
                dataSource={result.errors}
                pagination={false}
                scroll={{ x: true }}
                columns={[
                  { title: t("tr.row"), dataIndex: "row", width: 70 },
                  { title: t("tr.column"), dataIndex: "column", width: 130 },
                  { title: t("tr.message"), dataIndex: "message" },
                ]}
              />
            )}
          </>
        )}
      </Space>
    </Card>
  );
}
