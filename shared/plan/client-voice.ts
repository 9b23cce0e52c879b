/**
 * The client's own words in the case document: `clientVoice: Y.Map<entryId, ClientEntry>`.
 * Only the server writes here (from the client's meeting view, after checking the entry), so
 * the client never needs edit rights to the document. Entries are immutable plain values keyed
 * by a fresh id: concurrent additions never collide, and the latest stance on an action wins.
 */
import * as Y from 'yjs';
import type { ClientVoiceKind } from '../meetings.js';

export interface ClientEntry {
  kind: ClientVoiceKind;
  text: string;
  goalId: string | null;
  actionId: string | null;
  stance: 'agree' | 'disagree' | null;
  meetingId: string;
  at: string;
}

export function clientVoiceMap(doc: Y.Doc): Y.Map<ClientEntry> {
  return doc.getMap('clientVoice');
}

/** Adds an entry (inside the caller's transaction if there is one); returns its id. */
export function addClientEntry(doc: Y.Doc, entry: ClientEntry): string {
  const id = crypto.randomUUID();
  clientVoiceMap(doc).set(id, entry);
  return id;
}

function isEntry(value: unknown): value is ClientEntry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.kind === 'string' && typeof v.text === 'string' && typeof v.at === 'string';
}

/** Every entry, oldest first (ties by id, so every replica lists them alike). */
export function clientEntries(doc: Y.Doc): Array<ClientEntry & { id: string }> {
  const list: Array<ClientEntry & { id: string }> = [];
  for (const [id, value] of clientVoiceMap(doc).entries()) if (isEntry(value)) list.push({ ...value, id });
  return list.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The client's latest stance on each action: action id → agree or disagree. */
export function latestStances(entries: ReadonlyArray<ClientEntry>): Map<string, 'agree' | 'disagree'> {
  const stances = new Map<string, 'agree' | 'disagree'>();
  for (const e of entries) if (e.kind === 'stance' && e.actionId && e.stance) stances.set(e.actionId, e.stance);
  return stances;
}
