"""Makes a wallet with the real bittensor_wallet and signs with both keys.

Usage: wallet_make.py <wallets_path> <name> <hotkey> <message>
The coldkey password comes from the WALLET_TEST_PASSWORD environment variable (never argv).
Prints one line: RESULT <json>.
"""

import json
import os
import sys

from bittensor_wallet import Wallet


def main() -> None:
    path, name, hotkey, message = sys.argv[1:5]
    password = os.environ["WALLET_TEST_PASSWORD"]
    wallet = Wallet(name=name, hotkey=hotkey, path=path)
    wallet.create_new_coldkey(
        use_password=True, coldkey_password=password, overwrite=False, suppress=True
    )
    wallet.create_new_hotkey(use_password=False, overwrite=False, suppress=True)
    coldkey = wallet.get_coldkey(password=password)
    result = {
        "coldkey": coldkey.ss58_address,
        "coldkeypub": wallet.coldkeypub.ss58_address,
        "hotkey": wallet.hotkey.ss58_address,
        "hotkeypub": wallet.hotkeypub.ss58_address,
        "coldkey_path": wallet.coldkey_file.path,
        "coldkey_env_var": wallet.coldkey_file.env_var_name(),
        "hotkey_sig": "0x" + wallet.hotkey.sign(message).hex(),
        "coldkey_sig": "0x" + coldkey.sign(message).hex(),
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
