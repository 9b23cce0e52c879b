/**
 * Runs once before the browser tests: builds the client when build/ is missing or stale, so the
 * test servers serve the current client. POLKU_E2E_REBUILD=1 forces a build.
 */
import { ensureClientBuilt } from './client-build.js';

export default function setup(): void {
  ensureClientBuilt({ force: process.env.POLKU_E2E_REBUILD === '1' });
}
