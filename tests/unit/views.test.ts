import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import {
  ESY_TEMPLATE,
  YOUTH_TEMPLATE,
  addNode,
  addRound,
  addStage,
  changeTable,
  compareNetworks,
  currentStage,
  freeAngle,
  lowAreas,
  moveNode,
  networkFromJson,
  networkJsonSchema,
  networkToJson,
  nodePoint,
  pathJsonSchema,
  pathOutcome,
  pathToJson,
  posAt,
  saveVersion,
  setScore,
  setWheelTemplate,
  wheelFromJson,
  wheelJsonSchema,
  wheelToJson,
  type NodeJson,
  type WheelJson
} from '../../shared/views/index.js';

function wheelWith(rounds: Array<{ date: string; scores: Record<string, number | null>; client?: Record<string, number | null> }>, template = ESY_TEMPLATE): WheelJson {
  const doc = new Y.Doc();
  setWheelTemplate(doc, template);
  for (const r of rounds) {
    const id = addRound(doc, r.date);
    for (const [area, s] of Object.entries(r.scores)) setScore(doc, id, 'professional', area, s);
    for (const [area, s] of Object.entries(r.client ?? {})) setScore(doc, id, 'client', area, s);
  }
  return wheelToJson(doc)!;
}

describe('the assessment wheel', () => {
  it('turns rounds into a change table: first, previous, current, change, and the client beside the professionals', () => {
    const wheel = wheelWith([
      { date: '2026-03-01', scores: { housing: 1, finances: 2, work: null } },
      { date: '2026-06-01', scores: { housing: 2, finances: 2 } },
      { date: '2026-09-01', scores: { housing: 4, finances: 1, work: 3 }, client: { housing: 4, finances: 3 } }
    ]);
    const rows = Object.fromEntries(changeTable(wheel).map((r) => [r.areaId, r]));
    expect(rows.housing).toMatchObject({ first: 1, previous: 2, current: 4, change: 2, client: 4, differs: false });
    expect(rows.finances).toMatchObject({ first: 2, previous: 2, current: 1, change: -1, client: 3, differs: true });
    expect(rows.work).toMatchObject({ previous: null, current: 3, change: null });
    expect(rows.leisure).toMatchObject({ current: null, change: null, differs: false });
    expect(changeTable(wheel)).toHaveLength(11);
    expect(lowAreas(wheel)).toEqual(['finances']);
  });

  it('orders rounds by date whatever order they were made in, and round-trips through JSON', () => {
    const wheel = wheelWith([{ date: '2026-09-01', scores: { housing: 3 } }, { date: '2026-03-01', scores: { housing: 1 } }]);
    expect(wheel.rounds.map((r) => r.date)).toEqual(['2026-03-01', '2026-09-01']);
    expect(wheelToJson(wheelFromJson(wheel))).toEqual(wheel);
  });

  it('works on a 0–10 scale and keeps scores on the scale', () => {
    const doc = new Y.Doc();
    setWheelTemplate(doc, YOUTH_TEMPLATE);
    const id = addRound(doc, '2026-05-05');
    setScore(doc, id, 'professional', 'work', 8);
    setScore(doc, id, 'professional', 'housing', 14);
    expect(wheelToJson(doc)!.rounds[0]!.scores).toEqual({ work: 8, housing: 10 });
    // The template is fixed once a round exists.
    expect(setWheelTemplate(doc, ESY_TEMPLATE)).toBe(false);
  });

  it('rejects a score of 7 on a 1–5 scale, and an unknown area, with a clear message', () => {
    const wheel = wheelWith([{ date: '2026-03-01', scores: { housing: 3 } }]);
    wheel.rounds[0]!.scores.housing = 7;
    const bad = wheelJsonSchema.safeParse(wheel);
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toBe('a score of 7 is outside the scale 1–5');
    expect(bad.error!.issues[0]!.path).toEqual(['rounds', 0, 'scores', 'housing']);
    wheel.rounds[0]!.scores = { astrology: 3 };
    expect(wheelJsonSchema.safeParse(wheel).error!.issues[0]!.message).toBe('unknown area astrology');
  });
});

describe('the network map', () => {
  it('round-trips between JSON and a Y.Doc', () => {
    const doc = new Y.Doc();
    addNode(doc, { name: 'Sisko', relation: 'sisar', sector: 'family', pos: { ring: 1, angle: 0.3 }, quality: 'supportive' });
    addNode(doc, { name: 'Ohjaamo', sector: 'professionals', organisation: 'Kemin kaupunki', contact: 'ma–pe 9–15', quality: 'neutral' });
    addNode(doc, { relation: 'entinen työkaveri', sector: 'school_work', pos: { ring: 3, angle: 0.8 }, quality: 'broken' });
    saveVersion(doc, null, '2026-11-01T10:00:00.000Z');
    const json = networkToJson(doc);
    expect(networkJsonSchema.safeParse(json).success).toBe(true);
    expect(networkToJson(networkFromJson(json))).toEqual(json);
    expect(json.versions[0]!.nodes).toHaveLength(3);
  });

  it('keeps private persons minimal: no contact details for family and friends', () => {
    const doc = new Y.Doc();
    const id = addNode(doc, { name: 'Äiti', sector: 'family', contact: '040 123 4567' });
    expect(networkToJson(doc).nodes.find((n) => n.id === id)!.contact).toBe('');
    const json = networkToJson(doc);
    json.nodes[0]!.contact = '040 123 4567';
    expect(networkJsonSchema.safeParse(json).error!.issues[0]!.message).toBe('keep contact details of private persons out of the map');
  });

  it('rejects an unknown sector with a clear message', () => {
    const doc = new Y.Doc();
    addNode(doc, { name: 'Valmentaja', sector: 'professionals' });
    const json = networkToJson(doc);
    (json.nodes[0] as { sector: string }).sector = 'enemies';
    const result = networkJsonSchema.safeParse(json);
    expect(result.error!.issues[0]!.message).toBe('unknown sector');
  });

  it('places new nodes apart, and maps points to positions and back', () => {
    const doc = new Y.Doc();
    for (let i = 0; i < 5; i++) addNode(doc, { name: `Ystävä ${i}`, sector: 'friends' });
    const angles = networkToJson(doc).nodes.map((n) => n.pos.angle).sort();
    for (let i = 1; i < angles.length; i++) expect(angles[i]! - angles[i - 1]!).toBeGreaterThan(0.1);
    const node = { sector: 'hobbies_other' as const, pos: { ring: 2, angle: 0.4 } };
    const p = nodePoint(node, 100);
    const back = posAt(p.x, p.y, node.sector, 100);
    expect(back.ring).toBe(2);
    expect(back.angle).toBeCloseTo(0.4, 5);
    expect(freeAngle([], 'family', 1)).toBe(0.5);
  });

  it('compares two versions: who came, who left, who moved closer or further', () => {
    const node = (id: string, ring: number): NodeJson => ({
      id, name: id, relation: '', sector: 'friends', kind: 'person', organisation: '', contact: '', quality: 'neutral', memberId: '', pos: { ring, angle: 0.5 }
    });
    const diff = compareNetworks([node('a', 3), node('b', 1), node('c', 2)], [node('a', 1), node('b', 2), node('d', 2)]);
    expect(diff.came.map((n) => n.id)).toEqual(['d']);
    expect(diff.left.map((n) => n.id)).toEqual(['c']);
    expect(diff.closer).toEqual([{ node: node('a', 1), from: 3, to: 1 }]);
    expect(diff.further.map((f) => [f.node.id, f.from, f.to])).toEqual([['b', 1, 2]]);
  });

  it('moves a node as one value', () => {
    const doc = new Y.Doc();
    const id = addNode(doc, { name: 'Kaveri', sector: 'friends' });
    moveNode(doc, id, { ring: 5, angle: 1.4 });
    expect(networkToJson(doc).nodes[0]!.pos).toEqual({ ring: 3, angle: 1 });
  });
});

describe('the guidance path', () => {
  function path() {
    const doc = new Y.Doc();
    addStage(doc, { kind: 'agreement', date: '2026-03-01', contractType: 'rehabilitative_work_activity', endDate: '2026-09-01' });
    addStage(doc, { kind: 'referral', date: '2026-01-10', source: 'te_office' });
    addStage(doc, { kind: 'first_meeting', date: '2026-02-01' });
    addStage(doc, { kind: 'activity', date: '' });
    return doc;
  }

  it('orders stages by date and finds the current stage', () => {
    const json = pathToJson(path());
    expect(json.stages.map((s) => s.kind)).toEqual(['referral', 'first_meeting', 'agreement', 'activity']);
    expect(currentStage(json, '2026-02-15')!.kind).toBe('first_meeting');
    expect(currentStage(json, '2026-05-01')!.kind).toBe('agreement');
    expect(currentStage(json, '2025-12-31')).toBeNull();
    expect(pathOutcome(json)).toBeNull();
  });

  it('reports the outcome of the next path', () => {
    const doc = path();
    addStage(doc, { kind: 'next_path', date: '2026-10-01', outcome: 'studies' });
    const json = pathToJson(doc);
    expect(pathOutcome(json)).toEqual({ outcome: 'studies', date: '2026-10-01' });
    expect(currentStage(json, '2026-12-01')!.kind).toBe('next_path');
    expect(pathJsonSchema.safeParse(json).success).toBe(true);
  });

  it('rejects an outcome dated before the referral, and unknown values, with a clear message', () => {
    const doc = path();
    addStage(doc, { kind: 'next_path', date: '2025-12-01', outcome: 'studies' });
    const result = pathJsonSchema.safeParse(pathToJson(doc));
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toBe('the outcome date is before the referral');
    const json = pathToJson(path());
    (json.stages[0] as { source: string }).source = 'horoscope';
    expect(pathJsonSchema.safeParse(json).error!.issues[0]!.message).toBe('unknown referral source');
  });
});
