/** The typed database schema: one `*Table` interface per table. Timestamps are ISO-8601 UTC text. */
import type { Generated, Insertable, Kysely, Selectable } from 'kysely';
import type { Role } from '../../shared/roles.js';

export interface OrganisationTable {
  id: string;
  name: string;
  kind: string;
  created_at: string;
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

export interface Database {
  organisations: OrganisationTable;
  accounts: AccountTable;
  sessions: SessionTable;
  cases: CaseTable;
  document_updates: DocumentUpdateTable;
  document_snapshots: DocumentSnapshotTable;
}

export type Db = Kysely<Database>;
export type Organisation = Selectable<OrganisationTable>;
export type Account = Selectable<AccountTable>;
export type NewAccount = Insertable<AccountTable>;
export type Session = Selectable<SessionTable>;
export type Case = Selectable<CaseTable>;
export type { Generated };
