/** The emulator's clock: a base (real time, or the `now` option) plus an offset set through `setClock` / `POST /_emulator/clock`. */
export class EmulatorClock {
  private offsetMs = 0;

  /** `base` is real time when absent. */
  constructor(private readonly base?: () => Date) {}

  readonly now = (): Date => new Date((this.base ? this.base().getTime() : Date.now()) + this.offsetMs);

  get offsetSeconds(): number {
    return this.offsetMs / 1000;
  }

  /** Moves the clock `offsetSeconds` away from its base (not cumulative: 0 puts it back). */
  setOffset(offsetSeconds: number): void {
    if (typeof offsetSeconds !== "number" || !Number.isFinite(offsetSeconds)) throw new TypeError("offsetSeconds must be a finite number.");
    this.offsetMs = Math.round(offsetSeconds * 1000);
  }
}
