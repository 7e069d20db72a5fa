"""Shared pieces of the interop scripts: subnet 33's CgSynapse, a hashed variant, and a wallet
whose hotkey is a given keypair (no chain, no wallet files outside a temp dir)."""
import json
import sys
import tempfile
from typing import ClassVar, Optional

import bittensor as bt
from bittensor_wallet import Keypair, Wallet


class CgSynapse(bt.Synapse):
    """As subnet 33 (conversationgenome) declares it."""

    cgp_input: list[dict]
    cgp_output: Optional[list[dict]] = None
    time_elapsed: int = 0


class CgHashedSynapse(bt.Synapse):
    """The same fields with a body hash over cgp_input (to test body-hash tampering)."""

    required_hash_fields: ClassVar[tuple[str, ...]] = ("cgp_input",)
    cgp_input: list[dict]
    cgp_output: Optional[list[dict]] = None
    time_elapsed: int = 0


def keypair(spec: str) -> Keypair:
    """`//Alice`-style uri or a BIP39 mnemonic."""
    if spec.startswith("//"):
        return Keypair.create_from_uri(spec)
    return Keypair.create_from_mnemonic(spec)


def wallet_for(spec: str) -> Wallet:
    """A throwaway wallet (temp dir) whose hotkey and coldkeypub are the given keypair."""
    kp = keypair(spec)
    w = Wallet(name="interop", hotkey="hk", path=tempfile.mkdtemp(prefix="cgp-interop-"))
    w.set_hotkey(kp, encrypt=False, overwrite=True)
    w.set_coldkeypub(kp, overwrite=True)
    return w


# Loopback only: the SDK would ask checkip.amazonaws.com for our external IP.
from bittensor.utils import networking as _networking

_networking.get_external_ip = lambda: "127.0.0.1"

# bittensor 9.x spells them bt.axon / bt.dendrite; 10.x only bt.Axon / bt.Dendrite.
Axon = getattr(bt, "axon", None) or bt.Axon
Dendrite = getattr(bt, "dendrite", None) or bt.Dendrite


def emit(obj) -> None:
    """One JSON line on stdout for the Deno side."""
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()
