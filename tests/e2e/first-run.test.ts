/** First run in a real browser: the set-up page, its accessibility, and creating the administrator. */
import type { Browser, BrowserContext } from 'playwright-core';
import type { Me } from '../../shared/api-types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from './app.js';
import { expectNoAxeViolations, fi, launchBrowser, newPerson, screenshot, waitForPath } from './browser.js';

describe('first run', () => {
  /** Never set up: for the tests that only look. */
  let pristine: RunningApp;
  /** Set up by the one test that completes the set-up. */
  let toSetUp: RunningApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [pristine, toSetUp, browser] = await Promise.all([startApp(), startApp(), launchBrowser()]);
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([pristine?.stop(), toSetUp?.stop()]);
  });

  async function visitor(app: RunningApp) {
    const person = await newPerson(browser, app);
    contexts.push(person.context);
    return person.page;
  }

  it('sends the first visitor from / to the set-up page', async () => {
    const page = await visitor(pristine);
    await page.goto('/');
    await waitForPath(page, '/setup');
    await expect(page.getByRole('heading', { level: 1, name: fi('setup_title') }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: fi('setup_submit') }).isVisible()).resolves.toBe(true);
  });

  it('the set-up page has no axe violations', async () => {
    const page = await visitor(pristine);
    await page.goto('/setup');
    await page.getByRole('heading', { level: 1, name: fi('setup_title') }).waitFor();
    await screenshot(page, 'set-up');
    await expectNoAxeViolations(page, 'the set-up page');
  });

  it('completing the set-up creates the administrator and lands on the empty case list', async () => {
    const page = await visitor(toSetUp);
    await page.goto('/');
    await waitForPath(page, '/setup');
    await page.getByLabel(fi('setup_organisation')).fill('Järvenpään kaupunki');
    await page.getByLabel(fi('setup_name')).fill('Aino Aaltonen');
    await page.getByLabel(fi('field_email')).fill('aino.aaltonen@example.fi');
    await page.getByLabel(fi('field_password'), { exact: true }).fill('pitkä ja hyvä salasana');
    await page.getByRole('button', { name: fi('setup_submit') }).click();

    await waitForPath(page, '/cases');
    await page.getByRole('heading', { level: 1, name: fi('cases_title') }).waitFor();
    await page.getByText(fi('cases_empty')).waitFor();
    await expect(page.getByText(fi('signed_in_as', { name: 'Aino Aaltonen' })).isVisible()).resolves.toBe(true);

    const me = (await (await page.request.get('/api/me')).json()) as Me;
    expect(me).toMatchObject({ name: 'Aino Aaltonen', email: 'aino.aaltonen@example.fi', role: 'admin' });
    expect(me.organisation.name).toBe('Järvenpään kaupunki');
    const status = (await (await fetch(`${toSetUp.url}/api/auth/status`)).json()) as { setupNeeded: boolean };
    expect(status.setupNeeded).toBe(false);
  });
});
