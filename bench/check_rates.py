#!/usr/bin/env python3
"""False-alarm and detection rates of `nnfeyn check` on random smooth networks.

    python3 bench/check_rates.py --models 1000 --orders 8 10 12 --jobs 2 --out /tmp/check_rates.json

Models come from bench/random_models.py (1-4 hidden layers of tanh/sigmoid/softplus/silu/gelu/sin, widths 2-16,
d 1-6, weights ~ N(0, 1/fan-in), biases ~ N(0, 1/4), a random point), so every expansion is numeric (doubles).

False alarms: `nnfeyn check M --order K` on each model and order. A run is FAIL (exit 2), unsure (some order
unsure, none FAIL), ok, or error. Every FAIL is then judged independently: the numeric expansion is compared
with `nnfeyn expand --precision 160` (a different arithmetic); if its true error is within the tolerance, the FAIL
was false. (The measured rate counts those.)

Detection: for the first --detect-models models at the highest order, the numeric expansion is written as JSON,
one entry per order 1..K is multiplied by 1 + 1e-8, and `nnfeyn check --expansion` must say FAIL at that order.
Three variants: the largest entry of each order; a random entry with |derivative| >= 5% of the order's largest
(a relative 1e-8 change of a smaller entry is below the default tolerance, 1e-10 of the order's largest, by
design); a uniformly random entry (reported with how many of those were resolvable at all).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import random_models  # noqa: E402

ROW = re.compile(r"^(\d+)\s+\d+/\d+(?: \+ \d+ dir)?\s+(\S+)\s+(\S+)\s+(\S+)\s+(ok|FAIL|unsure)$")


def run(command, timeout=3600):
    start = time.time()
    before = os.times()
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return result, time.time() - start, cpu


def verdicts(stdout):
    rows = {}
    for line in stdout.splitlines():
        m = ROW.match(line)
        if m:
            rows[int(m.group(1))] = {"error": float(m.group(2)), "reference": float(m.group(3)),
                                     "tolerance": float(m.group(4)), "verdict": m.group(5)}
    return rows


def entries(document):
    """(order, output, index) -> (coefficient, derivative) of an expansion document."""
    result = {}
    for item in document["orders"]:
        for e in item["entries"]:
            result[(item["order"], e["output"], tuple(e["index"]))] = (e["coefficient"], e["derivative"])
    return result


def true_errors(nnfeyn, model, order, workdir):
    """Per order: max |numeric - precision-160 derivative| / max |derivative| (the expansion's real error)."""
    import mpmath as mp
    mp.mp.dps = 60
    paths = [os.path.join(workdir, "n.json"), os.path.join(workdir, "p.json")]
    subprocess.run([nnfeyn, "expand", model, "--order", str(order), "--numeric", "--format", "json", "-o", paths[0]], check=True)
    subprocess.run([nnfeyn, "expand", model, "--order", str(order), "--precision", "160", "--format", "json",
                    "--limit", str(10 ** 13), "-o", paths[1]], check=True, timeout=7200)
    a = entries(json.load(open(paths[0])))
    b = entries(json.load(open(paths[1])))
    errors = {}
    for k in range(order + 1):
        keys = [key for key in b if key[0] == k]
        scale = max(abs(mp.mpf(b[key][1])) for key in keys)
        gap = max(abs(mp.mpf(a[key][1]) - mp.mpf(b[key][1])) for key in keys)
        errors[k] = float(gap / scale) if scale else float(gap)
    return errors


def check_model(args, model, order):
    command = [args.nnfeyn, "check", model, "--order", str(order), "--threads", str(args.threads)]
    if args.samples:
        command += ["--samples", str(args.samples)]
    result, wall, cpu = run(command)
    rows = verdicts(result.stdout)
    if result.returncode == 2:
        outcome = "FAIL"
    elif result.returncode == 0:
        outcome = "unsure" if any(r["verdict"] == "unsure" for r in rows.values()) else "ok"
    else:
        outcome = "error"
    record = {"model": os.path.basename(model), "order": order, "outcome": outcome, "wall": wall, "cpu": cpu,
              "errors": {str(k): r["error"] for k, r in rows.items()},
              "unsure_orders": [k for k, r in rows.items() if r["verdict"] == "unsure"],
              "fail_orders": [k for k, r in rows.items() if r["verdict"] == "FAIL"]}
    if outcome == "error":
        record["stderr"] = result.stderr[-2000:]
    if outcome in ("FAIL", "unsure"):
        record["stdout"] = result.stdout[-4000:]
    if outcome == "FAIL":
        with tempfile.TemporaryDirectory() as workdir:
            errors = true_errors(args.nnfeyn, model, order, workdir)
        record["true_errors"] = {str(k): errors[k] for k in record["fail_orders"]}
        record["false"] = all(errors[k] <= rows[k]["tolerance"] for k in record["fail_orders"])
    return record


def perturbed_detection(args, model, order, variant, rng):
    """Perturbs one entry per order 1..order of the numeric expansion; which orders does check call FAIL?"""
    with tempfile.TemporaryDirectory() as workdir:
        path = os.path.join(workdir, "e.json")
        subprocess.run([args.nnfeyn, "expand", model, "--order", str(order), "--numeric", "--format", "json", "-o", path],
                       check=True)
        document = json.load(open(path))
        chosen = {}
        for item in document["orders"]:
            k = item["order"]
            if k == 0:
                continue
            scale = max(abs(e["derivative"]) for e in item["entries"])
            if variant == "largest":
                pick = max(item["entries"], key=lambda e: abs(e["derivative"]))
            elif variant == "resolvable":
                large = [e for e in item["entries"] if abs(e["derivative"]) >= 0.05 * scale]
                pick = large[int(rng.integers(len(large)))]
            else:
                pick = item["entries"][int(rng.integers(len(item["entries"])))]
            pick["coefficient"] *= 1 + 1e-8
            pick["derivative"] *= 1 + 1e-8
            chosen[k] = {"index": pick["index"], "output": pick["output"],
                         "relative_size": abs(pick["derivative"]) / scale if scale else 0.0,
                         "entries": len(item["entries"])}
        json.dump(document, open(path, "w"))
        result, wall, cpu = run([args.nnfeyn, "check", model, "--order", str(order), "--expansion", path,
                                 "--threads", str(args.threads)] + (["--samples", str(args.samples)] if args.samples else []))
        rows = verdicts(result.stdout)
    return {"model": os.path.basename(model), "variant": variant, "cpu": cpu,
            "orders": {str(k): dict(chosen[k], verdict=rows.get(k, {}).get("verdict", "missing")) for k in chosen}}


def summarize(records, detections, orders):
    summary = {"false_alarm": {}, "detection": {}}
    for order in orders:
        rs = [r for r in records if r["order"] == order]
        n = len(rs)
        fails = [r for r in rs if r["outcome"] == "FAIL"]
        false_fails = [r for r in fails if r.get("false")]
        unsure = [r for r in rs if r["outcome"] == "unsure"]
        errors = [r for r in rs if r["outcome"] == "error"]
        cpu = sorted(r["cpu"] for r in rs if r["outcome"] != "error")
        summary["false_alarm"][str(order)] = {
            "models": n, "ok": sum(r["outcome"] == "ok" for r in rs), "FAIL": len(fails),
            "false FAIL": len(false_fails), "unsure": len(unsure), "error": len(errors),
            "unsure rate": len(unsure) / max(n - len(errors), 1),
            "cpu median s": cpu[len(cpu) // 2] if cpu else None, "cpu max s": cpu[-1] if cpu else None,
            "cpu total s": sum(cpu),
            "largest error per order": {str(k): max(r["errors"].get(str(k), 0.0) for r in rs if r["outcome"] != "error")
                                        for k in range(order + 1)} if n > len(errors) else {}}
    for variant in ("largest", "resolvable", "uniform"):
        ds = [d for d in detections if d["variant"] == variant]
        if not ds:
            continue
        per_order = {}
        for d in ds:
            for k, o in d["orders"].items():
                entry = per_order.setdefault(k, {"trials": 0, "FAIL": 0, "resolvable trials": 0, "resolvable FAIL": 0})
                entry["trials"] += 1
                entry["FAIL"] += o["verdict"] == "FAIL"
                if o["relative_size"] >= 0.05:
                    entry["resolvable trials"] += 1
                    entry["resolvable FAIL"] += o["verdict"] == "FAIL"
        summary["detection"][variant] = dict(sorted(per_order.items(), key=lambda kv: int(kv[0])))
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--first", type=int, default=0, help="index of the first model")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--orders", type=int, nargs="+", default=[8, 10, 12])
    parser.add_argument("--detect-models", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=1, help="checks run side by side")
    parser.add_argument("--threads", type=int, default=1, help="--threads of each check")
    parser.add_argument("--samples", type=int, default=None, help="--samples of each check (default: nnfeyn's)")
    parser.add_argument("--nnfeyn", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".build", "release", "nnfeyn"))
    parser.add_argument("--out", default="check_rates.json")
    parser.add_argument("--weight-scale", type=float, default=1.0, help="as in random_models.py")
    parser.add_argument("--bias-scale", type=float, default=0.5, help="as in random_models.py")
    parser.add_argument("--point-scale", type=float, default=1.0, help="as in random_models.py")
    args = parser.parse_args()

    models_dir = tempfile.mkdtemp(prefix="nnfeyn-check-rates-")
    models = []
    for i in range(args.first, args.first + args.models):
        name = "random_%d_%04d" % (args.seed, i)
        text, _ = random_models.model_text(name, np.random.default_rng([args.seed, i]), args.weight_scale,
                                           args.bias_scale, args.point_scale)
        path = os.path.join(models_dir, name + ".nn")
        with open(path, "w") as out:
            out.write(text)
        models.append(path)

    tasks = [(m, k) for k in args.orders for m in models]
    records = []
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for n, record in enumerate(pool.map(lambda t: check_model(args, *t), tasks)):
            records.append(record)
            if record["outcome"] != "ok":
                print("%s order %d: %s %s" % (record["model"], record["order"], record["outcome"],
                                              record.get("true_errors", record.get("unsure_orders", ""))), flush=True)
            if (n + 1) % 100 == 0:
                print("%d/%d checks done" % (n + 1, len(tasks)), flush=True)

    detections = []
    rng = np.random.default_rng([args.seed, 999])
    top = max(args.orders)
    jobs = [(m, v) for m in models[:args.detect_models] for v in ("largest", "resolvable", "uniform")]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(perturbed_detection, args, m, top, v, np.random.default_rng([args.seed, i, 7]))
                   for i, (m, v) in enumerate(jobs)]
        for f in futures:
            detections.append(f.result())

    summary = summarize(records, detections, args.orders)
    with open(args.out, "w") as out:
        commit = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse", "HEAD"],
                                capture_output=True, text=True).stdout.strip()
        json.dump({"arguments": vars(args), "commit": commit, "summary": summary, "checks": records, "detections": detections},
                  out, indent=1, sort_keys=True)
    print(json.dumps(summary, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
