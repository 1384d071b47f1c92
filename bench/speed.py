#!/usr/bin/env python3
"""nnfeyn against JAX (and folx) side by side: the whole single-point grid and the batched Laplacian cases.

One run, one thread each (OPENBLAS_NUM_THREADS=1, XLA single-threaded), alternating rounds per cell so that both
tools see the same machine load; medians over rounds; ratios = JAX time / nnfeyn time (> 1: nnfeyn is faster).

  grid      d in {2, 8, 16, 32} x width in {32, 128, 512} x hidden tanh layers in {1, 3} x order in {1, 2, 3, 4, 6, 8}
            (a linear read-out of one output), at a nonzero point. nnfeyn 'prepared' is `nnfeyn bench expand
            --prepared-only` (a plan made once, as a jitted function is); JAX 'warm' is ../shared/bench/peers.py's
            nested jacrev/jacfwd, jitted, after its first call. 'process' is the whole `nnfeyn expand` process
            against JAX's first call (trace + compile + run). JAX cells that exceed --timeout are reported as such
            and not compared.
  laplacian d=50 tanh 768-768-512-512-1 at 256 points, d=3 tanh 64x4 at 4096, d=16 tanh 128x3 at 1024:
            `nnfeyn bench expand --laplacian --points` against jit(vmap(trace(hessian))) and folx's forward Laplacian.

Set up once: python3 -m pip install jax jaxlib folx numpy   (then build: swift build -c release --product nnfeyn)
Usage:       python3 bench/speed.py [--rounds 3] [--repeats 7] [--timeout 60] [--only grid|laplacian] [--quick]
                                    [--cells 2,512,1,6 ...]
"""
import argparse, json, os, queue, statistics, subprocess, sys, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# ../shared/bench/peers.py beside the checkout (or two levels up from a worktree), or $NNFEYN_PEERS.
PEERS = os.environ.get("NNFEYN_PEERS") or next(
    (p for p in (os.path.join(ROOT, "..", "shared", "bench", "peers.py"), os.path.join(ROOT, "..", "..", "shared", "bench", "peers.py"))
     if os.path.exists(p)), os.path.join(ROOT, "..", "shared", "bench", "peers.py"))
NNFEYN = os.path.join(ROOT, ".build", "release", "nnfeyn")
WORK = "/tmp/nnfeyn_speed"
ENV = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
           XLA_FLAGS="--xla_cpu_multi_thread_eigen=false")

WORKER = r'''
import json, sys, time, numpy as np
sys.path.insert(0, sys.argv[1])
import peers
import jax
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp
compiled = {}
table = {"linear": lambda z: z, "tanh": jnp.tanh}
def network(npz):
    layers, acts = peers.load(npz)
    params = [(jnp.asarray(W), jnp.asarray(b)) for W, b in layers]
    def f(x):
        a = x
        for (W, b), s in zip(params, acts):
            a = table[s](W @ a + b)
        return a
    return f, layers[0][0].shape[1]
def timed(fn, arg, repeat):
    times = []
    # Slow cells get fewer repeats: stop after about five seconds (at least one timed call).
    while len(times) < repeat and (not times or sum(times) < 5):
        t0 = time.perf_counter(); out = fn(arg); jax.block_until_ready(out); times.append(time.perf_counter() - t0)
    return times
for line in sys.stdin:
    job = json.loads(line)
    key = json.dumps({k: job[k] for k in ("kind", "npz", "order", "points")}, sort_keys=True)
    result = {}
    if key not in compiled:
        f, d = network(job["npz"])
        if job["kind"] == "grid":
            fns, g = [f], f
            for k in range(job["order"]):
                g = jax.jacrev(g) if k == 0 else jax.jacfwd(g)
                fns.append(g)
            fn = jax.jit(lambda x, fns=fns: [h(x) for h in fns])
            arg = jnp.asarray(np.array(job["point"]))
        elif job["kind"] == "hessian_trace":
            fn = jax.jit(jax.vmap(lambda x, f=f: jnp.trace(jax.hessian(lambda y: f(y)[0])(x))))
            arg = jnp.asarray(np.load(job["points"])["points"])
        else:
            from folx import forward_laplacian
            lap = forward_laplacian(lambda y, f=f: f(y)[0], sparsity_threshold=0)
            fn = jax.jit(jax.vmap(lambda x, lap=lap: lap(x).laplacian))
            arg = jnp.asarray(np.load(job["points"])["points"])
        t0 = time.perf_counter(); jax.block_until_ready(fn(arg)); result["first_s"] = time.perf_counter() - t0
        compiled[key] = (fn, arg)
    fn, arg = compiled[key]
    result["times"] = timed(fn, arg, job["repeat"])
    print(json.dumps(result), flush=True)
'''


class Peer:
    """A JAX worker process: jobs in, timings out; killed and restarted when a job exceeds the timeout."""

    def __init__(self):
        self.process = None

    def start(self):
        self.process = subprocess.Popen([sys.executable, "-c", WORKER, os.path.dirname(PEERS)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=ENV)
        self.lines = queue.Queue()
        threading.Thread(target=lambda p=self.process, q=self.lines: [q.put(l) for l in p.stdout], daemon=True).start()

    def run(self, job, timeout):
        if self.process is None or self.process.poll() is not None:
            self.start()
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        try:
            return json.loads(self.lines.get(timeout=timeout))
        except (queue.Empty, json.JSONDecodeError):
            self.process.kill()
            self.process.wait()
            self.process = None
            return None


def point(d):
    """The nonzero expansion point of the grid: x_i = ((i mod 7) - 3) / 10."""
    return [((i % 7) - 3) / 10 for i in range(d)]


def make(name, d, widths):
    """A random tanh MLP (peers.py make, seed 0) whose .nn expands at point(d), as JAX does."""
    path = os.path.join(WORK, name)
    if not os.path.exists(path + ".npz"):
        subprocess.run([sys.executable, PEERS, "make", "--input", str(d), "--widths", ",".join(map(str, widths)), "--act", "tanh",
                        "--seed", "0", "--out", path], check=True, stdout=subprocess.DEVNULL, env=ENV)
        with open(path + ".nn", "a") as f:
            f.write("at x = [" + ", ".join(f"{(i % 7) - 3}/10" for i in range(d)) + "]\n")
    return path


def nnfeyn(args, timeout):
    out = subprocess.run([NNFEYN] + args, capture_output=True, text=True, env=ENV, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[0] if out.stderr else "nnfeyn failed")
    return json.loads(out.stdout)


def process_time(args, timeout):
    t0 = time.perf_counter()
    subprocess.run([NNFEYN] + args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, timeout=timeout)
    return time.perf_counter() - t0


def fmt_time(s):
    if s is None:
        return "-"
    return f"{s * 1e6:.0f} us" if s < 1e-3 else (f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.2f} s")


def grid(peer, opts, peak):
    cells = [(d, w, h, n) for d in (2, 8, 16, 32) for w in (32, 128, 512) for h in (1, 3) for n in (1, 2, 3, 4, 6, 8)]
    if opts.quick:
        cells = [c for c in cells if c[1] == 128 and c[0] in (2, 8, 16)]
    if opts.cells:
        wanted = {tuple(int(v) for v in c.split(",")) for c in opts.cells}
        cells = [c for c in cells if c in wanted]
    rows = []
    print("| d | width | hidden | order | nnfeyn prepared | GFLOP/s | JAX warm | JAX / nnfeyn | nnfeyn process | JAX first call | first / process |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    too_slow = set()  # (d, w, h): JAX timed out at a lower order, so it will at higher ones
    for d, w, h, n in cells:
        model = make(f"g_d{d}_w{w}_h{h}", d, [w] * h)
        if (d, w, h) in too_slow or d ** n > opts.max_dense:
            row = dict(d=d, w=w, h=h, n=n, jax="timeout" if (d, w, h) in too_slow else "too large")
            rows.append(row)
            print(f"| {d} | {w} | {h} | {n} | - | - | JAX {row['jax']} | - | - | - | - |", flush=True)
            continue
        ours, theirs, first, flops = [], [], None, None
        for r in range(opts.rounds):
            try:
                result = nnfeyn(["bench", "expand", model + ".nn", "--order", str(n), "--numeric", "--prepared-only",
                                 "--repeats", str(opts.repeats), "--limit", str(10 ** 13)], opts.timeout)
                ours.append(result["prepared_median_s"])
                flops = result["prepared_flops"]
            except Exception as error:  # noqa: BLE001 - report and go on
                print(f"<!-- nnfeyn d={d} w={w} h={h} n={n}: {error} -->")
                break
            job = dict(kind="grid", npz=model + ".npz", order=n, points=None, point=point(d), repeat=opts.repeats)
            answer = peer.run(job, opts.timeout)
            if answer is None:
                break
            first = answer.get("first_s", first)
            theirs.append(statistics.median(answer["times"]))
        if not theirs or not ours:
            too_slow.add((d, w, h))
            rows.append(dict(d=d, w=w, h=h, n=n, jax="timeout"))
            print(f"| {d} | {w} | {h} | {n} | {fmt_time(statistics.median(ours)) if ours else '-'} | - | JAX > {opts.timeout:.0f} s | - | - | - | - |", flush=True)
            continue
        # The whole nnfeyn process (load, convert, expand, print), median of three, against JAX's first call.
        args = ["expand", model + ".nn", "--order", str(n), "--numeric", "--limit", str(10 ** 13), "--format", "json"]
        processes = [process_time(args, opts.timeout) for _ in range(3)]
        ours_m, theirs_m, proc = statistics.median(ours), statistics.median(theirs), statistics.median(processes)
        gflops = flops / ours_m / 1e9 if flops else None
        row = dict(d=d, w=w, h=h, n=n, nnfeyn=ours_m, jax=theirs_m, ratio=theirs_m / ours_m, process=proc, jax_first=first,
                   first_ratio=first / proc if first else None, gflops=gflops)
        rows.append(row)
        print(f"| {d} | {w} | {h} | {n} | {fmt_time(ours_m)} | {gflops:.1f} | {fmt_time(theirs_m)} | {row['ratio']:.2f} | "
              f"{fmt_time(proc)} | {fmt_time(first)} | {row['first_ratio']:.1f} |", flush=True)
    return rows


def laplacian(peer, opts):
    import numpy as np
    cases = [(50, [768, 768, 512, 512], 256), (3, [64] * 4, 4096), (16, [128] * 3, 1024)]
    rows = []
    print("| d | widths | points | nnfeyn | GFLOP/s | JAX trace(hessian) | folx | JAX / nnfeyn | folx / nnfeyn |")
    print("|---|---|---|---|---|---|---|---|---|")
    for d, widths, count in cases:
        model = make(f"l_d{d}_" + "_".join(map(str, widths)), d, widths)
        points = os.path.join(WORK, f"points_d{d}_n{count}.npz")
        if not os.path.exists(points):
            np.savez(points, points=np.random.default_rng(1).normal(size=(count, d)) * 0.5)
        ours, jax_times, folx_times, flops = [], [], [], None
        for r in range(opts.rounds):
            result = nnfeyn(["bench", "expand", model + ".nn", "--laplacian", "--points", points, "--repeats", str(max(opts.repeats // 2, 3))],
                            opts.timeout * 4)
            ours.append(result["prepared_median_s"])
            flops = result["prepared_flops"]
            for kind, sink in (("hessian_trace", jax_times), ("folx", folx_times)):
                answer = peer.run(dict(kind=kind, npz=model + ".npz", order=2, points=points, repeat=max(opts.repeats // 2, 3)),
                                  opts.timeout * 4)
                if answer is not None:
                    sink.append(statistics.median(answer["times"]))
        o = statistics.median(ours)
        j = statistics.median(jax_times) if jax_times else None
        f = statistics.median(folx_times) if folx_times else None
        row = dict(d=d, widths=widths, points=count, nnfeyn=o, jax=j, folx=f, gflops=flops / o / 1e9)
        rows.append(row)
        print(f"| {d} | {'-'.join(map(str, widths))}-1 | {count} | {fmt_time(o)} | {row['gflops']:.1f} | {fmt_time(j)} | {fmt_time(f)} | "
              f"{(j / o) if j else float('nan'):.2f} | {(f / o) if f else float('nan'):.2f} |", flush=True)
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--timeout", type=float, default=60.0, help="seconds before a JAX cell counts as not finished")
    p.add_argument("--max-dense", type=int, default=1 << 25, help="skip JAX cells whose top tensor has more entries (d^N)")
    p.add_argument("--only", choices=["grid", "laplacian"])
    p.add_argument("--quick", action="store_true", help="width 128 and d <= 16 only")
    p.add_argument("--cells", nargs="+", metavar="D,W,H,N", help="only these grid cells, e.g. 2,512,1,6 (the Laplacian cases still run unless --only grid)")
    p.add_argument("--nnfeyn", help="the nnfeyn binary to time (default: .build/release/nnfeyn), e.g. a saved baseline for A/B")
    p.add_argument("--json", help="also write every row to this file")
    opts = p.parse_args()
    if opts.nnfeyn:
        global NNFEYN
        NNFEYN = os.path.abspath(opts.nnfeyn)
    os.makedirs(WORK, exist_ok=True)
    load = os.getloadavg()
    peak = nnfeyn(["bench", "expand", make("g_d2_w32_h1", 2, [32]) + ".nn", "--order", "1", "--prepared-only", "--repeats", "1",
                   "--peak"], 60)["dgemm_peak_gflops"]
    print(f"# machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at start; "
          f"dgemm peak {peak:.1f} GFLOP/s (one thread, n = 384)\n")
    peer = Peer()
    result = {"load_start": load, "dgemm_peak_gflops": peak}
    if opts.only in (None, "grid"):
        result["grid"] = grid(peer, opts, peak)
        print()
    if opts.only in (None, "laplacian"):
        result["laplacian"] = laplacian(peer, opts)
    load = os.getloadavg()
    print(f"\n# load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end")
    result["load_end"] = load
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
