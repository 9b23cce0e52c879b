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
