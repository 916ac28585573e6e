import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Nav } from "../components/nav";
import { SearchBox } from "../components/search-box";
import { SessionMenu } from "../components/session-menu";
import { Providers } from "../trpc/client";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Agrinet Pay admin", template: "%s · Agrinet Pay admin" },
  description: "Deposits, payouts and the ledger of Agrinet Pay.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow"
        >
          Skip to content
        </a>
        <Providers>
          <div className="md:flex">
            <header className="relative border-b border-slate-200 bg-white px-4 py-3 md:sticky md:top-0 md:h-screen md:w-56 md:shrink-0 md:overflow-y-auto md:border-b-0 md:border-r md:px-3 md:py-5">
              <p className="py-1.5 text-base font-semibold tracking-tight text-emerald-800 md:mb-3 md:px-3 md:py-0">
                Agrinet Pay
              </p>
              <SearchBox />
              <Nav
                footer={
                  <div className="mt-3">
                    <SessionMenu />
                  </div>
                }
              />
            </header>
            <main id="main" tabIndex={-1} className="min-w-0 flex-1 px-4 py-6 md:px-8 focus:outline-none">
              {children}
            </main>
          </div>
        </Providers>
      </body>
    </html>
  );
}
