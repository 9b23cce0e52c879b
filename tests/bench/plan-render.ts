/**
 * `npm run bench:plan`: how fast a big plan (default 50 goals × 10 actions) opens in headless
 * Chromium — from the document's data arriving to the whole plan rendered (every field shown;
 * rich-text fields as live previews), to the rich-text editors on screen being interactive, and
 * from navigation start. Runs the real server and the built client.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { planFromJson, type PlanJson } from '../../shared/plan/json.js';
import { caseRoom } from '../../shared/rooms.js';
import { buildClient, isClientBuildStale } from '../../server/cli/build-client.js';
import { freePort } from '../helpers/child-server.js';
import { connectYjs, waitFor } from '../helpers/yjs-client.js';

const { values } = parseArgs({
  options: { goals: { type: 'string', default: '50' }, actions: { type: 'string', default: '10' }, runs: { type: 'string', default: '5' } }
});
const goals = Number(values.goals);
const actionsPerGoal = Number(values.actions);
const runs = Number(values.runs);

function bigPlan(): PlanJson {
  return {
    title: 'Iso suunnitelma',
    notes: 'Muistiinpanot',
    types: ['client_plan'],
    clientWords: 'Omat tavoitteet',
    strengths: 'Vahvuudet',
    nextReview: '2027-01-01',
    followUpDate: '',
    service: { contractType: '', startDate: '', endDate: '', daysPerWeek: null, hoursPerDay: null, place: '' },
    activation: { educationHistory: '', earlierServices: '', earlierPlans: '', goal: '', support: '' },
    goals: Array.from({ length: goals }, (_, g) => ({
      id: `g${g}`,
      title: `Tavoite ${g + 1}`,
      description: `Kuvaus tavoitteelle ${g + 1}`,
      lifeArea: 'work' as const,
      status: 'open' as const,
      clientStance: 'agree' as const,
      clientReason: '',
      professionalReason: '',
      actions: Array.from({ length: actionsPerGoal }, (_, a) => ({
        id: `g${g}a${a}`,
        text: `Toimenpide ${g + 1}.${a + 1}`,
        responsible: 'client',
        due: '2027-01-31',
        status: 'planned' as const,
        doneDate: ''
      }))
    }))
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  if (isClientBuildStale(path.resolve('build'))) buildClient();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'polku-plan-bench-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/cli/start.ts'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', POLKU_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: 'inherit'
  });
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

    const writer = connectYjs(url, caseRoom(created.id), cookie);
    await writer.synced;
    // Fill the (empty) plan the server created, in one transaction.
    planFromJson(bigPlan(), writer.doc);
    await waitFor(() => writer.savedClock() >= writer.localClock(), 10_000, 'the plan to be stored');
    writer.destroy();

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
    });
    const [name, value] = cookie.split('=') as [string, string];
    const fromData: number[] = [];
    const fromNavigation: number[] = [];
    const interactive: number[] = [];
    for (let run = 0; run < runs + 1; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addCookies([{ name, value, url }]);
      const page = await context.newPage();
      await page.goto(`${url}/cases/${created.id}`);
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="action"]').length === n && performance.getEntriesByName('polku:plan-rendered').length > 0, goals * actionsPerGoal, { timeout: 30_000 });
      // "Rendered" is when the visible rich-text editors exist too and two frames have been painted.
      await page.waitForFunction(() => document.querySelectorAll('.ProseMirror').length > 0, undefined, { timeout: 30_000 });
      const timing = await page.evaluate(async (room) => {
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        const settled = performance.now();
        const synced = performance.getEntriesByName(`polku:synced:${room}`)[0]!.startTime;
        const rendered = performance.getEntriesByName('polku:plan-rendered')[0]!.startTime;
        return { fromData: rendered - synced, fromNavigation: rendered, interactive: settled - synced };
      }, caseRoom(created.id));
      // The first run warms the server's room and the browser's caches.
      if (run > 0) {
        fromData.push(timing.fromData);
        fromNavigation.push(timing.fromNavigation);
        interactive.push(timing.interactive);
      }
      await context.close();
    }
    await browser.close();
    const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
    process.stdout.write(`Plan of ${goals} goals × ${actionsPerGoal} actions (${goals * actionsPerGoal} actions), ${runs} runs in headless Chromium:\n`);
    process.stdout.write(`  data arrived → plan rendered (all content shown):        ${fmt(fromData)}\n`);
    process.stdout.write(`  data arrived → rich-text editors on screen interactive: ${fmt(interactive)}\n`);
    process.stdout.write(`  navigation start → plan rendered:                       ${fmt(fromNavigation)}\n`);
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
