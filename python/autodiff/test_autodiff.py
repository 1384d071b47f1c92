"""nnfeyn's derivatives against nested forward-mode AD in PyTorch (torch.func.jacfwd) and JAX (jax.jacfwd), float64.

Each case goes through the round trip a user makes: a network built in PyTorch or in JAX with Flax's parameter
layout, its weights saved as safetensors the way each library's users save them, `nnfeyn import`, `nnfeyn expand
--at ... --format npz`, and nnfeyn_io.load_expansion. Every derivative up to order 4 is compared, entry by entry,
with both AD systems, whichever library the network came from. The error of an order is
max |nnfeyn - AD| / max |AD| over all its entries; it must stay below 1e-12.

Key layouts: PyTorch nn.Sequential ('0.weight', '3.weight': a Dropout in between takes a number too), a prefixed
Sequential ('net.0.weight'), a ModuleList under a submodule ('model.layers.1.weight', one Linear without bias),
and Flax/Linen ('params/Dense_0/kernel', stored (in, out)). float32 and float64 checkpoints.

Needs numpy, torch, jax and safetensors (`make python-deps` installs them) and the nnfeyn binary ($NNFEYN_BIN,
else .build/debug/nnfeyn). A missing library is an error, never a skip. Run from the repository root:
    python3 -m unittest discover -s python/autodiff -v
"""
import os
import sys
import tempfile
import unittest

import numpy as np

# One thread each: the references are tiny, and the test runs beside the rest of the suite.
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
try:
    import torch
    import torch.nn.functional as F
    from torch.func import jacfwd as torch_jacfwd
    from safetensors.torch import save_file as save_torch
    from safetensors.numpy import save_file as save_numpy
    import jax
    import jax.numpy as jnp
except ImportError as error:  # loud: CI must not pass without the references
    raise ImportError(f"the autodiff comparison needs torch, jax and safetensors ({error}); run 'make python-deps'") from error

jax.config.update("jax_enable_x64", True)
torch.set_num_threads(1)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import nnfeyn_io  # noqa: E402
from test_nnfeyn_io import nnfeyn  # noqa: E402  (runs $NNFEYN_BIN from the root; only the function comes along)

ORDER = 4
TOLERANCE = 1e-12
# Dyadic coordinates: the point nnfeyn reads from --at is exactly the double the AD systems use.
POINT = [0.375, -0.625, 0.25]

# Activations as the two AD systems compute them (gelu: the exact, erf-based one, as nnfeyn's).
TORCH_ACTIVATIONS = {"tanh": torch.tanh, "gelu": F.gelu, "softplus": F.softplus, "linear": lambda z: z}
JAX_ACTIVATIONS = {"tanh": jnp.tanh, "gelu": lambda z: jax.nn.gelu(z, approximate=False), "softplus": jax.nn.softplus,
                   "linear": lambda z: z}

# Measured errors, printed at the end: (case, reference, order) -> relative error.
RESULTS = {}


def nested(jacfwd, f, order):
    """The derivatives of f of orders 0..order by nested forward mode: order k has shape (outputs, d, ..., d)."""
    functions = [f]
    for _ in range(order):
        functions.append(jacfwd(functions[-1]))
    return functions


def torch_derivatives(layers, point, order):
    """layers: [(W (out, in), b or None, activation)] as float64 arrays; PyTorch's functional forward."""
    tensors = [(torch.tensor(w), None if b is None else torch.tensor(b), a) for w, b, a in layers]

    def f(x):
        for w, b, activation in tensors:
            x = TORCH_ACTIVATIONS[activation](F.linear(x, w, b))
        return x
    x = torch.tensor(point, dtype=torch.float64)
    return [g(x).detach().numpy() for g in nested(torch_jacfwd, f, order)]


def jax_derivatives(layers, point, order):
    """The same network as jax.numpy code, differentiated by jax.jacfwd."""
    arrays = [(jnp.asarray(w), None if b is None else jnp.asarray(b), a) for w, b, a in layers]

    def f(x):
        for w, b, activation in arrays:
            z = w @ x if b is None else w @ x + b
            x = JAX_ACTIVATIONS[activation](z)
        return x
    x = jnp.asarray(point, dtype=jnp.float64)
    return [np.asarray(jax.jit(g)(x)) for g in nested(jax.jacfwd, f, order)]


# ---- the networks, each as its library builds and saves it ----

def sequential_tanh(directory):
    """nn.Sequential(Linear, Tanh, Linear, Tanh, Linear): keys '0.weight', '2.weight', '4.weight'. float64."""
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(3, 6), torch.nn.Tanh(), torch.nn.Linear(6, 5), torch.nn.Tanh(),
                                torch.nn.Linear(5, 2)).double()
    path = os.path.join(directory, "sequential.safetensors")
    save_torch(model.state_dict(), path)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    return path, torch_layers(linears, ["tanh", "tanh", "linear"]), model


class Prefixed(torch.nn.Module):
    """A module whose Sequential is `net`, with a Dropout (no parameters) between: 'net.0', 'net.3', 'net.5'."""

    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(3, 6), torch.nn.GELU(), torch.nn.Dropout(0.1),
                                       torch.nn.Linear(6, 4), torch.nn.GELU(), torch.nn.Linear(4, 2))

    def forward(self, x):
        return self.net(x)


def prefixed_gelu(directory):
    """Saved in float32, as trained; the reference computes in float64 on exactly those float32 values."""
    torch.manual_seed(2)
    model = Prefixed().eval()
    path = os.path.join(directory, "prefixed.safetensors")
    save_torch(model.state_dict(), path)
    model = model.double()
    linears = [m for m in model.net if isinstance(m, torch.nn.Linear)]
    return path, torch_layers(linears, ["gelu", "gelu", "linear"]), model


class Inner(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.ModuleList([torch.nn.Linear(3, 6), torch.nn.Linear(6, 5, bias=False), torch.nn.Linear(5, 2)])


class Stacked(torch.nn.Module):
    """Linear layers in a ModuleList under `model`: 'model.layers.0.weight' ...; softplus, a tanh output."""

    def __init__(self):
        super().__init__()
        self.model = Inner()

    def forward(self, x):
        a, b, c = self.model.layers
        return torch.tanh(c(F.softplus(b(F.softplus(a(x))))))


def model_layers_softplus(directory):
    torch.manual_seed(3)
    model = Stacked().double()
    path = os.path.join(directory, "stacked.safetensors")
    save_torch(model.state_dict(), path)
    return path, torch_layers(model.model.layers, ["softplus", "softplus", "tanh"]), model


def torch_layers(linears, activations):
    return [(m.weight.detach().numpy().copy(), None if m.bias is None else m.bias.detach().numpy().copy(), a)
            for m, a in zip(linears, activations)]


def flax_params(seed, sizes):
    """Parameters in Flax/Linen's layout for nn.Dense layers: {'params': {'Dense_i': {'kernel': (in, out), 'bias'}}}."""
    key = jax.random.PRNGKey(seed)
    params = {}
    for i, (fan_in, width) in enumerate(zip(sizes, sizes[1:])):
        key, k1, k2 = jax.random.split(key, 3)
        params[f"Dense_{i}"] = {"kernel": jax.random.normal(k1, (fan_in, width), jnp.float64) / np.sqrt(fan_in),
                                "bias": 0.1 * jax.random.normal(k2, (width,), jnp.float64)}
    return {"params": params}


def flatten(tree, prefix=""):
    """Nested dicts to '/'-joined keys: what flax.traverse_util.flatten_dict(variables, sep='/') gives."""
    flat = {}
    for name, value in tree.items():
        key = f"{prefix}/{name}" if prefix else name
        flat.update(flatten(value, key) if isinstance(value, dict) else {key: np.asarray(value)})
    return flat


def flax_network(seed, sizes, activations, name):
    """A builder of a JAX network in Flax's layout, saved as safetensors with '/'-joined keys."""
    def build(directory):
        variables = flax_params(seed, sizes)
        path = os.path.join(directory, name + ".safetensors")
        save_numpy(flatten(variables), path)
        dense = variables["params"]
        layers = [(np.asarray(dense[f"Dense_{i}"]["kernel"]).T.copy(), np.asarray(dense[f"Dense_{i}"]["bias"]), a)
                  for i, a in enumerate(activations)]
        return path, layers, variables
    return build


# name -> (build, import arguments, where the point is given)
CASES = {
    "torch Sequential (0.weight), tanh, f64": (sequential_tanh, ["--activation", "tanh"], "expand"),
    "torch prefixed (net.0.weight, Dropout), gelu, f32": (prefixed_gelu, ["--activation", "gelu"], "import"),
    "torch model.layers.N, softplus, no bias, tanh out": (model_layers_softplus, ["--activations", "softplus,softplus,tanh"], "expand"),
    "Flax params/Dense_N/kernel, gelu": (flax_network(4, [3, 6, 5, 2], ["gelu", "gelu", "linear"], "flax"), ["--activation", "gelu"], "import"),
    "Flax params/Dense_N/kernel, tanh, --input-name": (flax_network(5, [3, 7, 7, 1], ["tanh", "tanh", "linear"], "flax_tanh"), ["--activation", "tanh", "--input-name", "u", "--network", "flaxnet"], "expand"),
}


class AutodiffComparison(unittest.TestCase):
    def run_case(self, name):
        build, import_arguments, point_on = CASES[name]
        directory = tempfile.mkdtemp(prefix="nnfeyn-autodiff-")
        weights, layers, source = build(directory)
        at = ", ".join(repr(v) for v in POINT)
        model, out = os.path.join(directory, "model.nn"), os.path.join(directory, "out.npz")
        nnfeyn("import", weights, *import_arguments, *(["--at", at] if point_on == "import" else []), "-o", model)
        nnfeyn("expand", model, "--order", str(ORDER), "--numeric", "--format", "npz", "-o", out,
               *(["--at", at] if point_on == "expand" else []))
        data = nnfeyn_io.load_expansion(out)
        np.testing.assert_array_equal(data["point"].astype(np.float64), POINT)

        # The PyTorch module itself agrees with the layers the references are built from.
        if isinstance(source, torch.nn.Module):
            x = torch.tensor(POINT, dtype=torch.float64)
            np.testing.assert_allclose(source(x).detach().numpy(), torch_derivatives(layers, POINT, 0)[0], rtol=1e-15)
            references = torch_derivatives(layers, POINT, 2)
            for g, reference in zip(nested(torch_jacfwd, source, 2), references):
                np.testing.assert_allclose(g(x).detach().numpy(), reference, rtol=1e-13, atol=1e-15 * np.abs(reference).max())

        for reference, derivatives in (("torch.func", torch_derivatives(layers, POINT, ORDER)),
                                       ("jax", jax_derivatives(layers, POINT, ORDER))):
            for k in range(ORDER + 1):
                ours, theirs = data["derivatives"][k], derivatives[k]
                self.assertEqual(ours.shape, theirs.shape, f"{name}, order {k}")
                error = float(np.abs(ours - theirs).max() / np.abs(theirs).max())
                RESULTS[(name, reference, k)] = error
                self.assertLess(error, TOLERANCE, f"{name}: order {k} against {reference}")


for index, case in enumerate(CASES):
    setattr(AutodiffComparison, f"test_{index}_" + "".join(c if c.isalnum() else "_" for c in case.split(",")[0]).strip("_"),
            lambda self, case=case: self.run_case(case))


def tearDownModule():
    if not RESULTS:
        return
    print(f"\nmax |nnfeyn - AD| / max |AD| per order (float64, order <= {ORDER}, point {POINT}):", file=sys.stderr)
    for name in CASES:
        for reference in ("torch.func", "jax"):
            errors = [RESULTS.get((name, reference, k)) for k in range(ORDER + 1)]
            if None not in errors:
                print(f"  {name:52} vs {reference:10} " + " ".join(f"{e:8.1e}" for e in errors), file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
