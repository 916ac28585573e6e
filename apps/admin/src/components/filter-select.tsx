import { useId } from "react";

/** A labelled list filter: "all" (no filter, undefined) or one of the options. */
export function FilterSelect<T extends string>({
  label,
  allLabel,
  options,
  optionLabels,
  value,
  onChange,
}: {
  label: string;
  /** The first option, meaning no filter, e.g. "All currencies". */
  allLabel: string;
  options: readonly T[];
  /** Shown instead of the raw values where they are codes. */
  optionLabels?: Record<T, string>;
  value: T | undefined;
  onChange: (value: T | undefined) => void;
}) {
  const id = useId();
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium text-slate-700">
        {label}
      </label>
      <select
        id={id}
        className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
        value={value ?? ""}
        // The value always comes from `options` (or "" for all).
        onChange={(event) => onChange((event.target.value || undefined) as T | undefined)}
      >
        <option value="">{allLabel}</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {optionLabels?.[option] ?? option}
          </option>
        ))}
      </select>
    </div>
  );
}
