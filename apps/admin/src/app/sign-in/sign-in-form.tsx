"use client";
import { Button, Card } from "@agrinet/ui";
import { useState, type FormEvent } from "react";
import { safeNextPath } from "./safe-next";

type Outcome = { kind: "idle" } | { kind: "busy" } | { kind: "error"; message: string };

const inputClass =
  "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-emerald-600 focus:outline-2 focus:outline-emerald-600";

/** Back where a lost session sent the visitor from (`?next=`), only ever a path on this site. */
function afterSignIn(): string {
  return safeNextPath(new URLSearchParams(window.location.search).get("next"), window.location.origin);
}

/** Email and password against the API's session endpoint (same origin, so the cookie sticks). */
export function SignInForm() {
  const [outcome, setOutcome] = useState<Outcome>({ kind: "idle" });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setOutcome({ kind: "busy" });
    try {
      const response = await fetch("/api/auth/sign-in/email", {
        method: "POST",
        headers: { "content-type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ email: form.get("email"), password: form.get("password") }),
      });
      if (response.ok) {
        // A full load, not a client-side push: everything cached so far (queries, and the
        // router's prefetches, which the proxy answered with a redirect to this page) was asked
        // for without a session.
        window.location.assign(afterSignIn());
        return;
      }
      if (response.status === 404) {
        setOutcome({ kind: "error", message: "Sign-in is not available on this API yet." });
        return;
      }
      const body = (await response.json().catch(() => null)) as { message?: string } | null;
      setOutcome({
        kind: "error",
        message: response.status === 401 ? "Wrong email or password." : (body?.message ?? `Sign-in failed (${response.status}).`),
      });
    } catch {
      setOutcome({ kind: "error", message: "The API did not answer. Check that it is running." });
    }
  }

  return (
    <Card>
      <form onSubmit={submit} className="flex flex-col gap-4">
        <div>
          <label htmlFor="email" className="text-sm font-medium text-slate-800">
            Email
          </label>
          <input id="email" name="email" type="email" autoComplete="username" required className={inputClass} />
        </div>
        <div>
          <label htmlFor="password" className="text-sm font-medium text-slate-800">
            Password
          </label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            className={inputClass}
          />
        </div>
        {outcome.kind === "error" ? (
          <p role="alert" className="text-sm text-red-800">
            {outcome.message}
          </p>
        ) : null}
        <Button type="submit" busy={outcome.kind === "busy"}>
          Sign in
        </Button>
      </form>
    </Card>
  );
}
