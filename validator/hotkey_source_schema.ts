/**
 * @module
 * Where the validator's hotkey lives, as actors are told it (plain data, no wallet code).
 */
import { z } from "zod";

/** Where the hotkey lives: a btcli wallet, or a file with a hex mini-secret (local subnets). */
export const HotkeySourceSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("wallet"),
    name: z.string(),
    hotkey: z.string(),
    path: z.string(),
  }),
  z.object({ kind: z.literal("seed_file"), path: z.string() }),
]);
/** Where the hotkey lives. */
export type HotkeySource = z.infer<typeof HotkeySourceSchema>;
