/** The case's other views: the assessment wheel, the network map and the guidance path. */
import type * as Y from 'yjs';
import { ensureNetworkTypes } from './network.js';
import { ensurePathTypes } from './path.js';
import { ensureWheelTypes } from './wheel.js';

export * from './wheel.js';
export * from './network.js';
export * from './path.js';

/** Creates every view's shared types (once, on the server, when a case is created). */
export function ensureViews(doc: Y.Doc): void {
  doc.transact(() => {
    ensureWheelTypes(doc);
    ensureNetworkTypes(doc);
    ensurePathTypes(doc);
  });
}
