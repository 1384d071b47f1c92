"""nnfeyn_io: NumPy-only helpers for moving networks into nnfeyn and its expansions back out.

Tensors out:
    data = load_expansion("out.npz")          # written by: nnfeyn expand model.nn --order 3 --format npz -o out.npz
    data["meta"]                               # schema, network, mode, input, outputs, order, exact point
    data["derivatives"][k]                     # dense d^k y / dx^k, shape (outputs, d, ..., d), every permutation filled
    data["coefficients"][k]                    # Taylor coefficients per monomial, shape (outputs, count_k)
    data["indices"][k]                         # the monomials as non-decreasing index lists, shape (count_k, k)

Networks in:
    export_sequential(torch_sequential, "model", input_name="x")   # model.safetensors + model.nn
    export_layers([(W1, b1, "tanh"), (W2, b2, "linear")], "model")  # the same from plain arrays (W: out x in)

Exported parameters are float64 safetensors named <layer>.weight / <layer>.bias, and the .nn file declares the
layers in order; `nnfeyn expand model.nn --order 3` reads them as they are. Nothing here needs PyTorch: a torch
module is read through its .weight/.bias tensors and its class name.
"""
import itertools
import json
import struct

import numpy as np

SCHEMA = "nnfeyn.expansion-npz/1"
POINTS_SCHEMA = "nnfeyn.expansions-npz/1"

# PyTorch activation modules by class name -> nnfeyn activation names.
TORCH_ACTIVATIONS = {
    "Tanh": "tanh", "Sigmoid": "sigmoid", "ReLU": "relu", "SiLU": "silu", "GELU": "gelu", "Softplus": "softplus",
    "Identity": "linear",
}


def load_expansion(path):
    """The arrays of an `nnfeyn expand --format npz` file, with every order's tensor made dense.

    One point (schema nnfeyn.expansion-npz/1): "point" (d,) and derivatives[k] of shape (outputs, d, ..., d).
    Many points (`--points`, schema nnfeyn.expansions-npz/1): "points" (n, d) and derivatives[k] of shape
    (n, outputs, d, ..., d); coefficients[k] keep the stored layout (a leading point axis when there is one).
    """
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        schema = meta.get("schema")
        if schema not in (SCHEMA, POINTS_SCHEMA):
            raise ValueError(f"{path}: schema {schema!r}, expected {SCHEMA!r} or {POINTS_SCHEMA!r}")
        d, outputs, order = meta["input"]["dimension"], meta["outputs"], meta["order"]
        many = schema == POINTS_SCHEMA
        result = {"meta": meta, "indices": {}, "coefficients": {}, "derivatives": {}}
        if many:
            result["points"] = z["points"]
        else:
            result["point"] = z["point"]
        for k in range(order + 1):
            indices = z[f"index_{k}"]
            derivative = z[f"derivative_{k}"]
            result["indices"][k] = indices
            result["coefficients"][k] = z[f"coefficient_{k}"]
            if many:
                result["derivatives"][k] = np.stack([dense_tensor(indices, row, d, outputs) for row in derivative]) \
                    if len(derivative) else np.zeros((0, outputs) + (d,) * k)
            else:
                result["derivatives"][k] = dense_tensor(indices, derivative, d, outputs)
    return result


def dense_tensor(indices, values, d, outputs):
    """A symmetric tensor (outputs, d, ..., d) from its values at non-decreasing index lists (outputs, count)."""
    indices = np.asarray(indices, dtype=np.int64)
    k = indices.shape[1] if indices.ndim == 2 else 0
    tensor = np.zeros((outputs,) + (d,) * k)
    for slot, index in enumerate(indices):
        for permutation in set(itertools.permutations(tuple(index))):
            tensor[(slice(None),) + permutation] = values[:, slot]
    return tensor


def write_safetensors(path, tensors, metadata=None):
    """Writes named float64 arrays in the safetensors format (8-byte header length, JSON header, raw data)."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        array = np.ascontiguousarray(np.asarray(tensors[name], dtype="<f8"))
        data = array.tobytes()
        header[name] = {"dtype": "F64", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)  # the data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


def export_layers(layers, stem, input_name="x", network_name=None, point=None):
    """Writes stem.safetensors and stem.nn for dense layers given as (weight (out x in), bias (out), activation)."""
    base = stem.rsplit("/", 1)[-1]
    tensors, lines = {}, []
    fan_in = None
    for i, (weight, bias, activation) in enumerate(layers):
        weight = np.asarray(weight, dtype=np.float64)
        bias = np.zeros(weight.shape[0]) if bias is None else np.asarray(bias, dtype=np.float64)
        if weight.ndim != 2 or bias.shape != (weight.shape[0],):
            raise ValueError(f"layer {i}: weight {weight.shape} and bias {bias.shape} do not form a dense layer")
        if fan_in is not None and weight.shape[1] != fan_in:
            raise ValueError(f"layer {i} takes {weight.shape[1]} inputs, the layer below gives {fan_in}")
        if not (np.all(np.isfinite(weight)) and np.all(np.isfinite(bias))):
            raise ValueError(f"layer {i} holds a value that is not a finite number")
        name = f"layer{i}"
        tensors[f"{name}.weight"], tensors[f"{name}.bias"] = weight, bias
        lines.append(f"dense {name} : {weight.shape[0]} {activation}")
        fan_in = weight.shape[0]
    if not layers:
        raise ValueError("a network needs at least one layer")
    d = np.asarray(layers[0][0]).shape[1]
    identifier = "".join(c if c.isalnum() or c == "_" else "_" for c in (network_name or base)) or "network"
    if identifier[0].isdigit():
        identifier = "n" + identifier
    header = [f"# exported by nnfeyn_io.py; parameters in {base}.safetensors", f"network {identifier}",
              f"input {input_name} : {d}", f'parameters "{base}.safetensors"']
    if point is not None:
        header.append(f"at {input_name} = [" + ", ".join(repr(float(v)) for v in point) + "]")
    write_safetensors(stem + ".safetensors", tensors, {"format": "nnfeyn", "network": identifier})
    with open(stem + ".nn", "w") as f:
        f.write("\n".join(header + lines) + "\n")
    return stem + ".nn"


def export_sequential(sequential, stem, input_name="x", point=None):
    """Writes stem.safetensors and stem.nn for a torch.nn.Sequential of Linear layers and activations."""
    layers, pending = [], None
    for module in sequential:
        kind = type(module).__name__
        if kind == "Linear":
            if pending is not None:
                layers.append((*pending, "linear"))
            weight = module.weight.detach().cpu().double().numpy()
            bias = None if module.bias is None else module.bias.detach().cpu().double().numpy()
            pending = (weight, bias)
        elif kind in TORCH_ACTIVATIONS:
            if pending is None:
                raise ValueError(f"{kind} is not preceded by a Linear layer")
            layers.append((*pending, TORCH_ACTIVATIONS[kind]))
            pending = None
        else:
            raise ValueError(f"unsupported module {kind}: nnfeyn reads Linear layers and "
                             + ", ".join(sorted(TORCH_ACTIVATIONS)))
    if pending is not None:
        layers.append((*pending, "linear"))
    return export_layers(layers, stem, input_name=input_name, point=point)
