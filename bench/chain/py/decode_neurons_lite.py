"""Python side of bench/chain: decode the same `get_neurons_lite` bytes the way bittensor 9.0.0
does (`bt_decode.decode` with the runtime's PortableRegistry, as async_substrate_interface's
`runtime_call`, then `NeuronInfoLite.list_from_dicts`, as `Subtensor.neurons_lite`).

argv: registry.json neurons.bin output_type_id iterations  ->  one JSON line on stdout.
"""
import json
import statistics
import sys
import time

from bt_decode import PortableRegistry, decode as decode_by_type_string
from bittensor.core.chain_data import NeuronInfoLite


def main():
    reg_path, bin_path, type_id, iters = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    registry = PortableRegistry.from_json(open(reg_path).read())
    data = open(bin_path, "rb").read()
    type_string = f"scale_info::{type_id}"
    times = []
    neurons = None
    for _ in range(iters):
        t = time.perf_counter()
        decoded = decode_by_type_string(type_string, registry, data)
        neurons = NeuronInfoLite.list_from_dicts(decoded)
        times.append((time.perf_counter() - t) * 1000)
    first = neurons[1]
    print(json.dumps({
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "n": len(neurons),
        "check": {
            "hotkey": first.hotkey,
            "coldkey": first.coldkey,
            "uid": first.uid,
            "axon_ip": first.axon_info.ip,
            "axon_port": first.axon_info.port,
            "dividends": first.dividends,
            "last_update": first.last_update,
            "validator_permit": first.validator_permit,
        },
    }))


if __name__ == "__main__":
    main()
