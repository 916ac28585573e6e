import { redirect } from "next/navigation";

// Ratings belong to contracts (per contract) and users (their LBTAS reputation): both start at the contracts page.
export default function RatingsPage() {
  redirect("/contracts");
}
