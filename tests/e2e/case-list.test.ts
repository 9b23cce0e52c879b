/**
 * The case list in a real browser. Each test signs in a person of a new organisation (made with
 * the CLI), so each starts from an empty list however the others ran.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addUserWithCli, setUpOverHttp, signInOverHttp, startApp, type RunningApp } from './app.js';
import { addClientWithForm, expectNoAxeViolations, fi, launchBrowser, newPerson, screenshot, waitForPath } from './browser.js';

describe('case list', () => {
  let app: RunningApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let organisations = 0;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    await setUpOverHttp(app, { organisation: 'Ylläpito', name: 'Ylläpitäjä', email: 'admin@example.fi', password: 'ylläpitäjän salasana' });
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** A social worker of a brand-new organisation, signed in, looking at /cases. */
  async function newOrganisationsWorker(): Promise<Page> {
    organisations++;
    const person = { email: `sosiaalityo${organisations}@example.fi`, name: 'Sanna Salonen', password: 'sannan pitkä salasana' };
    await addUserWithCli(app, { ...person, role: 'social_worker', organisation: `Tuusulan kunta ${organisations}` });
    const { context, page } = await newPerson(browser, app, await signInOverHttp(app, person));
    contexts.push(context);
    await page.goto('/cases');
    await page.getByRole('heading', { level: 1, name: fi('cases_title') }).waitFor();
    return page;
  }

  it('the empty case list has no axe violations', async () => {
    const page = await newOrganisationsWorker();
    await page.getByText(fi('cases_empty')).waitFor();
    await screenshot(page, 'case-list-empty');
    await expectNoAxeViolations(page, 'the empty case list');
  });

  it('adding a client with the Uusi asiakas form opens its plan and lists the client', async () => {
    const page = await newOrganisationsWorker();
    const casePath = await addClientWithForm(page, 'Matti M.');
    await page.getByRole('heading', { level: 1, name: 'Matti M.' }).waitFor();
    await page.getByRole('heading', { level: 2, name: fi('case_plan_heading') }).waitFor();

    await page.getByRole('link', { name: fi('case_back') }).click();
    await waitForPath(page, '/cases');
    const link = page.getByTestId('case-list').getByRole('link', { name: 'Matti M.' });
    await link.waitFor();
    await expect(link.getAttribute('href')).resolves.toBe(casePath);
  });

  it('the case list with clients has no axe violations', async () => {
    const page = await newOrganisationsWorker();
    await addClientWithForm(page, 'Liisa L.');
    await addClientWithForm(page, 'Pekka P.');
    await page.goto('/cases');
    await page.getByTestId('case-list').getByRole('link', { name: 'Pekka P.' }).waitFor();
    await screenshot(page, 'case-list');
    await expectNoAxeViolations(page, 'the case list with clients');
  });
});
