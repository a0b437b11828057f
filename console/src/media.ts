/**
 * Signed uploads as the API hands them out: POST /uploads gives a presigned POST for one file;
 * the browser sends the file straight to S3 (with progress), then the ingest checks it and
 * GET /media/{id} tells the verdict.
 */
import { api, ApiError, ok } from "./api/client";
import type { components } from "./api/schema";

export type MediaView = components["schemas"]["MediaView"];
type UploadRequest = components["schemas"]["UploadRequest"];
export type Purpose = UploadRequest["purpose"];

/** Sends `file` and resolves with its media id once S3 has it; `onProgress` gets 0–100. */
export async function uploadFile(
  file: File,
  purpose: Purpose,
  onProgress: (percent: number) => void,
): Promise<string> {
  const ticket: components["schemas"]["UploadTicket"] = await ok(
    api().POST("/uploads", {
      // The API checks the type against the purpose and the bytes; the browser's guess goes first.
      body: {
        file_name: file.name,
        content_type: file.type || "application/octet-stream",
        size: file.size,
        purpose,
      } as UploadRequest,
    }),
  );
  const form = new FormData();
  for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value);
  form.append("file", file); // S3 reads the file last
  await new Promise<void>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", ticket.url);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    };
    request.onload = () =>
      request.status < 300
        ? resolve()
        : reject(new ApiError(request.status, "upload_refused", request.responseText.slice(0, 200)));
    request.onerror = () => reject(new ApiError(0, "network", ""));
    request.send(form);
  });
  onProgress(100);
  return ticket.media_id;
}

const SETTLED = new Set(["ready", "rejected", "failed"]);

/** Polls GET /media/{id} until the ingest has decided (ready, rejected with its reason, failed). */
export async function waitForVerdict(id: string, timeoutMs = 120_000): Promise<MediaView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const item = await ok(api().GET("/media/{id}", { params: { path: { id } } }));
    if (SETTLED.has(item.status) || Date.now() > deadline) return item;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
