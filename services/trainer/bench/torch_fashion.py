#!/usr/bin/env python3
"""PyTorch side of `npm run bench:fashion`: the reference CNN on fashion-mnist with the same data
(raw files the Node benchmark writes from libs/datasets), batch, optimizer and schedule.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 torch_fashion.py DATA_DIR --epochs 3

DATA_DIR holds x_train.u8, y_train.u8, x_val.u8, y_val.u8 (28x28 images as bytes, labels as bytes).
Prints one JSON line: {"framework": "pytorch", "epochs": [...], "val_top1": ..., "seconds": ...}.
"""
import argparse, json, os, time
import numpy as np
import torch
import torch.nn as nn


def load(data_dir, name):
    x = np.fromfile(os.path.join(data_dir, f"x_{name}.u8"), dtype=np.uint8).reshape(-1, 1, 28, 28)
    y = np.fromfile(os.path.join(data_dir, f"y_{name}.u8"), dtype=np.uint8).astype(np.int64)
    return torch.from_numpy(x.astype(np.float32) / 255.0), torch.from_numpy(y)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data_dir")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--max-lr", type=float, default=0.05)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    xt, yt = load(a.data_dir, "train")
    xv, yv = load(a.data_dir, "val")
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 10))
    opt = torch.optim.SGD(model.parameters(), lr=a.max_lr, momentum=0.9)
    steps_per_epoch = (len(yt) + a.batch - 1) // a.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.max_lr, total_steps=a.epochs * steps_per_epoch)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(0)
    epochs = []
    start = time.perf_counter()
    for epoch in range(a.epochs):
        model.train()
        t0 = time.perf_counter()
        order = torch.randperm(len(yt), generator=gen)
        total = 0.0
        for i in range(steps_per_epoch):
            idx = order[i * a.batch:(i + 1) * a.batch]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        train_seconds = time.perf_counter() - t0
        model.eval()
        with torch.no_grad():
            correct = 0
            for i in range(0, len(yv), 1000):
                correct += (model(xv[i:i + 1000]).argmax(1) == yv[i:i + 1000]).sum().item()
        epochs.append({"epoch": epoch, "train_loss": total / len(yt), "val_top1": correct / len(yv),
                       "samples_per_second": len(yt) / train_seconds})
        print(json.dumps({"progress": epochs[-1]}), flush=True)
    seconds = time.perf_counter() - start
    print(json.dumps({"framework": "pytorch", "epochs": epochs, "val_top1": epochs[-1]["val_top1"], "seconds": seconds}))


if __name__ == "__main__":
    main()
