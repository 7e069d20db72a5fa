#!/bin/sh
# Creates the Python virtualenvs the interop tests and benches talk to (idempotent).
#   .venv/bt9     bittensor==9.0.0 (what subnet 33 pins) + bittensor-wallet + numpy; its
#                 async-substrate-interface must be pinned: newer ones refuse to load beside
#                 scalecodec and `import bittensor` fails
#   .venv/bt10    bittensor==10.2.0: the newest release that still ships axon/dendrite/Synapse
#   .venv/btnew   the newest bittensor (a chain client only since 11) + bittensor-wallet +
#                 bittensor-drand + numpy
# Set CGP_SKIP_PYTHON_ENV=1 to skip (the interop tests then fail with a clear message).
set -eu
[ "${CGP_SKIP_PYTHON_ENV:-0}" = "1" ] && exit 0
root=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-python3}
make_env() {
  dir="$root/.venv/$1"; shift
  stamp="$dir/.cgp-ready-$(echo "$*" | cksum | cut -d' ' -f1)"
  [ -f "$stamp" ] && return 0
  echo "python_env: creating $dir ($*)" >&2
  rm -rf "$dir"
  "$py" -m venv "$dir"
  "$dir/bin/pip" install -q --disable-pip-version-check "$@"
  touch "$stamp"
}
make_env bt9 "bittensor==9.0.0" "async-substrate-interface==1.0.0" bittensor-wallet bittensor-drand numpy
make_env bt10 "bittensor==10.2.0" "async-substrate-interface==1.6.2" bittensor-wallet numpy
make_env btnew bittensor bittensor-wallet bittensor-drand numpy
