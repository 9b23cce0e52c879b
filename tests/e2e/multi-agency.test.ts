/**
 * The multi-agency flow in real browsers: a health-care administrator invites a nurse, the
 * social worker records the client's consent and adds the nurse to the team, the nurse sees the
 * case, and withdrawing the consent takes the nurse's open page off the case at once.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUserWithCli, setUpOverHttp, signInOverHttp, startApp, type Person, type RunningApp } from './app.js';
import { addClientWithForm, addToTeamWithForm, expectNoAxeViolations, fi, launchBrowser, newPerson, openPlan, screenshot, waitForPath } from './browser.js';

const SOCIAL = 'Kemin kaupunki';
const HEALTH = 'Länsi-Pohjan hyvinvointialue';
const admin: Person = { name: 'Kalle Ylläpito', email: 'admin@kemi.example', password: 'ylläpitäjän salasana' };
const sanna: Person = { name: 'Sanna Sosiaalityöntekijä', email: 'sanna@kemi.example', password: 'sannan pitkä salasana' };
const healthAdmin: Person = { name: 'Heikki Hallinto', email: 'heikki@lph.example', password: 'heikin pitkä salasana' };
const nurse: Person = { name: 'Hanna Hoitaja', email: 'hanna@lph.example', password: 'hannan pitkä salasana' };

describe('multi-agency access in the browser', () => {
  let app: RunningApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function personAt(person: Person | null): Promise<Page> {
    const { context, page } = await newPerson(browser, app, person ? await signInOverHttp(app, person) : undefined);
    contexts.push(context);
    return page;
  }

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    await setUpOverHttp(app, { ...admin, organisation: SOCIAL });
    await addUserWithCli(app, { ...sanna, role: 'social_worker', organisation: SOCIAL });
    await addUserWithCli(app, { ...healthAdmin, role: 'admin', organisation: HEALTH });
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await app?.stop();
  });

  it('invite, consent, team, access, withdrawal: the nurse sees the case only while the consent holds', async () => {
    // The health-care administrator invites the nurse.
    const adminPage = await personAt(healthAdmin);
    await adminPage.goto('/admin/accounts');
    const invite = adminPage.locator('form').filter({ has: adminPage.getByRole('heading', { name: fi('admin_invite_heading') }) });
    await invite.getByLabel(fi('admin_invite_name')).fill(nurse.name);
    await invite.getByLabel(fi('field_email')).fill(nurse.email);
    await invite.getByLabel(fi('admin_invite_role')).selectOption('psychiatric_nurse');
    await invite.getByRole('button', { name: fi('admin_invite_submit') }).click();
    const linkField = adminPage.getByLabel(fi('admin_link_label'), { exact: true });
    await linkField.waitFor();
    const link = await linkField.inputValue();
    expect(link).toMatch(/\/invite\/[\w-]+$/);
    await expectNoAxeViolations(adminPage, 'the accounts page with an invitation link');
    await screenshot(adminPage, 'admin-accounts');

    // The nurse accepts the invitation in her own browser.
    const nursePage = await personAt(null);
    await nursePage.goto(new URL(link).pathname);
    await nursePage.getByLabel(fi('field_password'), { exact: true }).fill(nurse.password);
    await expectNoAxeViolations(nursePage, 'the invitation page');
    await nursePage.getByRole('button', { name: fi('invite_submit_invite') }).click();
    await waitForPath(nursePage, '/cases');
    await nursePage.getByText(fi('cases_empty')).waitFor();

    // The social worker adds a client, records the consent for the health-care organisation and adds the nurse.
    const sannaPage = await personAt(sanna);
    const casePath = await addClientWithForm(sannaPage, 'Aino K.');
    const consentForm = sannaPage.locator('form').filter({ has: sannaPage.getByRole('heading', { name: fi('consent_record_heading') }) });
    const orgSelect = consentForm.getByLabel(fi('consent_organisation'));
    await orgSelect.locator('option', { hasText: HEALTH }).waitFor({ state: 'attached' });
    await orgSelect.selectOption({ label: HEALTH });
    await consentForm.getByLabel(fi('consent_method')).selectOption('oral_meeting');
    await consentForm.getByLabel(fi('consent_scope')).fill('Aktiivisuussuunnitelma ja verkostopalaverit');
    await consentForm.getByRole('button', { name: fi('consent_record_submit') }).click();
    await sannaPage.getByTestId('consents').getByText(HEALTH).waitFor();
    await addToTeamWithForm(sannaPage, nurse.name);
    await expectNoAxeViolations(sannaPage, 'the case page with team and consents');
    await screenshot(sannaPage, 'case-team-consents');

    // The nurse now sees the case and opens it.
    await nursePage.goto('/cases');
    await nursePage.getByTestId('case-list').getByRole('link', { name: 'Aino K.' }).click();
    await openPlan(nursePage, casePath);

    // The consent is withdrawn: the nurse's open page loses access.
    await sannaPage.getByRole('button', { name: fi('consent_withdraw') }).click();
    const dialog = sannaPage.getByRole('dialog');
    await dialog.getByRole('button', { name: fi('consent_withdraw') }).click();
    const started = Date.now();
    await nursePage.getByText(fi('case_access_ended')).waitFor({ timeout: 3_000 });
    expect(Date.now() - started).toBeLessThan(3_000);
    await expect(nursePage.getByTestId('plan-notes').count()).resolves.toBe(0);
    await sannaPage.getByTestId('consents').getByText(fi('consent_withdrawn', { date: '' }).trim(), { exact: false }).waitFor();
    await nursePage.goto('/cases');
    await nursePage.getByText(fi('cases_empty')).waitFor();
  });

  it('the audit log page shows the case events to the administrator and has no axe violations', async () => {
    const page = await personAt(admin);
    await page.goto('/audit');
    await page.getByRole('table').waitFor();
    await expect(page.getByRole('table').innerText()).resolves.toContain('Aino K.');
    await expectNoAxeViolations(page, 'the audit log');
    const response = await page.goto('/audit');
    expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self' 'sha256-/);
  });
});
