/** One administrative unit and the units under it; another area's unit shows the out-of-scope page. */
import { Descriptions, Space, Spin, Table } from "antd";
import { Link, useParams } from "react-router-dom";

import { ApiError } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { OutOfScope } from "../../components/OutOfScope";
import { PageHeader } from "../../components/PageHeader";
import { useApi } from "../../components/useApi";
import { useT } from "../../i18n";
import { loadUnit } from "../../units";
import { unitMessages } from "./messages";

export default function UnitPage() {
  const { code = "" } = useParams();
  const t = useT(unitMessages);
  const { data: unit, error, loading, reload } = useApi(() => loadUnit(code), [code]);

  if (error instanceof ApiError && error.status === 403) return <OutOfScope unit={code} />;
  if (error) return <ErrorAlert error={error} onRetry={reload} />;
  if (loading || !unit) return <Spin description={t("loading")} />;
  return (
    <>
      <PageHeader
        title={unit.name}
        extra={
          <Space>
            <Link to={`/programme/${unit.code}`}>{t("unit.programme")}</Link>
            <Link to={`/devices?unit=${unit.code}`}>{t("unit.devices")}</Link>
          </Space>
        }
      />
      <Descriptions size="small" column={{ xs: 1, md: 3 }} bordered>
        <Descriptions.Item label={t("unit.code")}>{unit.code}</Descriptions.Item>
        <Descriptions.Item label={t("unit.type")}>{unit.type}</Descriptions.Item>
        <Descriptions.Item label={t("unit.parent")}>
          {unit.parent ? <Link to={`/units/${unit.parent}`}>{unit.parent}</Link> : "—"}
        </Descriptions.Item>
      </Descriptions>
      <h2 className="section-title">{t("unit.children")}</h2>
      <Table
        size="small"
        rowKey="code"
        pagination={false}
        dataSource={unit.children}
        scroll={{ x: true }}
        columns={[
          { title: t("unit.code"), dataIndex: "code", width: 90 },
          {
            title: t("unit.name"),
            dataIndex: "name",
            render: (name: string, child) => <Link to={`/units/${child.code}`}>{name}</Link>,
          },
        ]}
      />
    </>
  );
}
