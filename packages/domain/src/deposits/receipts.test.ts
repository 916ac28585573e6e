import { describe, expect, test } from "vitest";
import { detectReceiptType } from "./receipts";

describe("detectReceiptType", () => {
  test("recognises JPEG, PNG and PDF by their first bytes", () => {
    expect(detectReceiptType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00]))).toBe("image/jpeg");
    expect(detectReceiptType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00]))).toBe("image/png");
    expect(detectReceiptType(Buffer.from("%PDF-1.7\n"))).toBe("application/pdf");
  });

  test("refuses anything else, including truncated signatures and HTML", () => {
    expect(detectReceiptType(Buffer.from("<html></html>"))).toBeNull();
    expect(detectReceiptType(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBeNull();
    expect(detectReceiptType(Buffer.from("GIF89a"))).toBeNull();
    expect(detectReceiptType(Buffer.alloc(0))).toBeNull();
  });
});
