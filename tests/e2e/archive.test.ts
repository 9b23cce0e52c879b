/**
 * Finalising and the archive in real browsers: the responsible person proposes the plan, the
 * coach named on it confirms, a coordinator approves; twice. The coordinator finds the versions
 * in the archive, downloads a PDF and compares the two versions. No axe violations.
 */
import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUserWithCli, setUpOverHttp, signInOverHttp, startApp, type Person, type RunningApp } from './app.js';
import { addClientWithForm, addToTeamWithForm, expectNoAxeViolations, fi, launchBrowser, newPerson, openPlan, screenshot } from './browser.js';

const ORGANISATION = 'Kemin kaupunki';
const admin: Person = { name: 'Ylläpitäjä', email: 'admin@example.fi', password: 'ylläpitäjän salasana' };
const sanna: Person = { name: 'Sanna Sosiaalityöntekijä', email: 'sanna@example.fi', password: 'sannan pitkä salasana' };
const kalle: Person = { name: 'Kalle Valmentaja', email: 'kalle@example.fi', password: 'kallen pitkä salasana' };
const kaija: Person = { name: 'Kaija Koordinaattori', email: 'kaija@example.fi', password: 'kaijan pitkä salasana' };

describe('finalising plans and the archive', () => {
  let app: RunningApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function personAt(person: Person): Promise<Page> {
    const { context, page } = await newPerson(browser, app, await signInOverHttp(app, person));
    contexts.push(context);
    return page;
  }

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    await setUpOverHttp(app, { ...admin, organisation: ORGANISATION });
    await addUserWithCli(app, { ...sanna, role: 'social_worker', organisation: ORGANISATION });
    await addUserWithCli(app, { ...kalle, role: 'coach', organisation: ORGANISATION });
    await addUserWithCli(app, { ...kaija, role: 'coordinator', organisation: ORGANISATION });
  });
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await app?.stop();
  });

  async function addGoalWithAction(page: Page, goal: string, action: string): Promise<void> {
    await page.getByRole('button', { name: `+ ${fi('plan_goal_add')}` }).click();
    await page.keyboard.type(goal);
    const card = page.getByTestId('goal').last();
    await card.getByRole('button', { name: `+ ${fi('plan_action_add')}` }).click();
    await page.keyboard.type(action);
    await card.getByTestId('action').last().getByLabel(fi('plan_action_responsible')).selectOption({ label: kalle.name });
    await page.getByText(fi('save_saved')).first().waitFor().catch(() => undefined);
  }

  async function finalise(worker: Page, coach: Page, coordinator: Page, version: number): Promise<void> {
    const panel = worker.getByTestId('finalising');
    await panel.getByRole('button', { name: fi('finalise_propose') }).click();
    await worker.getByRole('dialog').getByRole('button', { name: fi('finalise_propose') }).click();
    await panel.getByText(fi('finalise_waiting', { name: kalle.name })).waitFor();
    await coach.reload();
    await coach.getByTestId('finalising').getByRole('button', { name: fi('finalise_confirm') }).click();
    await coach.getByTestId('finalising').getByText(fi('finalise_waiting', { name: kalle.name })).waitFor({ state: 'detached' });
    await coordinator.reload();
    await coordinator.getByTestId('finalising').getByRole('button', { name: fi('finalise_approve') }).click();
    await expect.poll(() => coordinator.getByTestId('archived-versions').getByRole('listitem').count()).toBe(version);
  }

  it('a coordinator approves a plan, finds it in the archive, downloads its PDF, and compares two versions', async () => {
    const worker = await personAt(sanna);
    const casePath = await addClientWithForm(worker, 'Aarni A.');
    await addToTeamWithForm(worker, kalle.name);
    await openPlan(worker, casePath);
    await addGoalWithAction(worker, 'Oma asunto', 'Asuntohakemus');
    const coach = await personAt(kalle);
    await coach.goto(casePath);
    const coordinator = await personAt(kaija);
    await coordinator.goto(casePath);
    await finalise(worker, coach, coordinator, 1);
    await expectNoAxeViolations(coordinator, 'the case page with an archived version');

    await addGoalWithAction(worker, 'Työkokeilu', 'Tutustumiskäynti');
    await finalise(worker, coach, coordinator, 2);

    // The responsible person closes the case (the retention period starts); the hand-over package is offered.
    await worker.reload();
    const finalising = worker.getByTestId('finalising');
    await finalising.getByRole('link', { name: fi('finalise_package_label', { version: '2' }) }).waitFor();
    await finalising.getByRole('button', { name: fi('case_close') }).click();
    await worker.getByRole('dialog').getByRole('button', { name: fi('case_close') }).click();
    await finalising.getByTestId('case-closed').waitFor();
    await expectNoAxeViolations(worker, 'a closed case');

    // The archive: both versions, searchable by the client's name.
    await coordinator.getByRole('link', { name: fi('nav_archive') }).click();
    await coordinator.getByLabel(fi('archive_query')).fill('Aarni');
    await coordinator.getByRole('button', { name: fi('archive_search'), exact: true }).click();
    const results = coordinator.getByTestId('archive-results');
    await expect.poll(() => results.locator('tbody tr').count()).toBe(2);
    await expectNoAxeViolations(coordinator, 'the archive');
    await results.getByRole('row', { name: /Aarni A\. 2/ }).getByRole('link').click();
    const archived = coordinator.getByTestId('archived-plan');
    await archived.getByText('Työkokeilu').waitFor();

    // The PDF downloads.
    const [download] = await Promise.all([coordinator.waitForEvent('download'), archived.getByTestId('pdf-official').click()]);
    const file = await download.path();
    expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');

    // Compare with version 1: the new goal and its action.
    await coordinator.getByRole('button', { name: fi('archive_compare'), exact: true }).click();
    const diff = coordinator.getByTestId('archive-diff');
    await diff.getByText(fi('archive_goal_added', { title: 'Työkokeilu' })).waitFor();
    await diff.getByText(fi('archive_action_added', { text: 'Tutustumiskäynti', goal: 'Työkokeilu' })).waitFor();
    await expectNoAxeViolations(coordinator, 'an archived version compared with another');
    await screenshot(coordinator, 'archived-plan');
    // Two finalisations, a closed case, the archive and four accessibility scans: a long story.
  }, 150_000);

  it('the coordinator reads the follow-up report and can export it', async () => {
    const coordinator = await personAt(kaija);
    await coordinator.goto('/cases');
    await coordinator.getByRole('link', { name: fi('nav_reports') }).click();
    await coordinator.getByTestId('clients-in-service').waitFor();
    await coordinator.getByTestId('report-gender').waitFor();
    const [download] = await Promise.all([coordinator.waitForEvent('download'), coordinator.getByRole('link', { name: fi('report_csv') }).click()]);
    expect(fs.readFileSync(await download.path(), 'utf8')).toContain(fi('report_clients'));
    await expectNoAxeViolations(coordinator, 'the follow-up report');
    await screenshot(coordinator, 'reports');
  });
});
