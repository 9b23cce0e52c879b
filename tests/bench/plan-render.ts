/**
 * `npm run bench:plan`: how fast a big plan (default 50 goals × 10 actions) opens in headless
 * Chromium — from the document's data arriving to the whole plan rendered (every field shown;
 * rich-text fields as live previews), to the rich-text editors on screen being interactive, and
 * from navigation start. Runs the real server and the built client.
 */
import { parseArgs } from 'node:util';
import { planFromJson, type PlanJson } from '../../shared/plan/json.js';
import { caseRoom } from '../../shared/rooms.js';
import { connectYjs, waitFor } from '../helpers/yjs-client.js';
import { describeTimes, startBenchApp } from './browser-fixture.js';

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

async function main(): Promise<void> {
  const { url, cookie, caseId, browser, close } = await startBenchApp();
  const created = { id: caseId };
  try {
    const writer = connectYjs(url, caseRoom(created.id), cookie);
    await writer.synced;
    // Fill the (empty) plan the server created, in one transaction.
    planFromJson(bigPlan(), writer.doc);
    await waitFor(() => writer.savedClock() >= writer.localClock(), 10_000, 'the plan to be stored');
    writer.destroy();

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
    const fmt = describeTimes;
    process.stdout.write(`Plan of ${goals} goals × ${actionsPerGoal} actions (${goals * actionsPerGoal} actions), ${runs} runs in headless Chromium:\n`);
    process.stdout.write(`  data arrived → plan rendered (all content shown):        ${fmt(fromData)}\n`);
    process.stdout.write(`  data arrived → rich-text editors on screen interactive: ${fmt(interactive)}\n`);
    process.stdout.write(`  navigation start → plan rendered:                       ${fmt(fromNavigation)}\n`);
  } finally {
    await close();
  }
}

await main();
