// One shot from the camera to a verified piece of evidence: SHA-256 in the browser, declare it,
// PUT to the presigned URL with progress, ask the API to verify it. Each step is recorded on the
// kept shot so a retry resumes where it stopped.
import { ApiError, NetworkError } from "./api.js";
import { forget, keep } from "./shots.js";

export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function put(upload, blob, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(upload.method || "PUT", upload.url);
    for (const [name, value] of Object.entries(upload.headers)) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) resolve();
      else reject(new ApiError(request.status, null));
    };
    request.onerror = () => reject(new NetworkError("upload interrupted"));
    request.onabort = () => reject(new NetworkError("upload aborted"));
    request.send(blob);
  });
}

function expired(upload) {
  return !upload || Date.parse(upload.expiresAt) - Date.now() < 30_000;
}

/** Drive a kept shot to VERIFIED. Network trouble leaves it kept (NetworkError is rethrown). */
export async function send(api, shot, onStage) {
  const base = `/cases/${encodeURIComponent(shot.caseId)}/evidence`;
  if (!shot.uploaded && (!shot.evidenceId || expired(shot.upload))) {
    onStage("uploading", 0);
    const requested = await api.post(base, {
      kind: shot.kind,
      partyId: shot.partyId || undefined,
      contentType: shot.contentType,
      size: shot.size,
      sha256: shot.sha256,
      capturedAt: shot.takenAt,
      lat: shot.lat,
      lng: shot.lng,
    });
    Object.assign(shot, { evidenceId: requested.evidenceId, upload: requested.upload });
    await keep(shot);
  }
  if (!shot.uploaded) {
    onStage("uploading", 0);
    await put(shot.upload, shot.blob, (fraction) => onStage("uploading", fraction));
    shot.uploaded = true;
    await keep(shot);
  }
  onStage("verifying", 1);
  const completed = await api.post(`${base}/${encodeURIComponent(shot.evidenceId)}/complete`);
  await forget(shot.id);
  return completed;
}
