/**
 * @module
 * `deno task bench [NAME]`: runs `bench/NAME/main.ts` (or every bench folder, in name order),
 * each in its own process so their memory figures do not mix. Each bench prints its own last
 * line of JSON; this runner adds nothing to stdout and exits non-zero if any bench failed.
 */

async function benchNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(new URL(".", import.meta.url))) {
    if (!e.isDirectory) continue;
    try {
      await Deno.stat(new URL(`./${e.name}/main.ts`, import.meta.url));
      names.push(e.name);
    } catch { /* not a bench folder */ }
  }
  return names.sort();
}

async function runOne(name: string): Promise<boolean> {
  const main = new URL(`./${name}/main.ts`, import.meta.url);
  try {
    await Deno.stat(main);
  } catch {
    console.error(`bench: no bench named ${JSON.stringify(name)} (expected ${main.pathname})`);
    return false;
  }
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main.pathname],
    stdout: "inherit",
    stderr: "inherit",
  });
  const { code } = await cmd.output();
  if (code !== 0) console.error(`bench ${name}: exited with ${code}`);
  return code === 0;
}

if (import.meta.main) {
  const wanted = Deno.args.length ? Deno.args : await benchNames();
  let ok = true;
  for (const name of wanted) ok = (await runOne(name)) && ok;
  Deno.exit(ok ? 0 : 1);
}
