import { redirect } from "next/navigation";

// Disputes are opened by -1 ratings on contracts and resolved there: the contracts page lists them first.
export default function DisputesPage() {
  redirect("/contracts#open-disputes");
}
