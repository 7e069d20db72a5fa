/**
 * @module
 * The node's single entry point: `deno run -A main.ts <command> [flags]`, also what
 * `deno compile` turns into one binary. Each command lives in its own module and is loaded
 * only when asked for, so a miner never pays for the validator's code.
 */

/** One sub-command of the node. */
export interface Command {
  /** One line for `--help`. */
  summary: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

/** The command table; each entry imports its module only when that command runs. */
const commands: Record<string, () => Promise<Command>> = {
  miner: async () => (await import("./miner/command.ts")).minerCommand,
  "local-chain": async () => (await import("./chain/local/command.ts")).localChainCommand,
  wallet: async () => (await import("./wallet/command.ts")).walletCommand,
  api: async () => (await import("./store/command.ts")).apiCommand,
  "api-key": async () => (await import("./store/api_key_command.ts")).apiKeyCommand,
  validator: async () => (await import("./validator/command.ts")).validatorCommand,
  "import-state": async () =>
    (await import("./validator/import_state_command.ts")).importStateCommand,
  demo: async () => (await import("./local_subnet/demo_command.ts")).demoCommand,
};

function usage(): string {
  const names = Object.keys(commands).sort();
  return [
    "cgp-node: Conversation Genome Project (subnet 33) miner, validator and local subnet",
    "",
    "usage: cgp-node <command> [--flags]",
    "",
    "commands:",
    ...names.map((n) => `  ${n}`),
    "",
    "Run `cgp-node <command> --help` for the flags of one command.",
  ].join("\n");
}

/** Dispatches argv to a command; unknown commands print usage and exit 2. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    console.error(`unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  const command = await load();
  return await command.run(rest);
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
