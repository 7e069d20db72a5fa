"""Interop peer for tests/interop/drand_interop_test.ts: the real `bittensor_drand` (and, in the
bt9 env, `bittensor_commit_reveal`, which bittensor 9.0.0 commits with).

Reads one JSON request from stdin: {"ops": [...]}, answers {"results": [...]} on stdout.
Ops:
  {"op": "decrypt", "envelope_hex", "signature_hex"}   -> {"plaintext_hex"} | {"error"}
  {"op": "encrypt_at_round", "plaintext_hex", "round"} -> {"envelope_hex", "round"}
  {"op": "legacy_commit", "uids", "weights", "version_key", "tempo", "block", "netuid",
   "period", "block_time"}                              -> {"commit_hex", "round", "t0", "t1"}
"""
import json
import sys
import time

import bittensor_drand as bd


def run(op):
    kind = op["op"]
    if kind == "decrypt":
        try:
            pt = bd.decrypt_with_signature(bytes.fromhex(op["envelope_hex"]), op["signature_hex"])
            return {"plaintext_hex": bytes(pt).hex()}
        except Exception as e:  # the error text is what the test checks
            return {"error": str(e)}
    if kind == "encrypt_at_round":
        env, rnd = bd.encrypt_at_round(bytes.fromhex(op["plaintext_hex"]), int(op["round"]))
        return {"envelope_hex": bytes(env).hex(), "round": rnd}
    if kind == "legacy_commit":
        from bittensor_commit_reveal import get_encrypted_commit

        t0 = time.time()
        commit, rnd = get_encrypted_commit(
            op["uids"], op["weights"], op["version_key"], op["tempo"], op["block"],
            op["netuid"], op["period"], op["block_time"],
        )
        t1 = time.time()
        return {"commit_hex": bytes(commit).hex(), "round": rnd, "t0": t0, "t1": t1}
    raise ValueError(f"unknown op {kind}")


def main():
    req = json.load(sys.stdin)
    out = {"results": [run(op) for op in req["ops"]]}
    try:
        from importlib.metadata import version

        out["bittensor_drand"] = version("bittensor-drand")
    except Exception:
        pass
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
