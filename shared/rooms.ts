/**
 * Room names carry their access class: `case:<id>` is the case's shared document (the plan),
 * `case:<id>:internal` the professionals' internal notes, and `case:<id>:wheel`,
 * `case:<id>:network` and `case:<id>:path` the views, each its own document so that the server
 * can withhold one from whoever the client's consent does not cover (see `views/README.md`).
 */
export const VIEW_KINDS = ['wheel', 'network', 'path'] as const;
export type ViewKind = (typeof VIEW_KINDS)[number];
export type RoomKind = 'case' | 'internal' | ViewKind;

export interface RoomRef {
  caseId: string;
  kind: RoomKind;
}

const ROOM = /^case:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?::(internal|wheel|network|path))?$/;

/** Parses a room name; `null` for anything that is not a known room. */
export function parseRoomName(name: string): RoomRef | null {
  const match = ROOM.exec(name);
  if (!match) return null;
  return { caseId: match[1]!, kind: (match[2] as RoomKind | undefined) ?? 'case' };
}

/** The room name of a case's shared document (the plan). */
export function caseRoom(caseId: string): string {
  return `case:${caseId}`;
}

/** The room name of a case's internal notes (professionals only). */
export function internalRoom(caseId: string): string {
  return `case:${caseId}:internal`;
}

/** The room name of one of a case's views (the wheel, the network map, the guidance path). */
export function viewRoom(caseId: string, view: ViewKind): string {
  return `case:${caseId}:${view}`;
}

/** Every document of a case (retention removes them together). */
export function caseRooms(caseId: string): string[] {
  return [caseRoom(caseId), internalRoom(caseId), ...VIEW_KINDS.map((v) => viewRoom(caseId, v))];
}

/** The documents the client's own device may read: everything but the internal notes. */
export function clientRooms(caseId: string): string[] {
  return [caseRoom(caseId), ...VIEW_KINDS.map((v) => viewRoom(caseId, v))];
}
