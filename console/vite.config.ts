import { existsSync, readFileSync } from "node:fs";

import react from "@vitejs/plugin-react";
import type { Plugin, ProxyOptions } from "vite";
import { defineConfig } from "vitest/config";

/**
 * `npm run dev` against a running `make run`: the dev server proxies the local cloud's API,
 * speech API and Cognito (moto) under its own origin and answers /config.json to match, so
 * pages reload on save. The built bundle never uses this: it reads the deployed config.json.
 */
function localCloud(): { proxy: Record<string, ProxyOptions>; plugin: Plugin } | undefined {
  const file = new URL("../.local/endpoints.json", import.meta.url);
  if (!existsSync(file)) return undefined;
  const endpoints = JSON.parse(readFileSync(file, "utf-8"));
  const speech = new URL(endpoints.polly_url);
  const target = (url: string, prefix: string): ProxyOptions => ({
    target: url,
    changeOrigin: true,
    rewrite: (path) => path.slice(prefix.length) || "/",
  });
  return {
    proxy: {
      "/_api": target(endpoints.api_url, "/_api"),
      "/_speech": target(speech.origin, "/_speech"),
      "/_cognito": target(endpoints.aws_endpoint_url, "/_cognito"),
    },
    plugin: {
      name: "nguon-local-config",
      configureServer(server) {
        server.middlewares.use("/config.json", (_request, response) => {
          const origin = `http://localhost:${server.config.server.port}`;
          response.setHeader("Content-Type", "application/json");
          response.end(
            JSON.stringify({
              apiUrl: `${origin}/_api`,
              speechUrl: `${origin}/_speech${speech.pathname}`,
              region: endpoints.region,
              userPoolId: endpoints.user_pool_id,
              userPoolClientId: endpoints.user_pool_client_id,
              cognitoEndpoint: `${origin}/_cognito/`,
            }),
          );
        });
      },
    },
  };
}

const dev = localCloud();

// One bundle for every stage: the API, region and user pool come from /config.json at start.
export default defineConfig({
  plugins: [react(), ...(dev ? [dev.plugin] : [])],
  server: { port: 5173, strictPort: false, proxy: dev?.proxy },
  build: {
    target: "es2022",
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
