"""Writes a state.npz the way the upstream validator's save_state does (np.savez of step, scores,
hotkeys, ema_scores), with real numpy, for our import-state test. argv: out_path compressed(0|1)."""
import sys
import numpy as np

out, compressed = sys.argv[1], sys.argv[2] == "1"
hotkeys = ["5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", "5Ünïcode"]
scores = np.array([0.5, 0.25, 0.125], dtype=np.float32)
ema = np.array([0.1, 0.2, np.nan], dtype=np.float32)
save = np.savez_compressed if compressed else np.savez
save(out, step=np.int64(1234), scores=scores, hotkeys=hotkeys, ema_scores=ema)
