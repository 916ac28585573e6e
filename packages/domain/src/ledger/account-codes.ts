import { DomainError, isSupportedCurrency, type CurrencyCode } from "@agrinet/core";

/**
 * Ledger accounts are named by stable, readable codes, one per (owner, purpose, currency):
 *   user:<userId>:wallet:<CCY>          a user's wallet
 *   contract:<contractId>:escrow:<CCY>  a contract's escrow
 *   platform:<name>:<CCY>               the platform account (NTARI_LEDGER_ACCOUNT)
 *   external:<rail>:<CCY>               money outside the platform, per rail (may go negative)
 *   payouts:in_flight:<CCY>             payouts sent to a rail but not yet settled
 *   suspense:<rail>:<CCY>               money a rail delivered that matches no request, until staff assign or return it
 * The account itself is created the first time a posting or hold names it.
 */
export const externalRails = ["mpesa", "stripe", "bank", "cash"] as const;
export type ExternalRail = (typeof externalRails)[number];

export type AccountOwnerType = "user" | "contract" | "platform" | "external" | "payouts" | "suspense";

export type AccountSpec = {
  code: string;
  ownerType: AccountOwnerType;
  ownerId: string;
  purpose: string;
  currency: CurrencyCode;
  /** Only external clearing accounts, which mirror money held elsewhere, may go negative. */
  allowNegative: boolean;
};

// Owner ids end up inside a colon-separated code: keep them to a safe, readable alphabet.
const ownerIdPattern = /^[A-Za-z0-9_.@-]{1,120}$/;

function checkOwnerId(kind: string, id: string): string {
  if (!ownerIdPattern.test(id)) {
    throw new DomainError("VALIDATION_FAILED", `invalid ${kind} id for a ledger account: ${JSON.stringify(id)}`, {
      fields: [{ path: "account", message: `${kind} id must match ${ownerIdPattern}` }],
    });
  }
  return id;
}

function checkCurrency(currency: string): CurrencyCode {
  if (!isSupportedCurrency(currency)) {
    throw new DomainError("VALIDATION_FAILED", `unsupported currency ${JSON.stringify(currency)}`, {
      fields: [{ path: "currency", message: "unsupported currency" }],
    });
  }
  return currency;
}

export function userWalletAccount(userId: string, currency: CurrencyCode): string {
  return `user:${checkOwnerId("user", userId)}:wallet:${checkCurrency(currency)}`;
}

export function contractEscrowAccount(contractId: string, currency: CurrencyCode): string {
  return `contract:${checkOwnerId("contract", contractId)}:escrow:${checkCurrency(currency)}`;
}

/** `name` is NTARI_LEDGER_ACCOUNT from the environment (e.g. "ntari-platform"). */
export function platformAccount(name: string, currency: CurrencyCode): string {
  return `platform:${checkOwnerId("platform", name)}:${checkCurrency(currency)}`;
}

export function externalAccount(rail: ExternalRail, currency: CurrencyCode): string {
  if (!(externalRails as readonly string[]).includes(rail)) {
    throw new DomainError("VALIDATION_FAILED", `unknown external rail ${JSON.stringify(rail)}`, {
      fields: [{ path: "account", message: `rail must be one of ${externalRails.join(", ")}` }],
    });
  }
  return `external:${rail}:${checkCurrency(currency)}`;
}

export function suspenseAccount(rail: ExternalRail, currency: CurrencyCode): string {
  return `suspense:${rail}:${checkCurrency(currency)}`;
}

export function payoutsInFlightAccount(currency: CurrencyCode): string {
  return `payouts:in_flight:${checkCurrency(currency)}`;
}

function invalidCode(code: string, reason: string): DomainError {
  return new DomainError("VALIDATION_FAILED", `invalid ledger account code ${JSON.stringify(code)}: ${reason}`, {
    fields: [{ path: "account", message: reason }],
  });
}

/**
 * Codes parsed so far (oldest first), at most `parsedAccountCodesLimit`: a process names the
 * same accounts over and over (every transfer parses two), and a code's parse never changes.
 * Only valid codes are kept; an invalid one is parsed, and refused, every time.
 */
const parsedAccountCodes = new Map<string, AccountSpec>();
export const parsedAccountCodesLimit = 10_000;

/**
 * Parses and validates a code; every account the ledger creates comes through here. The spec is
 * shared between callers naming the same code, so it is frozen.
 */
export function parseAccountCode(code: string): AccountSpec {
  const known = parsedAccountCodes.get(code);
  if (known) return known;
  const spec = Object.freeze(parseUncached(code));
  if (parsedAccountCodes.size >= parsedAccountCodesLimit) {
    parsedAccountCodes.delete(parsedAccountCodes.keys().next().value!);
  }
  parsedAccountCodes.set(code, spec);
  return spec;
}

function parseUncached(code: string): AccountSpec {
  const parts = code.split(":");
  const [type] = parts;
  const currency = parts[parts.length - 1] ?? "";
  if (!isSupportedCurrency(currency)) throw invalidCode(code, "the last segment must be a supported currency");
  const spec = (ownerType: AccountOwnerType, ownerId: string, purpose: string): AccountSpec => {
    if (!ownerIdPattern.test(ownerId)) throw invalidCode(code, `owner id must match ${ownerIdPattern}`);
    return { code, ownerType, ownerId, purpose, currency, allowNegative: ownerType === "external" };
  };
  switch (type) {
    case "user":
      if (parts.length !== 4 || parts[2] !== "wallet") throw invalidCode(code, "expected user:<userId>:wallet:<CCY>");
      return spec("user", parts[1]!, "wallet");
    case "contract":
      if (parts.length !== 4 || parts[2] !== "escrow") {
        throw invalidCode(code, "expected contract:<contractId>:escrow:<CCY>");
      }
      return spec("contract", parts[1]!, "escrow");
    case "platform":
      if (parts.length !== 3) throw invalidCode(code, "expected platform:<name>:<CCY>");
      return spec("platform", parts[1]!, "operating");
    case "external":
      if (parts.length !== 3 || !(externalRails as readonly string[]).includes(parts[1]!)) {
        throw invalidCode(code, `expected external:<${externalRails.join("|")}>:<CCY>`);
      }
      return spec("external", parts[1]!, "clearing");
    case "payouts":
      if (parts.length !== 3 || parts[1] !== "in_flight") throw invalidCode(code, "expected payouts:in_flight:<CCY>");
      return spec("payouts", "in_flight", "in_flight");
    case "suspense":
      if (parts.length !== 3 || !(externalRails as readonly string[]).includes(parts[1]!)) {
        throw invalidCode(code, `expected suspense:<${externalRails.join("|")}>:<CCY>`);
      }
      return spec("suspense", parts[1]!, "suspense");
    default:
      throw invalidCode(code, "unknown owner type (user, contract, platform, external, payouts, suspense)");
  }
}
