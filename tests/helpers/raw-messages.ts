/** Hand-built y-websocket messages, for tests that must send what a normal client would not. */
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { MESSAGE_SYNC } from '../../shared/sync-protocol.js';

export function syncMessage(kind: 'step2' | 'update', update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  if (kind === 'step2') syncProtocol.writeSyncStep2(encoder, docWith(update));
  else syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

function docWith(update: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc;
}

/** An update that inserts `text` into the Y.Text `key` of a fresh document. */
export function textUpdate(key: string, text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText(key).insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}
