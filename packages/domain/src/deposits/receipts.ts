import { createHash, randomBytes } from "node:crypto";
import { mkdir, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DomainError } from "@agrinet/core";
import type { Db, Receipt } from "@agrinet/db";

/** 5 MB: a phone photo of a bank slip fits, a video does not. */
export const maxReceiptBytes = 5 * 1024 * 1024;

export const receiptContentTypes = ["image/jpeg", "image/png", "application/pdf"] as const;
export type ReceiptContentType = (typeof receiptContentTypes)[number];

/** Where the API serves a stored receipt (to admins and operators only). */
export function receiptUrl(sha256: string): string {
  return `/api/v1/uploads/receipts/${sha256}`;
}

/**
 * The type by the file's first bytes, never by its name or the client's Content-Type, so an
 * HTML page renamed receipt.jpg is refused.
 */
export function detectReceiptType(bytes: Uint8Array): ReceiptContentType | null {
  const starts = (...signature: number[]) => signature.every((byte, i) => bytes[i] === byte);
  if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return "application/pdf"; // %PDF-
  return null;
}

export function receiptPath(uploadsDir: string, sha256: string): string {
  return join(uploadsDir, "receipts", sha256);
}

export type StoreReceiptOptions = {
  db: Db;
  uploadsDir: string;
  bytes: Buffer;
  uploadedBy?: string | undefined;
};

/**
 * Stores a receipt under UPLOADS_DIR named by its sha256: uploading the same file twice stores
 * it once. The file is written to a temporary name and renamed, so a reader never sees half.
 */
export async function storeReceipt(options: StoreReceiptOptions): Promise<Receipt & { url: string }> {
  const { bytes } = options;
  if (bytes.length === 0) {
    throw new DomainError("VALIDATION_FAILED", "the uploaded file is empty", {
      fields: [{ path: "file", message: "is empty" }],
    });
  }
  if (bytes.length > maxReceiptBytes) {
    throw new DomainError("PAYLOAD_TOO_LARGE", `receipts are limited to ${maxReceiptBytes} bytes`, {
      details: { maxBytes: maxReceiptBytes },
    });
  }
  const contentType = detectReceiptType(bytes);
  if (!contentType) {
    throw new DomainError("UNSUPPORTED_MEDIA_TYPE", "receipts must be JPEG, PNG or PDF files", {
      fields: [{ path: "file", message: `content is not one of ${receiptContentTypes.join(", ")}` }],
    });
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const path = receiptPath(options.uploadsDir, sha256);
  const exists = await stat(path).then(
    (s) => s.size === bytes.length,
    () => false,
  );
  if (!exists) {
    await mkdir(join(options.uploadsDir, "receipts"), { recursive: true });
    const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
    await writeFile(temporary, bytes, { mode: 0o640 });
    await rename(temporary, path);
  }
  const receipt = await options.db.receipt.upsert({
    where: { sha256 },
    create: { sha256, contentType, size: bytes.length, uploadedBy: options.uploadedBy ?? null },
    update: {},
  });
  return { ...receipt, url: receiptUrl(sha256) };
}

/** A stored receipt's metadata and file path, or NOT_FOUND. */
export async function findReceipt(options: { db: Db; uploadsDir: string; sha256: string }) {
  const receipt = /^[0-9a-f]{64}$/.test(options.sha256)
    ? await options.db.receipt.findUnique({ where: { sha256: options.sha256 } })
    : null;
  if (!receipt) throw new DomainError("NOT_FOUND", "no such receipt");
  return { ...receipt, path: receiptPath(options.uploadsDir, receipt.sha256) };
}
