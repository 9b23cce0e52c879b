/**
 * The one way Polku writes CSV. A cell that a spreadsheet would run as a formula — one that
 * starts with `=`, `+`, `-`, `@`, a tab or a carriage return (or their full-width forms) — is
 * written with a leading `'`, so it is read as text (OWASP, "CSV Injection"). Numbers Polku passes
 * as numbers stay numbers (a mean change of -2 is not text). `.dependency-cruiser.cjs` keeps every
 * other module from writing CSV on its own.
 */
import { stringify } from 'csv-stringify/sync';

export type CsvCell = string | number | null;

/** `rows` as CSV, with a header line when `columns` are given. */
export function toCsv(rows: ReadonlyArray<readonly CsvCell[]>, columns?: readonly string[]): string {
  return stringify(
    rows.map((row) => [...row]),
    { escape_formulas: true, ...(columns ? { header: true, columns: [...columns] } : {}) }
  );
}
