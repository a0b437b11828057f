/** Administrative units as the console needs them: names by code, cached for the session. */
import { api, ok } from "./api/client";
import type { components } from "./api/schema";

export type UnitView = components["schemas"]["UnitView"];

const cache = new Map<string, Promise<UnitView>>();

/** GET /units/{code}, once per code (a refusal is not cached, so a retry asks again). */
export function loadUnit(code: string): Promise<UnitView> {
  let pending = cache.get(code);
  if (!pending) {
    pending = ok(api().GET("/units/{code}", { params: { path: { code } } }));
    cache.set(code, pending);
    pending.catch(() => cache.delete(code));
  }
  return pending;
}

/** Whether `code` lies in `home`'s subtree, by walking up the parents the API gives. */
export async function isWithin(code: string, home: string): Promise<boolean> {
  let current: string | null | undefined = code;
  while (current) {
    if (current === home) return true;
    current = (await loadUnit(current)).parent;
  }
  return false;
}

export function clearUnitCache(): void {
  cache.clear();
}
