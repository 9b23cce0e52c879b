/**
 * Polku's one extension to the y-websocket protocol: after an update from a connection is
 * durably stored, the server sends `[MESSAGE_SAVED, varUint8Array(stateVector)]` to that
 * connection, where the state vector is that of the stored document. Only connections that
 * ask for it with the URL parameter `saved=1` get it, so standard clients never see it.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;
export const MESSAGE_SAVED = 100;
export const SAVED_PARAM = 'saved';

/** Encodes a "saved" message carrying the stored state vector. */
export function encodeSaved(stateVector: Uint8Array<ArrayBufferLike>): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SAVED);
  encoding.writeVarUint8Array(encoder, stateVector as Uint8Array<ArrayBuffer>);
  return encoding.toUint8Array(encoder);
}

/** Reads the state vector of a "saved" message whose type has already been read. */
export function readSaved(decoder: decoding.Decoder): Uint8Array {
  return decoding.readVarUint8Array(decoder);
}
