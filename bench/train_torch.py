#!/usr/bin/env python3
"""The PyTorch peer of `make bench-train` (bench/train.sh).

Trains fmnist-small exactly as `qforge train bench/fmnist-small.qf` does:
the same net (conv3x3 1->16, 16->32, 32->64 without bias, each + BN + ReLU,
max pools after the first two, global average pool, fc 64->10), the same
.gz files read from disk, pixels / 255, batch 64 with the last short batch
kept, SGD with Nesterov momentum 0.9 and weight decay 5e-4 on conv and fc
weights only (qforge does not decay biases and BN parameters), OneCycleLR
to 0.1 with PyTorch's defaults except that momentum stays at 0.9
(cycle_momentum=False, as in qforge), He-normal initial weights, and
torch.set_num_threads(THREADS). Batches are cut from one shuffled tensor
rather than through a DataLoader, which is the fastest way to feed PyTorch
data already in memory.

Prints one JSON object: images/s and images per CPU-second (process time,
all threads) over the training steps only (evaluation excluded, as qforge
reports them) and test accuracy after each epoch.
"""
import argparse
import gzip
import json
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, rank = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 8:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * rank, data[4 : 4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


class FmnistSmall(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.b1 = nn.BatchNorm2d(16)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1, bias=False)
        self.b2 = nn.BatchNorm2d(32)
        self.c3 = nn.Conv2d(32, 64, 3, padding=1, bias=False)
        self.b3 = nn.BatchNorm2d(64)
        self.fc = nn.Linear(64, 10)
        for m in (self.c1, self.c2, self.c3, self.fc):
            nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
        nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.b1(self.c1(x))), 2)
        x = F.max_pool2d(F.relu(self.b2(self.c2(x))), 2)
        x = F.relu(self.b3(self.c3(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def evaluate(model, x, y, batch=1000):
    model.eval()
    hits = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            hits += (model(x[i : i + batch]).argmax(1) == y[i : i + batch]).sum().item()
    model.train()
    return 100.0 * hits / len(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lr", type=float, default=0.1)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    def load(split):
        x = read_idx(f"{a.data}/{split}-images-idx3-ubyte.gz")
        y = read_idx(f"{a.data}/{split}-labels-idx1-ubyte.gz")
        x = torch.from_numpy(x.copy()).float().div(255).unsqueeze(1)
        return x, torch.from_numpy(y.astype(np.int64))

    xtr, ytr = load("train")
    xte, yte = load("t10k")

    model = FmnistSmall()
    decay = [m.weight for m in (model.c1, model.c2, model.c3, model.fc)]
    ids = {id(p) for p in decay}
    rest = [p for p in model.parameters() if id(p) not in ids]
    opt = torch.optim.SGD(
        [{"params": decay, "weight_decay": 5e-4}, {"params": rest, "weight_decay": 0.0}],
        lr=a.lr,
        momentum=0.9,
        nesterov=True,
    )
    steps = (len(xtr) + a.batch - 1) // a.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=a.lr, total_steps=a.epochs * steps, cycle_momentum=False
    )

    epochs = []
    train_s = 0.0
    cpu_s = 0.0
    for e in range(a.epochs):
        perm = torch.randperm(len(xtr))
        t0 = time.perf_counter()
        c0 = time.process_time()
        loss_sum = 0.0
        for i in range(0, len(xtr), a.batch):
            idx = perm[i : i + a.batch]
            out = model(xtr[idx])
            loss = F.cross_entropy(out, ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(idx)
        dt = time.perf_counter() - t0
        train_s += dt
        cpu_s += time.process_time() - c0
        acc = evaluate(model, xte, yte)
        epochs.append(
            {"epoch": e + 1, "loss": loss_sum / len(xtr), "test_accuracy": acc, "images_per_s": len(xtr) / dt}
        )
        print(f"torch epoch {e + 1}/{a.epochs}: loss {loss_sum / len(xtr):.4f}, test {acc:.2f}% "
              f"({len(xtr) / dt:.0f} img/s)", file=sys.stderr, flush=True)

    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "epochs": epochs,
        "accuracy": epochs[-1]["test_accuracy"],
        "images_per_s": a.epochs * len(xtr) / train_s,
        "images_per_cpu_s": a.epochs * len(xtr) / cpu_s,
    }))


if __name__ == "__main__":
    main()
