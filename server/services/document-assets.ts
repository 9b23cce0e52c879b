/**
 * What the server's PDF documents share: the embedded font (Noto Sans covers every Finnish and
 * Swedish letter; pdfkit's built-in Helvetica garbles some) and the client's Finnish messages,
 * so a document and the screen say the same.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const FONT_DIR = path.join(path.dirname(require.resolve('@fontsource/noto-sans/package.json')), 'files');

export const FONT_REGULAR = fs.readFileSync(path.join(FONT_DIR, 'noto-sans-latin-400-normal.woff'));
export const FONT_BOLD = fs.readFileSync(path.join(FONT_DIR, 'noto-sans-latin-700-normal.woff'));

const FI = JSON.parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../client/messages/fi.json'), 'utf8')) as Record<string, string>;

/** The Finnish message `key` with `{params}` filled in (the key itself when there is none). */
export function fi(key: string, params: Record<string, string> = {}): string {
  return (FI[key] ?? key).replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}

/** Whether there is a Finnish message `key`. */
export function hasFi(key: string): boolean {
  return key in FI;
}
