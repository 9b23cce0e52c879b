/** Paths the browser tests share, independent of the directory vitest was started in. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BUILD_DIR = path.join(REPO_ROOT, 'build');
/** Screenshots for people to look at; not committed. */
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'tests', 'e2e', 'screenshots');
