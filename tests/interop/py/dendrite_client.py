"""A real Python `bittensor.dendrite` sending CgSynapse to our axon, in several modes.

argv[1]: JSON {"ip", "port", "axon_hotkey", "hotkey": uri|mnemonic, "other": uri|mnemonic,
               "modes": [...], "input": [...], "timeout": float}
Modes: ok, hashed_ok, wrong_signature, tampered_body, tampered_hashed_body, replay, stale,
       timeout.
Prints one JSON line per mode with what the Python dendrite reports."""
import asyncio
import json
import sys
import time

import aiohttp
import bittensor as bt

from cg_common import CgHashedSynapse, CgSynapse, Dendrite, emit, keypair, wallet_for

cfg = json.loads(sys.argv[1])
wallet = wallet_for(cfg["hotkey"])
other = keypair(cfg["other"])
axon_info = bt.AxonInfo(
    version=0, ip=cfg["ip"], port=cfg["port"], ip_type=4, hotkey=cfg["axon_hotkey"],
    coldkey=cfg["axon_hotkey"],
)

_real_post = aiohttp.ClientSession.post
_tamper = {"mode": None, "saved": None}


def _patched_post(self, url, **kwargs):
    mode = _tamper["mode"]
    headers = dict(kwargs.get("headers") or {})
    body = kwargs.get("json")
    if mode == "wrong_signature":
        # a valid signature, but by another key, over the same message
        msg = (f"{headers['bt_header_dendrite_nonce']}.{headers['bt_header_dendrite_hotkey']}."
               f"{cfg['axon_hotkey']}.{headers['bt_header_dendrite_uuid']}."
               f"{headers['computed_body_hash']}")
        headers["bt_header_dendrite_signature"] = "0x" + other.sign(msg).hex()
    elif mode in ("tampered_body", "tampered_hashed_body"):
        # a man in the middle edits the body; the signed headers stay as they were
        body = json.loads(json.dumps(body))
        body["cgp_input"] = [{"evil": True}]
        if mode == "tampered_body":
            body["dendrite"]["hotkey"] = other.ss58_address
    elif mode == "replay":
        if _tamper["saved"] is None:
            _tamper["saved"] = (headers, body)
        else:
            headers, body = _tamper["saved"]
    kwargs["headers"] = headers
    kwargs["json"] = body
    return _real_post(self, url, **kwargs)


aiohttp.ClientSession.post = _patched_post


def report(mode, s):
    emit({
        "mode": mode,
        "status_code": s.dendrite.status_code,
        "status_message": s.dendrite.status_message,
        "axon_status_code": s.axon.status_code,
        "cgp_output": s.cgp_output,
        "cgp_input": s.cgp_input,
        "time_elapsed": s.time_elapsed,
        "version": bt.__version__,
    })


async def main():
    dendrite = Dendrite(wallet=wallet)
    timeout = float(cfg.get("timeout", 12))
    for mode in cfg["modes"]:
        _tamper["mode"] = mode
        cls = CgHashedSynapse if "hashed" in mode else CgSynapse
        syn = cls(cgp_input=cfg["input"])
        if mode == "stale":
            real = time.time_ns
            time.time_ns = lambda: real() - 60_000_000_000
            try:
                out = await dendrite.call(axon_info, syn, timeout=timeout, deserialize=False)
            finally:
                time.time_ns = real
            # a later fresh request still works for this endpoint
        elif mode == "replay":
            await dendrite.call(axon_info, cls(cgp_input=cfg["input"]), timeout=timeout,
                                deserialize=False)
            out = await dendrite.call(axon_info, syn, timeout=timeout, deserialize=False)
        elif mode == "timeout":
            out = await dendrite.call(axon_info, syn, timeout=0.5, deserialize=False)
        else:
            out = await dendrite.call(axon_info, syn, timeout=timeout, deserialize=False)
        report(mode, out)
    await dendrite.aclose_session()


asyncio.run(main())
