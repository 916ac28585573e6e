import { expect, test } from "vitest";
import { assertDestinationPayable, type SavedDestinationView } from "./saved-destinations";

const saved = (createdAt: Date, payableAt: Date) => ({ id: "pd_1", createdAt, payableAt }) as SavedDestinationView;

test("without a cooling-off a destination is payable even when the database's clock is a millisecond ahead", () => {
  const now = new Date("2026-12-07T07:05:04.064Z");
  const createdAt = new Date("2026-12-07T07:05:04.065Z");
  expect(() => assertDestinationPayable(saved(createdAt, createdAt), "destination", now)).not.toThrow();
});

test("within its cooling-off a destination is refused, naming the field", () => {
  const createdAt = new Date("2026-12-07T07:00:00.000Z");
  const payableAt = new Date("2026-12-07T08:00:00.000Z");
  expect(() => assertDestinationPayable(saved(createdAt, payableAt), "destinationId", new Date("2026-12-07T07:30:00Z"))).toThrow(
    expect.objectContaining({ code: "DESTINATION_COOLING_OFF", fields: [expect.objectContaining({ path: "destinationId" })] }),
  );
  expect(() => assertDestinationPayable(saved(createdAt, payableAt), "destinationId", payableAt)).not.toThrow();
});
