#!/bin/sh
# `make demo`: the whole flow on Fashion-MNIST, end to end, in a few minutes
# on two cores:
#   1. train fmnist-small (bench/fmnist-small-int8.qf: the reference net with
#      an int8 policy) for EPOCHS epochs with qforge train; where train runs
#      QAT for a quant policy the model comes out with its quant params,
#      otherwise (float training) they come from qforge calibrate on 1,000
#      training images
#   2. lower it to the integer-only Int Graph and emit C for a Cortex-M4
#   3. cross-compile it with the firmware harness and run it under QEMU
#      (mps2-an386, -icount shift=0) on 1,000 test images: the accuracy is
#      computed on the emulated MCU and every logit is checked against the
#      integer reference; flash, RAM and instructions per inference
# Everything goes to BUILD/demo. EPOCHS (default 5), IMAGES (default 1000).
#   sh scripts/demo.sh BUILD
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
q=$build/qforge
epochs=${EPOCHS:-5}
images=${IMAGES:-1000}
out=$build/demo
[ -x "$q" ] || { echo "demo: no $q; run make first" >&2; exit 1; }
for tool in arm-none-eabi-gcc qemu-system-arm make; do
	command -v $tool >/dev/null || { echo "demo: $tool is not installed (make deps installs it)" >&2; exit 1; }
done
rm -rf "$out"
mkdir -p "$out"

step() { printf '\n== %s\n' "$*"; }

step "1. train fmnist-small, $epochs epochs (bench/fmnist-small-int8.qf)"
"$q" train bench/fmnist-small-int8.qf --epochs "$epochs" -o "$out/trained.qfm"

model=$out/trained.qfm
if "$q" lower "$model" >/dev/null 2>"$out/lower.err"; then
	echo "the trained model carries its quant params (QAT)"
else
	sed 's/^/   /' "$out/lower.err"
	step "1b. no quant params yet (float training): calibrate on 1,000 training images"
	"$q" calibrate "$model" --images 1000 -o "$out/calibrated.qfm"
	model=$out/calibrated.qfm
fi

step "2. lower to the Int Graph and emit C for a Cortex-M4 ($out/model)"
"$q" lower "$model" >"$out/intgraph.txt"
head -n 2 "$out/intgraph.txt"
"$q" emit "$model" --target cortex-m4 -o "$out/model"

# A QAT model's float weights were trained through its activation
# quantizers' clamps and are no float model to compare with (5 epochs of
# QAT: 10% in float, 90.5% as integers), so the comparison is the integer
# model over the whole test set, as the reference executor runs it.
step "3. for comparison: the integer model over all 10,000 test images (qforge eval --int)"
"$q" eval "$model" --int | head -n 1

step "4. cross-compile, run under QEMU Cortex-M4 on $images test images"
"$q" bench "$model" --target cortex-m4 --images "$images" --keep "$out/fw" | tee "$out/bench.txt"
echo
echo "demo: everything is in $out (trained model, Int Graph, emitted C, firmware build)"
