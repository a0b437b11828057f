/**
 * The signed-in console: header (user, role, unit, language, sign-out), the menu of what the
 * user's roles allow, and the pages, each loaded on demand.
 */
import {
  AlertOutlined,
  AppstoreOutlined,
  CloudUploadOutlined,
  AuditOutlined,
  BarChartOutlined,
  CalendarOutlined,
  CheckSquareOutlined,
  DashboardOutlined,
  FileTextOutlined,
  MenuOutlined,
  MessageOutlined,
  NotificationOutlined,
  ReadOutlined,
  SoundOutlined,
  WifiOutlined,
} from "@ant-design/icons";
import { Button, Drawer, Grid, Layout, Menu, Space, Spin, Typography } from "antd";
import type { MenuProps } from "antd";
import { Suspense, useEffect, useState } from "react";
import { Link, Route, Routes, useLocation } from "react-router-dom";

import { allows } from "../auth/permissions";
import { useSession } from "../auth/session";
import type { User } from "../auth/session";
import { useLocale, useT } from "../i18n";
import type { Translate } from "../i18n";
import { PAGES } from "../routes";
import { loadUnit } from "../units";
import NotFound from "./NotFound";

type Item = Required<MenuProps>["items"][number];

function menuItems(user: User, t: Translate): Item[] {
  const items: (Item | false)[] = [
    { key: "/", icon: <DashboardOutlined />, label: <Link to="/">{t("nav.overview")}</Link> },
    { key: "/bulletins", icon: <FileTextOutlined />, label: <Link to="/bulletins">{t("nav.bulletins")}</Link> },
    allows(user, "bulletins:approve") && {
      key: "/approvals",
      icon: <CheckSquareOutlined />,
      label: <Link to="/approvals">{t("nav.approvals")}</Link>,
    },
    { key: "/programme", icon: <CalendarOutlined />, label: <Link to="/programme">{t("nav.programme")}</Link> },
    (allows(user, "bulletins:compose") || allows(user, "bulletins:approve")) && {
      key: "/emergency",
      icon: <AlertOutlined />,
      label: <Link to="/emergency">{t("nav.emergency")}</Link>,
    },
    { key: "/devices", icon: <WifiOutlined />, label: <Link to="/devices">{t("nav.devices")}</Link> },
    { key: "/media", icon: <AppstoreOutlined />, label: <Link to="/media">{t("nav.media")}</Link> },
    { key: "/speech", icon: <SoundOutlined />, label: <Link to="/speech">{t("nav.speech")}</Link> },
    { key: "/feedback", icon: <MessageOutlined />, label: <Link to="/feedback">{t("nav.feedback")}</Link> },
    // The outbox to the national system is the province's: a GSO province code has 2 digits.
    allows(user, "central:read") && user.unit.length === 2 && {
      key: "/central",
      icon: <CloudUploadOutlined />,
      label: <Link to="/central">{t("nav.central")}</Link>,
    },
    allows(user, "directives:read") && {
      key: "/directives",
      icon: <NotificationOutlined />,
      label: <Link to="/directives">{t("nav.directives")}</Link>,
    },
    allows(user, "training:learn") && {
      key: "/training",
      icon: <ReadOutlined />,
      label: <Link to="/training">{t("nav.training")}</Link>,
    },
    allows(user, "reports:read") && { key: "/kpis", icon: <BarChartOutlined />, label: <Link to="/kpis">{t("nav.kpis")}</Link> },
    allows(user, "reports:read") && { key: "/reports", icon: <AuditOutlined />, label: <Link to="/reports">{t("nav.reports")}</Link> },
  ];
  return items.filter((item): item is Item => !!item);
}

function selectedKey(pathname: string): string {
  const first = `/${pathname.split("/")[1] ?? ""}`;
  return first === "/" ? "/" : first;
}

export default function Shell() {
  const t = useT();
  const { user, signOut } = useSession();
  const { locale, setLocale } = useLocale();
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  const [drawer, setDrawer] = useState(false);
  const [unitName, setUnitName] = useState<string>("");

  useEffect(() => {
    if (user?.unit) loadUnit(user.unit).then((unit) => setUnitName(unit.name), () => setUnitName(user.unit));
  }, [user?.unit]);
  useEffect(() => setDrawer(false), [location.pathname]);

  if (!user) return null;
  const wide = screens.lg ?? true;
  const menu = (
    <Menu
      mode="inline"
      selectedKeys={[selectedKey(location.pathname)]}
      items={menuItems(user, t)}
      aria-label={t("nav.menu")}
    />
  );
  const roles = user.roles.map((role) => t(`role.${role}` as const)).join(", ");

  return (
    <Layout className="shell">
      <Layout.Header className="shell-header">
        {!wide && (
          <Button
            type="text"
            icon={<MenuOutlined />}
            aria-label={t("nav.menu")}
            onClick={() => setDrawer(true)}
            className="shell-menu-button"
          />
        )}
        <Link to="/" className="shell-brand">
          {t("app.short")}
        </Link>
        <div className="shell-user" data-testid="current-user">
          <Typography.Text strong className="shell-user-name">
            {user.name}
          </Typography.Text>
          <Typography.Text className="shell-user-detail">
            {roles} · {unitName || user.unit}
          </Typography.Text>
        </div>
        <Space size="small" className="shell-actions">
          <Button size="small" onClick={() => setLocale(locale === "vi" ? "en" : "vi")} lang={locale === "vi" ? "en" : "vi"}>
            {t("language.switch")}
          </Button>
          <Button size="small" onClick={() => void signOut()}>
            {t("signOut")}
          </Button>
        </Space>
      </Layout.Header>
      <Layout>
        {wide ? (
          <Layout.Sider width={220} theme="light" className="shell-sider">
            <nav>{menu}</nav>
          </Layout.Sider>
        ) : (
          <Drawer open={drawer} onClose={() => setDrawer(false)} placement="left" size={260} title={t("nav.menu")}>
            <nav>{menu}</nav>
          </Drawer>
        )}
        <Layout.Content className="shell-content">
          <main>
            <Suspense fallback={<Spin description={t("loading")} />}>
              <Routes>
                {PAGES.map(({ path, Page }) => (
                  <Route key={path} path={path} element={<Page />} />
                ))}
                <Route path="*" element={<NotFound />} />
              </Routes>
            </Suspense>
          </main>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
