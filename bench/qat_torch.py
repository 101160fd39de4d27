#!/usr/bin/env python3
"""The PyTorch peer of `make bench-qat` (bench/qat.sh).

Quantization-aware training of fmnist-small from scratch, as PyTorch does
it by default: the net of bench/train_torch.py (conv3x3 1->16, 16->32,
32->64 without bias, each + BN + ReLU, max pools after the first two,
global average pool, fc 64->10) with conv+BN+ReLU fused for QAT
(fuse_modules_qat), the default fbgemm QAT qconfig (per-channel symmetric
int8 weights, per-tensor affine uint8 activations, moving-average min/max
observers), prepare_qat, then training with the settings of qforge's
benchmark: all 60,000 images, pixels / 255, batch 64, SGD with Nesterov
momentum 0.9, weight decay 5e-4 on conv and fc weights, OneCycleLR to 0.1
(momentum not cycled), torch.set_num_threads(THREADS). After the last
epoch the model is converted to int8 (convert) and evaluated on the 10,000
test images (with the fbgemm engine when the PyTorch build has it, else
onednn, else qnnpack: Debian's build has no FBGEMM).

Prints one JSON object: images/s over the training steps only (evaluation
excluded), the same per CPU-second of the process (all its threads: the
figure a loaded machine disturbs least), fake-quantized test accuracy
after each epoch, and the int8 model's test accuracy.
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
from torch.ao import quantization as tq


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
        self.quant = tq.QuantStub()
        self.c1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.b1 = nn.BatchNorm2d(16)
        self.r1 = nn.ReLU()
        self.p1 = nn.MaxPool2d(2)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1, bias=False)
        self.b2 = nn.BatchNorm2d(32)
        self.r2 = nn.ReLU()
        self.p2 = nn.MaxPool2d(2)
        self.c3 = nn.Conv2d(32, 64, 3, padding=1, bias=False)
        self.b3 = nn.BatchNorm2d(64)
        self.r3 = nn.ReLU()
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)
        self.dequant = tq.DeQuantStub()
        for m in (self.c1, self.c2, self.c3, self.fc):
            nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
        nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        x = self.quant(x)
        x = self.p1(self.r1(self.b1(self.c1(x))))
        x = self.p2(self.r2(self.b2(self.c2(x))))
        x = self.r3(self.b3(self.c3(x)))
        x = self.fc(torch.flatten(self.gap(x), 1))
        return self.dequant(x)


def evaluate(model, x, y, batch=1000):
    was = model.training
    model.eval()
    hits = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            hits += (model(x[i : i + batch]).argmax(1) == y[i : i + batch]).sum().item()
    model.train(was)
    return 100.0 * hits / len(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--max-train", type=int, default=0,
                    help="train on the first N images only (a speed measurement on a loaded machine)")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    # Debian's PyTorch is built without FBGEMM; the qconfig stays fbgemm's
    # (what PyTorch's QAT tutorial uses on x86) and the converted model runs
    # on the first int8 engine this build has.
    engines = torch.backends.quantized.supported_engines
    engine = next(e for e in ("fbgemm", "onednn", "x86", "qnnpack") if e in engines)
    torch.backends.quantized.engine = engine

    def load(split):
        x = read_idx(f"{a.data}/{split}-images-idx3-ubyte.gz")
        y = read_idx(f"{a.data}/{split}-labels-idx1-ubyte.gz")
        x = torch.from_numpy(x.copy()).float().div(255).unsqueeze(1)
        return x, torch.from_numpy(y.astype(np.int64))

    xtr, ytr = load("train")
    if a.max_train > 0:
        xtr, ytr = xtr[: a.max_train], ytr[: a.max_train]
    xte, yte = load("t10k")

    model = FmnistSmall()
    model.train()
    model.qconfig = tq.get_default_qat_qconfig("fbgemm")
    tq.fuse_modules_qat(model, [["c1", "b1", "r1"], ["c2", "b2", "r2"], ["c3", "b3", "r3"]], inplace=True)
    tq.prepare_qat(model, inplace=True)

    decay_ids = {id(model.c1.weight), id(model.c2.weight), id(model.c3.weight), id(model.fc.weight)}
    decay = [p for p in model.parameters() if id(p) in decay_ids]
    rest = [p for p in model.parameters() if id(p) not in decay_ids]
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
        print(f"torch qat epoch {e + 1}/{a.epochs}: loss {loss_sum / len(xtr):.4f}, fake-quant test {acc:.2f}% "
              f"({len(xtr) / dt:.0f} img/s)", file=sys.stderr, flush=True)

    model.eval()
    qmodel = tq.convert(model, inplace=False)
    int8 = evaluate(qmodel, xte, yte)
    print(f"torch int8 model: test {int8:.2f}%", file=sys.stderr, flush=True)
    print(json.dumps({
        "torch": torch.__version__,
        "int8_engine": engine,
        "threads": torch.get_num_threads(),
        "epochs": epochs,
        "fake_quant_accuracy": epochs[-1]["test_accuracy"],
        "int8_accuracy": int8,
        "images_per_s": a.epochs * len(xtr) / train_s,
        "images_per_cpu_s": a.epochs * len(xtr) / cpu_s,
    }))


if __name__ == "__main__":
    main()
