/**
 * Updates that parse (`Y.decodeUpdate` accepts them) but that Yjs cannot integrate into a given
 * document: it throws half-way, after part of the update was applied. Found by flipping bytes
 * of a real edit with a seeded generator, so the same seed gives the same update.
 */
import * as Y from 'yjs';

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

/** An edit of the kind a plan gets: text, a map entry, a nested map with text. */
function realEdit(base: Y.Doc, clientId: number, n: number): Uint8Array {
  const src = new Y.Doc();
  src.clientID = clientId;
  Y.applyUpdate(src, Y.encodeStateAsUpdate(base));
  const stateVector = Y.encodeStateVector(src);
  src.transact(() => {
    src.getText('notes').insert(0, `zz${n}`);
    const map = src.getMap('fuzz');
    map.set(`k${n}`, 'v');
    const nested = new Y.Map<unknown>();
    map.set(`n${n}`, nested);
    nested.set('t', new Y.Text('q'));
  });
  return Y.encodeStateAsUpdate(src, stateVector);
}

function mutate(update: Uint8Array, random: () => number): Uint8Array {
  const bad = Uint8Array.from(update);
  const flips = 1 + Math.floor(random() * 3);
  for (let i = 0; i < flips; i++) bad[Math.floor(random() * bad.length)] = Math.floor(random() * 256);
  return bad;
}

function parses(update: Uint8Array): boolean {
  try {
    Y.decodeUpdate(update);
    return true;
  } catch {
    return false;
  }
}

/** Applies `update` to a copy of `base`: did it throw after changing the copy? */
export function appliesHalfWay(base: Y.Doc, update: Uint8Array): boolean {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(base));
  const before = Y.encodeStateAsUpdate(copy);
  try {
    Y.applyUpdate(copy, update);
    return false;
  } catch {
    return !Buffer.from(before).equals(Buffer.from(Y.encodeStateAsUpdate(copy)));
  }
}

/** Mutated edits of `base` that parse, `count` of them (each either integrates or throws). */
export function* fuzzedUpdates(base: Y.Doc, seed: number, count: number): Generator<Uint8Array> {
  const random = seeded(seed);
  const edits = Array.from({ length: 50 }, (_, n) => realEdit(base, 1_000_000 + n, n));
  let found = 0;
  for (let n = 0; found < count; n++) {
    const update = mutate(edits[n % edits.length]!, random);
    if (!parses(update)) continue;
    found++;
    yield update;
  }
}

/** The first fuzzed edit of `base` that Yjs would apply half-way, with the client ids it names. */
export function malformedUpdateFor(base: Y.Doc, seed: number): { update: Uint8Array; clientIds: number[] } {
  for (const update of fuzzedUpdates(base, seed, 100_000)) {
    if (!appliesHalfWay(base, update)) continue;
    const clientIds = [...new Set(Y.decodeUpdate(update).structs.map((struct) => struct.id.client))];
    return { update, clientIds };
  }
  throw new Error('no half-applied update found');
}
