"""Reads one plaintext keyfile with the real bittensor_wallet deserializer and signs with it.

Usage: wallet_keyfile.py <keyfile> <message>
Prints one line: RESULT <json> with the address and a signature (or the error text).
"""

import json
import sys

from bittensor_wallet.keyfile import deserialize_keypair_from_keyfile_data


def main() -> None:
    keyfile, message = sys.argv[1:3]
    with open(keyfile, "rb") as f:
        data = f.read()
    try:
        keypair = deserialize_keypair_from_keyfile_data(data)
    except Exception as e:  # noqa: BLE001 - reported to the caller
        print("RESULT " + json.dumps({"error": str(e)}))
        return
    print(
        "RESULT "
        + json.dumps(
            {"ss58": keypair.ss58_address, "signature": "0x" + keypair.sign(message).hex()}
        )
    )


if __name__ == "__main__":
    main()
