#!/usr/bin/python3
"""Writes the TorchScript fixtures of tests/torch/torch.sh into data/ (run by
hand with Debian's python3-torch when they must change; the files are
committed, so the tests need no Python):

  mlp.pt      an MLP, amount, count, age -> 16 -> 1, sigmoid; scripted
  mlp2.pt     the same shape with other weights (a reload's new version)
  two.pt      a trunk and two heads, forward returns (p, estimate); traced
  weights.pt  torch.save of mlp's state_dict: not TorchScript
  model.pkl   pickle.dump of a dict: not TorchScript
  notes.zip   a zip archive of a text file: not a model

with the sidecars mlp.pt.json (with an "impute" default for age),
mlp2.pt.json and two.pt.json.
"""
import json
import os
import pickle
import zipfile

import torch

FEATURES = ["amount", "count", "age"]


class MLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.Tanh(),
                                       torch.nn.Linear(16, 1))
        self.scale = torch.nn.Parameter(torch.tensor([0.01, 0.3, 0.05]), requires_grad=False)

    def forward(self, x):
        return torch.sigmoid(self.net(x * self.scale)).squeeze(-1)


class Two(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU())
        self.p = torch.nn.Linear(8, 1)
        self.est = torch.nn.Linear(8, 1)

    def forward(self, x):
        h = self.trunk(x * 0.01)
        return torch.sigmoid(self.p(h)).squeeze(-1), self.est(h).squeeze(-1)


def sidecar(path, extra=None):
    doc = {"features": FEATURES}
    doc.update(extra or {})
    with open(path + ".json", "w") as f:
        json.dump(doc, f)
        f.write("\n")


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(1)
    mlp = MLP().eval()
    torch.jit.script(mlp).save(os.path.join(out, "mlp.pt"))
    sidecar(os.path.join(out, "mlp.pt"), {"impute": {"age": 40}})
    torch.save(mlp.state_dict(), os.path.join(out, "weights.pt"))
    torch.manual_seed(2)
    torch.jit.script(MLP().eval()).save(os.path.join(out, "mlp2.pt"))
    sidecar(os.path.join(out, "mlp2.pt"))
    torch.manual_seed(3)
    two = Two().eval()
    torch.jit.trace(two, torch.zeros(4, 3)).save(os.path.join(out, "two.pt"))
    sidecar(os.path.join(out, "two.pt"))
    with open(os.path.join(out, "model.pkl"), "wb") as f:
        pickle.dump({"weights": [1, 2, 3]}, f)
    with zipfile.ZipFile(os.path.join(out, "notes.zip"), "w") as z:
        z.writestr("notes/readme.txt", "not a model\n")


if __name__ == "__main__":
    main()
