/**
 * @module
 * Helpers for the protocol interop tests: locate the Python peers (`.venv/bt9`: bittensor
 * 9.0.0; `.venv/bt10`: 10.2.0, the last SDK with axon/dendrite; `.venv/btnew`: newest, which no
 * longer ships axon/dendrite), spawn our scripts under `py/`, read their JSON lines.
 */

const root = new URL("../../", import.meta.url);
const pyDir = new URL("./py/", import.meta.url);

/** A Python env able to run the axon/dendrite scripts. */
export interface PyEnv {
  name: string;
  python: string;
}

/** The path of `.venv/<name>/bin/python`, or undefined if it does not exist. */
export function pythonOf(name: string): string | undefined {
  const p = new URL(`.venv/${name}/bin/python`, root).pathname;
  try {
    Deno.statSync(p);
    return p;
  } catch {
    return undefined;
  }
}

/** The envs whose bittensor has axon/dendrite: bt9 always (fails loudly if missing), bt10 if made. */
export function axonEnvs(): { name: string; python: string | undefined }[] {
  return [
    { name: "bt9", python: pythonOf("bt9") },
    { name: "bt10", python: pythonOf("bt10") },
  ];
}

/** A free TCP port on 127.0.0.1 (the Python axon needs a fixed one). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A running Python script whose stdout is JSON lines. */
export class PyProcess {
  readonly #child: Deno.ChildProcess;
  readonly lines: Record<string, unknown>[] = [];
  readonly #waiters: (() => void)[] = [];
  readonly #done: Promise<void>;
  stderr = "";

  constructor(python: string, script: string, cfg: unknown) {
    const child = new Deno.Command(python, {
      args: [new URL(script, pyDir).pathname, JSON.stringify(cfg)],
      cwd: pyDir.pathname,
      stdout: "piped",
      stderr: "piped",
      env: { PYTHONUNBUFFERED: "1", BT_LOGGING_DEBUG: "false" },
    }).spawn();
    this.#child = child;
    const readOut = (async () => {
      let buf = "";
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        buf += chunk;
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line.startsWith("{")) continue;
          try {
            this.lines.push(JSON.parse(line));
          } catch { /* not ours */ }
          for (const w of this.#waiters.splice(0)) w();
        }
      }
    })();
    const readErr = (async () => {
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        this.stderr = (this.stderr + chunk).slice(-20000);
      }
    })();
    this.#done = Promise.all([readOut, readErr, child.status]).then(() => {
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  /** The OS process id (for RSS readings). */
  get pid(): number {
    return this.#child.pid;
  }

  /** Waits until a line matches `pred` (or the process ends: then throws with its stderr). */
  async waitFor(pred: (l: Record<string, unknown>) => boolean, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    this.#done.then(() => exited = true);
    while (true) {
      const hit = this.lines.find(pred);
      if (hit) return hit;
      if (exited) throw new Error(`python exited before the expected line:\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for python:\n${this.stderr}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.#waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }

  /** Waits for the process to exit; returns its status. */
  async finished(): Promise<Deno.CommandStatus> {
    await this.#done;
    return this.#child.status;
  }

  /** Stops the process and waits for it. */
  async kill(): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch { /* already gone */ }
    const t = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch { /* gone */ }
    }, 3000);
    await this.#done;
    clearTimeout(t);
  }
}

const imports = new Map<string, Promise<void>>();

/**
 * Checks once per env that `import bittensor` works, so a broken venv fails with a hint instead
 * of a Python traceback deep inside a test.
 */
export function assertBittensorImports(python: string): Promise<void> {
  let p = imports.get(python);
  if (!p) {
    p = (async () => {
      const out = await new Deno.Command(python, {
        args: ["-c", "import bittensor"],
        stdout: "null",
        stderr: "piped",
      }).output();
      if (!out.success) {
        const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-12).join("\n");
        throw new Error(
          `${python}: "import bittensor" fails. bittensor 9.0.0/10.2.0 need an older ` +
            `async-substrate-interface next to scalecodec (==1.0.0 for 9.0.0, ==1.6.2 for ` +
            `10.2.0; see docs/protocol.md).\n${err}`,
        );
      }
    })();
    imports.set(python, p);
  }
  return p;
}

/** Runs a script to completion and returns its JSON lines (throws with stderr on failure). */
export async function runPython(
  python: string,
  script: string,
  cfg: unknown,
): Promise<Record<string, unknown>[]> {
  const p = new PyProcess(python, script, cfg);
  const status = await p.finished();
  if (!status.success) throw new Error(`${script} failed (${status.code}):\n${p.stderr}`);
  return p.lines;
}
