/**
 * Room names carry their access class: `case:<id>` is the case's shared document,
 * `case:<id>:internal` the professionals' internal notes.
 */
export type RoomKind = 'case' | 'internal';

export interface RoomRef {
  caseId: string;
  kind: RoomKind;
}

const ROOM = /^case:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(:internal)?$/;

/** Parses a room name; `null` for anything that is not a known room. */
export function parseRoomName(name: string): RoomRef | null {
  const match = ROOM.exec(name);
  if (!match) return null;
  return { caseId: match[1]!, kind: match[2] ? 'internal' : 'case' };
}

/** The room name of a case's shared document. */
export function caseRoom(caseId: string): string {
  return `case:${caseId}`;
}

/** The room name of a case's internal notes (professionals only). */
export function internalRoom(caseId: string): string {
  return `case:${caseId}:internal`;
}
