#!/bin/sh
# Side-by-side expansion timing: `nnfeyn bench expand` (release build) against JAX (../shared/bench/peers.py) on the
# same random MLP and order, interleaved over rounds so that both see the same machine load.
# Usage: bench/compare_expansion.sh [order] [rounds] [repeats]    (needs: python3 -m pip install jax jaxlib numpy)
set -e
order=${1:-4}
rounds=${2:-3}
repeats=${3:-21}
cd "$(dirname "$0")/.."
peers=../shared/bench/peers.py
model=${MODEL:-/tmp/nnfeyn_bench_b8}   # peers.py names the network after the file: keep it an identifier
export OPENBLAS_NUM_THREADS=1
swift build -c release --product nnfeyn >/dev/null
python3 "$peers" make --input 8 --widths 128,128,128 --act tanh --seed 0 --out "$model" >/dev/null
for round in $(seq "$rounds"); do
    .build/release/nnfeyn bench expand "$model.nn" --order "$order" --numeric --repeats "$repeats" --prepared
    python3 "$peers" run "$model.npz" --order "$order" --tool jax --repeat "$repeats"
done
