/**
 * The case's other views: the assessment wheel, the network map and the guidance path. Each
 * lives in its own document (`case:<id>:wheel`, `case:<id>:network`, `case:<id>:path`) under one
 * top-level map of the same name, so the server can withhold one view (see `README.md`).
 */
import * as Y from 'yjs';
import type { ViewKind } from '../rooms.js';
import { ensureNetworkTypes } from './network.js';
import { ensurePathTypes } from './path.js';
import { ensureWheelTypes } from './wheel.js';

export * from './wheel.js';
export * from './network.js';
export * from './path.js';

const ENSURE: Record<ViewKind, (doc: Y.Doc) => void> = { wheel: ensureWheelTypes, network: ensureNetworkTypes, path: ensurePathTypes };

/** Creates a view's shared types in its document (once, on the server, when a case is created). */
export function ensureView(doc: Y.Doc, view: ViewKind): void {
  ENSURE[view](doc);
}

/** Whether `doc` holds anything of the view (a case document made before the views moved out). */
export function holdsView(doc: Y.Doc, view: ViewKind): boolean {
  return doc.getMap(view).size > 0;
}

const copyOf = (value: unknown): unknown => (value instanceof Y.AbstractType ? value.clone() : value);

/**
 * Moves a view out of `from` (an old case document) into `to` (its own document): a deep copy
 * of every entry of its top-level map, then the entries deleted from `from`. Deleted, they
 * stay deleted whatever an old replica holds, so the move needs doing only once.
 */
export function moveView(from: Y.Doc, to: Y.Doc, view: ViewKind): void {
  const source = from.getMap<unknown>(view);
  const target = to.getMap<unknown>(view);
  to.transact(() => {
    for (const [key, value] of source.entries()) target.set(key, copyOf(value));
  });
  from.transact(() => source.clear());
}
