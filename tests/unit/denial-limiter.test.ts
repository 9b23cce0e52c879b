/**
 * The denial limiter on its own: the first refusal of a key is written at once, repeats within the
 * window become one row with their count, the key cap writes the oldest key early instead of
 * forgetting it, and stopping writes whatever is still counted — the counts always add up.
 */
import { describe, expect, it } from 'vitest';
import { DenialLimiter } from '../../server/services/denial-limiter.js';

function limiter(options: { windowMs?: number; maxKeys?: number } = {}) {
  let clock = 0;
  const rows: Array<{ key: string; count: number }> = [];
  const denials = new DenialLimiter<string>({
    windowMs: options.windowMs ?? 1_000,
    maxKeys: options.maxKeys ?? 100,
    now: () => clock,
    write: async (event, count) => {
      rows.push({ key: event, count });
    },
    onError: (error) => {
      throw error;
    }
  });
  return { denials, rows, advance: (ms: number) => (clock += ms), total: () => rows.reduce((sum, r) => sum + r.count, 0) };
}

describe('the denial limiter', () => {
  it('writes the first refusal of a key at once and the repeats of its window as one row with their count', async () => {
    const { denials, rows, advance, total } = limiter();
    for (let i = 0; i < 250; i++) await denials.record('a', 'a');
    expect(rows).toEqual([{ key: 'a', count: 1 }]);
    advance(999);
    await denials.flushDue();
    expect(rows).toHaveLength(1);
    advance(1);
    await denials.flushDue();
    expect(rows).toEqual([
      { key: 'a', count: 1 },
      { key: 'a', count: 249 }
    ]);
    // The window closed: the next refusal of the key is written at once again.
    await denials.record('a', 'a');
    expect(rows).toHaveLength(3);
    expect(total()).toBe(251);
  });

  it('keeps at most maxKeys keys: the oldest is written early, never forgotten', async () => {
    const { denials, rows, total } = limiter({ maxKeys: 3 });
    for (let round = 0; round < 4; round++) {
      for (const key of ['a', 'b', 'c', 'd', 'e']) {
        await denials.record(key, key);
        await denials.record(key, key);
      }
    }
    expect(denials.size).toBeLessThanOrEqual(3);
    await denials.stop();
    expect(denials.size).toBe(0);
    expect(total()).toBe(40);
  });

  it('counts refusals that arrive while the first one is being written, and writes them at stop', async () => {
    const { denials, rows, total } = limiter();
    await Promise.all(Array.from({ length: 50 }, () => denials.record('a', 'a')));
    expect(rows).toEqual([{ key: 'a', count: 1 }]);
    await denials.stop();
    expect(rows).toEqual([
      { key: 'a', count: 1 },
      { key: 'a', count: 49 }
    ]);
    expect(total()).toBe(50);
    // After stop, a refusal is written at once (nothing is held that no one would write).
    await denials.record('a', 'a');
    expect(total()).toBe(51);
  });
});
