import { lookup } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";

/**
 * Addresses a partner's webhook must never reach: this host, the private networks the API
 * runs in (PostgreSQL, the worker, the cloud's metadata service at 169.254.169.254), and other
 * special-purpose ranges. Otherwise registering a URL and reading its delivery log would make
 * the API a port scanner of its own network.
 */
const nonPublic = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this" network
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  nonPublic.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["64:ff9b::", 96], // NAT64 of IPv4 (may embed a private address)
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique-local
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const) {
  nonPublic.addSubnet(network, prefix, "ipv6");
}

const mappedIpv4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** Whether `address` (an IP literal) is an ordinary internet address. */
export function isPublicAddress(address: string): boolean {
  const plain = address.replace(/^\[|\]$/g, "");
  const mapped = mappedIpv4.exec(plain);
  if (mapped) return isPublicAddress(mapped[1]!);
  const family = isIP(plain);
  if (family === 0) return false;
  return !nonPublic.check(plain, family === 4 ? "ipv4" : "ipv6");
}

export class NonPublicAddressError extends Error {
  constructor(readonly host: string) {
    super(`${host} is not a public internet address`);
  }
}

/**
 * A `lookup` for http(s).request that refuses non-public addresses at connect time: the check
 * and the connection use the same answer, so a DNS name cannot pass at registration and point
 * inside the network at delivery (DNS rebinding).
 */
export function publicOnlyLookup(allowPrivateAddresses: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "", 4);
      const list = addresses as unknown as Array<{ address: string; family: number }>;
      const refused = allowPrivateAddresses ? undefined : list.find((entry) => !isPublicAddress(entry.address));
      if (refused || list.length === 0) return callback(new NonPublicAddressError(hostname), "", 4);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** Resolves `hostname` and says whether every address it has is public (registration's check). */
export async function resolvesToPublicAddresses(hostname: string): Promise<boolean> {
  const bare = hostname.replace(/^\[|\]$/g, "");
  if (isIP(bare)) return isPublicAddress(bare);
  try {
    const { promises } = await import("node:dns");
    const addresses = await promises.lookup(bare, { all: true });
    return addresses.length > 0 && addresses.every((entry) => isPublicAddress(entry.address));
  } catch {
    // A name that does not resolve now may later; delivery checks again when it connects.
    return true;
  }
}
