import { expect, test } from "vitest";
import { isPublicAddress } from "./webhook-address";

test("issue #23 row 2: loopback, private, link-local, unique-local and other special addresses are not public", () => {
  for (const address of [
    "127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
    "0.0.0.0", "100.64.0.1", "224.0.0.1", "255.255.255.255", "198.18.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::7f00:1",
  ]) {
    expect(isPublicAddress(address), address).toBe(false);
  }
});

test("ordinary internet addresses are public", () => {
  for (const address of ["8.8.8.8", "93.184.216.34", "172.32.0.1", "2606:4700::6810:85e5", "::ffff:8.8.8.8"]) {
    expect(isPublicAddress(address), address).toBe(true);
  }
});
