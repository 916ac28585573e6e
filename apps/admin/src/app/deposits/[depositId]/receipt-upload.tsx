"use client";
import { useId, useState, type ChangeEvent } from "react";

export type UploadedReceipt = { sha256: string; url: string; contentType: string; size: number };

/**
 * Sends a receipt (JPEG, PNG or PDF, ≤ 5 MB) to the API's upload route through the same-origin
 * proxy; the returned sha256 is what a confirmation cites as its evidence.
 */
export function ReceiptUpload({
  uploaded,
  onUploaded,
}: {
  uploaded: UploadedReceipt | null;
  onUploaded: (receipt: UploadedReceipt | null) => void;
}) {
  const id = useId();
  const [state, setState] = useState<{ kind: "idle" } | { kind: "busy" } | { kind: "error"; message: string }>({
    kind: "idle",
  });

  async function upload(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (!file) return;
    setState({ kind: "busy" });
    onUploaded(null);
    const body = new FormData();
    body.append("file", file);
    try {
      const response = await fetch("/api/v1/uploads/receipts", { method: "POST", body, credentials: "same-origin" });
      const json = (await response.json().catch(() => null)) as
        | (UploadedReceipt & { error?: { message?: string } })
        | null;
      if (!response.ok || !json?.sha256) {
        setState({ kind: "error", message: json?.error?.message ?? `Upload failed (${response.status}).` });
        return;
      }
      onUploaded({ sha256: json.sha256, url: json.url, contentType: json.contentType, size: json.size });
      setState({ kind: "idle" });
    } catch {
      setState({ kind: "error", message: "The API did not answer; the receipt was not uploaded." });
    }
  }

  return (
    <div>
      <label htmlFor={id} className="text-sm font-medium text-slate-800">
        Receipt (JPEG, PNG or PDF, up to 5 MB)
      </label>
      <input
        id={id}
        type="file"
        accept="image/jpeg,image/png,application/pdf"
        onChange={(event) => void upload(event)}
        className="mt-1 block w-full text-sm file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-1.5 file:text-sm file:font-medium focus-visible:outline-2 focus-visible:outline-emerald-600"
      />
      <p aria-live="polite" className="mt-1 text-sm">
        {state.kind === "busy" ? <span className="text-slate-600">Uploading…</span> : null}
        {state.kind === "error" ? <span className="text-red-800">{state.message}</span> : null}
        {state.kind === "idle" && uploaded ? (
          <span className="text-emerald-800" data-testid="receipt-uploaded">
            Uploaded ({uploaded.contentType}, {Math.ceil(uploaded.size / 1024)} KB) · sha256 {uploaded.sha256.slice(0, 12)}…
          </span>
        ) : null}
      </p>
    </div>
  );
}
