/** What differs between stages, read once at start from /config.json (written at deploy time). */
export interface ConsoleConfig {
  apiUrl: string;
  speechUrl: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  /** Cognito's endpoint; on AWS https://cognito-idp.<region>.amazonaws.com/ (the default). */
  cognitoEndpoint?: string;
  /** Optional raster tile URL template for the maps; without one they draw the boundaries only. */
  tileUrl?: string;
}

let loaded: ConsoleConfig | undefined;

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const config = (await response.json()) as ConsoleConfig;
  config.apiUrl = config.apiUrl.replace(/\/$/, "");
  config.speechUrl = config.speechUrl.replace(/\/$/, "");
  loaded = config;
  return config;
}

export function config(): ConsoleConfig {
  if (!loaded) throw new Error("config not loaded");
  return loaded;
}

export function setConfigForTests(value: ConsoleConfig): void {
  loaded = value;
}
