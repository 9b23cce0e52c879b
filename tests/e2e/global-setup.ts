/**
 * Runs once before the browser tests: builds the client (`vite build`) when `build/index.html`
 * is missing or older than any client source, so every test server serves a current build and
 * none of them has to build it on start.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { isClientBuildStale } from '../../server/cli/build-client.js';
import { BUILD_DIR, REPO_ROOT } from './paths.js';

export default function setup(): void {
  if (!isClientBuildStale(BUILD_DIR, REPO_ROOT)) return;
  const started = Date.now();
  process.stdout.write('[e2e] building the client (build/ is missing or stale)…\n');
  const vite = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`vite build failed (exit ${result.status ?? result.signal})`);
  process.stdout.write(`[e2e] client built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
