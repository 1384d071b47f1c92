#!/usr/bin/env python3
"""Wall and CPU time of `nnfeyn check` on the shipped examples and on wider networks (docs/check.md, Cost).

    python3 bench/check_timing.py [--nnfeyn .build/release/nnfeyn] [--threads T]

Runs `check` on every grammar/examples/*.nn at order 20 (wide_input.nn at 17, the highest order the default limit
admits), on toy.nn at order 30, and at order 8 on three networks with three hidden layers of width 16 (tanh, gelu,
softplus) and d = 2, 4, 6 inputs (weights ~ N(0, 1/fan-in), biases ~ N(0, 1/4), point ~ U(-1, 1)^d, numpy's
default_rng([7, d])). Prints one line per run: model, order, exit status, verdicts, wall and CPU seconds, peak
memory.
"""
import argparse
import glob
import os
import re
import subprocess
import tempfile
import time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def wide_model(d):
    rng = np.random.default_rng([7, d])
    lines = ["# bench/check_timing.py", "network w16_d%d" % d, "", "input x : %d" % d, ""]
    fan_in = d
    for layer, (width, activation) in enumerate(zip([16, 16, 16, 1], ["tanh", "gelu", "softplus", "linear"])):
        weight = rng.normal(0, 1 / np.sqrt(fan_in), size=(width, fan_in))
        bias = rng.normal(0, 0.5, size=width)
        lines.append("dense %s : %d %s" % ("y" if layer == 3 else "h%d" % (layer + 1), width, activation))
        lines.append("  weight [" + ", ".join("[" + ", ".join("%.8g" % w for w in row) + "]" for row in weight) + "]")
        lines.append("  bias [" + ", ".join("%.8g" % b for b in bias) + "]")
        lines.append("")
        fan_in = width
    lines.append("at x = [" + ", ".join("%.8g" % p for p in rng.uniform(-1, 1, size=d)) + "]")
    return "\n".join(lines) + "\n"


def timed(command):
    """Runs command; returns (exit status, stdout, wall s, CPU s, peak resident MB) of that process alone."""
    with tempfile.TemporaryFile(mode="w+") as out:
        start = time.time()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.time() - start
        out.seek(0)
        return os.waitstatus_to_exitcode(status), out.read(), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nnfeyn", default=os.path.join(ROOT, ".build", "release", "nnfeyn"))
    parser.add_argument("--threads", type=int, default=None, help="--threads of each check (default: nnfeyn's)")
    args = parser.parse_args()
    runs = []
    for path in sorted(glob.glob(os.path.join(ROOT, "grammar", "examples", "*.nn"))):
        runs.append((path, 17 if path.endswith("wide_input.nn") else 20))
    runs.append((os.path.join(ROOT, "grammar", "examples", "toy.nn"), 30))
    scratch = tempfile.mkdtemp(prefix="nnfeyn-check-timing-")
    for d in (2, 4, 6):
        path = os.path.join(scratch, "w16_d%d.nn" % d)
        with open(path, "w") as out:
            out.write(wide_model(d))
        runs.append((path, 8))
    for path, order in runs:
        command = [args.nnfeyn, "check", path, "--order", str(order)]
        if args.threads:
            command += ["--threads", str(args.threads)]
        status, stdout, wall, cpu, peak = timed(command)
        verdicts = re.findall(r"  (ok|FAIL|unsure)$", stdout, re.M)
        summary = ", ".join("%d %s" % (verdicts.count(v), v) for v in ("ok", "FAIL", "unsure") if v in verdicts)
        print("%-18s order %2d  exit %d  %-10s  wall %6.2f s  cpu %6.2f s  peak %4d MB"
              % (os.path.basename(path), order, status, summary, wall, cpu, peak), flush=True)


if __name__ == "__main__":
    main()
