/**
 * Builds the client (`vite build`) when `build/index.html` is missing or older than any client
 * source. Called once before all browser tests and again before each server start: the server
 * would otherwise rebuild a build made stale by an edit during the run, and two servers starting
 * together would then both write to build/.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { isClientBuildStale } from '../../server/cli/build-client.js';
import { BUILD_DIR, REPO_ROOT } from './paths.js';

export function ensureClientBuilt({ force = false }: { force?: boolean } = {}): void {
  if (!force && !isClientBuildStale(BUILD_DIR, REPO_ROOT)) return;
  const started = Date.now();
  process.stdout.write(`[e2e] building the client (${force ? 'forced' : 'build/ is missing or stale'})…\n`);
  const vite = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`vite build failed (exit ${result.status ?? result.signal})`);
  process.stdout.write(`[e2e] client built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
