#!/usr/bin/python3
"""Writes fixtures/schedulers.json: the LR (and momentum) PyTorch itself gives for each case.

Each case is a SchedulerSpec in DESIGN.md's JSON form; this script translates it into the
torch.optim.lr_scheduler classes on a real torch.optim.SGD (one parameter group per base LR) and
records the LR in force at each optimizer step, the scheduler stepped after each step (PyTorch's
order). Missing JSON fields are left out of the Python call, so PyTorch's own defaults apply.

Run with Debian's python3-torch (1.13):
    /usr/bin/python3 libs/training-core/tools/make-scheduler-fixtures.py
then `npx prettier --write libs/training-core/fixtures/schedulers.json` and commit both.
The tests read the committed JSON; they never need Python.
"""
import json
import math
import os
import warnings

import torch
from torch.optim import lr_scheduler as S

warnings.filterwarnings("ignore")  # step(epoch) is deprecated in PyTorch; we test it on purpose.

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "schedulers.json")

# The expression language's names, bound to the Python callables the TypeScript evaluator mirrors.
EXPRESSION_NAMES = {
    "__builtins__": {},
    "min": min,
    "max": max,
    "exp": math.exp,
    "log": math.log,
    "cos": math.cos,
    "sin": math.sin,
    "sqrt": math.sqrt,
    "floor": math.floor,
    "ceil": math.ceil,
    "abs": abs,
    "pi": math.pi,
    "e": math.e,
}

# JSON field -> PyTorch keyword, per kind.
KEYWORDS = {
    "step": {"stepSize": "step_size", "gamma": "gamma"},
    "multiStep": {"milestones": "milestones", "gamma": "gamma"},
    "exponential": {"gamma": "gamma"},
    "cosineAnnealing": {"tMax": "T_max", "etaMin": "eta_min"},
    "cosineAnnealingWarmRestarts": {"t0": "T_0", "tMult": "T_mult", "etaMin": "eta_min"},
    "reduceOnPlateau": {
        "mode": "mode", "factor": "factor", "patience": "patience", "threshold": "threshold",
        "thresholdMode": "threshold_mode", "cooldown": "cooldown", "minLr": "min_lr", "eps": "eps",
    },
    "linear": {"startFactor": "start_factor", "endFactor": "end_factor", "totalIters": "total_iters"},
    "constant": {"factor": "factor", "totalIters": "total_iters"},
    "polynomial": {"totalIters": "total_iters", "power": "power"},
    "oneCycle": {
        "maxLr": "max_lr", "totalSteps": "total_steps", "epochs": "epochs", "stepsPerEpoch": "steps_per_epoch",
        "pctStart": "pct_start", "annealStrategy": "anneal_strategy", "cycleMomentum": "cycle_momentum",
        "baseMomentum": "base_momentum", "maxMomentum": "max_momentum", "divFactor": "div_factor",
        "finalDivFactor": "final_div_factor", "threePhase": "three_phase",
    },
}

CLASSES = {
    "step": S.StepLR,
    "multiStep": S.MultiStepLR,
    "exponential": S.ExponentialLR,
    "cosineAnnealing": S.CosineAnnealingLR,
    "cosineAnnealingWarmRestarts": S.CosineAnnealingWarmRestarts,
    "reduceOnPlateau": S.ReduceLROnPlateau,
    "linear": S.LinearLR,
    "constant": S.ConstantLR,
    "polynomial": S.PolynomialLR,
    "oneCycle": S.OneCycleLR,
}


def build(spec, optimizer):
    (kind, body), = spec.items()
    if kind == "lambda":
        fn = eval("lambda epoch: " + body["expression"], EXPRESSION_NAMES)  # trusted test input, dev tool only
        return S.LambdaLR(optimizer, fn)
    if kind == "sequential":
        children = [build(child, optimizer) for child in body["schedulers"]]
        return S.SequentialLR(optimizer, children, body["milestones"])
    if kind == "chained":
        return S.ChainedScheduler([build(child, optimizer) for child in body["schedulers"]])
    kwargs = {KEYWORDS[kind][key]: value for key, value in body.items()}
    if kind == "oneCycle" and "pct_start" in kwargs:
        kwargs["pct_start"] = float(kwargs["pct_start"])  # PyTorch insists on a float
    return CLASSES[kind](optimizer, **kwargs)


def drives_momentum(spec):
    (kind, body), = spec.items()
    if kind == "oneCycle":
        return body.get("cycleMomentum", True)
    return any(drives_momentum(child) for child in body.get("schedulers", []))


def run(case):
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in case["baseLrs"]]
    optimizer = torch.optim.SGD(
        [{"params": [p], "lr": lr} for p, lr in zip(params, case["baseLrs"])], lr=case["baseLrs"][0], momentum=0.9
    )
    scheduler = build(case["spec"], optimizer)
    record_momentum = drives_momentum(case["spec"])
    out = dict(case)
    out["lrs"] = []
    if record_momentum:
        out["momentums"] = []
    metrics = case.get("metrics")
    epochs = case.get("epochs")
    for i in range(case["steps"]):
        out["lrs"].append([g["lr"] for g in optimizer.param_groups])
        if record_momentum:
            out["momentums"].append([g["momentum"] for g in optimizer.param_groups])
        optimizer.step()
        try:
            if metrics is not None:
                if i < len(metrics):
                    scheduler.step(metrics[i])
            elif epochs is not None and epochs[i] is not None:
                scheduler.step(epochs[i])
            else:
                scheduler.step()
        except Exception as error:  # PyTorch refuses this step: the TypeScript side must refuse it too
            out["error"] = {"atStep": i, "message": str(error)}
            break
    return out


def case(name, spec, base_lrs, steps, **extra):
    return dict(name=name, spec=spec, baseLrs=base_lrs, steps=steps, **extra)


CASES = [
    case("step default gamma", {"step": {"stepSize": 3}}, [0.1], 12),
    case("step two groups", {"step": {"stepSize": 4, "gamma": 0.5}}, [0.1, 0.01], 14),
    case("step jumps via step(epoch) use the closed form", {"step": {"stepSize": 3, "gamma": 0.5}}, [0.1], 10,
         epochs=[None, 5, 6, None, 2, None, 9, 10, None, None]),
    case("multiStep repeated milestones multiply", {"multiStep": {"milestones": [2, 5, 5, 9], "gamma": 0.5}}, [0.1, 0.03], 14),
    case("multiStep unsorted milestones, default gamma", {"multiStep": {"milestones": [8, 3]}}, [0.2], 12),
    case("multiStep step(epoch) closed form", {"multiStep": {"milestones": [2, 4, 4], "gamma": 0.5}}, [0.1], 8,
         epochs=[None, 3, None, 4, None, 1, 7, None]),
    case("exponential two groups", {"exponential": {"gamma": 0.9}}, [0.1, 0.05], 20),
    case("exponential step(epoch)", {"exponential": {"gamma": 0.8}}, [0.1], 6, epochs=[3, None, 0, None, 10, None]),
    case("cosineAnnealing to tMax", {"cosineAnnealing": {"tMax": 10}}, [0.1], 11),
    case("cosineAnnealing past tMax with etaMin", {"cosineAnnealing": {"tMax": 5, "etaMin": 0.001}}, [0.1, 0.2], 30),
    case("cosineAnnealing past tMax to zero", {"cosineAnnealing": {"tMax": 4}}, [0.5], 20),
    case("cosineAnnealing step(epoch)", {"cosineAnnealing": {"tMax": 6, "etaMin": 0.01}}, [0.1], 8,
         epochs=[None, 4, None, 9, None, 2, None, None]),
    case("warm restarts tMult 1", {"cosineAnnealingWarmRestarts": {"t0": 5}}, [0.1], 20),
    case("warm restarts tMult 2 two groups", {"cosineAnnealingWarmRestarts": {"t0": 3, "tMult": 2, "etaMin": 1e-4}}, [0.1, 0.05], 30),
    case("warm restarts fractional epochs tMult 2", {"cosineAnnealingWarmRestarts": {"t0": 2, "tMult": 2}}, [0.1], 64,
         epochs=[(i + 1) / 4 for i in range(64)]),
    case("warm restarts fractional epochs tMult 1 interleaved", {"cosineAnnealingWarmRestarts": {"t0": 3, "etaMin": 0.001}}, [0.1, 0.02], 16,
         epochs=[0.5, 1.0, None, None, 4.2, None, 7.75, 8.0, None, 2.5, None, 12.0, 15.3, None, None, 30.01]),
    case("warm restarts fractional epochs tMult 3", {"cosineAnnealingWarmRestarts": {"t0": 1, "tMult": 3}}, [0.1], 40,
         epochs=[i * 0.37 for i in range(40)]),
    case("plateau min rel", {"reduceOnPlateau": {"patience": 2}}, [0.1, 0.01], 16,
         metrics=[1.0, 0.9, 0.8, 0.8, 0.79995, 0.8, 0.81, 0.7, 0.7, 0.7, 0.7, 0.69, 0.7, 0.7, 0.7, 0.7]),
    case("plateau max abs cooldown per-group minLr",
         {"reduceOnPlateau": {"mode": "max", "thresholdMode": "abs", "threshold": 0.01, "patience": 1, "cooldown": 2,
                              "factor": 0.5, "minLr": [0.01, 0.001]}},
         [0.1, 0.01], 20,
         metrics=[0.5, 0.6, 0.605, 0.6, 0.59, 0.6, 0.6, 0.7, 0.7, 0.705, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.8, 0.7, 0.7, 0.7]),
    case("plateau eps stops tiny reductions", {"reduceOnPlateau": {"factor": 0.5, "patience": 0, "eps": 1e-3}}, [0.01], 10,
         metrics=[1.0] * 10),
    case("plateau min abs patience 0 cooldown 1",
         {"reduceOnPlateau": {"thresholdMode": "abs", "threshold": 0.1, "patience": 0, "cooldown": 1, "factor": 0.3}},
         [1.0], 14, metrics=[5.0, 4.95, 4.8, 4.75, 4.5, 4.45, 4.44, 4.0, 3.95, 3.9, 3.85, 3.8, 3.0, 3.0]),
    case("plateau max rel defaults", {"reduceOnPlateau": {"mode": "max"}}, [0.1], 30,
         metrics=[0.1 * i if i < 8 else 0.7 for i in range(30)]),
    case("lambda power", {"lambda": {"expression": "0.95 ** epoch"}}, [0.1, 0.2], 20),
    case("lambda warm-up then step decay",
         {"lambda": {"expression": "min(1.0, (epoch + 1) / 5) * 0.5 ** floor(epoch / 10)"}}, [0.1], 25),
    case("lambda inverse sqrt", {"lambda": {"expression": "1 / (1 + epoch) ** 0.5"}}, [0.3], 12),
    case("lambda trig and python modulo",
         {"lambda": {"expression": "max(0.1, cos(pi * epoch / 20)) + sin(epoch) ** 2 / 10 - -epoch % 3 / 10"}}, [0.1], 24),
    case("lambda exp log sqrt floor-division",
         {"lambda": {"expression": "exp(-0.1 * epoch) + log(epoch + 1) / 10 + sqrt(epoch) / 100 + epoch // 4 % 3 * e ** 0 / 7"}},
         [0.1, 0.01], 16),
    case("lambda precedence", {"lambda": {"expression": "-2 ** 2 + 5 + 2 ** -1 + 2 ** 3 ** 0.5 / 100 - epoch * 0.01"}}, [0.1], 6),
    case("linear defaults", {"linear": {}}, [0.1], 10),
    case("linear decay two groups", {"linear": {"startFactor": 1.0, "endFactor": 0.1, "totalIters": 8}}, [0.1, 0.3], 12),
    case("constant defaults", {"constant": {}}, [0.1], 8),
    case("constant factor", {"constant": {"factor": 0.5, "totalIters": 3}}, [0.1, 0.2], 8),
    case("polynomial defaults", {"polynomial": {}}, [0.1], 8),
    case("polynomial power 2", {"polynomial": {"totalIters": 10, "power": 2.0}}, [0.1, 0.05], 14),
    case("oneCycle cos defaults with momentum", {"oneCycle": {"maxLr": 0.1, "totalSteps": 20}}, [0.01], 20),
    case("oneCycle linear three-phase two groups",
         {"oneCycle": {"maxLr": [0.1, 0.05], "totalSteps": 30, "annealStrategy": "linear", "threePhase": True, "pctStart": 0.25}},
         [0.01, 0.01], 31),
    case("oneCycle cos three-phase custom factors",
         {"oneCycle": {"maxLr": 1.0, "totalSteps": 25, "threePhase": True, "divFactor": 10, "finalDivFactor": 100,
                       "baseMomentum": 0.8, "maxMomentum": 0.9}},
         [0.01], 25),
    case("oneCycle epochs x stepsPerEpoch without momentum",
         {"oneCycle": {"maxLr": 0.2, "epochs": 4, "stepsPerEpoch": 5, "cycleMomentum": False, "pctStart": 0.4}}, [0.01], 20),
    case("oneCycle stepped past totalSteps fails", {"oneCycle": {"maxLr": 0.1, "totalSteps": 10}}, [0.01], 12),
    case("sequential linear warm-up then cosine",
         {"sequential": {"schedulers": [{"linear": {"startFactor": 0.1, "totalIters": 5}}, {"cosineAnnealing": {"tMax": 15}}],
                         "milestones": [5]}},
         [0.1, 0.05], 25),
    case("sequential constant, exponential, step",
         {"sequential": {"schedulers": [{"constant": {"factor": 0.5, "totalIters": 3}}, {"exponential": {"gamma": 0.9}},
                                        {"step": {"stepSize": 2, "gamma": 0.5}}],
                         "milestones": [3, 8]}},
         [0.1], 16),
    case("sequential linear then warm restarts",
         {"sequential": {"schedulers": [{"linear": {}}, {"cosineAnnealingWarmRestarts": {"t0": 4, "tMult": 2}}], "milestones": [3]}},
         [0.1], 20),
    case("sequential lambda then multiStep",
         {"sequential": {"schedulers": [{"lambda": {"expression": "(epoch + 1) / 4"}}, {"multiStep": {"milestones": [2, 4]}}],
                         "milestones": [4]}},
         [0.1], 10),
    case("sequential cosine first, restarted at the milestone",
         {"sequential": {"schedulers": [{"cosineAnnealing": {"tMax": 3}}, {"polynomial": {"totalIters": 4}}], "milestones": [6]}},
         [0.1], 14),
    case("sequential linear then oneCycle",
         {"sequential": {"schedulers": [{"linear": {"startFactor": 0.5, "totalIters": 3}}, {"oneCycle": {"maxLr": 0.2, "totalSteps": 10}}],
                         "milestones": [3]}},
         [0.05], 14),
    case("chained constant and exponential",
         {"chained": {"schedulers": [{"constant": {"factor": 0.1, "totalIters": 4}}, {"exponential": {"gamma": 0.9}}]}},
         [0.1, 0.5], 12),
    case("chained cosine and multiStep (recursive cosine)",
         {"chained": {"schedulers": [{"cosineAnnealing": {"tMax": 6}}, {"multiStep": {"milestones": [3, 9], "gamma": 0.5}}]}},
         [0.1], 20),
    case("chained sequential and exponential",
         {"chained": {"schedulers": [
             {"sequential": {"schedulers": [{"linear": {"startFactor": 0.25, "totalIters": 4}}, {"cosineAnnealing": {"tMax": 8}}],
                             "milestones": [4]}},
             {"exponential": {"gamma": 0.95}}]}},
         [0.1], 15),
]


def main():
    cases = [run(c) for c in CASES]
    document = {
        "generator": "libs/training-core/tools/make-scheduler-fixtures.py",
        "torch": torch.__version__,
        "order": "lrs[i] is the LR in force at optimizer step i; the scheduler is stepped after each step",
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(document, f, indent=2)
        f.write("\n")
    print("wrote %d cases to %s" % (len(cases), os.path.normpath(OUT)))


if __name__ == "__main__":
    main()
