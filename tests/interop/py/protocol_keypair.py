"""Signature interop with the newest bittensor_wallet (btnew has no axon/dendrite any more).

argv[1]: JSON {"message", "signature" (ours, 0x hex), "ss58" (ours)}
Prints {"verified": bool, "alice": ss58, "alice_signature": 0x hex over message,
        "tampered_verified": bool}."""
import json
import sys

from bittensor_wallet import Keypair

cfg = json.loads(sys.argv[1])
ours = Keypair(ss58_address=cfg["ss58"])
alice = Keypair.create_from_uri("//Alice")
print(json.dumps({
    "verified": bool(ours.verify(cfg["message"], cfg["signature"])),
    "tampered_verified": bool(ours.verify(cfg["message"] + "x", cfg["signature"])),
    "alice": alice.ss58_address,
    "alice_signature": "0x" + alice.sign(cfg["message"]).hex(),
}))
