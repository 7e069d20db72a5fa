/**
 * Our drand timelock (wasm 1.0.0) against the real Python `bittensor_drand` 2.0.0 (in both
 * `.venv/bt9` and `.venv/btnew`) and bittensor 9.0.0's `bittensor_commit_reveal`, with real
 * quicknet pulses (past rounds) for the signatures:
 * - a commit made by us decrypts with theirs (`decrypt_with_signature`) and fails with another
 *   round's signature;
 * - theirs (`encrypt_at_round`) decrypts with ours;
 * - bittensor 9.0.0's own commit (`get_encrypted_commit`) parses with our layout guard and its
 *   round follows from our epoch arithmetic (same storage index and epoch boundaries) with that
 *   older library's margins (see the comment in the test).
 * `bittensor_drand` wraps ciphertexts in a SCALE envelope `(Vec<u8> ciphertext, u64 round)`; the
 * chain takes the bare ciphertext, which is what our client submits.
 */
import assert from "node:assert/strict";
import { bytesToHex, hexToBytes } from "../../chain/drand/quicknet.ts";
import { parseCiphertext, timelockDecrypt, timelockEncrypt } from "../../chain/drand/timelock.ts";
import { revealRound } from "../../chain/reveal_round.ts";
import { compact, decodeTlockPayload, encodeTlockPayload } from "../../chain/tlock_payload.ts";
import { ScaleReader } from "../../chain/scale_reader.ts";

const ROOT = new URL("../../", import.meta.url);
const SCRIPT = new URL("tests/interop/py/drand_interop.py", ROOT).pathname;
const QUICKNET = JSON.parse(
  Deno.readTextFileSync(new URL("../shared/vectors/drand/quicknet.json", ROOT)),
) as { pulses: { round: number; signature: string }[] };

const ENVS = ["bt9", "btnew"].map((name) => {
  const python = new URL(`.venv/${name}/bin/python`, ROOT).pathname;
  let ok = false;
  try {
    ok = Deno.statSync(python).isFile;
  } catch { /* missing env */ }
  return { name, python, ok };
});

interface PyResult {
  plaintext_hex?: string;
  envelope_hex?: string;
  commit_hex?: string;
  round?: number;
  t0?: number;
  t1?: number;
  error?: string;
}

async function py(python: string, ops: unknown[]): Promise<PyResult[]> {
  const p = new Deno.Command(python, {
    args: [SCRIPT],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  })
    .spawn();
  const w = p.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify({ ops })));
  await w.close();
  const out = await p.output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return (JSON.parse(text) as { results: PyResult[] }).results;
}

/** `bittensor_drand`'s envelope: SCALE `(Vec<u8>, u64)`. */
function envelope(ct: Uint8Array, round: number): Uint8Array {
  const len = compact(ct.length);
  const out = new Uint8Array(len.length + ct.length + 8);
  out.set(len, 0);
  out.set(ct, len.length);
  new DataView(out.buffer).setBigUint64(len.length + ct.length, BigInt(round), true);
  return out;
}

function unwrap(env: Uint8Array): { ct: Uint8Array; round: number } {
  const r = new ScaleReader(env);
  const ct = r.raw(r.compact()).slice();
  const round = Number(r.u64());
  r.end("bittensor_drand envelope");
  return { ct, round };
}

const HOTKEY = hexToBytes("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
const PULSES = QUICKNET.pulses.filter((p) => [1000, 1001, 2000, 9683710].includes(p.round));

for (const env of ENVS) {
  Deno.test({
    name: `drand interop with python ${env.name} bittensor_drand`,
    // bt9 is required (scripts/python_env.sh makes it); btnew is tested when present
    ignore: env.name !== "bt9" && !env.ok,
    fn: async (t) => {
      assert.ok(env.ok, `missing ${env.python} (run scripts/python_env.sh)`);
      await t.step("our commits decrypt with theirs; another round's signature fails", async () => {
        const ops = [];
        const payloads: string[] = [];
        for (const [i, p] of PULSES.entries()) {
          const payload = encodeTlockPayload({
            hotkey: HOTKEY,
            uids: [0, i + 1, 255],
            values: [65535, 1000 * (i + 1), 1],
            versionKey: 10002000n,
          });
          payloads.push(bytesToHex(payload));
          const ct = await timelockEncrypt(payload, p.round);
          const e = bytesToHex(envelope(ct, p.round));
          const wrong = PULSES[(i + 1) % PULSES.length].signature;
          ops.push({ op: "decrypt", envelope_hex: e, signature_hex: p.signature });
          ops.push({ op: "decrypt", envelope_hex: e, signature_hex: wrong });
        }
        const res = await py(env.python, ops);
        PULSES.forEach((p, i) => {
          assert.equal(
            res[2 * i].plaintext_hex,
            payloads[i],
            `round ${p.round}: ${res[2 * i].error}`,
          );
          assert.equal(res[2 * i + 1].plaintext_hex, undefined);
          assert.match(res[2 * i + 1].error ?? "", /InvalidSignature|decrypt/i);
        });
      });

      await t.step("their commits decrypt with ours", async () => {
        const pts = PULSES.map((p, i) =>
          encodeTlockPayload({
            hotkey: HOTKEY,
            uids: [i],
            values: [p.round % 65536],
            versionKey: BigInt(p.round),
          })
        );
        const res = await py(
          env.python,
          PULSES.map((p, i) => ({
            op: "encrypt_at_round",
            plaintext_hex: bytesToHex(pts[i]),
            round: p.round,
          })),
        );
        for (const [i, p] of PULSES.entries()) {
          const { ct, round } = unwrap(hexToBytes(res[i].envelope_hex!));
          assert.equal(round, p.round);
          assert.equal(ct.length, 244 + pts[i].length);
          assert.equal(parseCiphertext(ct).plaintextLength, pts[i].length);
          const pt = await timelockDecrypt(ct, hexToBytes(p.signature));
          assert.deepEqual(pt, pts[i]);
          assert.equal(decodeTlockPayload(pt).versionKey, BigInt(p.round));
          const other = PULSES[(i + 1) % PULSES.length];
          await assert.rejects(() => timelockDecrypt(ct, hexToBytes(other.signature)));
        }
      });
    },
  });
}

Deno.test({
  name:
    "bittensor 9.0.0 commit (bittensor_commit_reveal): our layout parses it, its reveal round follows the same epochs",
  fn: async () => {
    assert.ok(ENVS[0].ok, `missing ${ENVS[0].python} (run scripts/python_env.sh)`);
    const cases = [
      {
        uids: [0, 1],
        weights: [65535, 100],
        version_key: 1,
        tempo: 360,
        block: 1000,
        netuid: 1,
        period: 1,
        block_time: 12,
      },
      {
        uids: [3, 4, 5],
        weights: [1, 2, 3],
        version_key: 7,
        tempo: 99,
        block: 123456,
        netuid: 33,
        period: 2,
        block_time: 12,
      },
      {
        uids: [9],
        weights: [5],
        version_key: 0,
        tempo: 10,
        block: 77,
        netuid: 4098,
        period: 1,
        block_time: 12,
      },
    ];
    const res = await py(ENVS[0].python, cases.map((c) => ({ op: "legacy_commit", ...c })));
    cases.forEach((c, i) => {
      const r = res[i];
      const ct = hexToBytes(r.commit_hex!);
      // legacy payload (no hotkey): Vec<u16> uids, Vec<u16> values, u64 version key
      const n = (1 + 2 * c.uids.length) * 2 + 8;
      assert.equal(ct.length, 244 + n);
      assert.equal(parseCiphertext(ct).plaintextLength, n);
      // bittensor_commit_reveal (SDK 9.0.0) predates the SDK 10.2 formula we follow: it aims at
      // the first reveal block itself (no +3 blocks), pushes the reveal epoch until at least
      // 24 rounds (72 s) lie ahead, rounds up and subtracts SUBTENSOR_PULSE_DELAY = 24 rounds.
      // Model it on top of our epoch arithmetic (same storage index, same epoch boundaries):
      const legacy = (nowS: number) => {
        let { firstRevealBlock } = revealRound({
          block: c.block,
          netuidIndex: c.netuid,
          tempo: c.tempo,
          revealPeriod: c.period,
          nowS,
          blockTimeS: c.block_time,
        });
        while ((firstRevealBlock - c.block) * c.block_time < 72) firstRevealBlock += c.tempo + 1;
        const t = nowS + (firstRevealBlock - c.block) * c.block_time;
        return Math.ceil((t - 1692803367) / 3) - 24;
      };
      // their clock reading happens somewhere inside [t0, t1]; allow one round of slack for it
      const lo = legacy(Math.floor(r.t0!)) - 1, hi = legacy(Math.ceil(r.t1!)) + 1;
      assert.ok(r.round! >= lo && r.round! <= hi, `their round ${r.round} outside [${lo}, ${hi}]`);
      // and ours (SDK 10.2) targets a later round of the same reveal epoch when no push applies
      const ours = revealRound({
        block: c.block,
        netuidIndex: c.netuid,
        tempo: c.tempo,
        revealPeriod: c.period,
        nowS: Math.floor(r.t0!),
        blockTimeS: c.block_time,
      }).round;
      if (i < 2) {
        assert.ok(ours - r.round! >= 35 && ours - r.round! <= 36, `ours ${ours} theirs ${r.round}`);
      }
    });
  },
});
