import { StatusPill, type Tone } from "@agrinet/ui";

const tones: Record<string, Tone> = {
  open: "neutral",
  funded: "info",
  released: "success",
  disputed: "danger",
  refunded: "warning",
};

export function ContractStatus({ status }: { status: string }) {
  return <StatusPill tone={tones[status] ?? "neutral"} label={status} />;
}
