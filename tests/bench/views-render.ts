/**
 * `npm run bench:views`: how fast the assessment wheel (default 3 rounds of 11 areas, both the
 * professionals' and the client's scores) and the network map (default 40 nodes) are drawn in
 * headless Chromium — from the document's data arriving to each drawn, and from a click on its
 * tab to it being on screen (two frames painted). Runs the real server and the built client.
 */
import { parseArgs } from 'node:util';
import { viewRoom } from '../../shared/rooms.js';
import { ESY_TEMPLATE, SECTORS, addNode, addRound, setScore, setWheelTemplate } from '../../shared/views/index.js';
import { connectYjs, waitFor } from '../helpers/yjs-client.js';
import { describeTimes, startBenchApp } from './browser-fixture.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, nodes: { type: 'string', default: '40' }, runs: { type: 'string', default: '5' } } });
const rounds = Number(values.rounds);
const nodes = Number(values.nodes);
const runs = Number(values.runs);

async function main(): Promise<void> {
  const { url, cookie, caseId, browser, close } = await startBenchApp();
  try {
    const wheel = connectYjs(url, viewRoom(caseId, 'wheel'), cookie);
    const network = connectYjs(url, viewRoom(caseId, 'network'), cookie);
    await Promise.all([wheel.synced, network.synced]);
    wheel.doc.transact(() => {
      setWheelTemplate(wheel.doc, ESY_TEMPLATE);
      for (let r = 0; r < rounds; r++) {
        const id = addRound(wheel.doc, `2026-0${r + 1}-15`);
        ESY_TEMPLATE.areas.forEach((area, i) => {
          setScore(wheel.doc, id, 'professional', area.id, 1 + ((i + r) % 5));
          setScore(wheel.doc, id, 'client', area.id, 1 + ((i + 2 * r) % 5));
        });
      }
    });
    network.doc.transact(() => {
      for (let n = 0; n < nodes; n++) {
        addNode(network.doc, { name: `Henkilö ${n + 1}`, sector: SECTORS[n % SECTORS.length], ring: 1 + (n % 3), quality: (['supportive', 'neutral', 'strained', 'broken'] as const)[n % 4] });
      }
    });
    for (const writer of [wheel, network]) {
      await waitFor(() => writer.savedClock() >= writer.localClock(), 10_000, 'the views to be stored');
      writer.destroy();
    }

    const [name, value] = cookie.split('=') as [string, string];
    const wheelFromData: number[] = [];
    const mapFromData: number[] = [];
    const wheelTab: number[] = [];
    const mapTab: number[] = [];
    for (let run = 0; run < runs + 1; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addCookies([{ name, value, url }]);
      const page = await context.newPage();
      await page.goto(`${url}/cases/${caseId}`);
      await page.waitForFunction(
        (n) =>
          document.querySelectorAll('[data-testid="network-node"]').length === n &&
          performance.getEntriesByName('polku:wheel-rendered').length > 0 &&
          performance.getEntriesByName('polku:network-rendered').length > 0,
        nodes,
        { timeout: 30_000 }
      );
      const drawn = await page.evaluate((rooms) => {
        const synced = (room: string) => performance.getEntriesByName(`polku:synced:${room}`)[0]!.startTime;
        return {
          wheel: performance.getEntriesByName('polku:wheel-rendered')[0]!.startTime - synced(rooms.wheel),
          map: performance.getEntriesByName('polku:network-rendered').at(-1)!.startTime - synced(rooms.network)
        };
      }, { wheel: viewRoom(caseId, 'wheel'), network: viewRoom(caseId, 'network') });
      const switchTo = (tab: string) =>
        page.evaluate(async (id) => {
          const started = performance.now();
          (document.getElementById(id) as HTMLButtonElement).click();
          await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
          return performance.now() - started;
        }, tab);
      const wheelSwitch = await switchTo('tab-wheel');
      const mapSwitch = await switchTo('tab-network');
      if (run > 0) {
        wheelFromData.push(drawn.wheel);
        mapFromData.push(drawn.map);
        wheelTab.push(wheelSwitch);
        mapTab.push(mapSwitch);
      }
      await context.close();
    }
    process.stdout.write(`Assessment wheel of ${rounds} rounds × ${ESY_TEMPLATE.areas.length} areas and network map of ${nodes} nodes, ${runs} runs in headless Chromium:\n`);
    process.stdout.write(`  data arrived → wheel drawn:            ${describeTimes(wheelFromData)}\n`);
    process.stdout.write(`  data arrived → network map drawn:      ${describeTimes(mapFromData)}\n`);
    process.stdout.write(`  click on its tab → wheel on screen:    ${describeTimes(wheelTab)}\n`);
    process.stdout.write(`  click on its tab → map on screen:      ${describeTimes(mapTab)}\n`);
  } finally {
    await close();
  }
}

await main();
