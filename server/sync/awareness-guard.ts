/**
 * The server owns identity in awareness: a peer may only set states for client ids it owns
 * (the first peer to use an id owns it), and the `user` field of every state it sends is
 * replaced with who the peer's session says it is.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { colorFor, type PresenceUser } from '../../shared/presence.js';
import type { Principal } from '../services/auth-service.js';
import type { RoomPeer } from './peer.js';
import type { Room } from './room.js';

/** A peer rarely needs more than one id (one per tab); a few allow a reconnect overlap. */
const MAX_IDS_PER_PEER = 4;
const MAX_STATE_CHARS = 16 * 1024;

/** The presence identity of a signed-in person. */
export function userOfPrincipal(p: Principal): PresenceUser {
  return { id: p.accountId, name: p.name, role: p.role, organisation: p.organisationName, color: colorFor(p.accountId) };
}

/** Returns the part of an awareness update that `peer` may apply, rewritten; `null` if none. */
export function guardAwareness(update: Uint8Array, peer: RoomPeer, room: Room): Uint8Array | null {
  const decoder = decoding.createDecoder(update);
  const encoder = encoding.createEncoder();
  const entries: Array<[number, number, string]> = [];
  const count = decoding.readVarUint(decoder);
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const stateText = decoding.readVarString(decoder);
    const owner = room.awarenessOwners.get(clientId);
    if (owner && owner !== peer) continue;
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
  if (entries.length === 0) return null;
  encoding.writeVarUint(encoder, entries.length);
  for (const [clientId, clock, text] of entries) {
    encoding.writeVarUint(encoder, clientId);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, text);
  }
  return encoding.toUint8Array(encoder);
}
