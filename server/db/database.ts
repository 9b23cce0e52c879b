/** The typed database schema: one `*Table` interface per table. Timestamps are ISO-8601 UTC text. */
import type { Generated, Insertable, Selectable } from 'kysely';
import type { Role } from '../../shared/roles.js';
import type { GuestStatus, MeetingStatus } from '../../shared/meetings.js';

export interface OrganisationTable {
  id: string;
  name: string;
  kind: string;
  created_at: string;
  /** Years archived plans are kept after a case is closed. */
  retention_years: Generated<number>;
}

export interface AccountTable {
  id: string;
  organisation_id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  deactivated_at: string | null;
  created_at: string;
}

export interface SessionTable {
  /** SHA-256 of the session token; the token itself is only in the cookie. */
  id: string;
  account_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface CaseTable {
  id: string;
  organisation_id: string;
  display_name: string;
  created_by: string;
  created_at: string;
  /** For the follow-up reports only: female, male, other or unknown. */
  gender: Generated<string>;
  birth_year: number | null;
  closed_at: string | null;
  /** When the wheel, map and path left the case's shared document for their own; null until moved. */
  views_moved_at: string | null;
}

/** Append-only log of Yjs updates per document; `seq` counts per document from 1. */
export interface DocumentUpdateTable {
  doc_name: string;
  seq: number;
  data: Uint8Array;
  account_id: string | null;
  created_at: string;
}

/** The compacted state of a document: every update up to and including `seq`. */
export interface DocumentSnapshotTable {
  doc_name: string;
  seq: number;
  data: Uint8Array;
  updated_at: string;
}

/** The last sequence number of each document; appends and compaction lock its row. */
export interface DocumentHeadTable {
  doc_name: string;
  last_seq: number;
}

export type CaseRole = 'responsible' | 'member' | 'observer';

export interface CaseMemberTable {
  case_id: string;
  account_id: string;
  case_role: CaseRole;
  access: 'edit' | 'view';
  added_by: string;
  added_at: string;
}

/** The client's consent (or a legal basis) for sharing the case with one organisation. */
export interface ConsentTable {
  id: string;
  case_id: string;
  organisation_id: string;
  basis: 'consent' | 'legal_basis';
  method: 'signed' | 'oral_meeting' | 'electronic' | null;
  legal_basis: string | null;
  /** The free-text note on the scope (before structured scopes, the whole scope). */
  scope: string;
  /** The parts of the case the consent opens, comma separated (`CASE_PARTS`). */
  parts: string;
  /** A Finnish date (YYYY-MM-DD); the consent is valid through that day, until the next Finnish midnight. */
  valid_until: string | null;
  recorded_by: string;
  recorded_at: string;
  withdrawn_by: string | null;
  withdrawn_at: string | null;
  /** When its end was processed (connections closed, audited); null until then. */
  expired_at: string | null;
}

/** One-time links: invitations to a new account and password resets. `id` is the token's hash. */
export interface AccountLinkTable {
  id: string;
  kind: 'invite' | 'reset';
  organisation_id: string;
  account_id: string | null;
  email: string;
  name: string;
  role: Role;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** Append-only: the database refuses UPDATE and DELETE. */
export interface AuditLogTable {
  id: string;
  at: string;
  account_id: string | null;
  organisation_id: string | null;
  case_id: string | null;
  action: string;
  details: string | null;
  ip: string | null;
  user_agent: string | null;
}

/** A meeting on a case. `agenda` and `follow` are JSON (validated by the shared schemas). */
export interface MeetingTable {
  id: string;
  case_id: string;
  status: MeetingStatus;
  scheduled_at: string;
  place: string | null;
  video_url: string | null;
  agenda: string;
  current_item: Generated<number>;
  follow: string | null;
  chair_id: string;
  created_by: string;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  /** The plan's JSON when the meeting started, to list what changed in it. */
  plan_at_start: string | null;
  /** The generated meeting record (JSON), once ended. */
  record: string | null;
}

export interface MeetingInviteeTable {
  meeting_id: string;
  account_id: string;
}

export interface MeetingAttendanceTable {
  meeting_id: string;
  /** An account id, or `client`. */
  participant: string;
  name: string;
  role: string;
  organisation: string;
  joined_at: string;
}

export interface MeetingDecisionTable {
  id: string;
  meeting_id: string;
  text: string;
  created_by: string;
  created_at: string;
  goal_id: string | null;
  action_id: string | null;
}

/** A join code for one meeting; `id` is the code's hash. */
export interface JoinCodeTable {
  id: string;
  meeting_id: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

/** A client's device in a meeting; `id` is the hash of its cookie's token. */
export interface GuestSessionTable {
  id: string;
  meeting_id: string;
  join_code_id: string;
  status: GuestStatus;
  device: string;
  created_at: string;
  expires_at: string;
  decided_by: string | null;
  decided_at: string | null;
}

/**
 * One thing sign-in or link throttling counts (`services/sign-in-throttle.ts`): `scope` 'pair'
 * (subject: the e-mail; origin: the address, or `device:<id>` for a known device), 'address'
 * (every account from one address) or 'link' (link tokens tried from one address).
 */
export interface SignInThrottleTable {
  scope: 'pair' | 'address' | 'link';
  subject: string;
  origin: string;
  /** Attempts reserved and not given back (failures, and checks in flight). */
  attempts: number;
  /** Once `attempts` reaches the free allowance: the earliest moment of the next attempt. */
  next_at: string;
  last_at: string;
}

/** A browser that has signed in to an account; `id` is the SHA-256 of the token in its cookie. */
export interface KnownDeviceTable {
  id: string;
  account_id: string;
  created_at: string;
  expires_at: string;
}

export interface JoinFailureTable {
  id: string;
  ip: string;
  at: string;
}

/** An organisation's own assessment-wheel template; `areas` is JSON (labels). Removed ones stay for the record. */
export interface WheelTemplateTable {
  id: string;
  organisation_id: string;
  name: string;
  min: number;
  max: number;
  areas: string;
  created_by: string;
  created_at: string;
  removed_at: string | null;
}

/** A plan proposed as final: its snapshot (JSON and Yjs state), who must confirm, and its status. */
export interface PlanProposalTable {
  id: string;
  case_id: string;
  status: 'proposed' | 'archived' | 'withdrawn';
  plan: string;
  views: string;
  internal_notes: string;
  state: Uint8Array;
  /** JSON array of the account ids that must confirm (team members named on the plan). */
  confirmers: string;
  agreed_in_meeting: string | null;
  proposed_by: string;
  proposed_at: string;
}

/** One step of a proposal, signed: proposed, confirmed, agreed_in_meeting or approved. */
export interface PlanSignatureTable {
  proposal_id: string;
  account_id: string;
  step: 'proposed' | 'confirmed' | 'agreed_in_meeting' | 'approved';
  name: string;
  role: string;
  organisation: string;
  at: string;
}

/**
 * An archived (approved) plan version. Immutable: the database refuses UPDATE and DELETE.
 * `content` is the canonical JSON the hash covers; `previous_hash` links the case's versions.
 */
export interface ArchivedPlanTable {
  id: string;
  case_id: string;
  version: number;
  content: string;
  state: Uint8Array;
  content_hash: string;
  previous_hash: string;
  archived_at: string;
}

/** The head of a keyed chain (`services/chain.ts`): locked by every append; only moves forwards. */
export interface ChainHeadTable {
  chain: string;
  seq: number;
  mac: string;
  /** The chain's current key (after a rotation: the new one). */
  key_id: string;
}

/** One entry of a keyed chain: a row's digest (or a start, rotation or release), linked by MAC. */
export interface ChainEntryTable {
  chain: string;
  seq: number;
  kind: 'start' | 'row' | 'adopted' | 'rotation' | 'release';
  ref: string | null;
  digest: string;
  note: string | null;
  key_id: string;
  prev_mac: string;
  mac: string;
  at: string;
}

export interface Database {
  organisations: OrganisationTable;
  accounts: AccountTable;
  sessions: SessionTable;
  cases: CaseTable;
  document_updates: DocumentUpdateTable;
  document_snapshots: DocumentSnapshotTable;
  document_heads: DocumentHeadTable;
  case_members: CaseMemberTable;
  consents: ConsentTable;
  account_links: AccountLinkTable;
  audit_log: AuditLogTable;
  meetings: MeetingTable;
  meeting_invitees: MeetingInviteeTable;
  meeting_attendance: MeetingAttendanceTable;
  meeting_decisions: MeetingDecisionTable;
  join_codes: JoinCodeTable;
  guest_sessions: GuestSessionTable;
  join_failures: JoinFailureTable;
  sign_in_throttle: SignInThrottleTable;
  known_devices: KnownDeviceTable;
  wheel_templates: WheelTemplateTable;
  plan_proposals: PlanProposalTable;
  plan_signatures: PlanSignatureTable;
  archived_plans: ArchivedPlanTable;
  retention_releases: { case_id: string; released_at: string };
  chain_heads: ChainHeadTable;
  chain_entries: ChainEntryTable;
}

declare const dbHandle: unique symbol;

/**
 * The database handle passed around (a connection or a transaction). Opaque on purpose: it has no
 * query methods, so only code that turns it into the query builder with `queries()`
 * (`db/kysely.ts`, for `repositories/` and `db/` only) can write SQL.
 */
export interface Db {
  readonly [dbHandle]: true;
}
export type { Insertable };
export type { GuestStatus, MeetingStatus };
export type Meeting = Selectable<MeetingTable>;
export type GuestSession = Selectable<GuestSessionTable>;
export type JoinCode = Selectable<JoinCodeTable>;
export type Organisation = Selectable<OrganisationTable>;
export type Account = Selectable<AccountTable>;
export type NewAccount = Insertable<AccountTable>;
export type Session = Selectable<SessionTable>;
export type Case = Selectable<CaseTable>;
export type CaseMember = Selectable<CaseMemberTable>;
export type Consent = Selectable<ConsentTable>;
export type AccountLink = Selectable<AccountLinkTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type SignInThrottle = Selectable<SignInThrottleTable>;
export type KnownDevice = Selectable<KnownDeviceTable>;
export type ChainEntry = Selectable<ChainEntryTable>;
export type ChainHead = Selectable<ChainHeadTable>;
export type { Generated };
