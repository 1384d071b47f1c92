"""Writes PyTorch checkpoints that nnfeyn must refuse with advice (pip install torch).

sequential.pt   torch.save(state_dict) of nn.Sequential(Linear(2, 3), Tanh(), Linear(3, 1)): a zip of pickles
legacy.pt       the same with _use_new_zipfile_serialization=False: a bare pickle stream

Run from this directory (Tests/Fixtures/pytorch): python3 make_fixtures.py. The outputs are committed; the tests never
run this script.
"""
import torch

torch.manual_seed(3)
net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
torch.save(net.state_dict(), "sequential.pt")
torch.save(net.state_dict(), "legacy.pt", _use_new_zipfile_serialization=False)
