/**
 * Group commit of document updates. Every update a peer applies is queued; one writer stores
 * the queue in a single transaction at most `windowMs` after the first update arrived (then
 * again as soon as the previous commit is done). A failed write keeps the batch at the head of
 * the queue and retries with back-off; nobody is told "saved" until the commit succeeded.
 * Compaction runs in the same serial lane; between instances the database's row lock on the
 * document's head keeps appends and compactions apart (see README.md).
 */
import * as Y from 'yjs';
import type { Logger } from '../logger.js';
import type { DocumentStore, UpdateRow } from './store.js';
import type { RoomPeer } from './peer.js';
import type { Room, UpdateSink } from './room.js';

interface PendingUpdate {
  room: Room;
  row: UpdateRow;
  peer: RoomPeer;
  ticket: number;
  enqueuedAt: number;
}

export interface UpdateWriterOptions {
  windowMs: number;
  compactAfterUpdates: number;
  logger: Logger;
  /**
   * Called after each successful commit with its size, its duration and the age of its oldest
   * update (the persistence lag), for metrics.
   */
  onCommit?: (updates: number, seconds: number, lagSeconds: number) => void;
  /** Called after each successful commit: every update up to this ticket is stored. */
  onStored?: (ticket: number) => void;
}

const MAX_BACKOFF_MS = 2_000;

export class UpdateWriter implements UpdateSink {
  private queue: PendingUpdate[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing = false;
  private failures = 0;
  private lane: Promise<unknown> = Promise.resolve();
  private flushWaiters: Array<(ok: boolean) => void> = [];
  /** Who waits for one update to be stored, by its ticket. */
  private ticketWaiters: Array<{ ticket: number; resolve: (ok: boolean) => void }> = [];
  private ticket = 0;
  private storedUpTo = 0;

  constructor(
    private readonly store: DocumentStore,
    private readonly options: UpdateWriterOptions
  ) {}

  get lastTicket(): number {
    return this.ticket;
  }

  /** Number of updates not yet stored, over all rooms. */
  get backlog(): number {
    return this.queue.length;
  }

  /**
   * Queues an update for storing; returns its ticket. Tickets grow with every update and the
   * queue is stored in order, so "stored up to ticket n" describes everything stored so far.
   */
  enqueue(room: Room, update: Uint8Array, peer: RoomPeer): number {
    room.pending++;
    const ticket = ++this.ticket;
    this.queue.push({
      room,
      peer,
      ticket,
      enqueuedAt: performance.now(),
      row: { docName: room.name, data: update, accountId: peer.identity.accountId }
    });
    this.schedule(this.options.windowMs);
    return ticket;
  }

  /** Resolves `true` once every update of `room` is stored, `false` if a write fails meanwhile. */
  async drainRoom(room: Room): Promise<boolean> {
    while (room.pending > 0) {
      if (!(await this.nextFlush())) return false;
    }
    return true;
  }

  /**
   * Resolves `true` once the update with `ticket` is stored, `false` if the write that carried
   * it failed (the writer keeps retrying it; the update stays live). Waits for that update only,
   * not for the room to go quiet.
   */
  stored(ticket: number): Promise<boolean> {
    if (ticket <= this.storedUpTo) return Promise.resolve(true);
    return new Promise((resolve) => this.ticketWaiters.push({ ticket, resolve }));
  }

  /** Stores everything queued, retrying until `deadline` (epoch ms). */
  async drainAll(deadline: number): Promise<boolean> {
    while (this.queue.length > 0 || this.flushing) {
      if (Date.now() > deadline) return false;
      this.schedule(0);
      if (!(await this.nextFlush())) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return true;
  }

  /**
   * Merges a room's stored log into its snapshot. The store reads both from the database under
   * the document's lock, so the snapshot holds exactly what is stored, whatever instance stored it.
   */
  compact(room: Room): Promise<void> {
    return this.serial(async () => {
      if (room.logLength === 0) return;
      await this.store.compact(room.name);
      room.logLength = 0;
    });
  }

  private nextFlush(): Promise<boolean> {
    return new Promise((resolve) => this.flushWaiters.push(resolve));
  }

  private schedule(delay: number): void {
    if (this.flushing) return;
    if (this.timer) {
      if (delay > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delay);
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.lane.then(task);
    this.lane = run.catch(() => undefined);
    return run;
  }

  private async flush(): Promise<void> {
    if (this.queue.length === 0) return this.settle(true);
    this.flushing = true;
    const batch = this.queue;
    this.queue = [];
    // The state vector of each room as it is now is exactly what this batch makes durable.
    const stateVectors = new Map<Room, Uint8Array>();
    for (const item of batch) if (!stateVectors.has(item.room)) stateVectors.set(item.room, Y.encodeStateVector(item.room.doc));
    let ok = true;
    const started = performance.now();
    try {
      await this.serial(() => this.store.append(batch.map((item) => item.row)));
      const done = performance.now();
      this.options.onCommit?.(batch.length, (done - started) / 1000, (done - batch[0]!.enqueuedAt) / 1000);
      this.storedUpTo = batch[batch.length - 1]!.ticket;
      this.options.onStored?.(this.storedUpTo);
      this.failures = 0;
      this.afterStored(batch, stateVectors);
      this.answerWaiters(this.storedUpTo, true);
    } catch (error) {
      ok = false;
      this.failures++;
      this.queue = batch.concat(this.queue);
      this.options.logger.error({ err: error, updates: batch.length, attempt: this.failures }, 'storing document updates failed; will retry');
      this.answerWaiters(batch[batch.length - 1]!.ticket, false);
    }
    this.flushing = false;
    if (this.queue.length > 0) {
      this.schedule(ok ? this.options.windowMs : Math.min(MAX_BACKOFF_MS, 25 * 2 ** this.failures));
    }
    this.settle(ok);
    if (ok) await this.compactLongLogs(stateVectors.keys());
  }

  private afterStored(batch: PendingUpdate[], stateVectors: Map<Room, Uint8Array>): void {
    const peersByRoom = new Map<Room, Set<RoomPeer>>();
    for (const { room, peer } of batch) {
      room.pending--;
      room.logLength++;
      let peers = peersByRoom.get(room);
      if (!peers) peersByRoom.set(room, (peers = new Set()));
      peers.add(peer);
    }
    for (const [room, peers] of peersByRoom) room.notifySaved(peers, stateVectors.get(room)!);
  }

  private async compactLongLogs(rooms: Iterable<Room>): Promise<void> {
    for (const room of rooms) {
      if (room.logLength < this.options.compactAfterUpdates || room.pending > 0) continue;
      try {
        await this.compact(room);
      } catch (error) {
        // The log still holds every update; compaction is retried after the next write.
        this.options.logger.warn({ err: error, room: room.name }, 'compaction failed');
      }
    }
  }

  /** Answers everyone waiting for a ticket up to `upTo`. */
  private answerWaiters(upTo: number, ok: boolean): void {
    const answered = this.ticketWaiters.filter((waiter) => waiter.ticket <= upTo);
    this.ticketWaiters = this.ticketWaiters.filter((waiter) => waiter.ticket > upTo);
    for (const { resolve } of answered) resolve(ok);
  }

  private settle(ok: boolean): void {
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const resolve of waiters) resolve(ok);
  }
}
