/**
 * Loaded rooms. A room is loaded once, on its first connection (everyone who arrives meanwhile
 * waits for the same load), and unloaded when its last connection has been gone for
 * `unloadAfterMs` and all its updates are stored. Whoever arrives during an unload waits for it
 * and then gets a fresh load. A failed load is forgotten, so the next connection tries again.
 */
import type { Logger } from '../logger.js';
import type { DocumentStore } from './store.js';
import type { Fanout } from './fanout.js';
import { Room } from './room.js';
import type { UpdateWriter } from './update-writer.js';

interface Entry {
  ready: Promise<Room>;
  room: Room | null;
  refs: number;
  timer: NodeJS.Timeout | null;
  unloading: Promise<void> | null;
}

export interface RoomRegistryOptions {
  store: DocumentStore;
  writer: UpdateWriter;
  fanout: Fanout;
  unloadAfterMs: number;
  logger: Logger;
}

export class RoomRegistry {
  private readonly entries = new Map<string, Entry>();
  /** How many times a room was loaded from storage (for tests and metrics). */
  loads = 0;

  constructor(private readonly options: RoomRegistryOptions) {}

  get loadedCount(): number {
    return this.entries.size;
  }

  /** Takes a reference on `name`, loading it if needed. Pair every success with `release`. */
  async acquire(name: string): Promise<Room> {
    for (;;) {
      let entry = this.entries.get(name);
      if (entry?.unloading) {
        await entry.unloading;
        continue;
      }
      if (!entry) entry = this.startLoad(name);
      entry.refs++;
      if (entry.timer) {
        clearTimeout(entry.timer);
        entry.timer = null;
      }
      try {
        return await entry.ready;
      } catch (error) {
        entry.refs--;
        throw error;
      }
    }
  }

  release(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    entry.refs--;
    if (entry.refs === 0) this.scheduleUnload(name, entry);
  }

  /** Stores and compacts every loaded room (for shutdown). Connections must be closed first. */
  async unloadAll(): Promise<void> {
    for (const [name, entry] of this.entries) {
      if (entry.timer) clearTimeout(entry.timer);
      const room = await entry.ready.catch(() => null);
      if (!room) continue;
      try {
        await this.options.writer.compact(room);
      } catch (error) {
        this.options.logger.warn({ err: error, room: name }, 'compaction at shutdown failed');
      }
      room.destroy();
    }
    this.entries.clear();
  }

  /** The loaded room called `name`, if any (for tests and fan-out). */
  peek(name: string): Room | undefined {
    return this.entries.get(name)?.room ?? undefined;
  }

  private startLoad(name: string): Entry {
    this.loads++;
    const entry: Entry = {
      ready: Room.load(name, this.options.store, this.options.writer, this.options.fanout),
      room: null,
      refs: 0,
      timer: null,
      unloading: null
    };
    this.entries.set(name, entry);
    entry.ready.then(
      (room) => {
        entry.room = room;
      },
      (error: unknown) => {
        this.options.logger.error({ err: error, room: name }, 'loading document failed');
        if (this.entries.get(name) === entry) this.entries.delete(name);
      }
    );
    return entry;
  }

  private scheduleUnload(name: string, entry: Entry): void {
    entry.timer = setTimeout(() => {
      entry.timer = null;
      if (entry.refs === 0) entry.unloading = this.unload(name, entry);
    }, this.options.unloadAfterMs);
  }

  private async unload(name: string, entry: Entry): Promise<void> {
    const room = await entry.ready;
    const stored = await this.options.writer.drainRoom(room);
    if (!stored) {
      // Keep the room in memory with its unstored updates; try again later.
      entry.unloading = null;
      if (entry.refs === 0) this.scheduleUnload(name, entry);
      return;
    }
    try {
      await this.options.writer.compact(room);
    } catch (error) {
      this.options.logger.warn({ err: error, room: name }, 'compaction at unload failed');
    }
    room.destroy();
    this.entries.delete(name);
  }
}
