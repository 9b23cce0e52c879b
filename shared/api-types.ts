import type { CasePart } from './access.js';
import type { Role } from './roles.js';

/** The signed-in account, as `GET /api/me` returns it. */
export interface Me {
  id: string;
  name: string;
  email: string;
  role: Role;
  organisation: { id: string; name: string };
}

/** A case in lists and on its page. */
export interface CaseSummary {
  id: string;
  displayName: string;
  organisationId: string;
  createdAt: string;
  access: 'edit' | 'view';
  /** Whether this person may manage the team and consents (responsible person, coordinator). */
  canManage: boolean;
  /** When the case was closed (the retention period runs from then), or null while open. */
  closedAt: string | null;
  /** The parts of the case this person may see (another organisation: what its consents cover). */
  parts: CasePart[];
}
