import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ConfirmDialog, type ConfirmDialogProps } from "./confirm-dialog";
import { Money } from "./money";

const noop = () => {};

function render(props: Partial<ConfirmDialogProps>) {
  return renderToStaticMarkup(
    createElement(ConfirmDialog, {
      open: true,
      onCancel: noop,
      onConfirm: noop,
      title: "Confirm deposit",
      summary: [
        { label: "Amount", value: createElement(Money, { amount: "250000", currency: "KES" }) },
        { label: "Credited to", value: "Wallet of Amina W." },
      ],
      confirmLabel: "Confirm KES 2,500.00",
      ...props,
    }),
  );
}

const buttons = (markup: string) => [...markup.matchAll(/<button[^>]*>/g)].map((m) => m[0]);

describe("ConfirmDialog", () => {
  it("restates what will happen and names the action on its button", () => {
    const markup = render({});
    expect(markup).toContain("Credited to");
    expect(markup).toContain("Wallet of Amina W.");
    expect(markup.replace(/<[^>]+>/g, "")).toContain("KES 2,500.00");
    expect(markup).toContain(">Confirm KES 2,500.00</button>");
  });

  it("blocks both buttons while the action runs, so it cannot be sent twice", () => {
    const enabled = buttons(render({})).filter((b) => !b.includes("disabled"));
    expect(enabled.length).toBeGreaterThan(0);
    const actions = buttons(render({ busy: true })).filter((b) => !b.includes('aria-label="Close"'));
    expect(actions).toHaveLength(2);
    for (const button of actions) expect(button).toContain("disabled");
  });

  it("shows why the last attempt failed", () => {
    expect(render({ error: "deposit is no longer pending" })).toMatch(
      /role="alert"[^>]*>deposit is no longer pending</,
    );
  });

  it("renders nothing inside the dialog while closed", () => {
    expect(render({ open: false })).not.toContain("Credited to");
  });
});
