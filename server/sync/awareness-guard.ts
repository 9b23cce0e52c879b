/**
 * The server owns identity in awareness: a peer may only set states for client ids it owns
 * (the first peer to use an id owns it; an id in use on another instance only by the same
 * person), and the `user` field of every state it sends is
 * replaced with who the peer's session says it is.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { RoomPeer } from './peer.js';
import type { Room } from './room.js';

/** A peer rarely needs more than one id (one per tab); a few allow a reconnect overlap. */
const MAX_IDS_PER_PEER = 4;
const MAX_STATE_CHARS = 16 * 1024;

/** Returns the part of an awareness update that `peer` may apply, rewritten; `null` if none. */
export function guardAwareness(update: Uint8Array, peer: RoomPeer, room: Room): Uint8Array | null {
  const entries: Entry[] = [];
  for (const [clientId, clock, stateText] of decodeEntries(update)) {
    const owner = room.awarenessOwners.get(clientId);
    if (owner && owner !== peer) continue;
    // y-websocket clients echo every awareness change they receive: a state no newer than the
    // one known changes nothing and must not make the echoing peer its owner.
    const known = room.awareness.meta.get(clientId);
    if (!owner && known && clock <= known.clock) continue;
    // A state here with no owner here came from another instance: only the same person may take
    // it over (a client that moved when its instance went away).
    const remote = owner ? undefined : (room.awareness.getStates().get(clientId) as { user?: { id?: unknown } } | undefined);
    if (remote && remote.user?.id !== peer.identity.user.id) continue;
    if (!owner) {
      if (peer.ownedClientIds.size >= MAX_IDS_PER_PEER) continue;
      room.awarenessOwners.set(clientId, peer);
      peer.ownedClientIds.add(clientId);
    }
    if (stateText.length > MAX_STATE_CHARS) continue;
    const state: unknown = JSON.parse(stateText);
    if (state !== null && (typeof state !== 'object' || Array.isArray(state))) continue;
    const rewritten = state === null ? null : { ...(state as Record<string, unknown>), user: peer.identity.user };
    entries.push([clientId, clock, JSON.stringify(rewritten)]);
  }
  return entries.length === 0 ? null : encodeEntries(entries);
}

/**
 * The part of an awareness update from another instance that does not touch client ids owned by
 * a peer here: a person's presence is decided by the instance they are connected to. `null` if
 * nothing is left.
 */
export function withoutLocalOwners(update: Uint8Array, room: Room): Uint8Array | null {
  const entries = decodeEntries(update);
  const kept = entries.filter(([clientId]) => !room.awarenessOwners.has(clientId));
  if (kept.length === 0) return null;
  return kept.length === entries.length ? update : encodeEntries(kept);
}

/** One entry of an awareness update: client id, clock, state as JSON. */
type Entry = [clientId: number, clock: number, state: string];

function decodeEntries(update: Uint8Array): Entry[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) entries.push([decoding.readVarUint(decoder), decoding.readVarUint(decoder), decoding.readVarString(decoder)]);
  return entries;
}

function encodeEntries(entries: Entry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const [clientId, clock, text] of entries) {
    encoding.writeVarUint(encoder, clientId);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, text);
  }
  return encoding.toUint8Array(encoder);
}
