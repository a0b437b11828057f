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
      theme={{ token: { colorPrimary: "#b71c1c", borderRadius: 6, fontSize: 15 } }}
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
