/**
 * Cognito's user-pool API from the browser, without an SDK: the few unauthenticated calls a
 * console needs (sign-in with USER_PASSWORD_AUTH, the new-password challenge, refresh, sign-out).
 * The same JSON-over-POST protocol on AWS and on the local cloud's moto endpoint.
 */
import { config } from "../config";

export interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds when the ID token stops being accepted. */
  expiresAt: number;
}

export type SignInResult =
  | { kind: "signed-in"; tokens: Tokens }
  | { kind: "new-password"; session: string; username: string };

/** A Cognito refusal, with its exception name (NotAuthorizedException, …). */
export class CognitoError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function endpoint(): string {
  const { cognitoEndpoint, region } = config();
  return cognitoEndpoint ?? `https://cognito-idp.${region}.amazonaws.com/`;
}

async function call<T>(action: string, body: object): Promise<T> {
  let response: Response;
  try {
    response = await fetch(endpoint(), {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new CognitoError("NetworkError", "");
  }
  const payload = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const type = String(payload.__type ?? "UnknownError").split("#").pop() as string;
    throw new CognitoError(type, String(payload.message ?? ""));
  }
  return payload as T;
}

interface AuthResponse {
  AuthenticationResult?: {
    IdToken: string;
    AccessToken: string;
    RefreshToken?: string;
    ExpiresIn: number;
  };
  ChallengeName?: string;
  Session?: string;
}

function tokensFrom(response: AuthResponse, refreshToken?: string): Tokens {
  const result = response.AuthenticationResult;
  if (!result) throw new CognitoError(response.ChallengeName ?? "UnknownChallenge", "");
  return {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    refreshToken: result.RefreshToken ?? refreshToken ?? "",
    expiresAt: Date.now() + result.ExpiresIn * 1000,
  };
}

export async function signIn(username: string, password: string): Promise<SignInResult> {
  const response = await call<AuthResponse>("InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: config().userPoolClientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  if (response.ChallengeName === "NEW_PASSWORD_REQUIRED" && response.Session) {
    return { kind: "new-password", session: response.Session, username };
  }
  return { kind: "signed-in", tokens: tokensFrom(response) };
}

export async function setNewPassword(
  username: string,
  session: string,
  newPassword: string,
): Promise<Tokens> {
  const response = await call<AuthResponse>("RespondToAuthChallenge", {
    ChallengeName: "NEW_PASSWORD_REQUIRED",
    ClientId: config().userPoolClientId,
    Session: session,
    ChallengeResponses: { USERNAME: username, NEW_PASSWORD: newPassword },
  });
  return tokensFrom(response);
}

export async function refresh(refreshToken: string): Promise<Tokens> {
  const response = await call<AuthResponse>("InitiateAuth", {
    AuthFlow: "REFRESH_TOKEN_AUTH",
    ClientId: config().userPoolClientId,
    AuthParameters: { REFRESH_TOKEN: refreshToken },
  });
  return tokensFrom(response, refreshToken);
}

/** Ends every session of the user (their refresh tokens stop working), not only this tab's. */
export async function signOutEverywhere(accessToken: string): Promise<void> {
  await call("GlobalSignOut", { AccessToken: accessToken });
}

/** The ID token's claims (already verified by the API's authorizer; read here for display). */
export function claimsOf(idToken: string): Record<string, unknown> {
  const part = idToken.split(".")[1] ?? "";
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), "="));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}
