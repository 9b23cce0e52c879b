/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), one context per
 * simulated person, axe checks with readable failures, screenshots, and the UI's own Finnish
 * texts so the tests find things the way people do: by label, role and wording.
 */
import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { RunningApp } from './app.js';
import { REPO_ROOT, SCREENSHOT_DIR } from './paths.js';

const CHROMIUM = process.env.POLKU_E2E_CHROMIUM ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync'
    ]
  });
}

/** A new, separate person: own cookies, storage and BroadcastChannel. */
export async function newPerson(
  browser: Browser,
  app: RunningApp,
  session?: { name: string; value: string }
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 800 } });
  if (session) await context.addCookies([{ ...session, url: app.url }]);
  const page = await context.newPage();
  return { context, page };
}

const messages = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'client', 'messages', 'fi.json'), 'utf8')) as Record<string, unknown>;

/** The Finnish UI text `key` (Finnish is the base locale a fresh browser gets), with `{params}` filled in. */
export function fi(key: string, params: Record<string, string> = {}): string {
  const text = messages[key];
  if (typeof text !== 'string') throw new Error(`no Finnish message "${key}"`);
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}

type AxeResults = Awaited<ReturnType<AxeBuilder['analyze']>>;

export function formatViolations(violations: AxeResults['violations']): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    - ${n.target.join(' ')}\n      ${n.html}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`)
        .join('\n');
      return `  [${v.impact ?? 'unknown'}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
}

/** Runs axe (all default rules) on the page as it is now; fails listing every violation. */
export async function expectNoAxeViolations(page: Page, where: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  if (violations.length > 0) {
    throw new Error(`axe found ${violations.length} violation(s) on ${where} (${page.url()}):\n${formatViolations(violations)}`);
  }
}

/** A full-page screenshot in tests/e2e/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Waits until the page's path is `pathname` (client-side navigation included). */
export async function waitForPath(page: Page, pathname: string | RegExp, timeout = 10_000): Promise<void> {
  await page.waitForURL((url) => (typeof pathname === 'string' ? url.pathname === pathname : pathname.test(url.pathname)), { timeout });
}

/** Adds a client with the "Uusi asiakas" form on /cases; resolves with the new case's path. */
export async function addClientWithForm(page: Page, displayName: string): Promise<string> {
  await page.goto('/cases');
  const form = page.locator('form').filter({ has: page.getByRole('heading', { name: fi('cases_new') }) });
  await form.getByLabel(fi('cases_new_name')).fill(displayName);
  await form.getByRole('button', { name: fi('cases_create'), exact: true }).click();
  await waitForPath(page, /^\/cases\/[0-9a-f-]{36}$/);
  return new URL(page.url()).pathname;
}

/** Opens a case's plan and waits until its document is connected, synced and editable. */
export async function openPlan(page: Page, casePath: string): Promise<void> {
  if (new URL(page.url()).pathname !== casePath) await page.goto(casePath);
  await page.locator('article.plan [data-testid="connection-status"][data-status="connected"]').waitFor();
  await page.getByTestId('plan-notes').waitFor();
  // Every panel (the plan, the wheel, …) says it is loading until the document arrived.
  // Waited for in the page, not with expect.poll: openPlan is also called from beforeAll hooks.
  await page.waitForFunction((text) => ![...document.querySelectorAll('[role="status"]')].some((e) => e.textContent?.includes(text)), fi('case_loading_doc'), { timeout: 10_000 });
}

/** On an open case page, the responsible person adds `name` to the team with the team form. */
export async function addToTeamWithForm(page: Page, name: string): Promise<void> {
  const form = page.locator('form').filter({ has: page.getByRole('heading', { name: fi('team_add_heading') }) });
  const select = form.getByLabel(fi('team_add_person'));
  const option = select.locator('option', { hasText: name });
  await option.waitFor({ state: 'attached' });
  await select.selectOption((await option.getAttribute('value'))!);
  await form.getByRole('button', { name: fi('team_add_submit'), exact: true }).click();
  await page.getByTestId('team').getByText(name, { exact: true }).waitFor();
}
