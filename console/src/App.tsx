/** Providers and the one decision before any page: signed in (the console) or not (sign-in). */
import { App as AntApp, ConfigProvider, Spin } from "antd";
import en_US from "antd/locale/en_US";
import vi_VN from "antd/locale/vi_VN";
import { lazy, Suspense } from "react";
import { BrowserRouter } from "react-router-dom";

import { SessionProvider, useSession } from "./auth/session";
import { LocaleProvider, useLocale } from "./i18n";
import SignInPage from "./pages/SignInPage";

// Everything after sign-in loads on demand: the sign-in page's code stays small.
const Shell = lazy(() => import("./layout/Shell"));

function Gate() {
  const { user } = useSession();
  if (!user) return <SignInPage />;
  return (
    <Suspense fallback={<Spin fullscreen />}>
      <Shell />
    </Suspense>
  );
}

function Themed() {
  const { locale } = useLocale();
  return (
    <ConfigProvider
      locale={locale === "vi" ? vi_VN : en_US}
      theme={{
        // Darker than Ant Design's defaults where those miss WCAG AA contrast (4.5:1) on white.
        token: {
          colorPrimary: "#b71c1c",
          colorLink: "#0b57d0",
          colorTextDescription: "rgba(0, 0, 0, 0.62)",
          colorTextTertiary: "rgba(0, 0, 0, 0.62)",
          borderRadius: 6,
          fontSize: 15,
        },
      }}
    >
      <AntApp>
        <BrowserRouter>
          <Gate />
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}

export default function App() {
  return (
    <LocaleProvider>
      <SessionProvider>
        <Themed />
      </SessionProvider>
    </LocaleProvider>
  );
}
