import { createKeepAliveTransport, fetchTransport, type HttpTransport } from "../http-transport";

export type DarajaClientOptions = {
  /** MPESA_BASE_URL: https://sandbox.safaricom.co.ke, https://api.safaricom.co.ke or the local sandbox. */
  baseUrl: string;
  consumerKey: string;
  consumerSecret: string;
  requestTimeoutMs?: number | undefined;
  /** Instead of node:http over keep-alive connections (tests that intercept requests). */
  fetch?: typeof fetch | undefined;
  now?: (() => number) | undefined;
};

export type DarajaResponse = { status: number; body: Record<string, unknown> };

/** Daraja did not answer (network) or would not let us in (OAuth): the request may be retried. */
export class DarajaTransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** Refresh this long before Daraja's stated expiry so a token never dies in flight. */
const tokenRefreshMarginMs = 60_000;

/**
 * Daraja's HTTP side, shared by B2C and collections: the OAuth token (one call per lifetime,
 * shared by concurrent requests, refreshed early), authorized JSON POSTs that fetch a new token
 * once on a 401, and answers parsed leniently. Network and OAuth failures throw
 * DarajaTransportError; what Daraja answered is returned for the caller to judge.
 */
export class DarajaClient {
  private readonly baseUrl: string;
  private readonly transport: HttpTransport;
  private readonly now: () => number;
  private token: { value: string; expiresAt: number } | undefined;
  private tokenRequest: Promise<string> | undefined;

  constructor(private readonly options: DarajaClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.transport = options.fetch ? fetchTransport(options.fetch) : createKeepAliveTransport();
    this.now = options.now ?? Date.now;
  }

  async authorizedPost(path: string, body: Record<string, unknown>): Promise<DarajaResponse> {
    const first = await this.post(path, body, await this.accessToken());
    if (first.status !== 401) return first;
    // Daraja can revoke a token before its stated expiry: fetch a new one once.
    this.token = undefined;
    return this.post(path, body, await this.accessToken());
  }

  /** One OAuth call per token lifetime, shared by every concurrent request. */
  accessToken(): Promise<string> {
    if (this.token && this.now() < this.token.expiresAt) return Promise.resolve(this.token.value);
    this.tokenRequest ??= this.fetchToken().finally(() => {
      this.tokenRequest = undefined;
    });
    return this.tokenRequest;
  }

  private async fetchToken(): Promise<string> {
    const credentials = Buffer.from(`${this.options.consumerKey}:${this.options.consumerSecret}`).toString("base64");
    const response = await this.request(`${this.baseUrl}/oauth/v1/generate?grant_type=client_credentials`, {
      method: "GET",
      headers: { authorization: `Basic ${credentials}` },
    });
    const token = response.body.access_token;
    const expiresIn = Number(response.body.expires_in);
    if (response.status !== 200 || typeof token !== "string" || !Number.isFinite(expiresIn)) {
      // Bad credentials are our configuration, not the request's fault: retryable.
      throw new DarajaTransportError(
        "MPESA_AUTH_FAILED",
        `Daraja OAuth failed (HTTP ${response.status}): ${String(response.body.errorMessage ?? "no token in response")}`,
        true,
      );
    }
    const lifetimeMs = expiresIn * 1000;
    this.token = { value: token, expiresAt: this.now() + Math.max(lifetimeMs - tokenRefreshMarginMs, lifetimeMs / 2) };
    return token;
  }

  private post(path: string, body: Record<string, unknown>, token: string) {
    return this.request(`${this.baseUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  private async request(url: string, init: { method: "GET" | "POST"; headers: Record<string, string>; body?: string }): Promise<DarajaResponse> {
    let status: number;
    let text: string;
    try {
      ({ status, text } = await this.transport(url, { ...init, timeoutMs: this.options.requestTimeoutMs ?? 30_000 }));
    } catch (error) {
      throw new DarajaTransportError("MPESA_NETWORK_ERROR", `Daraja unreachable: ${String(error)}`, true);
    }
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = text ? JSON.parse(text) : {};
      if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
    } catch {
      // A proxy's HTML error page: the status code says enough.
    }
    return { status, body };
  }
}

/** Daraja's refusal as `MPESA_<errorCode or ResponseCode>` and its message, whichever form it took. */
export function darajaRefusal({ status, body }: DarajaResponse): { code: string; message: string } {
  return {
    code: `MPESA_${String(body.errorCode ?? body.ResponseCode ?? `HTTP_${status}`)}`,
    message: String(body.errorMessage ?? body.ResponseDescription ?? `Daraja answered HTTP ${status}`),
  };
}

/** What a thrown error says, for an outcome: a transport error's own code and message. */
export function darajaUnreachable(error: unknown): { code: string; message: string } {
  return error instanceof DarajaTransportError
    ? { code: error.code, message: error.message }
    : { code: "MPESA_NETWORK_ERROR", message: `Daraja unreachable: ${String(error)}` };
}
