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
import json
import sys

import torch
import torch.nn as nn
from torch.ao import quantization as tq

import torch_common as tc


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


def main():
    def extra(ap):
        ap.add_argument("--max-train", type=int, default=0,
                        help="train on the first N images only (a speed measurement on a loaded machine)")
    a = tc.arguments(__doc__, extra)
    # Debian's PyTorch is built without FBGEMM; the qconfig stays fbgemm's
    # (what PyTorch's QAT tutorial uses on x86) and the converted model runs
    # on the first int8 engine this build has.
    engines = torch.backends.quantized.supported_engines
    engine = next(e for e in ("fbgemm", "onednn", "x86", "qnnpack") if e in engines)
    torch.backends.quantized.engine = engine

    xtr, ytr = tc.load(a.data, "train")
    if a.max_train > 0:
        xtr, ytr = xtr[: a.max_train], ytr[: a.max_train]
    xte, yte = tc.load(a.data, "t10k")

    model = FmnistSmall()
    model.train()
    model.qconfig = tq.get_default_qat_qconfig("fbgemm")
    tq.fuse_modules_qat(model, [["c1", "b1", "r1"], ["c2", "b2", "r2"], ["c3", "b3", "r3"]], inplace=True)
    tq.prepare_qat(model, inplace=True)
    # after fusion c1..c3 are the ConvBnReLU2d modules, whose weight is the conv's
    decay = [model.c1.weight, model.c2.weight, model.c3.weight, model.fc.weight]
    epochs, totals = tc.train(model, decay, a, xtr, ytr, xte, yte, "qat ")

    model.eval()
    qmodel = tq.convert(model, inplace=False)
    int8 = tc.evaluate(qmodel, xte, yte)
    print(f"torch int8 model: test {int8:.2f}%", file=sys.stderr, flush=True)
    print(json.dumps({
        "torch": torch.__version__,
        "int8_engine": engine,
        "threads": torch.get_num_threads(),
        "epochs": epochs,
        "fake_quant_accuracy": epochs[-1]["test_accuracy"],
        "int8_accuracy": int8,
        **totals,
    }))


if __name__ == "__main__":
    main()
