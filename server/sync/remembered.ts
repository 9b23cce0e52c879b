/**
 * The updates other instances published and have not yet said they stored, kept so that this
 * instance can store them should their instance die first (see README.md, "Several instances").
 * Bounded in count and bytes: past the bound the oldest are forgotten, and their rooms are
 * remembered instead, so that adopting a dead instance's work stores this instance's whole copy
 * of those rooms (what the database lacks of it) rather than silently losing them.
 */
import { groupBy } from '../../shared/group-by.js';
import type { DocumentStore } from './store.js';

export interface RememberedUpdate {
  ticket: number;
  room: string;
  update: Uint8Array;
  accountId: string | null;
}

interface OtherInstance {
  lastHeard: number;
  /** Its "stored up to ticket" mark. */
  stored: number;
  /** Its published updates not yet marked stored, oldest first. */
  unstored: RememberedUpdate[];
  bytes: number;
  /** Rooms whose updates were forgotten for the bound. */
  overflowed: Set<string>;
  adopting: boolean;
}

export interface RememberedLimits {
  maxUpdates: number;
  maxBytes: number;
}

export interface AdoptionResult {
  /** Remembered updates the database lacked and that were stored now. */
  stored: number;
  /** Rooms of forgotten updates that could not be stored (not loaded here). */
  lost: string[];
}

export class RememberedUpdates {
  private readonly others = new Map<string, OtherInstance>();
  /** Totals over every other instance. */
  updates = 0;
  bytes = 0;
  /** Updates forgotten because the bound was reached. */
  dropped = 0;

  constructor(
    private readonly limits: RememberedLimits,
    private readonly now: () => number = Date.now
  ) {}

  /** Something was heard from instance `id` (it is alive). */
  heard(id: string): void {
    this.other(id).lastHeard = this.now();
  }

  /** Remembers an update `id` published, unless its mark says it is stored already. */
  remember(id: string, update: RememberedUpdate): void {
    const other = this.other(id);
    other.lastHeard = this.now();
    if (update.ticket <= other.stored) return;
    other.unstored.push(update);
    other.bytes += update.update.byteLength;
    this.updates++;
    this.bytes += update.update.byteLength;
    while (this.updates > this.limits.maxUpdates || this.bytes > this.limits.maxBytes) this.forgetOldest();
  }

  /** Instance `id` stored every update up to `ticket`. */
  markStored(id: string, ticket: number): void {
    const other = this.other(id);
    other.lastHeard = this.now();
    other.stored = Math.max(other.stored, ticket);
    if (other.unstored.length > 0 && other.unstored[0]!.ticket <= other.stored) {
      this.keep(other, other.unstored.filter((u) => u.ticket > other.stored));
    }
    // Everything it published up to now is stored: the forgotten ones too.
    if (other.unstored.length === 0) other.overflowed.clear();
  }

  /** Instance `id` left cleanly, having stored up to `ticket`. */
  left(id: string, ticket: number): void {
    this.markStored(id, ticket);
    const other = this.others.get(id)!;
    if (other.unstored.length === 0) this.others.delete(id);
  }

  /** Nobody could be heard for a while (the link was down): start counting afresh from `at`. */
  restartClocks(at: number): void {
    for (const other of this.others.values()) other.lastHeard = at;
  }

  /** Instances silent for `deadAfterMs` that are not being adopted already. Forgets those with nothing left. */
  silent(deadAfterMs: number): string[] {
    const now = this.now();
    const due: string[] = [];
    for (const [id, other] of this.others) {
      if (now - other.lastHeard < deadAfterMs || other.adopting) continue;
      if (other.unstored.length > 0 || other.overflowed.size > 0) due.push(id);
      else this.others.delete(id);
    }
    return due;
  }

  /**
   * Stores what the database lacks of instance `id`'s remembered updates: a document's updates
   * together and in order (one may build on another person's; Yjs would leave it pending if
   * applied alone), the author kept when there is only one. For rooms whose updates were
   * forgotten, `wholeRoom` gives this instance's copy of the room (or `null` if it has none).
   * On failure the updates stay remembered and the caller retries later.
   */
  async adopt(id: string, store: Pick<DocumentStore, 'adopt'>, wholeRoom: (room: string) => Uint8Array | null): Promise<AdoptionResult> {
    const other = this.others.get(id);
    if (!other) return { stored: 0, lost: [] };
    other.adopting = true;
    const batch = [...other.unstored];
    const overflowed = [...other.overflowed];
    try {
      let stored = 0;
      for (const [room, list] of groupBy(batch, (u) => u.room)) {
        const authors = new Set(list.map((u) => u.accountId));
        const author = authors.size === 1 ? list[0]!.accountId : null;
        if (await store.adopt(room, list.map((u) => u.update), author)) stored += list.length;
      }
      const lost: string[] = [];
      for (const room of overflowed) {
        const copy = wholeRoom(room);
        if (copy) await store.adopt(room, [copy], null);
        else lost.push(room);
      }
      const done = new Set(batch);
      this.keep(other, other.unstored.filter((u) => !done.has(u)));
      for (const room of overflowed) other.overflowed.delete(room);
      if (other.unstored.length === 0 && other.overflowed.size === 0) this.others.delete(id);
      return { stored, lost };
    } finally {
      other.adopting = false;
    }
  }

  private other(id: string): OtherInstance {
    let other = this.others.get(id);
    if (!other) this.others.set(id, (other = { lastHeard: this.now(), stored: 0, unstored: [], bytes: 0, overflowed: new Set(), adopting: false }));
    return other;
  }

  /** Replaces `other`'s list, keeping the totals right. */
  private keep(other: OtherInstance, unstored: RememberedUpdate[]): void {
    const bytes = unstored.reduce((sum, u) => sum + u.update.byteLength, 0);
    this.updates -= other.unstored.length - unstored.length;
    this.bytes -= other.bytes - bytes;
    other.unstored = unstored;
    other.bytes = bytes;
  }

  /** Forgets the oldest update of the instance holding the most bytes. */
  private forgetOldest(): void {
    let largest: OtherInstance | null = null;
    for (const other of this.others.values()) if (other.unstored.length > 0 && (!largest || other.bytes > largest.bytes)) largest = other;
    if (!largest) return;
    const oldest = largest.unstored.shift()!;
    largest.bytes -= oldest.update.byteLength;
    largest.overflowed.add(oldest.room);
    this.updates--;
    this.bytes -= oldest.update.byteLength;
    this.dropped++;
  }
}
