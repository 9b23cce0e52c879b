import { describe, expect, it } from 'vitest';
import { changedActions } from '../../shared/meeting-record.js';
import { JOIN_CODE_ALPHABET, clientVoiceSchema, createMeetingSchema, formatJoinCode, joinBodySchema, normaliseJoinCode } from '../../shared/meetings.js';
import { latestStances, type ClientEntry } from '../../shared/plan/client-voice.js';
import type { PlanJson } from '../../shared/plan/json.js';
import { emptyPlan } from '../helpers/plans.js';

const plan = (actions: Array<Partial<PlanJson['goals'][number]['actions'][number]> & { id: string }>): PlanJson => ({
  ...emptyPlan,
  goals: [
    {
      id: 'g1',
      title: 'Asunto',
      description: '',
      lifeArea: '',
      status: 'open',
      clientStance: '',
      clientReason: '',
      professionalReason: '',
      actions: actions.map((a) => ({ text: '', responsible: '', due: '', status: 'planned', doneDate: '', ...a }))
    }
  ]
});

describe('join codes', () => {
  it('reads a code the way people type it: any case, dashes and spaces, O for 0 and I or L for 1', () => {
    expect(normaliseJoinCode('abcde-fgh0i')).toBe('ABCDEFGH01');
    expect(normaliseJoinCode(' 0o1il 23 ')).toBe('0011123');
    expect(joinBodySchema.parse({ code: 'xmvph-sbhb4' }).code).toBe('XMVPHSBHB4');
    expect(formatJoinCode('XMVPHSBHB4')).toBe('XMVPH-SBHB4');
  });

  it('refuses what cannot be a code, with a message that says what a code is', () => {
    const result = joinBodySchema.safeParse({ code: 'ABC' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('a code has 10 letters and digits');
    // U is not in the alphabet (it reads like V): not a code either.
    expect(JOIN_CODE_ALPHABET).not.toContain('U');
    expect(joinBodySchema.safeParse({ code: 'UUUUUUUUUU' }).success).toBe(false);
  });
});

describe('meeting bodies', () => {
  it('accepts a plain meeting and turns empty optional fields into nothing', () => {
    const parsed = createMeetingSchema.parse({ scheduledAt: '2027-01-15T10:00:00+02:00', place: ' ', videoUrl: '' });
    expect(parsed).toMatchObject({ place: null, videoUrl: null, invitees: [], agenda: [] });
  });

  it('refuses a video link that is not https and an agenda item without a title', () => {
    expect(createMeetingSchema.safeParse({ scheduledAt: '2027-01-15T10:00:00Z', videoUrl: 'http://example.fi' }).success).toBe(false);
    expect(createMeetingSchema.safeParse({ scheduledAt: '2027-01-15T10:00:00Z', agenda: [{ title: '' }] }).success).toBe(false);
    expect(createMeetingSchema.safeParse({ scheduledAt: 'tomorrow' }).success).toBe(false);
  });

  it("checks the client's words: a comment needs a goal and text, a stance is agree or disagree", () => {
    expect(clientVoiceSchema.safeParse({ kind: 'comment', text: 'Hei' }).success).toBe(false);
    expect(clientVoiceSchema.safeParse({ kind: 'stance', goalId: 'g', actionId: 'a', stance: 'maybe' }).success).toBe(false);
    expect(clientVoiceSchema.safeParse({ kind: 'wish', text: 'x'.repeat(1001) }).success).toBe(false);
    expect(clientVoiceSchema.parse({ kind: 'wish', text: '  Oma koti  ' })).toEqual({ kind: 'wish', text: 'Oma koti' });
  });
});

describe('the meeting record', () => {
  it('lists the actions added and changed during the meeting, not the ones left alone', () => {
    const before = plan([{ id: 'a1', text: 'Soita' }, { id: 'a2', text: 'Hae', due: '2027-01-01' }]);
    const after = plan([
      { id: 'a1', text: 'Soita' },
      { id: 'a2', text: 'Hae', due: '2027-02-01', responsible: 'p1' },
      { id: 'a3', text: 'Uusi', responsible: 'client' }
    ]);
    const names = (r: string) => ({ p1: 'Sanna', client: 'client' })[r] ?? '';
    expect(changedActions(before, after, names)).toEqual([
      { goal: 'Asunto', text: 'Hae', responsible: 'Sanna', due: '2027-02-01', status: 'planned', change: 'changed' },
      { goal: 'Asunto', text: 'Uusi', responsible: 'client', due: '', status: 'planned', change: 'added' }
    ]);
    expect(changedActions(null, before, names).map((a) => a.change)).toEqual(['added', 'added']);
  });

  it("takes the client's latest stance on each action", () => {
    const entry = (actionId: string, stance: 'agree' | 'disagree', at: string): ClientEntry => ({
      kind: 'stance',
      text: '',
      goalId: 'g1',
      actionId,
      stance,
      meetingId: 'm',
      at
    });
    const stances = latestStances([entry('a1', 'agree', '1'), entry('a2', 'disagree', '2'), entry('a1', 'disagree', '3')]);
    expect(Object.fromEntries(stances)).toEqual({ a1: 'disagree', a2: 'disagree' });
  });
});
