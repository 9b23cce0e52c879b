/** What every API handler can reach, and the Hono environment type. */
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { CaseRealtime } from '../realtime/case-realtime.js';
import type { MeetingRealtime } from '../realtime/meeting-realtime.js';
import type { ServerDocs } from '../sync/server-edits.js';
import type { ClosePath } from '../realtime/close-path.js';
import type { Principal } from '../domain/principal.js';

export interface ApiDeps {
  db: Db;
  config: Config;
  /** Closes live connections on every instance (sign-out, deactivation, revoked access). */
  close: ClosePath;
  realtime: CaseRealtime;
  logger: Logger;
  /** Edits the server makes to live documents (decisions made actions, the client's words). */
  docs: ServerDocs;
  meetings: MeetingRealtime;
}

export interface ApiEnv {
  Variables: {
    deps: ApiDeps;
    principal: Principal | null;
  };
}

/** Hono env for routes behind `requireAuth`: the principal is known. */
export interface AuthedEnv {
  Variables: {
    deps: ApiDeps;
    principal: Principal;
  };
}
