/**
 * What the browser benchmarks share: the real server on a free port with a fresh SQLite data
 * directory and the built client, a signed-in social worker with one case, and Debian's
 * Chromium with the project's flags.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { buildClient, isClientBuildStale } from '../../server/cli/build-client.js';
import { freePort } from '../helpers/child-server.js';
import { waitFor } from '../helpers/yjs-client.js';

export interface BenchApp {
  url: string;
  cookie: string;
  caseId: string;
  browser: Browser;
  close(): Promise<void>;
}

export async function startBenchApp(): Promise<BenchApp> {
  if (isClientBuildStale(path.resolve('build'))) buildClient();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'polku-browser-bench-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/cli/start.ts'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', POLKU_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: 'inherit'
  });
  const stop = async () => {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => (await fetch(`${url}/api/auth/status`).catch(() => null))?.ok === true, 30_000, 'the server');
    const setup = await fetch(`${url}/api/auth/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ organisation: 'Bench', name: 'Bench Admin', email: 'admin@bench.example', password: 'bench password 123' })
    });
    const adminCookie = setup.headers.get('set-cookie')!.split(';')[0]!;
    // Admins do not create cases: add a social worker through the invitation flow.
    const invite = (await (await fetch(`${url}/api/admin/invitations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: adminCookie },
      body: JSON.stringify({ email: 'sw@bench.example', name: 'Bench Worker', role: 'social_worker' })
    })).json()) as { token: string };
    const accepted = await fetch(`${url}/api/invitations/${invite.token}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'bench password 123' })
    });
    const cookie = accepted.headers.get('set-cookie')!.split(';')[0]!;
    const created = (await (await fetch(`${url}/api/cases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ displayName: 'Bench' })
    })).json()) as { id: string };
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
    });
    return {
      url,
      cookie,
      caseId: created.id,
      browser,
      close: async () => {
        await browser.close();
        await stop();
      }
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export const describeTimes = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
