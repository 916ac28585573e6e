import { Card } from "@agrinet/ui";

/**
 * What a page shows while the API has no procedures for it yet: a plain statement of what is
 * missing rather than made-up data an operator could mistake for the real thing.
 */
export function NotAvailableYet({
  feature,
  waitsFor,
  description,
}: {
  feature: string;
  /** The piece of the API this page waits for (e.g. "the deposits procedures (issue 5)"). */
  waitsFor: string;
  description: string;
}) {
  return (
    <Card>
      <div role="status" data-testid="not-available" className="flex flex-col gap-2">
        <p className="text-base font-semibold text-slate-900">{feature} is not available yet</p>
        <p className="max-w-2xl text-sm text-slate-600">{description}</p>
        <p className="text-sm text-slate-600">
          It will appear here once the API offers {waitsFor}. Nothing on this page is
          simulated.
        </p>
      </div>
    </Card>
  );
}
