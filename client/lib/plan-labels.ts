/** Translated labels for the plan's vocabularies (message keys are `<prefix><value>`). */
import { m } from '$lib/paraglide/messages.js';

const messages = m as unknown as Record<string, ((params?: Record<string, string>) => string) | undefined>;

export function label(prefix: string, value: string): string {
  return messages[`${prefix}${value}`]?.() ?? value;
}

/** Select options for `values`, labelled through `prefix`. */
export function optionsOf(prefix: string, values: readonly string[]): Array<{ value: string; label: string }> {
  return values.map((value) => ({ value, label: label(prefix, value) }));
}

/** The message `key` with its parameters (the key itself when there is none), for texts described in `shared/` (e.g. `shared/plan/sections.ts`). */
export function translate(key: string, params?: Record<string, string>): string {
  return messages[key]?.(params) ?? key;
}
