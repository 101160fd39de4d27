"""What the PyTorch peers (bench/train_torch.py, bench/qat_torch.py) share:
the Fashion-MNIST files, the command line, the optimiser and schedule of
qforge's benchmark, and the timed training loop. Kept in one place so the
float and the QAT peer cannot drift apart in what they measure.
"""
import argparse
import gzip
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, rank = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 8:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * rank, data[4 : 4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load(data, split):
    """Images as floats / 255 in N x 1 x 28 x 28, labels as int64."""
    x = read_idx(f"{data}/{split}-images-idx3-ubyte.gz")
    y = read_idx(f"{data}/{split}-labels-idx1-ubyte.gz")
    x = torch.from_numpy(x.copy()).float().div(255).unsqueeze(1)
    return x, torch.from_numpy(y.astype(np.int64))


def arguments(doc, extra=None):
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lr", type=float, default=0.1)
    if extra:
        extra(ap)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    return a


def evaluate(model, x, y, batch=1000):
    was = model.training
    model.eval()
    hits = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            hits += (model(x[i : i + batch]).argmax(1) == y[i : i + batch]).sum().item()
    model.train(was)
    return 100.0 * hits / len(x)


def train(model, decay, a, xtr, ytr, xte, yte, label):
    """qforge's benchmark settings: SGD with Nesterov momentum 0.9, weight
    decay 5e-4 on `decay` only (qforge does not decay biases and BN
    parameters), OneCycleLR to a.lr over the whole run with momentum not
    cycled. Returns the per-epoch records and the totals over the
    training steps only (evaluation excluded, as qforge reports them)."""
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
        print(f"torch {label}epoch {e + 1}/{a.epochs}: loss {loss_sum / len(xtr):.4f}, test {acc:.2f}% "
              f"({len(xtr) / dt:.0f} img/s)", file=sys.stderr, flush=True)
    totals = {
        "images_per_s": a.epochs * len(xtr) / train_s,
        "images_per_cpu_s": a.epochs * len(xtr) / cpu_s,
    }
    return epochs, totals
