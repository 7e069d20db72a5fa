/**
 * A child `main.ts <command>` whose output is collected as it runs: how the command tests run
 * the node as an operator would (offline LLM, no embedding cache, no colours).
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;

/** One running `deno run -A main.ts <command> ...args`. */
export class NodeProcess {
  readonly child: Deno.ChildProcess;
  out = "";
  exited = false;
  readonly done: Promise<Deno.CommandStatus>;

  constructor(command: string, args: string[], env: Record<string, string> = {}) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts", command, ...args],
      cwd: ROOT,
      env: { LLM_TYPE: "offline", LLM_EMBEDDING_CACHE: "off", NO_COLOR: "1", ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const drain = async (s: ReadableStream<Uint8Array>) => {
      for await (const chunk of s.pipeThrough(new TextDecoderStream())) this.out += chunk;
    };
    this.done = Promise.all([drain(this.child.stdout), drain(this.child.stderr)]).then(() => {
      this.exited = true;
      return this.child.status;
    });
  }

  /** `kill -9`, then waits for the process to be gone. */
  async kill9(): Promise<Deno.CommandStatus> {
    try {
      this.child.kill("SIGKILL");
    } catch { /* already gone */ }
    return await this.done;
  }
}

/** Runs a command to its end; one still running after `timeoutMs` fails the test. */
export async function runToEnd(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<{ code: number; out: string }> {
  const p = new NodeProcess(command, args, env);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const status = await Promise.race([
    p.done,
    new Promise<null>((r) => (timer = setTimeout(() => r(null), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (!status) {
    await p.kill9();
    assert.fail(`the command did not exit:\n${p.out}`);
  }
  return { code: status.code, out: p.out };
}
