"use client";
import type { AppRouter } from "@agrinet/router";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider, type Query } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

function httpStatusOf(error: unknown): number | undefined {
  return (error as { data?: { httpStatus?: number } } | null)?.data?.httpStatus;
}

/**
 * `auth.me` and `auth.listPermissions` (which the shell's navigation asks on every page, the
 * public status page included) answer 401 to visitors: that is their answer ("nobody", "nothing"),
 * not a lost session.
 */
function isWhoAmI(query: Query<unknown, unknown, unknown, readonly unknown[]>) {
  const path = query.queryKey[0];
  return Array.isArray(path) && path[0] === "auth" && (path[1] === "me" || path[1] === "listPermissions");
}

function makeQueryClient(onSessionLost: () => void) {
  return new QueryClient({
    // The session ended (signed out in another tab, expired): any 401 sends the visitor to
    // sign in again rather than leaving each panel to show its own error.
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (httpStatusOf(error) === 401 && !isWhoAmI(query)) onSessionLost();
      },
    }),
    mutationCache: new MutationCache({
      onError: (error) => {
        if (httpStatusOf(error) === 401) onSessionLost();
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        // A 4xx will not fix itself by asking again; network blips and 5xx may.
        retry: (failureCount, error) => {
          const status = httpStatusOf(error);
          if (status && status >= 400 && status < 500) return false;
          return failureCount < 2;
        },
      },
    },
  });
}

/** Same-origin: /trpc is forwarded to the API by src/proxy.ts, so cookies just work. */
function trpcUrl() {
  return typeof window === "undefined" ? "http://127.0.0.1/trpc" : `${window.location.origin}/trpc`;
}

export function Providers({ children }: { children: ReactNode }) {
  const router = useRouter();
  const [queryClient] = useState(() =>
    makeQueryClient(() => {
      const here = window.location.pathname;
      if (here === "/sign-in") return;
      router.replace(`/sign-in?next=${encodeURIComponent(here + window.location.search)}`);
    }),
  );
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: trpcUrl(), fetch: (url, init) => fetch(url, { ...init, credentials: "same-origin" }) })],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
