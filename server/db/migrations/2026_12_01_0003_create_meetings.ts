import type { Kysely } from 'kysely';

/** Meetings with their invitees, attendance and decisions; join codes and the client's guest sessions. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('meetings')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('case_id', 'varchar(36)', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('status', 'varchar(12)', (c) => c.notNull())
    .addColumn('scheduled_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('place', 'varchar(200)')
    .addColumn('video_url', 'varchar(500)')
    .addColumn('agenda', 'text', (c) => c.notNull())
    .addColumn('current_item', 'integer', (c) => c.notNull().defaultTo(-1))
    .addColumn('follow', 'text')
    .addColumn('chair_id', 'varchar(36)', (c) => c.notNull().references('accounts.id'))
    .addColumn('created_by', 'varchar(36)', (c) => c.notNull().references('accounts.id'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('started_at', 'varchar(32)')
    .addColumn('ended_at', 'varchar(32)')
    .addColumn('plan_at_start', 'text')
    .addColumn('record', 'text')
    .execute();
  await db.schema.createIndex('meetings_case_idx').on('meetings').columns(['case_id', 'scheduled_at']).execute();

  await db.schema
    .createTable('meeting_invitees')
    .addColumn('meeting_id', 'varchar(36)', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id'))
    .addPrimaryKeyConstraint('meeting_invitees_pk', ['meeting_id', 'account_id'])
    .execute();

  // Who took part, as they were when they joined (names and roles can change later).
  await db.schema
    .createTable('meeting_attendance')
    .addColumn('meeting_id', 'varchar(36)', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
    .addColumn('participant', 'varchar(36)', (c) => c.notNull())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('role', 'varchar(40)', (c) => c.notNull())
    .addColumn('organisation', 'varchar(200)', (c) => c.notNull())
    .addColumn('joined_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('meeting_attendance_pk', ['meeting_id', 'participant'])
    .execute();

  await db.schema
    .createTable('meeting_decisions')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('meeting_id', 'varchar(36)', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
    .addColumn('text', 'varchar(1000)', (c) => c.notNull())
    .addColumn('created_by', 'varchar(36)', (c) => c.notNull().references('accounts.id'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('goal_id', 'varchar(64)')
    .addColumn('action_id', 'varchar(64)')
    .execute();
  await db.schema.createIndex('meeting_decisions_meeting_idx').on('meeting_decisions').column('meeting_id').execute();

  // `id` is the code's hash: the code itself is shown once and never stored.
  await db.schema
    .createTable('join_codes')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('meeting_id', 'varchar(36)', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
    .addColumn('created_by', 'varchar(36)', (c) => c.notNull().references('accounts.id'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('revoked_at', 'varchar(32)')
    .execute();

  // A client's device in a meeting; `id` is the hash of the token in its cookie.
  await db.schema
    .createTable('guest_sessions')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('meeting_id', 'varchar(36)', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
    .addColumn('join_code_id', 'varchar(64)', (c) => c.notNull().references('join_codes.id').onDelete('cascade'))
    .addColumn('status', 'varchar(12)', (c) => c.notNull())
    .addColumn('device', 'varchar(100)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('decided_by', 'varchar(36)', (c) => c.references('accounts.id'))
    .addColumn('decided_at', 'varchar(32)')
    .execute();
  await db.schema.createIndex('guest_sessions_code_idx').on('guest_sessions').column('join_code_id').execute();
  await db.schema.createIndex('guest_sessions_meeting_idx').on('guest_sessions').column('meeting_id').execute();

  // Wrong join codes, by address, for throttling (shared by every instance through the database).
  await db.schema
    .createTable('join_failures')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('ip', 'varchar(64)', (c) => c.notNull())
    .addColumn('at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('join_failures_ip_at_idx').on('join_failures').columns(['ip', 'at']).execute();
}
