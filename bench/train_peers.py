#!/usr/bin/env python3
"""PyTorch side of the training-throughput comparison with `nnfeyn bench train`.

Same work as our benchmark: an MLP (default 16 -> 64 -> 64 -> 64 -> 1, tanh hidden, linear output) in float64,
Adam (PyTorch defaults) on the mean squared error, batches of 256 drawn from a per-epoch permutation of `rows`
random rows, `epochs` epochs per timed repeat; prints samples per second of every repeat and the median.
"""
import argparse
import statistics
import time

import torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--widths", default="16,64,64,64,1")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--rows", type=int, default=32768)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    widths = [int(w) for w in args.widths.split(",")]
    x = torch.rand(args.rows, widths[0], dtype=torch.float64) * 2 - 1
    y = torch.rand(args.rows, widths[-1], dtype=torch.float64) * 2 - 1

    rates = []
    for _ in range(args.repeats):
        layers = []
        for i in range(1, len(widths)):
            layers.append(torch.nn.Linear(widths[i - 1], widths[i], dtype=torch.float64))
            if i < len(widths) - 1:
                layers.append(torch.nn.Tanh())
        model = torch.nn.Sequential(*layers)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.MSELoss()
        start = time.perf_counter()
        for _ in range(args.epochs):
            order = torch.randperm(args.rows)
            for first in range(0, args.rows, args.batch):
                index = order[first:first + args.batch]
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(model(x[index]), y[index])
                loss.backward()
                optimizer.step()
        rates.append(args.rows * args.epochs / (time.perf_counter() - start))
    print(f"torch {torch.__version__} {args.widths} tanh batch {args.batch} float64 threads {args.threads}: "
          f"median {int(statistics.median(rates))} samples/s (runs: {', '.join(str(int(r)) for r in rates)})")


if __name__ == "__main__":
    main()
