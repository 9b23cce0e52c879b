/**
 * Operations endpoints: `/healthz` (the process is up), `/readyz` (the database answers) and
 * `/metrics` (Prometheus text format; answered to the loopback interface only, since it tells
 * how busy the service is).
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { sql } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/database.js';

export interface Metrics {
  registry: Registry;
  updates: Counter;
  commitSeconds: Histogram;
}

export function createMetrics(gauges: { connections: () => number; rooms: () => number; backlog: () => number }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'polku_' });
  new Gauge({ name: 'polku_sync_connections', help: 'Open Yjs connections', registers: [registry], collect() { this.set(gauges.connections()); } });
  new Gauge({ name: 'polku_rooms_loaded', help: 'Documents loaded in memory', registers: [registry], collect() { this.set(gauges.rooms()); } });
  new Gauge({ name: 'polku_persistence_backlog', help: 'Document updates waiting to be stored', registers: [registry], collect() { this.set(gauges.backlog()); } });
  const updates = new Counter({ name: 'polku_updates_stored_total', help: 'Document updates stored', registers: [registry] });
  const commitSeconds = new Histogram({
    name: 'polku_commit_seconds',
    help: 'Time to store one group-commit batch',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry]
  });
  return { registry, updates, commitSeconds };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function createOperationsApp(db: Db, metrics: Metrics): Hono {
  return new Hono()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      try {
        await sql`select 1`.execute(db);
        return c.json({ status: 'ready', database: 'ok' });
      } catch {
        return c.json({ status: 'not ready', database: 'unreachable' }, 503);
      }
    })
    .get('/metrics', async (c) => {
      const address = getConnInfo(c).remote.address ?? '';
      if (!LOOPBACK.has(address)) return c.text('metrics are served to the loopback interface only', 403);
      c.header('Content-Type', metrics.registry.contentType);
      return c.body(await metrics.registry.metrics());
    });
}
