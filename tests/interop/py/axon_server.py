"""A real Python `bittensor.axon` serving CgSynapse on 127.0.0.1, for our dendrite to query.

argv[1]: JSON config {"port": int, "hotkey": uri|mnemonic, "blacklist": [ss58...],
                      "sleep": seconds the forward waits}
Prints {"ready": true, "port": p, "hotkey": ss58, "version": bittensor version} once serving,
then one {"forward": ...} line per forwarded request (what the Python side received)."""
import json
import sys
import time
from typing import Tuple

import bittensor as bt

from cg_common import Axon, CgSynapse, emit, wallet_for

cfg = json.loads(sys.argv[1])
wallet = wallet_for(cfg["hotkey"])
blacklisted = set(cfg.get("blacklist", []))
sleep_s = float(cfg.get("sleep", 0))
quiet = bool(cfg.get("quiet", False))


def forward(synapse: CgSynapse) -> CgSynapse:
    wait = sleep_s
    if synapse.cgp_input and isinstance(synapse.cgp_input[0], dict):
        wait = float(synapse.cgp_input[0].get("sleep", wait))
    if wait:
        time.sleep(wait)
    if not quiet:
        emit({
            "forward": {
                "cgp_input": synapse.cgp_input,
                "dendrite_hotkey": synapse.dendrite.hotkey,
                "nonce": str(synapse.dendrite.nonce),
            }
        })
    synapse.cgp_output = [{"echo": synapse.cgp_input, "by": "python"}]
    synapse.time_elapsed = 7
    return synapse


def blacklist(synapse: CgSynapse) -> Tuple[bool, str]:
    hk = synapse.dendrite.hotkey
    if hk in blacklisted:
        return True, f"hotkey {hk} is blacklisted"
    return False, "allowed"


axon = Axon(wallet=wallet, port=cfg["port"], ip="127.0.0.1", external_ip="127.0.0.1")
axon.attach(forward_fn=forward, blacklist_fn=blacklist)
axon.start()

# wait until uvicorn accepts connections
import socket

for _ in range(200):
    try:
        with socket.create_connection(("127.0.0.1", cfg["port"]), timeout=0.2):
            break
    except OSError:
        time.sleep(0.05)
emit({"ready": True, "port": cfg["port"], "hotkey": wallet.hotkey.ss58_address,
      "version": bt.__version__})
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    pass
