/**
 * Refuses an update that Yjs would apply only half-way. `Y.decodeUpdate` catches updates that do
 * not parse, but a parsing update can still name a struct of its own author that does not exist
 * yet (an origin, right origin or parent at or after the struct's own clock). Yjs skips its
 * "missing" check for the author's own ids, then fails on the lookup after part of the update
 * was integrated, and the half-applied transaction is emitted (stored, broadcast). Every struct
 * refers only to structs that existed when it was made, so one of the author's own is always at
 * an earlier clock; anything else is refused here, before the document is touched. Sub-documents
 * are refused too: a case document has none.
 */
import * as Y from 'yjs';

/** Throws when `update` does not parse or could not be integrated whole. */
export function assertApplicable(update: Uint8Array): void {
  const { structs } = Y.decodeUpdate(update);
  for (const struct of structs) {
    if (!(struct instanceof Y.Item)) continue;
    const { client, clock } = struct.id;
    for (const ref of [struct.origin, struct.rightOrigin, struct.parent instanceof Y.ID ? struct.parent : null]) {
      if (ref && ref.client === client && ref.clock >= clock) throw new Error('update refers to a later struct of its own author');
    }
    if (struct.content instanceof Y.ContentDoc) throw new Error('sub-documents are not accepted');
  }
}
