/**
 * Bulletins of the user's area (or a unit in it): filtered by status, priority, unit and days on
 * the API; the text search (with or without diacritics) runs over the pages loaded, since
 * GET /bulletins has no text filter.
 */
import "./bulletins.css";
import { Button, Col, Form, Input, Row, Select, Space, Table, Typography } from "antd";
import { useEffect, useState } from "react";
import { Link, useNavigate } from "react-router-dom";

import { api, ok } from "../../api/client";
import { allows } from "../../auth/permissions";
import { useSession } from "../../auth/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { formatDate } from "../../format";
import { useLocale, useT } from "../../i18n";
import type { BulletinView } from "./actions";
import { PRIORITIES } from "./draft";
import { bulletinMessages } from "./messages";
import { PriorityTag, StatusTag, UnitName, useBulletinsArea } from "./parts";
import { matches } from "./text";
import { UnitPicker } from "../../components/UnitPicker";

const STATUSES = ["draft", "pending", "approved", "rejected", "withdrawn", "expired"] as const;

interface Filters {
  status?: string;
  priority?: string;
  unit?: string;
  from?: string;
  to?: string;
}

export default function BulletinsPage() {
  useBulletinsArea();
  const t = useT(bulletinMessages);
  const { locale } = useLocale();
  const { user } = useSession();
  const navigate = useNavigate();
  const [filters, setFilters] = useState<Filters>({});
  const [query, setQuery] = useState("");
  const [items, setItems] = useState<BulletinView[]>([]);
  const [next, setNext] = useState<string | null>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);

  const load = async (cursor?: string | null) => {
    setLoading(true);
    try {
      const page = await ok(
        api().GET("/bulletins", {
          params: {
            query: {
              unit: filters.unit,
              status: filters.status as never,
              priority: filters.priority as never,
              from: filters.from || undefined,
              to: filters.to || undefined,
              limit: 50,
              next: cursor ?? undefined,
            },
          },
        }),
      );
      setItems((known) => (cursor ? [...known, ...page.items] : page.items));
      setNext(page.next);
      setError(undefined);
    } catch (problem) {
      setError(problem);
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filters, tick]);

  if (!user) return null;
  const set = (patch: Filters) => setFilters((current) => ({ ...current, ...patch }));
  const shown = query.trim() ? items.filter((item) => matches(query, item.title, item.body)) : items;

  return (
    <>
      <PageHeader
        title={t("list.title")}
        extra={
          allows(user, "bulletins:compose") && (
            <Button type="primary" href="/bulletins/new" onClick={(event) => (event.preventDefault(), navigate("/bulletins/new"))}>
              {t("list.new")}
            </Button>
          )
        }
      />
      <Form layout="vertical" className="bulletin-filters" role="search">
        <Row gutter={12}>
          <Col xs={24} md={8}>
            <Form.Item label={t("list.search")} htmlFor="filter-q">
              <Input id="filter-q" type="search" allowClear value={query} onChange={(event) => setQuery(event.target.value)} />
            </Form.Item>
          </Col>
          <Col xs={12} md={4}>
            <Form.Item label={t("list.status")} htmlFor="filter-status">
              <Select
                id="filter-status"
                allowClear
                placeholder={t("list.any")}
                value={filters.status}
                onChange={(status?: string) => set({ status })}
                options={STATUSES.map((value) => ({ value, label: t(`status.${value}`) }))}
              />
            </Form.Item>
          </Col>
          <Col xs={12} md={4}>
            <Form.Item label={t("list.priority")} htmlFor="filter-priority">
              <Select
                id="filter-priority"
                allowClear
                placeholder={t("list.any")}
                value={filters.priority}
                onChange={(priority?: string) => set({ priority })}
                options={PRIORITIES.map((value) => ({ value, label: t(`priority.${value}`) }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item label={t("list.unit")} htmlFor="filter-unit">
              <UnitPicker id="filter-unit" allowClear placeholder={t("list.any")} value={filters.unit} onChange={(unit) => set({ unit })} />
            </Form.Item>
          </Col>
          <Col xs={12} md={4}>
            <Form.Item label={t("list.from")} htmlFor="filter-from">
              <Input id="filter-from" type="date" value={filters.from ?? ""} onChange={(event) => set({ from: event.target.value })} />
            </Form.Item>
          </Col>
          <Col xs={12} md={4}>
            <Form.Item label={t("list.to")} htmlFor="filter-to">
              <Input id="filter-to" type="date" value={filters.to ?? ""} onChange={(event) => set({ to: event.target.value })} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
      {error !== undefined && <ErrorAlert error={error} onRetry={() => setTick((n) => n + 1)} />}
      {query.trim() && <Typography.Paragraph type="secondary">{t("list.searchNote", { count: items.length })}</Typography.Paragraph>}
      <Table<BulletinView>
        size="small"
        rowKey="id"
        loading={loading}
        dataSource={shown}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: t("list.empty") }}
        columns={[
          { title: t("col.title"), dataIndex: "title", render: (title: string, row) => <Link to={`/bulletins/${row.id}`}>{title}</Link> },
          { title: t("col.status"), dataIndex: "status", render: (status: string) => <StatusTag status={status} /> },
          { title: t("col.priority"), dataIndex: "priority", render: (priority: string) => <PriorityTag priority={priority ?? "normal"} /> },
          { title: t("col.issuer"), dataIndex: "issuer_unit", render: (code: string) => <UnitName code={code} />, responsive: ["md"] },
          {
            title: t("col.when"),
            key: "when",
            render: (_, row) => `${formatDate(row.effective_from, locale)} – ${formatDate(row.effective_until, locale)}`,
            responsive: ["sm"],
          },
        ]}
      />
      {next && (
        <Space className="bulletin-actions">
          <Button onClick={() => void load(next)} loading={loading}>
            {t("list.more")}
          </Button>
        </Space>
      )}
    </>
  );
}
