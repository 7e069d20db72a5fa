"""A subnet 33 miner on the real Python `bittensor` axon, for the local-subnet e2e test.

It does what an upstream miner does at HEAD on the wire: serve `CgSynapse` (declared as subnet 33
does, see cg_common.py), read the window from `cgp_input[0]["task"]["input"]["data"]["window"]`,
and answer `cgp_output=[{"tags": [...], "vectors": None}]`. The tags come from a plain keyword
count instead of an LLM: what is proven is the axon/synapse/wire path, not the tagging.

It never talks to a chain: no subtensor, no metagraph. The upstream blacklist (registered,
validator permit, from the metagraph) is replaced by an allow-list of hotkeys given by the test,
and the priority by a constant. The SDK's own verification (signature, nonce) stays as it is.

argv[1]: JSON config {"port": int, "hotkey": mnemonic|uri, "allow": [ss58...],
                      "external_ip": ip announced in the axon info (default 127.0.0.2)}
Prints {"ready": true, ...} once serving, one {"forward": ...} line per forwarded request and
one {"blacklisted": ...} line per refused hotkey; exits 0 on SIGTERM after stopping the axon.
"""
import json
import re
import signal
import socket
import sys
import threading
import time
from collections import Counter
from typing import Tuple

import bittensor as bt

from cg_common import Axon, CgSynapse, emit, wallet_for

cfg = json.loads(sys.argv[1])
wallet = wallet_for(cfg["hotkey"])
allowed = set(cfg.get("allow", []))
external_ip = cfg.get("external_ip", "127.0.0.2")

STOPWORDS = set("""
a about above after again against all also am an and any are aren as at be because been before
being below between both but by can cannot could did didn do does doesn doing don down during
each few for from further get got had has have having he her here hers herself him himself his
how i if in into is isn it its itself just know let like me more most much my myself no nor not
now of off oh ok okay on once one only or other ought our ours ourselves out over own really
right same say said she should so some such than that the their theirs them themselves then
there these they this those through to too under until up us very was wasn way we well were
what when where which while who whom why will with would yeah yes you your yours yourself
yourselves going gonna think thing things want need make made good great sure still even
""".split())


def keywords(lines, max_tags: int = 10) -> list[str]:
    """The most frequent content words of the window (ties: first appearance)."""
    text = " ".join(str(line[1]) for line in lines if isinstance(line, (list, tuple)) and len(line) > 1)
    words = [w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 4 and w not in STOPWORDS]
    first = {}
    for i, w in enumerate(words):
        first.setdefault(w, i)
    counts = Counter(words)
    return sorted(counts, key=lambda w: (-counts[w], first[w]))[:max_tags]


def forward(synapse: CgSynapse) -> CgSynapse:
    task = synapse.cgp_input[0]["task"]
    window = task["input"]["data"]["window"]
    tags = keywords(window)
    emit({
        "forward": {
            "dendrite_hotkey": synapse.dendrite.hotkey,
            "uuid": synapse.dendrite.uuid,
            "nonce": str(synapse.dendrite.nonce),
            "task_type": task.get("type"),
            "guid": task.get("guid"),
            "lines": len(window),
            "tags": tags,
        }
    })
    synapse.cgp_output = [{"tags": tags, "vectors": None}]
    return synapse


def blacklist(synapse: CgSynapse) -> Tuple[bool, str]:
    hk = synapse.dendrite.hotkey
    if hk not in allowed:
        emit({"blacklisted": hk})
        return True, f"hotkey {hk} is not an allowed validator"
    return False, "allowed validator"


def priority(synapse: CgSynapse) -> float:
    return 1.0


axon = Axon(wallet=wallet, port=cfg["port"], ip=external_ip, external_ip=external_ip)
axon.attach(forward_fn=forward, blacklist_fn=blacklist, priority_fn=priority)

stopping = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stopping.set())
signal.signal(signal.SIGINT, lambda *_: stopping.set())

axon.start()
# The SDK binds 0.0.0.0; wait until the announced address accepts connections.
for _ in range(400):
    try:
        with socket.create_connection((external_ip, cfg["port"]), timeout=0.2):
            break
    except OSError:
        time.sleep(0.05)
else:
    emit({"error": f"axon not reachable on {external_ip}:{cfg['port']}"})
    sys.exit(2)
emit({
    "ready": True,
    "port": cfg["port"],
    "hotkey": wallet.hotkey.ss58_address,
    "version": bt.__version__,
    "axon_ip": axon.ip,
    "axon_external_ip": axon.external_ip,
})

while not stopping.wait(0.5):
    pass
axon.stop()
emit({"stopped": True})
sys.exit(0)
