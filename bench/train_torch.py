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
import json

import torch
import torch.nn as nn
import torch.nn.functional as F

import torch_common as tc


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


def main():
    a = tc.arguments(__doc__)
    xtr, ytr = tc.load(a.data, "train")
    xte, yte = tc.load(a.data, "t10k")
    model = FmnistSmall()
    decay = [m.weight for m in (model.c1, model.c2, model.c3, model.fc)]
    epochs, totals = tc.train(model, decay, a, xtr, ytr, xte, yte, "")
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "epochs": epochs,
        "accuracy": epochs[-1]["test_accuracy"],
        **totals,
    }))


if __name__ == "__main__":
    main()
