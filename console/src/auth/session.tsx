/**
 * The signed-in user: tokens kept for the tab (sessionStorage, so closing the browser signs
 * out), refreshed a minute before the ID token expires, and the user's name, roles and unit
 * read from the token's claims.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";

import { claimsOf, refresh, signOutEverywhere } from "./cognito";
import type { Tokens } from "./cognito";

export type Role = "admin" | "approver" | "editor" | "operator" | "provider" | "viewer";

export interface User {
  username: string;
  name: string;
  roles: Role[];
  unit: string;
}

interface Session {
  user: User | null;
  idToken: () => string | null;
  start: (tokens: Tokens) => void;
  signOut: () => Promise<void>;
}

const STORAGE_KEY = "nguon.tokens";
const REFRESH_BEFORE_MS = 60_000;

const SessionContext = createContext<Session | null>(null);

let current: Tokens | null = readStored();
const listeners = new Set<() => void>();

function readStored(): Tokens | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Tokens) : null;
  } catch {
    return null;
  }
}

function store(tokens: Tokens | null): void {
  current = tokens;
  if (tokens) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
  else sessionStorage.removeItem(STORAGE_KEY);
  listeners.forEach((listener) => listener());
}

/** The ID token for an API call, or null when signed out (the API client reads it here). */
export function currentIdToken(): string | null {
  return current && current.expiresAt > Date.now() ? current.idToken : null;
}

/** Called by the API client on a 401: the session is over. */
export function endSession(): void {
  store(null);
}

export function userFrom(tokens: Tokens): User {
  const claims = claimsOf(tokens.idToken);
  const groups = claims["cognito:groups"];
  const username = String(claims["cognito:username"] ?? claims.sub ?? "");
  return {
    username,
    name: String(claims.name ?? username),
    roles: (Array.isArray(groups) ? groups : []) as Role[],
    unit: String(claims["custom:unit"] ?? ""),
  };
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [tokens, setTokens] = useState<Tokens | null>(current);

  useEffect(() => {
    const listener = () => setTokens(current);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);

  // Refresh before expiry; a refused refresh (revoked, expired) ends the session.
  useEffect(() => {
    if (!tokens?.refreshToken) return;
    const wait = Math.max(0, tokens.expiresAt - Date.now() - REFRESH_BEFORE_MS);
    const timer = window.setTimeout(() => {
      refresh(tokens.refreshToken).then(store, () => store(null));
    }, wait);
    return () => window.clearTimeout(timer);
  }, [tokens]);

  const signOut = useCallback(async () => {
    const accessToken = current?.accessToken;
    store(null);
    if (accessToken) await signOutEverywhere(accessToken).catch(() => undefined);
  }, []);

  const value = useMemo<Session>(
    () => ({
      user: tokens && tokens.expiresAt > Date.now() ? userFrom(tokens) : null,
      idToken: currentIdToken,
      start: store,
      signOut,
    }),
    [tokens, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}

