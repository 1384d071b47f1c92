#!/bin/sh
# Side-by-side training throughput: `nnfeyn bench train` (release build) against PyTorch on the same MLP, batch,
# dtype and thread count, interleaved over rounds so that both see the same machine load.
# Usage: bench/compare_training.sh [rounds] [threads]
set -e
rounds=${1:-3}
threads=${2:-1}
cd "$(dirname "$0")/.."
swift build -c release --product nnfeyn >/dev/null
for round in $(seq "$rounds"); do
    .build/release/nnfeyn bench train --threads "$threads"
    python3 bench/train_peers.py --threads "$threads"
done
