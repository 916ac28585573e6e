import type { Metadata } from "next";
import { PageHeader } from "../../components/page-header";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default function SignInPage() {
  return (
    <div className="mx-auto max-w-sm">
      <PageHeader title="Sign in" description="Staff accounts only." />
      <SignInForm />
    </div>
  );
}
