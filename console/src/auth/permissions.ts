/**
 * What each role may do: the API's table (nguon.services.access.ROLE_PERMISSIONS), copied as
 * JSON and kept equal by a unit test. The console offers only what the API would allow; the
 * API still decides.
 */
import table from "./permissions.json";
import type { Role, User } from "./session";

export type Permission =
  | "units:read"
  | "bulletins:read"
  | "bulletins:compose"
  | "bulletins:approve"
  | "programme:order"
  | "devices:read"
  | "devices:manage"
  | "media:read"
  | "media:upload"
  | "users:manage"
  | "feedback:read"
  | "feedback:handle"
  | "feedback:configure"
  | "reports:read"
  | "reports:write"
  | "reports:review"
  | "central:read"
  | "central:retry"
  | "directives:read"
  | "directives:issue"
  | "directives:acknowledge"
  | "training:learn"
  | "training:manage";

const granted = table as Record<Role, Permission[]>;

export function allows(user: User | null, permission: Permission): boolean {
  return !!user && user.roles.some((role) => granted[role]?.includes(permission));
}

/** Whether `unit` lies in the subtree of `home` (GSO codes: the catalogue decides; see units.ts). */
export type { Role };
