/**
 * The staff API, typed from its OpenAPI document (src/api/openapi.json, kept equal to the API's
 * by a unit test; `npm run build` generates schema.d.ts from it). Every call carries the ID
 * token and the language; every refusal becomes an ApiError with the API's own message.
 */
import createClient from "openapi-fetch";
import type { Middleware } from "openapi-fetch";

import { currentIdToken, endSession } from "../auth/session";
import { config } from "../config";
import { currentLocale } from "../i18n";
import type { paths } from "./schema";

/** A refusal by the API (or the network), with a message a person can read. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
  }
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = currentIdToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    request.headers.set("Accept-Language", currentLocale());
    return request;
  },
};

let client: ReturnType<typeof createClient<paths>> | undefined;

/** The typed client: `api().GET("/units/{code}", { params: { path: { code } } })`. */
export function api() {
  if (!client) {
    client = createClient<paths>({ baseUrl: config().apiUrl });
    client.use(auth);
  }
  return client;
}

interface Outcome {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/**
 * The data of a call, or an ApiError: `const unit = await ok(api().GET(...))`. A 401 ends the
 * session (the sign-in page follows); a network failure is an ApiError with status 0.
 */
export async function ok<R extends Outcome>(call: Promise<R>): Promise<NonNullable<R["data"]>> {
  let outcome: R;
  try {
    outcome = await call;
  } catch {
    throw new ApiError(0, "network", "");
  }
  const { data, error, response } = outcome;
  if (response.ok) return data as NonNullable<R["data"]>;
  if (response.status === 401) endSession();
  const body = (error ?? {}) as { code?: string; message?: string; details?: unknown[] };
  throw new ApiError(response.status, body.code ?? `http_${response.status}`, body.message ?? "", body.details);
}

/** For calls outside the document (binary answers): fetch with the same headers. */
export async function authorizedFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = currentIdToken();
  if (token) headers.set("Authorization", `Bearer ${token}`);
  headers.set("Accept-Language", currentLocale());
  try {
    return await fetch(url, { ...init, headers });
  } catch {
    throw new ApiError(0, "network", "");
  }
}

/** `ok` for routes whose answer the document does not describe (typed by the page). */
export function okAs<T>(call: Promise<Outcome>): Promise<T> {
  return ok(call) as Promise<T>;
}
