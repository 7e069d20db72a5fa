/**
 * @module
 * A one-line progress bar on stderr for long imports: drawn only when stderr is a terminal or
 * when asked (`--progress`), redrawn at most ten times a second, so logs stay clean in CI.
 */

/** A progress bar over a known total. */
export class ProgressBar {
  #done = 0;
  #last = 0;
  readonly #enc = new TextEncoder();
  /**
   * @param total items expected
   * @param label shown after the counts
   * @param enabled draw at all (default: when stderr is a terminal)
   */
  constructor(
    readonly total: number,
    readonly label: string,
    readonly enabled: boolean = Deno.stderr.isTerminal(),
  ) {}

  /** Advances by `n` items. */
  tick(n = 1): void {
    this.#done += n;
    const now = performance.now();
    if (this.enabled && (now - this.#last > 100 || this.#done >= this.total)) {
      this.#last = now;
      this.#draw();
    }
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    if (!this.enabled) return;
    this.#draw();
    Deno.stderr.writeSync(this.#enc.encode("\n"));
  }

  #draw(): void {
    const width = 30;
    const frac = this.total > 0 ? Math.min(1, this.#done / this.total) : 1;
    const full = Math.round(frac * width);
    const bar = "#".repeat(full) + ".".repeat(width - full);
    const pct = Math.floor(frac * 100).toString().padStart(3);
    Deno.stderr.writeSync(
      this.#enc.encode(`\r[${bar}] ${pct}% ${this.#done}/${this.total} ${this.label}`),
    );
  }
}
