/**
 * The values the follow-up reports count that live in the case documents — the plan's contract
 * type, and the guidance path's referral source, contract type and outcome — each with the list
 * it must come from, and the check the sync server makes on every edit before applying it: an
 * edit that gives one of these keys any other value is refused whole. (The reports still check
 * what they count, `reports.ts`: a document from before this check may hold anything.)
 *
 * An update names a map entry's key only when the entry has no neighbour to take it from: a
 * value that replaces an earlier one points at that one (its origin) instead. So the key is found
 * by following origins through the update itself, the document, and the updates Yjs holds back
 * until what they build on arrives (they are applied with a later update, so they are checked
 * with it).
 */
import * as Y from 'yjs';
import { groupBy } from './group-by.js';
import { CONTRACT_TYPES } from './plan/vocabulary.js';
import type { RoomKind } from './rooms.js';
import { OUTCOMES, REFERRAL_SOURCES } from './views/path.js';

/** Per document kind, the counted keys and the values each may hold ('' is "not given"). */
export const COUNTED_VALUES: Partial<Record<RoomKind, Readonly<Record<string, readonly string[]>>>> = {
  case: { contractType: ['', ...CONTRACT_TYPES] },
  path: { source: ['', ...REFERRAL_SOURCES], contractType: ['', ...CONTRACT_TYPES], outcome: ['', ...OUTCOMES] }
};

/** The struct holding `clock` in one author's structs, sorted by clock (binary search). */
function holding(items: readonly Y.Item[], clock: number): Y.Item | null {
  let low = 0;
  let high = items.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const item = items[mid]!;
    if (clock < item.id.clock) high = mid - 1;
    else if (clock >= item.id.clock + item.length) low = mid + 1;
    else return item;
  }
  return null;
}

/**
 * The counted key `update` would give a value outside its list in `doc` (a document of `kind`),
 * or null when it gives none. Call it before applying the update.
 */
export function countedValueViolation(kind: RoomKind, doc: Y.Doc, update: Uint8Array): string | null {
  const lists = COUNTED_VALUES[kind];
  if (!lists) return null;
  const pending = doc.store.pendingStructs;
  const items = [...Y.decodeUpdate(update).structs, ...(pending ? Y.decodeUpdateV2(pending.update).structs : [])].filter((s): s is Y.Item => s instanceof Y.Item);
  const byAuthor = groupBy(items, (item) => item.id.client);
  for (const own of byAuthor.values()) own.sort((a, b) => a.id.clock - b.id.clock);

  const find = (id: Y.ID): Y.Item | null => {
    const inUpdate = holding(byAuthor.get(id.client) ?? [], id.clock);
    if (inUpdate) return inUpdate;
    if (Y.getState(doc.store, id.client) <= id.clock) return null;
    const stored = Y.getItem(doc.store, id);
    return stored instanceof Y.Item ? stored : null;
  };
  const keyOf = (item: Y.Item): string | null => {
    // A struct in the document always knows its parent; one in an update only when it has no neighbour.
    for (let at: Y.Item | null = item, steps = 0; at && steps <= items.length; steps++) {
      if (at.parent !== null) return at.parentSub;
      const neighbour: Y.ID | null = at.origin ?? at.rightOrigin;
      at = neighbour ? find(neighbour) : null;
    }
    return null;
  };

  for (const item of items) {
    if (item.content instanceof Y.ContentDeleted) continue;
    const key = keyOf(item);
    if (key === null || !Object.hasOwn(lists, key)) continue;
    const values = item.content instanceof Y.ContentAny ? item.content.getContent() : [];
    if (values.length !== 1 || typeof values[0] !== 'string' || !lists[key]!.includes(values[0])) return key;
  }
  return null;
}
