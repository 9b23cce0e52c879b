/** A token bucket: `rate` tokens a second, at most `capacity` saved up. */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(
    private readonly rate: number,
    private readonly capacity: number
  ) {
    this.tokens = capacity;
  }

  /** Tokens available now (refilled for the time since last asked). */
  available(): number {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    return this.tokens;
  }

  /** Takes one token; false (and nothing taken) when there is none. */
  take(): boolean {
    if (this.available() < 1) return false;
    this.tokens--;
    return true;
  }

  /** Milliseconds until a token is available. */
  waitMs(): number {
    const available = this.available();
    return available >= 1 ? 0 : ((1 - available) / this.rate) * 1000;
  }
}
