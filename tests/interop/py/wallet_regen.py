"""Regenerates a hotkey from a mnemonic with the real bittensor_wallet (no password).

Usage: wallet_regen.py <wallets_path> <name> <hotkey>
The mnemonic comes from the WALLET_TEST_MNEMONIC environment variable (never argv).
Prints one line: RESULT <json>.
"""

import json
import os
import sys

from bittensor_wallet import Wallet


def main() -> None:
    path, name, hotkey = sys.argv[1:4]
    wallet = Wallet(name=name, hotkey=hotkey, path=path)
    wallet.regenerate_hotkey(
        mnemonic=os.environ["WALLET_TEST_MNEMONIC"],
        use_password=False,
        overwrite=False,
        suppress=True,
    )
    print("RESULT " + json.dumps({"hotkey": wallet.hotkey.ss58_address}))


if __name__ == "__main__":
    main()
