/**
 * @module
 * Opt-in signal handling for graceful shutdown: the first SIGINT/SIGTERM starts
 * `system.shutdown()` (stop intake, drain in-flight work within the deadline, persist, stop
 * workers) and then exits; a second signal exits at once.
 */

/** What the handler needs from the system. */
export interface Shutdownable {
  shutdown(opts?: { deadlineMs?: number }): Promise<unknown>;
}

/** Options of {@link installSignalHandlers}. */
export interface SignalOptions {
  /** Drain deadline passed to `shutdown` (default: the system's). */
  deadlineMs?: number;
  /** Signals to listen to (default SIGINT and SIGTERM; SIGTERM is skipped on Windows). */
  signals?: Deno.Signal[];
  /** Called with the exit code after a graceful shutdown (0) or on a second signal (130). Default `Deno.exit`. */
  exit?: (code: number) => void;
}

/**
 * Installs the listeners; returns a function that removes them (the system calls it when it stops).
 *
 * @example
 * ```ts ignore
 * const uninstall = installSignalHandlers(system, { deadlineMs: 5_000 });
 * ```
 */
export function installSignalHandlers(target: Shutdownable, opts: SignalOptions = {}): () => void {
  const signals = opts.signals ??
    (Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"]) as Deno.Signal[];
  const exit = opts.exit ?? ((code: number) => Deno.exit(code));
  let received = 0;
  const onSignal = () => {
    received++;
    if (received > 1) {
      exit(130);
      return;
    }
    target.shutdown({ deadlineMs: opts.deadlineMs }).then(
      () => exit(0),
      () => exit(1),
    );
  };
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  let installed = true;
  return () => {
    if (!installed) return;
    installed = false;
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
  };
}
