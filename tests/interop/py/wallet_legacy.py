"""Writes a keyfile with bittensor_wallet's legacy (Ansible Vault) encryption.

Usage: wallet_legacy.py <out_file>
Mnemonic and password come from WALLET_TEST_MNEMONIC and WALLET_TEST_PASSWORD (never argv).
Prints one line: RESULT <json> with the encryption method btwallet reports.
"""

import json
import os
import sys

from bittensor_wallet import Keypair
from bittensor_wallet.keyfile import (
    keyfile_data_encryption_method,
    legacy_encrypt_keyfile_data,
    serialized_keypair_to_keyfile_data,
)


def main() -> None:
    out = sys.argv[1]
    keypair = Keypair.create_from_mnemonic(os.environ["WALLET_TEST_MNEMONIC"])
    data = legacy_encrypt_keyfile_data(
        serialized_keypair_to_keyfile_data(keypair),
        password=os.environ["WALLET_TEST_PASSWORD"],
    )
    with open(out, "wb") as f:
        f.write(data)
    os.chmod(out, 0o600)
    print("RESULT " + json.dumps({"method": keyfile_data_encryption_method(data)}))


if __name__ == "__main__":
    main()
