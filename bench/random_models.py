#!/usr/bin/env python3
"""Random smooth MLPs as nnfeyn model files, for measuring `nnfeyn check` (bench/check_rates.py).

    python3 bench/random_models.py --count 1000 --seed 1 --out DIR

Each model: input dimension d in 1..6, 1 to 4 hidden layers of width 2..16, each with an activation drawn from
tanh, sigmoid, softplus, silu, gelu, sin, and a linear output layer of width 1 (one model in eight has 2 outputs).
Weights ~ N(0, 1/fan-in) and biases ~ N(0, 1/4), the point ~ U(-1, 1)^d (options scale all three), written as
8-digit decimals (exact rationals in the model language). Deterministic for a seed: model i uses numpy's default_rng([seed, i]).
"""
import argparse
import os

import numpy as np

ACTIVATIONS = ["tanh", "sigmoid", "softplus", "silu", "gelu", "sin"]


def number(x):
    return "%.8g" % x


def model_text(name, rng, weight_scale=1.0, bias_scale=0.5, point_scale=1.0):
    d = int(rng.integers(1, 7))
    hidden = int(rng.integers(1, 5))
    widths = [int(rng.integers(2, 17)) for _ in range(hidden)]
    outputs = 2 if rng.random() < 0.125 else 1
    lines = ["# bench/random_models.py", "network " + name, "", "input x : %d" % d, ""]
    fan_in = d
    for layer, width in enumerate(widths + [outputs]):
        last = layer == hidden
        activation = "linear" if last else ACTIVATIONS[int(rng.integers(len(ACTIVATIONS)))]
        weight = rng.normal(0, weight_scale / np.sqrt(fan_in), size=(width, fan_in))
        bias = rng.normal(0, bias_scale, size=width)
        lines.append("dense %s : %d %s" % ("y" if last else "h%d" % (layer + 1), width, activation))
        lines.append("  weight [" + ", ".join("[" + ", ".join(number(w) for w in row) + "]" for row in weight) + "]")
        lines.append("  bias [" + ", ".join(number(b) for b in bias) + "]")
        lines.append("")
        fan_in = width
    point = rng.uniform(-point_scale, point_scale, size=d)
    lines.append("at x = [" + ", ".join(number(p) for p in point) + "]")
    return "\n".join(lines) + "\n", {"d": d, "hidden": hidden, "widths": widths, "outputs": outputs}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--first", type=int, default=0, help="index of the first model")
    parser.add_argument("--out", required=True)
    parser.add_argument("--weight-scale", type=float, default=1.0, help="weights ~ N(0, (scale^2) / fan-in)")
    parser.add_argument("--bias-scale", type=float, default=0.5, help="biases ~ N(0, scale^2)")
    parser.add_argument("--point-scale", type=float, default=1.0, help="point ~ U(-scale, scale)^d")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for i in range(args.first, args.first + args.count):
        rng = np.random.default_rng([args.seed, i])
        name = "random_%d_%04d" % (args.seed, i)
        text, _ = model_text(name, rng, args.weight_scale, args.bias_scale, args.point_scale)
        with open(os.path.join(args.out, name + ".nn"), "w") as out:
            out.write(text)


if __name__ == "__main__":
    main()
