/**
 * The layers' boundaries, checked by `npm run check` (see README.md, "How it fits together").
 * Type-only imports count (`tsPreCompilationDeps`).
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'sync-is-a-leaf',
      comment:
        'server/sync is the Yjs protocol, rooms, store interface and fan-out; it knows nothing of the application (sessions, cases, audit, HTTP). The application plugs in through its hooks (server/realtime/yjs-endpoint.ts).',
      severity: 'error',
      from: { path: '^server/sync/' },
      to: { path: '^server/(services|realtime|http|api|repositories|db|access|domain|cli)/|^server/(config|server|errors)\\.ts$' }
    },
    {
      name: 'sql-only-in-repositories',
      comment: 'Only repositories (and the database set-up and migrations in server/db) use Kysely; services call repository functions.',
      severity: 'error',
      from: { path: '^server/', pathNot: '^server/(repositories|db)/' },
      to: { path: '^node_modules/kysely/' }
    },
    {
      name: 'query-builder-only-in-repositories',
      comment: 'db/kysely.ts turns a Db handle into the query builder: for repositories and server/db only.',
      severity: 'error',
      from: { path: '^server/', pathNot: '^server/(repositories|db)/' },
      to: { path: '^server/db/kysely\\.ts$' }
    },
    {
      name: 'csv-only-through-to-csv',
      comment: 'Every CSV Polku writes goes through server/services/csv.ts (toCsv), which neutralises cells a spreadsheet would run as formulas.',
      severity: 'error',
      from: { pathNot: '^server/services/csv\\.ts$' },
      to: { path: '^(node_modules/)?csv-stringify(/|$)' }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(client/lib/paraglide|\\.svelte-kit)/' }
  }
};
