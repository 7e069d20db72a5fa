"""Loads a wallet with the real bittensor_wallet, verifies signatures made elsewhere, signs.

Usage: wallet_load.py <wallets_path> <name> <hotkey> [--coldkey]
stdin: JSON {"message": str, "hotkey_sig": "0x..."?, "coldkey_sig": "0x..."?}
With --coldkey the coldkey is decrypted; its password comes from the BT_PW_<PATH> variable, the
way btcli reads it. Prints one line: RESULT <json>.
"""

import json
import sys

from bittensor_wallet import Wallet


def unhex(s: str) -> bytes:
    return bytes.fromhex(s[2:] if s.startswith("0x") else s)


def main() -> None:
    path, name, hotkey = sys.argv[1:4]
    with_coldkey = "--coldkey" in sys.argv[4:]
    request = json.loads(sys.stdin.read())
    message = request["message"]
    wallet = Wallet(name=name, hotkey=hotkey, path=path)
    hot = wallet.hotkey
    coldpub = wallet.coldkeypub
    result = {
        "coldkeypub": coldpub.ss58_address,
        "hotkey": hot.ss58_address,
        "hotkeypub": wallet.hotkeypub.ss58_address,
        "hotkey_sig": "0x" + hot.sign(message).hex(),
    }
    if "hotkey_sig" in request:
        result["hotkey_sig_ok"] = hot.verify(message, unhex(request["hotkey_sig"]))
        result["hotkey_sig_tampered_ok"] = hot.verify(
            message + "x", unhex(request["hotkey_sig"])
        )
    if "coldkey_sig" in request:
        result["coldkey_sig_ok"] = coldpub.verify(message, unhex(request["coldkey_sig"]))
    if with_coldkey:
        cold = wallet.coldkey
        result["coldkey"] = cold.ss58_address
        result["coldkey_sig"] = "0x" + cold.sign(message).hex()
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
