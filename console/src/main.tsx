import "./styles.css";

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import App from "./App";
import { loadConfig } from "./config";
import { currentLocale } from "./i18n";

const root = createRoot(document.getElementById("root") as HTMLElement);
document.documentElement.lang = currentLocale();

loadConfig().then(
  () =>
    root.render(
      <StrictMode>
        <App />
      </StrictMode>,
    ),
  (error: unknown) => {
    // No configuration, no console: say so plainly (both languages; the locale is not known yet).
    const message = document.createElement("p");
    message.setAttribute("role", "alert");
    message.textContent = `Không tải được cấu hình (config.json) / cannot load the configuration: ${String(error)}`;
    document.getElementById("root")?.replaceChildren(message);
  },
);
