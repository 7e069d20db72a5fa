"""Python side of bench/scoring: the same two operations the way upstream CGP runs them.

1. Scoring one window: numpy over Python lists (as the validator holds embeddings), set-based
   common/unique split, np.mean / np.median / np.max / np.min, top-3 unique mean, penalties.
   Written for this bench from the documented algorithm; no upstream code is copied.
2. One weight computation for 256 uids: the EMA update (numpy float32) and rank-based raw
   weights (numpy, written for this bench), then bittensor 9.0.0's own
   process_weights_for_netuid and convert_weights_and_uids_for_emit.

Reads the inputs (JSON) from the path in argv[1]; prints one JSON object with per-op timings
and the results, so the TypeScript side can check both computed the same thing.
"""
import json
import os
import sys
import time

RESULT_OUT = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
sys.stdout = sys.stderr

import numpy as np  # noqa: E402
from bittensor.utils import weight_utils  # noqa: E402

PEN = {"no_both": 0.9, "junk_threshold": 0.2, "junk": 0.5, "few_threshold": 2, "few": 0.2,
       "unique": (0.85, 0.9, 0.95)}


def safe(x):
    return float(x) if np.isfinite(x) else 0.0


def score_window(gt_tags, gt_vectors, responses, max_scored=20, min_tags=3):
    nb = np.mean([v for v in gt_vectors.values()], axis=0)
    rank = np.zeros(len(responses))
    gt_set = set(gt_tags)
    for i, resp in enumerate(responses):
        tags = resp["tags"]
        if not tags or len(tags) < min_tags:
            continue
        vectors = resp["vectors"]
        distinct = list(set(tags))
        unique_set = set(distinct) - gt_set
        both = len(distinct) - len(unique_set)
        scores, unique_scores = [], []
        for k, tag in enumerate(distinct):
            if k >= max_scored:
                break
            v = vectors.get(tag)
            s = 0.0 if v is None else np.dot(nb, v) / (np.linalg.norm(nb) * np.linalg.norm(v))
            scores.append(s)
            if tag in unique_set:
                unique_scores.append(s)
        top = np.sort(unique_scores) if unique_scores else np.array([0.0, 0.0, 0.0])
        top = top[-3:]
        while len(top) < 3:
            top = np.append(top, 0.0)
        stats = [safe(np.mean(top)), safe(np.median(scores)), safe(np.mean(scores)), safe(np.max(scores))]
        adjusted = 0.55 * stats[0] + 0.1 * stats[1] + 0.25 * stats[2] + 0.1 * stats[3]
        total, n_unique = len(distinct), len(unique_set)
        if both == 0:
            adjusted *= PEN["no_both"]
        if stats[3] < PEN["junk_threshold"]:
            adjusted *= PEN["junk"]
        if total < PEN["few_threshold"]:
            adjusted *= PEN["few"]
        if n_unique < 3:
            adjusted *= PEN["unique"][n_unique]
        rank[i] = adjusted
    return rank


def update_ema(ema, uids, rewards, alpha=0.1, power=3.0):
    uids = np.array(uids, dtype=np.int64)
    rewards = np.array(rewards, dtype=np.float32)
    ema = np.array(ema, dtype=np.float32)
    if np.isnan(rewards).any():
        rewards = np.nan_to_num(rewards, nan=0.0)
    scattered = np.copy(ema)
    scattered[uids] = rewards
    ema = np.where(scattered == 0, (1 - alpha / 2) * ema, alpha * scattered + (1 - alpha) * ema)
    total = np.sum(ema)
    norm = ema / total if total > 0 else np.ones_like(ema) / len(ema)
    powered = np.power(norm, power)
    total = np.sum(powered)
    scores = powered / total if total > 0 else np.ones_like(powered) / len(powered)
    ok = scores.size > 0 and not np.isnan(scores).any() and not np.isnan(ema).any()
    return scores, ema, ok


def rank_weights(scores, burn_uid, burn_rate=0.9):
    if np.isnan(scores).any():
        return None
    order = np.argsort(scores)[::-1]
    zeros = np.where(scores == 0)[0]
    values, counts = np.unique(scores, return_counts=True)
    for tie in values[counts > 1]:
        if tie == 0:
            continue
        pos = np.nonzero(np.isin(order, np.nonzero(scores == tie)[0]))[0]
        order[pos] = order[np.random.permutation(pos)]
    order = order[~np.isin(order, zeros)]
    order = order[order != burn_uid]
    count = len(order)
    raw = np.zeros_like(scores, dtype=float)
    temp = np.zeros_like(scores, dtype=float)
    for i, uid in enumerate(order):
        x = 2 * (count - i - 1) / count - 1
        temp[uid] = 0.001 + 0.002 * (x ** 3 + 1) / 2
    raw += temp * ((1 - burn_rate) / float(np.sum(np.abs(temp))))
    raw[burn_uid] = burn_rate
    float(np.sum(np.abs(raw)))
    return raw


class Subtensor:
    def min_allowed_weights(self, netuid):
        return 1

    def max_weight_limit(self, netuid):
        return 1.0


class Metagraph:
    def __init__(self, n):
        self.n = np.array(n, dtype=np.int64)
        self.uids = np.arange(n)


def compute_weights(ema, uids, rewards, burn_uid, metagraph, subtensor):
    scores, ema, _ok = update_ema(ema, uids, rewards)
    if np.all(scores == 0):
        return [], []
    raw = rank_weights(scores, burn_uid)
    puids, pw = weight_utils.process_weights_for_netuid(
        uids=metagraph.uids, weights=raw, netuid=33, subtensor=subtensor, metagraph=metagraph)
    return weight_utils.convert_weights_and_uids_for_emit(puids, pw)


def timeit(fn, min_seconds):
    fn()  # warm-up
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < min_seconds or len(times) < 5:
        t0 = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - t0)
    times.sort()
    return {"median_us": times[len(times) // 2] / 1000, "runs": len(times)}


def main():
    data = json.load(open(sys.argv[1]))
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
    w = data["window"]
    rank = score_window(w["gt_tags"], w["gt_vectors"], w["responses"])
    t_score = timeit(lambda: score_window(w["gt_tags"], w["gt_vectors"], w["responses"]), seconds)
    e = data["weights"]
    ema = np.array(e["ema"], dtype=np.float32)
    mg, st = Metagraph(len(ema)), Subtensor()
    emit = compute_weights(ema, e["uids"], e["rewards"], e["burn_uid"], mg, st)
    t_weights = timeit(lambda: compute_weights(ema, e["uids"], e["rewards"], e["burn_uid"], mg, st), seconds)
    json.dump({"numpy": np.__version__, "scoring": t_score, "weights": t_weights,
               "rank_scores": [float(x) for x in rank], "emit": [list(map(int, emit[0])), list(map(int, emit[1]))]},
              RESULT_OUT)
    RESULT_OUT.flush()


if __name__ == "__main__":
    main()
