import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { countedValueViolation } from '../../shared/counted-values.js';
import { ensurePlan, planMap, serviceMap } from '../../shared/plan/doc.js';
import { addStage, stagesMap } from '../../shared/views/path.js';

/** The update `change` makes to a copy of `server` (what a client would send). */
function edit(server: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  const client = new Y.Doc();
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
  const before = Y.encodeStateVector(client);
  change(client);
  return Y.encodeStateAsUpdate(client, before);
}

function pathWithStage(): { doc: Y.Doc; stageId: string } {
  const doc = new Y.Doc();
  const stageId = addStage(doc, { kind: 'referral', date: '2027-01-10', source: 'school' });
  return { doc, stageId };
}

describe('counted values in the case documents', () => {
  it('refuses a value outside its list when an entry is first set, and lets the listed ones through', () => {
    const { doc } = pathWithStage();
    expect(countedValueViolation('path', doc, edit(doc, (d) => void addStage(d, { kind: 'next_path', outcome: 'studies' })))).toBeNull();
    expect(countedValueViolation('path', doc, edit(doc, (d) => void addStage(d, { kind: 'next_path', outcome: 'gone_fishing' as never })))).toBe('outcome');
    const plan = new Y.Doc();
    ensurePlan(plan);
    expect(countedValueViolation('case', plan, edit(plan, (d) => serviceMap(d)!.set('contractType', 'work_trial')))).toBeNull();
    expect(countedValueViolation('case', plan, edit(plan, (d) => serviceMap(d)!.set('contractType', 42)))).toBe('contractType');
  });

  it('finds the key of a value that replaces another, through the document or the same update', () => {
    const { doc, stageId } = pathWithStage();
    const stage = (d: Y.Doc) => stagesMap(d)!.get(stageId)!;
    expect(countedValueViolation('path', doc, edit(doc, (d) => stage(d).set('source', 'te_office')))).toBeNull();
    expect(countedValueViolation('path', doc, edit(doc, (d) => stage(d).set('source', '=1+1')))).toBe('source');
    expect(countedValueViolation('path', doc, edit(doc, (d) => ['self', 'other', '=1+1'].forEach((v) => stage(d).set('source', v))))).toBe('source');
    // A Y.Text where a listed string belongs is refused too.
    expect(countedValueViolation('path', doc, edit(doc, (d) => stage(d).set('source', new Y.Text('self'))))).toBe('source');
  });

  it('checks an update held back by Yjs with the update that lets it apply', () => {
    const { doc, stageId } = pathWithStage();
    const author = new Y.Doc();
    Y.applyUpdate(author, Y.encodeStateAsUpdate(doc));
    const base = Y.encodeStateVector(author);
    stagesMap(author)!.get(stageId)!.set('source', 'self');
    const first = Y.encodeStateAsUpdate(author, base);
    const middle = Y.encodeStateVector(author);
    stagesMap(author)!.get(stageId)!.set('source', '@SUM(A1)');
    const second = Y.encodeStateAsUpdate(author, middle);
    // The second arrives first: its key cannot be known yet, and Yjs holds it back.
    expect(countedValueViolation('path', doc, second)).toBeNull();
    Y.applyUpdate(doc, second);
    expect(doc.store.pendingStructs).not.toBeNull();
    expect(countedValueViolation('path', doc, first)).toBe('source');
  });

  it('leaves other documents, other keys and text alone', () => {
    const { doc, stageId } = pathWithStage();
    expect(countedValueViolation('path', doc, edit(doc, (d) => stagesMap(d)!.get(stageId)!.set('constructor', 'x')))).toBeNull();
    expect(countedValueViolation('path', doc, edit(doc, (d) => (stagesMap(d)!.get(stageId)!.get('note') as Y.Text).insert(0, '=1+1')))).toBeNull();
    expect(countedValueViolation('wheel', doc, edit(doc, (d) => stagesMap(d)!.get(stageId)!.set('source', '=1+1')))).toBeNull();
    const plan = new Y.Doc();
    ensurePlan(plan);
    expect(countedValueViolation('case', plan, edit(plan, (d) => planMap(d).set('title', '=1+1')))).toBeNull();
  });
});
