/** Timestamps are stored as ISO-8601 UTC text: portable, sortable, readable. */
export function now(): string {
  return new Date().toISOString();
}
