/** Builds the client when its build is missing or older than any of its sources. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const SOURCES = ['client', 'shared', 'vite.config.ts', 'package-lock.json'];
const GENERATED = new Set(['paraglide', 'node_modules', '.svelte-kit']);

function newestMtime(entry: string): number {
  if (!fs.existsSync(entry)) return 0;
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(entry)) {
    if (GENERATED.has(child)) continue;
    newest = Math.max(newest, newestMtime(path.join(entry, child)));
  }
  return newest;
}

/** True when `buildDir/index.html` is missing or older than the newest source file. */
export function isClientBuildStale(buildDir: string, root = process.cwd()): boolean {
  const index = path.join(buildDir, 'index.html');
  if (!fs.existsSync(index)) return true;
  const built = fs.statSync(index).mtimeMs;
  return SOURCES.some((source) => newestMtime(path.join(root, source)) > built);
}

/** Runs `vite build` in the foreground; throws if it fails. */
export function buildClient(): void {
  const vite = path.resolve('node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('building the client failed');
}
