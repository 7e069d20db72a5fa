"""Runs the installed Bittensor SDK's weight helpers on cases read from stdin (JSON list) and
prints their results as JSON. bittensor 9/10 expose `bittensor.utils.weight_utils`
(normalize_max_weight, process_weights_for_netuid, convert_weights_and_uids_for_emit); bittensor
11 replaced them with `bittensor.intents.weights` (clip_to_max_weight, normalize), which are run
instead. Floats are written with repr, so JSON.parse gives the exact doubles."""
import json
import os
import sys

# The SDK logs warnings to stdout; keep the real stdout for the JSON result only.
RESULT_OUT = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
sys.stdout = sys.stderr

import numpy as np  # noqa: E402
import bittensor  # noqa: E402

try:
    from bittensor.utils import weight_utils as wu
    FLAVOUR = "weight_utils"
except ImportError:  # bittensor >= 11
    from bittensor.intents import weights as iw
    FLAVOUR = "intents"


class FakeSubtensor:
    """Only the two hyperparameter reads process_weights_for_netuid makes."""

    def __init__(self, min_allowed, limit):
        self._min, self._limit = min_allowed, limit

    def min_allowed_weights(self, netuid):
        return self._min

    def max_weight_limit(self, netuid):
        return self._limit


class FakeMetagraph:
    def __init__(self, n):
        self.n = np.array(n, dtype=np.int64)  # like the real metagraph: a 0-d int64 array


def err(e):
    return {"error": type(e).__name__}


def run_weight_utils(case):
    out = {}
    x = np.array(case["weights"], dtype=np.float32)
    try:
        out["normalize"] = [float(v) for v in wu.normalize_max_weight(x, limit=case["limit"])]
    except Exception as e:  # noqa: BLE001
        out["normalize"] = err(e)
    try:
        uids, w = wu.process_weights_for_netuid(
            uids=np.arange(len(case["weights"]), dtype=np.int64),
            weights=np.array(case["weights"], dtype=np.float64),
            netuid=33,
            subtensor=FakeSubtensor(case["min_allowed"], case["limit"]),
            metagraph=FakeMetagraph(case["n"]),
            exclude_quantile=case["exclude_quantile"],
        )
        out["process"] = {"uids": [int(u) for u in uids], "weights": [float(v) for v in w], "dtype": str(w.dtype)}
        try:
            eu, ew = wu.convert_weights_and_uids_for_emit(uids, w)
            out["emit"] = {"uids": list(map(int, eu)), "weights": list(map(int, ew))}
        except Exception as e:  # noqa: BLE001
            out["emit"] = err(e)
    except Exception as e:  # noqa: BLE001
        out["process"] = err(e)
    if "emit_uids" in case:
        try:
            eu, ew = wu.convert_weights_and_uids_for_emit(
                np.array(case["emit_uids"], dtype=np.int64), np.array(case["emit_weights"], dtype=np.float64)
            )
            out["convert"] = {"uids": list(map(int, eu)), "weights": list(map(int, ew))}
        except Exception as e:  # noqa: BLE001
            out["convert"] = err(e)
    return out


def run_intents(case):
    out = {}
    try:
        out["clip"] = [float(v) for v in iw.clip_to_max_weight(case["weights"], case["limit"])]
    except Exception as e:  # noqa: BLE001
        out["clip"] = err(e)
    if "emit_uids" in case:
        try:
            eu, ew = iw.normalize(case["emit_uids"], case["emit_weights"])
            out["convert"] = {"uids": eu, "weights": ew}
        except Exception as e:  # noqa: BLE001
            out["convert"] = err(e)
    return out


def main():
    cases = json.load(sys.stdin)
    run = run_weight_utils if FLAVOUR == "weight_utils" else run_intents
    json.dump({"flavour": FLAVOUR, "version": bittensor.__version__, "numpy": np.__version__,
               "results": [run(c) for c in cases]}, RESULT_OUT)
    RESULT_OUT.flush()


if __name__ == "__main__":
    main()
