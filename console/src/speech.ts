/**
 * The speech API (Amazon Polly's REST shape, an API of its own at config().speechUrl): voices,
 * synthesis for previews, and lexicons. Errors come back in Polly's shape ({"message"} with the
 * exception name in x-amzn-ErrorType) and become ApiErrors.
 */
import { ApiError, authorizedFetch } from "./api/client";
import { config } from "./config";

export interface Voice {
  Id: string;
  Name: string;
  Gender: string;
  LanguageCode: string;
}

export interface LexiconSummary {
  Name: string;
  Attributes: { LexemesCount?: number; LastModified?: string | number; Alphabet?: string };
}

async function speech(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await authorizedFetch(`${config().speechUrl}${path}`, init);
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { message?: string; Message?: string };
    const type = (response.headers.get("x-amzn-ErrorType") ?? "").split(":")[0];
    throw new ApiError(response.status, type || `http_${response.status}`, body.message ?? body.Message ?? "");
  }
  return response;
}

export async function describeVoices(): Promise<Voice[]> {
  const body = (await (await speech("/v1/voices")).json()) as { Voices: Voice[] };
  return body.Voices;
}

/** MP3 of `text` read by `voiceId`, after the Vietnamese normaliser (as bulletins are read). */
export async function synthesize(text: string, voiceId: string): Promise<Blob> {
  const response = await speech("/v1/speech", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ Text: text, VoiceId: voiceId, OutputFormat: "mp3" }),
  });
  return response.blob();
}

export async function listLexicons(): Promise<LexiconSummary[]> {
  const body = (await (await speech("/v1/lexicons")).json()) as { Lexicons: LexiconSummary[] };
  return body.Lexicons;
}

export async function getLexicon(name: string): Promise<string> {
  const body = (await (await speech(`/v1/lexicons/${encodeURIComponent(name)}`)).json()) as {
    Lexicon: { Content: string };
  };
  return body.Lexicon.Content;
}

export async function putLexicon(name: string, content: string): Promise<void> {
  await speech(`/v1/lexicons/${encodeURIComponent(name)}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ Content: content }),
  });
}

export async function deleteLexicon(name: string): Promise<void> {
  await speech(`/v1/lexicons/${encodeURIComponent(name)}`, { method: "DELETE" });
}
