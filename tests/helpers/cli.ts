/** The `polku` command-line tool, run in a process of its own as an operator would run it. */
import { spawnSync } from 'node:child_process';

export function runCli(args: string[], env: Record<string, string>, input = '') {
  return spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/polku.ts', ...args], { input, env: { ...process.env, ...env }, encoding: 'utf8' });
}
