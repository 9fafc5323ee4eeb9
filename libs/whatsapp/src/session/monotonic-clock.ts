/**
 * Event timestamps in ms that never repeat or go back within this worker: the API keeps the
 * newest event per number and ignores older ones, so two events of one number must not share a
 * millisecond (a `qr_regenerating` and its `qr_generated` often would).
 */
export class MonotonicClock {
  private last = 0;

  constructor(private readonly source: () => number = Date.now) {}

  now(): number {
    this.last = Math.max(this.source(), this.last + 1);
    return this.last;
  }
}
