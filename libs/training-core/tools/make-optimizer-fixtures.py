#!/usr/bin/python3
"""Writes fixtures/optimizers.json: PyTorch 1.13's own optimizer trajectories, the reference that
src/optimizers/optimizers-reference.spec.ts checks our optimizers against (CI has no torch, so the
output is committed). Run from libs/training-core with a python that has torch 1.13:

    /usr/bin/python3 tools/make-optimizer-fixtures.py && npx prettier --write fixtures/optimizers.json

The problem is least squares, loss = mean((X W + b - Y)^2), with two parameters (W [4, 3], b [3])
in float64. Data are multiples of 1/64, so float32 and float64 read the same numbers. LR (and for
some cases momentum / beta1) change every step, as a scheduler would, to test live hyperparameters.
"""
import json
import math

import torch

torch.manual_seed(0)
STEPS = 300
CHECKPOINTS = [1, 10, 100, 300]


def grid(t):
    return torch.round(t * 64) / 64


X = grid(torch.randn(32, 4, dtype=torch.float64))
W_TRUE = grid(torch.randn(4, 3, dtype=torch.float64) * 2)
Y = grid(X @ W_TRUE + 0.5 + 0.1 * torch.randn(32, 3, dtype=torch.float64))
W0 = grid(torch.randn(4, 3, dtype=torch.float64) * 0.1)
B0 = grid(torch.randn(3, dtype=torch.float64) * 0.1)

# name, optimizer class, defaults, per-group overrides (group 0 holds W, group 1 holds b),
# hyperparameter driven by a cyclic momentum schedule (None, 'momentum' or 'betas').
CASES = [
    ("sgd", torch.optim.SGD, dict(lr=0.05), [{}, {}], None),
    ("sgd-momentum-dampening-wd", torch.optim.SGD, dict(lr=0.02, momentum=0.9, dampening=0.1, weight_decay=1e-3),
     [{}, dict(lr=0.05, weight_decay=0.0)], "momentum"),
    ("sgd-nesterov", torch.optim.SGD, dict(lr=0.02, momentum=0.9, nesterov=True, weight_decay=1e-4), [{}, {}], None),
    ("adam", torch.optim.Adam, dict(lr=1e-2), [{}, {}], "betas"),
    ("adam-amsgrad-wd", torch.optim.Adam, dict(lr=1e-2, betas=(0.85, 0.99), weight_decay=1e-2, amsgrad=True),
     [{}, dict(lr=3e-2)], None),
    ("adamw", torch.optim.AdamW, dict(lr=1e-2, weight_decay=0.1), [{}, dict(weight_decay=0.0)], None),
    ("adamw-amsgrad", torch.optim.AdamW, dict(lr=2e-2, amsgrad=True), [{}, {}], "betas"),
    ("rmsprop", torch.optim.RMSprop, dict(lr=1e-2), [{}, {}], None),
    # A large eps tells "outside the square root" (PyTorch) from "inside" (tfjs's RMSProp and Adam).
    ("rmsprop-large-eps", torch.optim.RMSprop, dict(lr=1e-2, eps=0.1), [{}, {}], None),
    ("adam-large-eps", torch.optim.Adam, dict(lr=1e-2, eps=0.1), [{}, {}], None),
    # Centered RMSprop divides by sqrt(E[g^2] - E[g]^2), which cancels catastrophically in float32
    # as the problem converges (PyTorch's own float32 run drifts 5e-5 from float64 with alpha 0.9,
    # lr 2e-3); these settings keep float32 meaningful. `float32Error` records the floor per case.
    ("rmsprop-centered-momentum-wd", torch.optim.RMSprop,
     dict(lr=1e-3, alpha=0.95, centered=True, momentum=0.5, weight_decay=1e-3), [{}, dict(lr=2e-3)], "momentum"),
    ("rmsprop-momentum", torch.optim.RMSprop, dict(lr=1e-3, momentum=0.9), [{}, {}], None),
]


def momentum_at(t):
    # A triangular cycle between 0.8 and 0.95, like OneCycleLR's momentum cycling.
    phase = (t % 100) / 100
    return 0.95 - 0.15 * (1 - abs(2 * phase - 1))


def run(name, cls, defaults, overrides, cycled, dtype=torch.float64):
    x, y = X.to(dtype), Y.to(dtype)
    w = W0.to(dtype).clone().requires_grad_(True)
    b = B0.to(dtype).clone().requires_grad_(True)
    groups = [dict(params=[w], **overrides[0]), dict(params=[b], **overrides[1])]
    opt = cls(groups, **defaults)
    initial = [g["lr"] for g in opt.param_groups]
    lrs, momenta, snapshots = [], [], {}
    for t in range(STEPS):
        # A per-step exponential decay with a wiggle: hyperparameters really change every step.
        step_lrs = [lr0 * (0.995 ** t) * (1 + 0.2 * math.sin(t / 7)) for lr0 in initial]
        for g, lr in zip(opt.param_groups, step_lrs):
            g["lr"] = lr
            if cycled == "momentum":
                g["momentum"] = momentum_at(t)
            elif cycled == "betas":
                g["betas"] = (momentum_at(t), g["betas"][1])
        lrs.append(step_lrs)
        momenta.append([momentum_at(t)] * 2 if cycled else None)
        opt.zero_grad()
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        opt.step()
        if t + 1 in CHECKPOINTS:
            snapshots[str(t + 1)] = {"W": w.detach().flatten().tolist(), "b": b.detach().tolist()}
    if dtype != torch.float64:
        return snapshots
    float32 = run(name, cls, defaults, overrides, cycled, torch.float32)
    return {
        "name": name,
        "optimizer": cls.__name__,
        "defaults": {k: list(v) if isinstance(v, tuple) else v for k, v in defaults.items()},
        "groups": [{k: v for k, v in o.items()} for o in overrides],
        "lrs": lrs,
        "momenta": momenta if cycled else None,
        "cycled": cycled,
        "checkpoints": snapshots,
        # What PyTorch itself reaches in float32 (max over checkpoints of the norm-relative error
        # against its float64 run): the accuracy floor for any float32 implementation.
        "float32Error": max(norm_relative(float32[k], snapshots[k]) for k in snapshots),
    }


def norm_relative(ours, ref):
    a = ours["W"] + ours["b"]
    r = ref["W"] + ref["b"]
    return math.sqrt(sum((p - q) ** 2 for p, q in zip(a, r)) / sum(q * q for q in r))


fixture = {
    "generator": "tools/make-optimizer-fixtures.py",
    "torch": torch.__version__,
    "steps": STEPS,
    "X": {"shape": [32, 4], "values": X.flatten().tolist()},
    "Y": {"shape": [32, 3], "values": Y.flatten().tolist()},
    "W0": {"shape": [4, 3], "values": W0.flatten().tolist()},
    "b0": {"shape": [3], "values": B0.tolist()},
    "cases": [run(*case) for case in CASES],
}
with open("fixtures/optimizers.json", "w") as f:
    json.dump(fixture, f)
    f.write("\n")
print(f"wrote {len(fixture['cases'])} cases")
