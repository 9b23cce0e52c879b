/** Migrations, frozen in time, named by date and verb; each runs on SQLite and PostgreSQL. */
import { sql, type Kysely, type Migration, type MigrationProvider, type RawBuilder } from 'kysely';
import * as createCore from './2026_11_25_0001_create_core.js';
import * as createAccess from './2026_11_25_0002_create_access.js';
import * as createMeetings from './2026_12_01_0003_create_meetings.js';
import * as createWheelTemplates from './2026_12_01_0004_create_wheel_templates.js';
import * as createArchive from './2026_12_01_0005_create_archive.js';
import * as addCaseDemographics from './2026_12_01_0006_add_case_demographics.js';
import * as addRetention from './2026_12_01_0007_add_retention.js';
import * as addDocumentHeads from './2026_12_02_0008_add_document_heads.js';
import * as addConsentExpiry from './2026_12_02_0009_add_consent_expiry.js';
import * as addConsentParts from './2026_12_03_0010_add_consent_parts.js';
import * as addSignInThrottle from './2026_12_04_0011_add_sign_in_throttle.js';
import * as addJoinThrottle from './2026_12_04_0012_add_join_throttle.js';
import * as addKeyedChains from './2026_12_04_0013_add_keyed_chains.js';

export type Dialect = 'sqlite' | 'postgres';

/** What a migration may need to know about the dialect: the binary column type only. */
export interface MigrationContext {
  dialect: Dialect;
  binary: RawBuilder<unknown>;
}

type MigrationModule = { up(db: Kysely<any>, ctx: MigrationContext): Promise<void> };

const MIGRATIONS: Record<string, MigrationModule> = {
  '2026_11_25_0001_create_core': createCore,
  '2026_11_25_0002_create_access': createAccess,
  '2026_12_01_0003_create_meetings': createMeetings,
  '2026_12_01_0004_create_wheel_templates': createWheelTemplates,
  '2026_12_01_0005_create_archive': createArchive,
  '2026_12_01_0006_add_case_demographics': addCaseDemographics,
  '2026_12_01_0007_add_retention': addRetention,
  '2026_12_02_0008_add_document_heads': addDocumentHeads,
  '2026_12_02_0009_add_consent_expiry': addConsentExpiry,
  '2026_12_03_0010_add_consent_parts': addConsentParts,
  '2026_12_04_0011_add_sign_in_throttle': addSignInThrottle,
  '2026_12_04_0012_add_join_throttle': addJoinThrottle,
  '2026_12_04_0013_add_keyed_chains': addKeyedChains
};

/** Provides the migrations above to Kysely's `Migrator`. */
export class PolkuMigrations implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const ctx: MigrationContext = {
      dialect: this.dialect,
      binary: this.dialect === 'postgres' ? sql`bytea` : sql`blob`
    };
    return Object.fromEntries(
      Object.entries(MIGRATIONS).map(([name, m]) => [name, { up: (db: Kysely<any>) => m.up(db, ctx) }])
    );
  }
}
