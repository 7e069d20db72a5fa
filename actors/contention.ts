/**
 * @module
 * Whether other processes keep the machine's cores busy, for the transport's busy-waiting
 * (actors/doorbell.ts): spinning pays off only while the threads it waits for get a core at once.
 * Measured on the 2-core dev VM: with the cores free, spinning cuts an actor round trip from
 * ~200 µs to ~30 µs; with one CPU-bound process beside it, it makes it 2–3× slower than not
 * spinning. The main thread samples, every {@link SAMPLE_MS}, the CPU time the whole machine used
 * (Linux `/proc/stat`) minus what this process used (`/proc/self/stat`: `node:process` would load
 * ~12 MB of Node compatibility code into the main thread); when others took more than the cores the
 * node's spinners leave free (all but two) plus {@link SLACK_CORES}, it raises a flag that every
 * thread reads before spinning. Without read access to `/proc/stat` (or off Linux) the flag stays
 * down and the spin window applies as configured.
 */
/** How often the main thread samples. */
export const SAMPLE_MS = 100;
/** Other processes' CPU, in cores, tolerated beyond the cores our spinners leave free. */
export const SLACK_CORES = 0.25;
const STAT = "/proc/stat";
const SELF = "/proc/self/stat";
/** Kernel clock ticks per second in /proc/stat (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** Samples other processes' CPU use into `flag` (1 = busy) while started. */
export class ContentionSampler {
  #timer?: ReturnType<typeof setInterval>;
  #last?: { busyS: number; ownS: number; at: number };

  /** `flag`: the cell every thread reads; `cores`: the machine's. */
  constructor(
    private readonly flag: { cells: Int32Array; index: number },
    private readonly cores: number,
  ) {}

  /** Starts sampling (no-op where /proc/stat cannot be read without asking). */
  start(): void {
    if (this.#timer !== undefined || !readable()) return;
    this.#sample();
    const timer = setInterval(() => this.#sample(), SAMPLE_MS);
    Deno.unrefTimer(timer as unknown as number); // never keeps the process alive
    this.#timer = timer;
  }

  /** Stops sampling and lowers the flag. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    Atomics.store(this.flag.cells, this.flag.index, 0);
  }

  #sample(): void {
    const busyS = machineBusyS();
    const ownS = processCpuS();
    if (busyS === undefined || ownS === undefined) return this.stop();
    const now = { busyS, ownS, at: performance.now() };
    const last = this.#last;
    this.#last = now;
    if (!last) return;
    const wallS = (now.at - last.at) / 1000;
    if (wallS <= 0) return;
    const othersCores = (now.busyS - last.busyS - (now.ownS - last.ownS)) / wallS;
    const busy = othersCores > Math.max(0, this.cores - 2) + SLACK_CORES;
    Atomics.store(this.flag.cells, this.flag.index, busy ? 1 : 0);
  }
}

function readable(): boolean {
  try {
    return Deno.build.os === "linux" &&
      Deno.permissions.querySync({ name: "read", path: STAT }).state === "granted" &&
      Deno.permissions.querySync({ name: "read", path: SELF }).state === "granted";
  } catch {
    return false;
  }
}

/** CPU time this process used so far (s), or undefined if unreadable. */
function processCpuS(): number | undefined {
  try {
    const stat = Deno.readTextFileSync(SELF);
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** CPU time the whole machine was busy so far (s), or undefined if unreadable. */
function machineBusyS(): number | undefined {
  try {
    const f = Deno.readTextFileSync(STAT).slice(0, 200).split("\n")[0].trim().split(/\s+/);
    // user nice system idle iowait irq softirq steal (guest time is already in user/nice);
    // steal is a neighbour VM's: contention too.
    const t = f.slice(1, 9).map((x) => Number(x) || 0);
    return (t.reduce((a, b) => a + b, 0) - t[3] - t[4]) / USER_HZ;
  } catch {
    return undefined;
  }
}
