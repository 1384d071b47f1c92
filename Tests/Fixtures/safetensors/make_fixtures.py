"""Writes the safetensors fixtures with the official `safetensors` package (pip install safetensors torch numpy).

reference.safetensors  one tensor per dtype nnfeyn reads, with __metadata__, by safetensors.torch.save_file
reference.json         the values each tensor must read as (doubles as exact hex floats, integers as integers)
sequential.safetensors a PyTorch nn.Sequential(Linear, Tanh, Linear, Tanh, Linear) state_dict: keys 0.weight ... 4.bias

Run from this directory (Tests/Fixtures/safetensors): python3 make_fixtures.py. The outputs are committed; the tests never run this script.
"""
import json

import numpy as np
import torch
from safetensors.torch import save_file

torch.manual_seed(7)
values = torch.tensor([[0.5, -1.25, 3.0], [1e-3, -2.0, 65504.0]], dtype=torch.float64)
tensors = {
    "f64": values.clone(),
    "f32": values.to(torch.float32),
    "f16": values.to(torch.float16),
    "bf16": values.to(torch.bfloat16),
    "i64": torch.tensor([[-(2**53) - 1, 2**62], [0, -7]], dtype=torch.int64),
    "i32": torch.tensor([-5, 2**31 - 1], dtype=torch.int32),
    "u8": torch.tensor([0, 255], dtype=torch.uint8),
    "scalar": torch.tensor(2.5, dtype=torch.float64),
}
save_file(tensors, "reference.safetensors", metadata={"format": "pt", "note": "nnfeyn fixture"})
expected = {}
for name, tensor in tensors.items():
    if tensor.is_floating_point():
        flat = tensor.to(torch.float64).flatten().tolist()
        expected[name] = {"shape": list(tensor.shape), "float64": [float.hex(v) for v in flat]}
    else:
        expected[name] = {"shape": list(tensor.shape), "int64": [int(v) for v in tensor.flatten().tolist()]}
with open("reference.json", "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)

net = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.Tanh(), torch.nn.Linear(5, 4), torch.nn.Tanh(),
                          torch.nn.Linear(4, 1)).double()
save_file({k: v.contiguous() for k, v in net.state_dict().items()}, "sequential.safetensors")
