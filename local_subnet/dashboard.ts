/**
 * @module
 * The demo's progress display: one line per thing that happened (bundles reserved, tasks sent,
 * weights set), and after every step a table of the miners with their behaviour, latest score and
 * moving average. Plain text, so it reads the same in a terminal, a log file or CI.
 */
import type { ValidatorEvent } from "../validator/validator.ts";

/** What the table shows about one miner. */
export interface MinerRow {
  uid: number;
  label: string;
  lastScore: number | null;
  lastStatus: number | null;
  ema: number;
  tasks: number;
}

/** Formats validator events for people; keeps the per-miner numbers the table needs. */
export class Dashboard {
  readonly rows = new Map<number, MinerRow>();

  constructor(
    labels: Map<number, string>,
    private readonly write: (line: string) => void = (l) => console.log(l),
  ) {
    for (const [uid, label] of labels) {
      this.rows.set(uid, { uid, label, lastScore: null, lastStatus: null, ema: 0, tasks: 0 });
    }
  }

  /** Prints what an event means and updates the table's numbers. */
  onEvent(e: ValidatorEvent): void {
    switch (e.type) {
      case "metagraph":
        this.write(
          `metagraph  block ${e.block}, ${e.n} neurons${
            e.stale ? " (stale: chain unreachable)" : ""
          }`,
        );
        break;
      case "bundles":
        this.write(
          `reserved   ${e.reserved} conversation bundle(s)` +
            (e.rejected.length ? `, ${e.rejected.length} skipped (${e.rejected[0]})` : ""),
        );
        break;
      case "task": {
        const parts = e.scores.map((s) => {
          const row = this.rows.get(s.uid);
          if (row) {
            row.lastScore = s.reward;
            row.lastStatus = s.status;
            row.tasks++;
          }
          return `${s.uid}:${s.status === 200 ? s.reward.toFixed(3) : s.status}`;
        });
        this.write(
          `window     ${e.taskType} of ${e.bundle.slice(0, 10)}… sent to [${e.uids.join(",")}] → ${
            parts.join(" ")
          }`,
        );
        break;
      }
      case "weights":
        this.write(
          e.result.status === "set"
            ? `weights    ${e.result.message} at block ${e.result.block} via ${e.result.call} (${e.result.uids.length} uids)`
            : `weights    not set: ${e.result.status} (${e.result.message})`,
        );
        break;
      case "step":
        this.write(
          `step ${e.step}     ${e.ok ? "done" : "failed"} in ${
            (e.ms / 1000).toFixed(1)
          } s, ${e.tasks} tasks` +
            (e.reason ? ` (${e.reason})` : ""),
        );
        break;
      case "actor":
        if (
          e.event.type === "crashed" || e.event.type === "restarting" || e.event.type === "fatal"
        ) {
          this.write(`actor      ${e.event.type} ${"actor" in e.event ? e.event.actor : ""}`);
        }
        break;
    }
  }

  /** Updates the moving averages (from the WeightSetter's state). */
  setEma(ema: readonly number[]): void {
    for (const row of this.rows.values()) row.ema = ema[row.uid] ?? 0;
  }

  /** The miners table. */
  table(): string {
    const lines = ["  uid  miner              tasks  last score  moving avg"];
    for (const r of [...this.rows.values()].sort((a, b) => a.uid - b.uid)) {
      const last = r.lastScore === null
        ? "-"
        : r.lastStatus === 200
        ? r.lastScore.toFixed(4)
        : `(${r.lastStatus})`;
      lines.push(
        `  ${String(r.uid).padStart(3)}  ${r.label.padEnd(17)}  ${String(r.tasks).padStart(5)}  ${
          last.padStart(10)
        }  ${r.ema.toFixed(5).padStart(10)}`,
      );
    }
    return lines.join("\n");
  }
}
