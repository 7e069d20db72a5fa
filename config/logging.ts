/**
 * @module
 * Logging for every part of the node: LogTape categories under `cgp`, one console sink,
 * level from `--logging.debug` / `--logging.trace` or `CGP_LOG_LEVEL`. Libraries call
 * {@link logger}; only entry points call {@link setupLogging}.
 */
import { configure, getConsoleSink, getLogger, type Logger, type LogLevel } from "@logtape/logtape";

/** Levels an operator can choose. */
export type Level = "trace" | "debug" | "info" | "warning" | "error";

let configured = false;

/** Configures the console sink once per process (or worker). Later calls are ignored. */
export async function setupLogging(level: Level = "info"): Promise<void> {
  if (configured) return;
  configured = true;
  const lowest: LogLevel = level;
  await configure({
    sinks: { console: getConsoleSink() },
    loggers: [
      { category: ["cgp"], lowestLevel: lowest, sinks: ["console"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["console"] },
    ],
  });
}

/** The logger of one part of the node, e.g. `logger("axon")` or `logger("chain", "client")`. */
export function logger(...category: string[]): Logger {
  return getLogger(["cgp", ...category]);
}
