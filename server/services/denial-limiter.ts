/**
 * Collapses repeated refusals into counted rows. The first refusal of a key (who, what, which
 * target) is written at once with count 1; repeats within its window are only counted, and
 * written as one row with their count once the window has closed (`flushDue`), when the key has
 * to make room (`maxKeys`, oldest first), or at `stop`. Nothing is dropped: the written counts
 * always add up to the refusals recorded.
 */
export interface DenialLimiterOptions<E> {
  windowMs: number;
  /** Most keys held at once; past it the oldest key's count is written early. */
  maxKeys: number;
  write: (event: E, count: number) => Promise<void>;
  /** A count that could not be written (it is logged; the refusals themselves were answered). */
  onError: (error: unknown, event: E, count: number) => void;
  now?: () => number;
}

interface Window<E> {
  endsAt: number;
  /** The first repeat (written for all of them) and how many there were. */
  repeat: E | null;
  repeats: number;
}

export class DenialLimiter<E> {
  private readonly windows = new Map<string, Window<E>>();
  private readonly writing = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: DenialLimiterOptions<E>) {}

  /** Keys currently held. */
  get size(): number {
    return this.windows.size;
  }

  /** Records one refusal; resolves once it is written (first of its window) or counted. */
  async record(key: string, event: E): Promise<void> {
    const now = this.now();
    const open = this.windows.get(key);
    if (open && now < open.endsAt) {
      open.repeat ??= event;
      open.repeats++;
      return;
    }
    if (open) this.close(key, open);
    if (!this.stopped) {
      if (this.windows.size >= this.options.maxKeys) {
        const [oldest, window] = this.windows.entries().next().value!;
        this.close(oldest, window);
      }
      this.windows.set(key, { endsAt: now + this.options.windowMs, repeat: null, repeats: 0 });
    }
    await this.options.write(event, 1);
  }

  /** Writes the counts of the windows that have closed. */
  async flushDue(): Promise<void> {
    const now = this.now();
    for (const [key, window] of this.windows) if (now >= window.endsAt) this.close(key, window);
    await this.settled();
  }

  /** Writes every count still held; refusals recorded afterwards are written one by one. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const [key, window] of this.windows) this.close(key, window);
    await this.settled();
  }

  private close(key: string, window: Window<E>): void {
    this.windows.delete(key);
    if (!window.repeat) return;
    const { repeat, repeats } = window;
    const writing = this.options.write(repeat, repeats).catch((error: unknown) => this.options.onError(error, repeat, repeats));
    this.writing.add(writing);
    void writing.finally(() => this.writing.delete(writing));
  }

  private async settled(): Promise<void> {
    while (this.writing.size > 0) await Promise.all(this.writing);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
