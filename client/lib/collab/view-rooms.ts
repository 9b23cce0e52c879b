/**
 * The wheel, the network map and the guidance path are each their own document (the server can
 * withhold one from a professional whom the client's consent does not cover): a page opens one
 * room per view it may show.
 */
import type { Me } from '../../../shared/api-types';
import type { CasePart } from '../../../shared/access';
import { VIEW_KINDS, viewRoom, type ViewKind } from '../../../shared/rooms';
import { CaseRoom } from './case-room.svelte';

export type ViewRooms = Partial<Record<ViewKind, CaseRoom>>;

/** Opens a room for each view among `parts`. */
export function openViewRooms(caseId: string, parts: readonly CasePart[], me: Me): ViewRooms {
  return Object.fromEntries(VIEW_KINDS.filter((view) => parts.includes(view)).map((view) => [view, new CaseRoom(viewRoom(caseId, view), me)]));
}

/** Closes every view room (with `forget`, also drops the device's offline copies). */
export async function closeViewRooms(rooms: ViewRooms, forget = false): Promise<void> {
  for (const room of Object.values(rooms)) {
    if (forget) await room.forget();
    room.destroy();
  }
}
