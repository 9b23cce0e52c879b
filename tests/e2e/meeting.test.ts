/**
 * A meeting in real browsers: the chair starts it from the case page, a second professional
 * joins, and the client joins on a phone-sized screen with the code: lobby, admission, their
 * own plan live, their comment on a goal reaching the chair, and the end of the meeting.
 * Then follow-the-presenter between the two professionals.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUserWithCli, setUpOverHttp, signInOverHttp, startApp, type Person, type RunningApp } from './app.js';
import { addClientWithForm, addToTeamWithForm, expectNoAxeViolations, fi, launchBrowser, newPerson, screenshot, waitForPath } from './browser.js';

const ORGANISATION = 'Kemin kaupunki';
const admin: Person = { name: 'Ylläpitäjä', email: 'admin@example.fi', password: 'ylläpitäjän salasana' };
const sanna: Person = { name: 'Sanna Sosiaalityöntekijä', email: 'sanna@example.fi', password: 'sannan pitkä salasana' };
const kalle: Person = { name: 'Kalle Valmentaja', email: 'kalle@example.fi', password: 'kallen pitkä salasana' };

const IPHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

describe('a meeting with the client joining from a phone', () => {
  let app: RunningApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function personAt(person: Person): Promise<Page> {
    const { context, page } = await newPerson(browser, app, await signInOverHttp(app, person));
    contexts.push(context);
    return page;
  }

  async function phone(): Promise<Page> {
    const context = await browser.newContext({
      baseURL: app.url,
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      userAgent: IPHONE_UA
    });
    contexts.push(context);
    return context.newPage();
  }

  /** The chair starts a meeting now on a new case with the coach on the team; both open the meeting page. */
  async function startMeeting(clientName: string): Promise<{ chair: Page; coach: Page; meetingPath: string }> {
    const chair = await personAt(sanna);
    await addClientWithForm(chair, clientName);
    await addToTeamWithForm(chair, kalle.name);
    await chair.getByTestId('meetings').getByRole('button', { name: fi('meetings_start_now') }).click();
    await waitForPath(chair, /^\/cases\/[0-9a-f-]{36}\/meetings\/[0-9a-f-]{36}$/);
    const meetingPath = new URL(chair.url()).pathname;
    const coach = await personAt(kalle);
    await coach.goto(meetingPath);
    for (const page of [chair, coach]) {
      await page.getByTestId('meeting-status').getByText(fi('meeting_status_live')).waitFor();
      await page.locator('[data-testid="connection-status"][data-status="connected"]').waitFor();
    }
    await chair.getByTestId('meeting-people').getByText(kalle.name).waitFor();
    return { chair, coach, meetingPath };
  }

  async function addGoal(page: Page, title: string): Promise<void> {
    await page.getByRole('button', { name: `+ ${fi('plan_goal_add')}` }).click();
    await page.keyboard.type(title);
  }

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    await setUpOverHttp(app, { ...admin, organisation: ORGANISATION });
    await addUserWithCli(app, { ...sanna, role: 'social_worker', organisation: ORGANISATION });
    await addUserWithCli(app, { ...kalle, role: 'coach', organisation: ORGANISATION });
  });
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await app?.stop();
  });

  it('lobby, admission, the live plan in plain language, the client\'s comment reaching the chair, and the end', async () => {
    const { chair, coach } = await startMeeting('Aino K.');

    // The chair invites the client: a code, a link and a QR code.
    const join = chair.getByTestId('client-join');
    await join.getByRole('button', { name: fi('meeting_client_invite') }).click();
    const code = (await join.getByTestId('join-code').textContent())!.trim();
    expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    await expect.poll(() => join.locator('svg').count()).toBeGreaterThan(0);
    await expectNoAxeViolations(chair, 'the meeting page with a join code');

    // The client types the code on their phone and waits in the lobby.
    const client = await phone();
    await client.goto('/join');
    await client.getByLabel(fi('client_join_label')).fill(code.toLowerCase());
    await client.getByRole('button', { name: fi('client_join_submit') }).click();
    await client.getByTestId('lobby').getByText(fi('client_lobby_text')).waitFor();
    await expectNoAxeViolations(client, 'the client lobby');
    await screenshot(client, 'client-lobby');

    // The chair lets the client in.
    await join.getByRole('button', { name: fi('meeting_lobby_admit') }).click();
    await client.getByTestId('client-plan').waitFor();
    await client.getByText(fi('client_goals_none')).waitFor();
    await chair.getByTestId('client-present').waitFor();

    // A goal the chair adds appears on the phone within a second.
    await addGoal(chair, 'Oma koti');
    await client.getByTestId('client-goal').getByRole('heading', { name: 'Oma koti' }).waitFor({ timeout: 1_000 });

    // The client comments on that goal; the chair (and the coach) see it on that goal.
    const goal = client.getByTestId('client-goal').filter({ has: client.getByRole('heading', { name: 'Oma koti' }) });
    await goal.getByLabel(fi('client_comment_label')).fill('Haluan asua lähellä siskoa');
    await goal.getByRole('button', { name: fi('client_send') }).click();
    await client.getByText(fi('client_sent_comment')).waitFor();
    const chairGoal = chair.getByTestId('goal').filter({ has: chair.getByTestId('client-comments') });
    await chairGoal.getByText('Haluan asua lähellä siskoa', { exact: false }).waitFor({ timeout: 2_000 });
    expect(await chairGoal.getByTestId('goal-title').inputValue()).toBe('Oma koti');
    await coach.getByTestId('client-comments').getByText('Haluan asua lähellä siskoa', { exact: false }).waitFor({ timeout: 2_000 });
    await client.getByText(fi('client_you_wrote', { text: 'Haluan asua lähellä siskoa' })).waitFor();
    await expectNoAxeViolations(client, 'the client view');
    await screenshot(client, 'client-view');
    await screenshot(chair, 'meeting-chair');

    // The coach records a decision and makes it an action in one step; the phone shows who helps and when.
    await coach.getByLabel(fi('meeting_decision_new')).fill('Haetaan asumisneuvontaa');
    await coach.getByRole('button', { name: fi('meeting_decision_record') }).click();
    await coach.getByTestId('decisions').getByRole('button', { name: fi('meeting_decision_make_action') }).click();
    const make = coach.getByRole('form', { name: fi('meeting_decision_make_action') });
    await make.getByLabel(fi('meeting_action_goal')).selectOption({ label: 'Oma koti' });
    await make.getByLabel(fi('plan_action_responsible')).selectOption({ label: kalle.name });
    await make.getByLabel(fi('plan_action_due')).fill('2027-02-01');
    await make.getByRole('button', { name: fi('meeting_action_create') }).click();
    await coach.getByText(fi('meeting_decision_is_action', { goal: 'Oma koti' })).waitFor();
    await expect.poll(() => chair.getByTestId('action-text').first().inputValue(), { timeout: 2_000 }).toBe('Haetaan asumisneuvontaa');
    await client.getByText('Haetaan asumisneuvontaa').first().waitFor({ timeout: 2_000 });
    await client.getByText(fi('client_who_helper', { name: kalle.name, role: 'valmentaja' })).first().waitFor();
    await client.getByTestId('client-goal').getByRole('button', { name: fi('client_agree') }).click();
    await chair.getByTestId('client-stance').getByText(fi('plan_client_agrees')).waitFor({ timeout: 2_000 });

    // The network map and the path appear on the phone in plain words.
    await chair.getByRole('tab', { name: fi('view_network') }).click();
    const addNode = chair.getByRole('form', { name: fi('network_add_heading') });
    await addNode.getByLabel(fi('network_name')).fill('Sisko');
    await addNode.getByLabel(fi('network_closeness')).selectOption('1');
    await addNode.getByRole('button', { name: fi('network_add') }).click();
    await client.getByTestId('client-network').getByText(fi('client_network_close')).waitFor({ timeout: 2_000 });
    await client.getByTestId('client-network').getByText('Sisko', { exact: false }).waitFor();
    await chair.getByRole('tab', { name: fi('view_path') }).click();
    await chair.getByRole('form', { name: fi('path_add_heading') }).getByRole('button', { name: fi('path_add') }).click();
    await client.getByTestId('client-path').getByText(fi('client_path_here')).waitFor({ timeout: 2_000 });
    await chair.getByRole('tab', { name: fi('meeting_view_plan') }).click();
    await expectNoAxeViolations(client, 'the client view with the map and the path');

    // The code on the room's big screen.
    await join.getByRole('button', { name: fi('meeting_client_show_large') }).click();
    const bigScreen = chair.getByRole('dialog', { name: fi('meeting_client_screen_heading') });
    await bigScreen.getByText(code).waitFor();
    await expectNoAxeViolations(chair, 'the join code on the big screen');
    await bigScreen.getByRole('button', { name: fi('meeting_client_screen_close') }).click();

    // The chair ends the meeting: the phone says so at once, and the plan is gone from it.
    await chair.getByRole('button', { name: fi('meeting_end') }).click();
    await chair.getByRole('dialog').getByRole('button', { name: fi('meeting_end') }).click();
    await client.getByTestId('guest-ended').getByRole('heading', { name: fi('client_ended_title') }).waitFor({ timeout: 2_000 });
    expect(await client.getByTestId('client-plan').count()).toBe(0);
    await expectNoAxeViolations(client, 'the client page after the meeting');

    // The record lists who was there and the client's words.
    await chair.getByRole('link', { name: fi('meeting_open_record') }).click();
    const record = chair.getByTestId('meeting-record');
    await record.waitFor();
    await record.getByText(fi('role_client'), { exact: true }).waitFor();
    await record.getByText('Haluan asua lähellä siskoa', { exact: false }).waitFor();
    await expectNoAxeViolations(chair, 'the meeting record');
    await screenshot(chair, 'meeting-record');
  });

  it('follow the presenter: the follower\'s view changes within a second of the presenter\'s, and they can stop', async () => {
    const { chair, coach } = await startMeeting('Bertta L.');
    for (const title of ['Päivärytmi', 'Terveys', 'Raha-asiat', 'Työkokeilu']) await addGoal(chair, title);
    await expect.poll(() => coach.getByTestId('goal').count(), { timeout: 2_000 }).toBe(4);

    await chair.getByTestId('lead-toggle').click();
    await coach.getByTestId('following').waitFor({ timeout: 1_000 });

    // The presenter switches to the notes: the follower's notes tab opens within a second.
    await chair.getByRole('tab', { name: fi('meeting_view_notes') }).click();
    await expect.poll(() => coach.getByRole('tab', { name: fi('meeting_view_notes') }).getAttribute('aria-selected'), { timeout: 1_000 }).toBe('true');

    // Back on the plan, the presenter works in the last goal: the follower's screen scrolls there.
    await chair.getByRole('tab', { name: fi('meeting_view_plan') }).click();
    await expect.poll(() => coach.getByRole('tab', { name: fi('meeting_view_plan') }).getAttribute('aria-selected'), { timeout: 1_000 }).toBe('true');
    await chair.getByTestId('goal-title').nth(0).focus();
    await coach.evaluate(() => window.scrollTo(0, 0));
    const last = coach.getByTestId('goal').nth(3);
    const inView = () => last.evaluate((el) => {
      const box = el.getBoundingClientRect();
      // Scrolled to: its top within a pixel of the viewport's top, or anywhere on screen.
      return box.top > -2 && box.top < window.innerHeight;
    });
    expect(await inView()).toBe(false);
    await chair.getByTestId('goal-title').nth(3).focus();
    await expect.poll(inView, { timeout: 1_000 }).toBe(true);
    await expectNoAxeViolations(coach, 'the meeting page while following');

    // The follower stops following: the presenter's moves no longer move them.
    await coach.getByRole('button', { name: fi('meeting_follow_stop') }).click();
    await coach.getByRole('button', { name: fi('meeting_follow_again') }).waitFor();
    await chair.getByRole('tab', { name: fi('meeting_view_notes') }).click();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await coach.getByRole('tab', { name: fi('meeting_view_plan') }).getAttribute('aria-selected')).toBe('true');
  });
});
