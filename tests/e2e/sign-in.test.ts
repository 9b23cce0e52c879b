/** The sign-in page in a real browser: accessibility, a wrong password, the right password. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setUpOverHttp, startApp, type RunningApp } from './app.js';
import { expectNoAxeViolations, fi, launchBrowser, newPerson, screenshot, waitForPath } from './browser.js';

const admin = {
  organisation: 'Keravan kaupunki',
  name: 'Kaisa Korhonen',
  email: 'kaisa.korhonen@example.fi',
  password: 'oikein pitkä salasana 2026'
};

describe('sign-in page', () => {
  let app: RunningApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    await setUpOverHttp(app, admin);
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** A signed-out visitor who opened Polku and was sent to the sign-in page. */
  async function atSignIn(): Promise<Page> {
    const { context, page } = await newPerson(browser, app);
    contexts.push(context);
    await page.goto('/');
    await waitForPath(page, '/login');
    await page.getByRole('heading', { level: 1, name: fi('login_title') }).waitFor();
    return page;
  }

  async function signIn(page: Page, password: string): Promise<void> {
    await page.getByLabel(fi('field_email')).fill(admin.email);
    await page.getByLabel(fi('field_password'), { exact: true }).fill(password);
    await page.getByRole('button', { name: fi('login_submit'), exact: true }).click();
  }

  it('the sign-in page has no axe violations', async () => {
    const page = await atSignIn();
    await screenshot(page, 'sign-in');
    await expectNoAxeViolations(page, 'the sign-in page');
  });

  it('a wrong password shows the error message and stays on the sign-in page', async () => {
    const page = await atSignIn();
    await signIn(page, 'tämä ei ole oikea salasana');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toBe(fi('login_failed'));
    expect(new URL(page.url()).pathname).toBe('/login');
    await screenshot(page, 'sign-in-wrong-password');
  });

  it('the right password lands on the case list', async () => {
    const page = await atSignIn();
    await signIn(page, admin.password);
    await waitForPath(page, '/cases');
    await page.getByRole('heading', { level: 1, name: fi('cases_title') }).waitFor();
    await expect(page.getByText(fi('signed_in_as', { name: admin.name })).isVisible()).resolves.toBe(true);
  });
});
