/** Presence colours: one per person, the same on every screen (server and client compute it alike). */
const PALETTE = ['#1f6feb', '#b35900', '#8250df', '#1a7f37', '#cf222e', '#0a7a8a', '#9a6700', '#bf3989'];

/** The identity shown in awareness; the server sets it from the session. */
export interface PresenceUser {
  id: string;
  name: string;
  role: string;
  organisation: string;
  color: string;
}

/** A stable 6-digit hex colour for an account (all pass 4.5:1 against white text). */
export function colorFor(accountId: string): string {
  let hash = 0;
  for (const ch of accountId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length]!;
}

/** How the client appears in presence when their device is in the meeting (no name is sent). */
export const CLIENT_PRESENCE: PresenceUser = { id: 'client', name: '', role: 'client', organisation: '', color: '#1a7f37' };
