/**
 * Operations endpoints: `/healthz` (the process is up), `/readyz` (the database answers and, with
 * several instances, Redis is connected) and
 * `/metrics` (Prometheus text format; answered to the loopback interface only, since it tells
 * how busy the service is).
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { pingDatabase } from '../repositories/health.js';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/database.js';

export interface Metrics {
  registry: Registry;
  updates: Counter;
  commitSeconds: Histogram;
  persistenceLagSeconds: Histogram;
  fanoutMessages: Counter<'direction'>;
  adoptedUpdates: Counter;
}

export interface MetricGauges {
  connections: () => number;
  rooms: () => number;
  backlog: () => number;
  /** 1 connected, 0 not, `null` without Redis. */
  fanoutConnected: () => boolean | null;
  /** Other instances' unstored updates kept here (`null` without Redis). */
  remembered: () => { updates: number; bytes: number; dropped: number } | null;
  /** Protecting triggers (audit log, archive, chains) missing or disabled in the database. */
  missingTriggers: () => Promise<number>;
}

export function createMetrics(gauges: MetricGauges): Metrics {
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
  const persistenceLagSeconds = new Histogram({
    name: 'polku_persistence_lag_seconds',
    help: 'Time from receiving an update to having it stored (oldest update of each batch)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry]
  });
  const fanoutMessages = new Counter({
    name: 'polku_fanout_messages_total',
    help: 'Messages between instances: sent (out), received (in), and not sent because Redis was down (dropped)',
    labelNames: ['direction'] as const,
    registers: [registry]
  });
  new Gauge({
    name: 'polku_fanout_connected',
    help: 'Whether the link to the other instances (Redis) is up; absent on a single instance',
    registers: [registry],
    collect() {
      const connected = gauges.fanoutConnected();
      if (connected !== null) this.set(connected ? 1 : 0);
    }
  });
  new Gauge({
    name: 'polku_fanout_remembered',
    help: "Other instances' updates kept here until they say they stored them (updates and bytes; bounded)",
    labelNames: ['unit'] as const,
    registers: [registry],
    collect() {
      const remembered = gauges.remembered();
      if (!remembered) return;
      this.set({ unit: 'updates' }, remembered.updates);
      this.set({ unit: 'bytes' }, remembered.bytes);
    }
  });
  new Gauge({
    name: 'polku_fanout_remembered_dropped_total',
    help: "Other instances' updates forgotten because the bound was reached (their rooms are stored whole if their instance dies)",
    registers: [registry],
    collect() {
      const remembered = gauges.remembered();
      if (remembered) this.set(remembered.dropped);
    }
  });
  new Gauge({
    name: 'polku_protecting_triggers_missing',
    help: 'Triggers that keep the audit log, the archive and their chains append-only, missing or disabled (should be 0)',
    registers: [registry],
    async collect() {
      this.set(await gauges.missingTriggers());
    }
  });
  const adoptedUpdates = new Counter({
    name: 'polku_fanout_adopted_updates_total',
    help: 'Updates of a stopped instance that this instance stored for it',
    registers: [registry]
  });
  return { registry, updates, commitSeconds, persistenceLagSeconds, fanoutMessages, adoptedUpdates };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const READY_CHECK_MS = 2_000;

export function createOperationsApp(db: Db, metrics: Metrics, fanoutConnected: () => boolean | null, trustProxy: boolean): Hono {
  return new Hono()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      let timer: NodeJS.Timeout | undefined;
      const database = await Promise.race([
        pingDatabase(db).then(() => 'ok' as const),
        new Promise<'unreachable'>((resolve) => (timer = setTimeout(() => resolve('unreachable'), READY_CHECK_MS)))
      ])
        .catch(() => 'unreachable' as const)
        .finally(() => clearTimeout(timer));
      const fanout = fanoutConnected();
      const redis = fanout === null ? undefined : fanout ? ('ok' as const) : ('unreachable' as const);
      const ready = database === 'ok' && redis !== 'unreachable';
      return c.json({ status: ready ? 'ready' : 'not ready', database, ...(redis ? { redis } : {}) }, ready ? 200 : 503);
    })
    .get('/metrics', async (c) => {
      const address = getConnInfo(c).remote.address ?? '';
      // Through our own proxy the peer is loopback too: a forwarded request is from outside.
      const forwarded = trustProxy && c.req.header('x-forwarded-for') !== undefined;
      if (!LOOPBACK.has(address) || forwarded) return c.text('metrics are served to the loopback interface only', 403);
      c.header('Content-Type', metrics.registry.contentType);
      return c.body(await metrics.registry.metrics());
    });
}
