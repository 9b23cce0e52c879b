/**
 * The assessment wheel, the network map and the guidance path in real browsers: scoring by
 * keyboard only, adding and moving a node by keyboard only, both drawings updating live on a
 * second person's screen within a second, and no axe violations.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOT_DIR } from './paths.js';
import { addUserWithCli, setUpOverHttp, signInOverHttp, startApp, type Person, type RunningApp } from './app.js';
import { addClientWithForm, addToTeamWithForm, expectNoAxeViolations, fi, launchBrowser, newPerson, openPlan, screenshot } from './browser.js';

const ORGANISATION = 'Kemin kaupunki';
const admin: Person = { name: 'Ylläpitäjä', email: 'admin@example.fi', password: 'ylläpitäjän salasana' };
const aino: Person = { name: 'Aino Aaltonen', email: 'aino@example.fi', password: 'ainon pitkä salasana' };
const bertta: Person = { name: 'Bertta Berg', email: 'bertta@example.fi', password: 'bertan pitkä salasana' };
const kaija: Person = { name: 'Kaija Koordinaattori', email: 'kaija@example.fi', password: 'kaijan pitkä salasana' };

describe('the wheel, the network map and the guidance path', () => {
  let app: RunningApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let a: Page;
  let b: Page;

  async function personAt(person: Person): Promise<Page> {
    const { context, page } = await newPerson(browser, app, await signInOverHttp(app, person));
    contexts.push(context);
    return page;
  }

  /** Moves to a tab with the keyboard only: focus the selected tab, then arrow right until there. */
  async function tabTo(page: Page, name: string): Promise<void> {
    await page.locator('[role="tab"][aria-selected="true"]').focus();
    for (let i = 0; i < 6; i++) {
      if ((await page.getByRole('tab', { name }).getAttribute('aria-selected')) === 'true') return;
      await page.keyboard.press('ArrowRight');
    }
    throw new Error(`no tab ${name}`);
  }

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    await setUpOverHttp(app, { ...admin, organisation: ORGANISATION });
    await addUserWithCli(app, { ...aino, role: 'social_worker', organisation: ORGANISATION });
    await addUserWithCli(app, { ...bertta, role: 'coach', organisation: ORGANISATION });
    await addUserWithCli(app, { ...kaija, role: 'coordinator', organisation: ORGANISATION });
    a = await personAt(aino);
    b = await personAt(bertta);
    const casePath = await addClientWithForm(a, 'Eetu E.');
    await addToTeamWithForm(a, bertta.name);
    await Promise.all([openPlan(a, casePath), openPlan(b, casePath)]);
  });
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await app?.stop();
  });

  it('scores an area by keyboard only; the radar chart draws it and updates on the other screen within a second', async () => {
    await tabTo(a, fi('view_wheel'));
    await tabTo(b, fi('view_wheel'));
    const start = a.getByRole('button', { name: fi('wheel_start') });
    await start.focus();
    await a.keyboard.press('Enter');
    const housing = a.getByRole('slider', { name: 'asuminen' });
    await housing.focus();
    for (let i = 0; i < 3; i++) await a.keyboard.press('ArrowUp');
    expect(await housing.getAttribute('aria-valuenow')).toBe('3');
    await a.getByRole('slider', { name: 'talous' }).focus();
    await a.keyboard.press('End');
    expect(await a.getByRole('slider', { name: 'talous' }).getAttribute('aria-valuenow')).toBe('5');

    // The chart: a grid ring per scale step, the current round, the client's view, and a handle per area.
    const radar = b.getByTestId('radar');
    await expect.poll(() => radar.getByRole('slider', { name: 'asuminen' }).getAttribute('aria-valuenow'), { timeout: 1_000 }).toBe('3');
    expect(await radar.locator('polygon.grid').count()).toBe(5);
    expect(await radar.getByRole('slider').count()).toBe(11);
    expect((await radar.getByTestId('radar-current').getAttribute('points'))!.split(' ')).toHaveLength(2);
    // The table says the same, for screen readers and print.
    expect(await b.getByTestId('wheel-table').getByLabel(`asuminen: ${fi('wheel_now')}`).inputValue()).toBe('3');

    // The client's own view, by keyboard too; the table marks where the views differ.
    await a.getByLabel(fi('wheel_who_client')).focus();
    await a.keyboard.press('Space');
    await a.getByRole('slider', { name: 'asuminen' }).focus();
    await a.keyboard.press('ArrowUp');
    await b.getByTestId('wheel-table').getByText(fi('wheel_differs')).waitFor({ timeout: 1_000 });

    // A low area becomes a goal in one step.
    await a.getByRole('button', { name: `${fi('wheel_make_goal')}: talous` }).focus();
    await a.getByRole('button', { name: `${fi('wheel_make_goal')}: talous` }).click();
    await expectNoAxeViolations(a, 'the assessment wheel');
    await screenshot(a, 'wheel');
    await a.getByTestId('radar').screenshot({ path: `${SCREENSHOT_DIR}/wheel-drawing.png` });
  });

  it('adds and moves a node by keyboard only; the map updates on the other screen within a second', async () => {
    await tabTo(a, fi('view_network'));
    await tabTo(b, fi('view_network'));
    const form = a.getByRole('form', { name: fi('network_add_heading') });
    await form.getByLabel(fi('network_name')).focus();
    await a.keyboard.type('Sisko');
    await a.keyboard.press('Tab');
    await a.keyboard.type('sisar');
    await a.keyboard.press('Enter');
    const node = a.getByTestId('network-map').getByRole('button', { name: /^Sisko/ });
    await node.waitFor();
    expect(await node.getAttribute('aria-label')).toContain(fi('network_ring_2'));
    const otherNode = b.getByTestId('network-map').getByRole('button', { name: /^Sisko/ });
    await otherNode.waitFor({ timeout: 1_000 });
    const before = await otherNode.getAttribute('transform');

    await node.focus();
    await a.keyboard.press('ArrowUp');
    await expect.poll(() => node.getAttribute('aria-label')).toContain(fi('network_ring_1'));
    await expect.poll(() => otherNode.getAttribute('transform'), { timeout: 1_000 }).not.toBe(before);
    await expect.poll(() => b.getByTestId('network-table').getByRole('row', { name: /Sisko/ }).textContent(), { timeout: 1_000 }).toContain(fi('network_ring_1'));
    await a.keyboard.press('ArrowRight');

    // Forty nodes stay drawn and listed.
    for (let i = 1; i < 40; i++) {
      await form.getByLabel(fi('network_name')).fill(`Henkilö ${i}`);
      await form.getByLabel(fi('network_sector')).selectOption(['family', 'friends', 'professionals', 'school_work', 'hobbies_other'][i % 5]!);
      await form.getByLabel(fi('network_closeness')).selectOption(String(1 + (i % 3)));
      await form.getByRole('button', { name: fi('network_add') }).click();
    }
    await expect.poll(() => b.getByTestId('network-node').count(), { timeout: 3_000 }).toBe(40);
    expect(await b.locator('[data-testid="network-map"] line.tie').count()).toBe(40);
    expect(await b.getByTestId('network-table').locator('tbody tr').count()).toBe(40);
    await expectNoAxeViolations(b, 'the network map');
    await screenshot(b, 'network-map');
    await b.getByTestId('network-map').screenshot({ path: `${SCREENSHOT_DIR}/network-map-drawing.png` });
  });

  it('shows the guidance path with the current stage', async () => {
    await tabTo(a, fi('view_path'));
    const form = a.getByRole('form', { name: fi('path_add_heading') });
    await form.getByLabel(fi('path_stage')).selectOption('referral');
    await form.getByLabel(fi('path_date')).fill('2026-01-10');
    await form.getByRole('button', { name: fi('path_add') }).click();
    await form.getByLabel(fi('path_stage')).selectOption('agreement');
    await form.getByLabel(fi('path_date')).fill('2026-03-01');
    await form.getByRole('button', { name: fi('path_add') }).click();
    await tabTo(b, fi('view_path'));
    await expect.poll(() => b.getByTestId('path-stage').count(), { timeout: 1_000 }).toBe(2);
    await expect.poll(() => b.getByTestId('path-summary').textContent()).toContain(fi('path_stage_agreement'));
    await expectNoAxeViolations(b, 'the guidance path');
    await screenshot(b, 'guidance-path');
  });

  it("a coordinator defines the organisation's own template, and a new wheel can use it", async () => {
    const coordinator = await personAt(kaija);
    await coordinator.goto('/templates');
    const form = coordinator.getByRole('form', { name: fi('templates_new') });
    await form.getByLabel(fi('templates_name')).fill('Työkykymittari');
    await form.getByLabel(fi('templates_min')).selectOption('0');
    await form.getByLabel(fi('templates_max')).selectOption('10');
    await form.getByLabel(fi('templates_areas')).fill('Terveys\nOsaaminen\nMotivaatio\nArki');
    await form.getByRole('button', { name: fi('templates_create') }).click();
    await coordinator.getByTestId('templates').getByRole('heading', { name: 'Työkykymittari' }).waitFor();
    await expectNoAxeViolations(coordinator, 'the templates page');

    const casePath = await addClientWithForm(a, 'Fanni F.');
    await openPlan(a, casePath);
    await tabTo(a, fi('view_wheel'));
    await a.getByLabel('Työkykymittari, 0–10').check();
    await a.getByRole('button', { name: fi('wheel_start') }).click();
    await a.getByRole('slider', { name: 'Motivaatio' }).waitFor();
    expect(await a.getByRole('slider').count()).toBe(4);
    expect(await a.getByRole('slider', { name: 'Motivaatio' }).getAttribute('aria-valuemax')).toBe('10');
  });
});
