/** A filter value from the address, kept only if it looks like a partner id (the API's own rule). */
export function partnerParam(value: string | null): string | undefined {
  return value && /^partner_[A-Za-z0-9_]{1,64}$/.test(value) ? value : undefined;
}
