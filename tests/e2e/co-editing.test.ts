/**
 * Two people of one organisation work on the same plan, each in their own browser context:
 * typing shows up for the other within a second, each sees the other as present, and the save
 * state settles on "saved". Every test gets a new case.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addUserWithCli, setUpOverHttp, signInOverHttp, startApp, type Person, type RunningApp } from './app.js';
import { addClientWithForm, addToTeamWithForm, expectNoAxeViolations, fi, launchBrowser, newPerson, openPlan, screenshot } from './browser.js';

const ORGANISATION = 'Hyvinkään kaupunki';
/** The administrator who set Polku up (over HTTP; the set-up page has its own tests). */
const admin: Person = { name: 'Ylläpitäjä', email: 'admin@example.fi', password: 'ylläpitäjän salasana' };
/** Person A: a social worker, added with the CLI; the responsible person of each new client. */
const aino: Person = { name: 'Aino Aaltonen', email: 'aino@example.fi', password: 'ainon pitkä salasana' };
/** Person B: a psychiatric nurse added with the CLI. */
const bertta: Person = { name: 'Bertta Berg', email: 'bertta@example.fi', password: 'bertan pitkä salasana' };

/** How soon the other person must see a change. */
const SEEN_WITHIN_MS = 1_000;
/** Keystroke delay: a quick typist, slow enough that every keystroke is its own update. */
const TYPING_DELAY_MS = 15;
/** How soon presence must show (generous: it is one awareness round trip). */
const PRESENCE_WITHIN_MS = 3_000;

interface Meeting {
  casePath: string;
  a: Page;
  b: Page;
}

describe('two people co-editing a plan', () => {
  let app: RunningApp;
  let browser: Browser;
  const sessions = new Map<Person, { name: string; value: string }>();
  const contexts: BrowserContext[] = [];
  let clients = 0;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    await setUpOverHttp(app, { ...admin, organisation: ORGANISATION });
    await addUserWithCli(app, { ...aino, role: 'social_worker', organisation: ORGANISATION });
    await addUserWithCli(app, { ...bertta, role: 'psychiatric_nurse', organisation: ORGANISATION });
    for (const person of [aino, bertta]) sessions.set(person, await signInOverHttp(app, person));
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function personAt(person: Person): Promise<Page> {
    const { context, page } = await newPerson(browser, app, sessions.get(person));
    contexts.push(context);
    return page;
  }

  /** A adds a new client with the form and B to its team; both then have its plan open and connected. */
  async function meeting(): Promise<Meeting> {
    clients++;
    const [a, b] = await Promise.all([personAt(aino), personAt(bertta)]);
    const casePath = await addClientWithForm(a, `Asiakas ${clients}`);
    await addToTeamWithForm(a, bertta.name);
    await Promise.all([openPlan(a, casePath), openPlan(b, casePath)]);
    return { casePath, a, b };
  }

  const notes = (page: Page) => page.getByTestId('plan-notes');

  /** Waits at most SEEN_WITHIN_MS for `page`'s notes to read `expected`. */
  async function expectNotesSoon(page: Page, expected: string): Promise<void> {
    await expect
      .poll(() => notes(page).inputValue(), { timeout: SEEN_WITHIN_MS, interval: 20 })
      .toBe(expected);
  }

  it('both people open the plan of the client A added with the Uusi asiakas form', async () => {
    const { a, b, casePath } = await meeting();
    expect(new URL(b.url()).pathname).toBe(casePath);
    for (const page of [a, b]) {
      await page.getByText(`Asiakas ${clients}`, { exact: true }).waitFor();
      await expect(notes(page).isEditable()).resolves.toBe(true);
    }
  });

  it('what A types in the notes appears for B within a second', async () => {
    const { a, b } = await meeting();
    const text = 'Tavoite: säännöllinen päivärytmi ja työkokeilu syksyllä.';
    await notes(a).click();
    await notes(a).pressSequentially(text, { delay: TYPING_DELAY_MS });
    await expectNotesSoon(b, text);
  });

  it('what B types in the notes appears for A within a second', async () => {
    const { a, b } = await meeting();
    const first = 'Aino: asunto on kunnossa.';
    await notes(a).click();
    await notes(a).pressSequentially(first, { delay: TYPING_DELAY_MS });
    await expectNotesSoon(b, first);

    await notes(b).click();
    await b.keyboard.press('Control+End');
    const added = '\nBertta: lääkitys tarkistetaan ensi viikolla.';
    await notes(b).pressSequentially(added, { delay: TYPING_DELAY_MS });
    await expectNotesSoon(b, first + added);
    await expectNotesSoon(a, first + added);
  });

  const peopleHere = (page: Page) => page.getByTestId('people-here').innerText();

  it('each person sees the other in the people-here list once both have the plan open', async () => {
    const { a, b } = await meeting();
    // Nobody types or focuses a field: having the plan open is enough to be "here".
    await expect.poll(() => peopleHere(a), { timeout: PRESENCE_WITHIN_MS }).toContain(bertta.name);
    await expect.poll(() => peopleHere(b), { timeout: PRESENCE_WITHIN_MS }).toContain(aino.name);
    await expect(peopleHere(a)).resolves.toContain(fi('role_psychiatric_nurse'));
  });

  it('each person sees themself in the people-here list, marked as themself', async () => {
    const { a, b } = await meeting();
    await expect.poll(() => peopleHere(a), { timeout: PRESENCE_WITHIN_MS }).toContain(fi('presence_you', { name: aino.name }));
    await expect.poll(() => peopleHere(b), { timeout: PRESENCE_WITHIN_MS }).toContain(fi('presence_you', { name: bertta.name }));
  });

  it('"Vain sinä" is not shown while someone else is here', async () => {
    const { a, b } = await meeting();
    // B focuses a field, which announces her even where merely opening the plan does not.
    await notes(b).click();
    await expect.poll(() => peopleHere(a), { timeout: PRESENCE_WITHIN_MS }).toContain(bertta.name);
    const alone = a.getByText(fi('presence_alone'), { exact: true });
    await expect(alone.isVisible()).resolves.toBe(false);
  });

  it('the other person sees whose name is on the field someone is editing', async () => {
    const { a, b } = await meeting();
    await notes(a).click();
    const badge = b.locator('.field').filter({ has: b.getByTestId('plan-notes') }).getByText(aino.name, { exact: true });
    await badge.waitFor({ timeout: PRESENCE_WITHIN_MS });
    await notes(a).blur();
    await badge.waitFor({ state: 'detached', timeout: PRESENCE_WITHIN_MS });
  });

  it('the save state goes to saving while typing and settles on saved', async () => {
    const { a } = await meeting();
    const saveState = a.getByTestId('save-state');
    await expect(saveState.getAttribute('data-state')).resolves.toBe('saved');
    // Record every state the indicator shows from now on.
    await saveState.evaluate((element) => {
      const seen: string[] = [];
      (window as unknown as { seenSaveStates: string[] }).seenSaveStates = seen;
      new MutationObserver((records) => {
        for (const record of records) seen.push((record.target as Element).getAttribute('data-state') ?? '');
      }).observe(element, { attributes: true, attributeFilter: ['data-state'] });
    });

    await notes(a).click();
    await notes(a).pressSequentially('Seuraava tapaaminen 12.3. klo 10.', { delay: TYPING_DELAY_MS });
    await expect.poll(() => saveState.getAttribute('data-state'), { timeout: 5_000 }).toBe('saved');
    await expect(saveState.textContent()).resolves.toBe(fi('save_saved'));
    const seen = await a.evaluate(() => (window as unknown as { seenSaveStates: string[] }).seenSaveStates);
    expect(seen).toContain('saving');
    expect(seen).not.toContain('unsaved');
  });

  it('the case page with two people has no axe violations', async () => {
    const { a, b } = await meeting();
    await a.getByTestId('plan-title').pressSequentially('Kohti omaa arkea', { delay: TYPING_DELAY_MS });
    await notes(a).click();
    await notes(a).pressSequentially('Aino: asunto on kunnossa.', { delay: TYPING_DELAY_MS });
    await notes(b).click();
    await b.keyboard.press('Control+End');
    await notes(b).pressSequentially('\nBertta: lääkitys tarkistetaan.', { delay: TYPING_DELAY_MS });
    // Bertta is still in the notes, so Aino's screen marks the field with her name.
    await expect.poll(() => a.getByTestId('people-here').innerText(), { timeout: 5_000 }).toContain(bertta.name);
    await expect.poll(() => a.getByTestId('save-state').getAttribute('data-state'), { timeout: 5_000 }).toBe('saved');
    await expect.poll(() => b.getByTestId('save-state').getAttribute('data-state'), { timeout: 5_000 }).toBe('saved');
    await notes(a).blur();

    await screenshot(a, 'case-page-two-people-a');
    await screenshot(b, 'case-page-two-people-b');
    await expectNoAxeViolations(a, "the case page (A's view, B editing the notes)");
    await expectNoAxeViolations(b, "the case page (B's view)");
  });
});
