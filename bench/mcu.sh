#!/bin/sh
# `make bench-mcu`: fmnist-small on emulated Cortex-M cores (issue 6).
#   1. train fmnist-small (bench/fmnist-small.qf) EPOCHS epochs in float,
#      or take MODEL (a trained .qfm); calibrate it on 1,000 training images:
#      int8 everywhere, and the peer's 4-bit configuration (conv2 and conv3
#      at 4-bit weights, conv1 and fc at 8); bench/lib/mcu_models.sh
#   2. qforge bench under QEMU (-icount shift=0, SysTick): instructions per
#      inference and per layer, flash as linked, RAM (arena + measured
#      stack), on Cortex-M4 (mps2-an386, DSP path) and Cortex-M3
#      (mps2-an385, portable C), with the runtime kernels and with the plain
#      reference kernels of runtime/ref
# Instructions, not cycles. The peer figures (docs/bench.md, MEASURING.md)
# were measured on the same emulator with the same counting.
# Output in BUILD/bench-mcu: one .txt (table) and one .json per run.
# EPOCHS (default 5), IMAGES (default 100; the reference kernels run 20).
#   sh bench/mcu.sh BUILD
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
q=$build/qforge
epochs=${EPOCHS:-5}
images=${IMAGES:-100}
out=$build/bench-mcu
[ -x "$q" ] || { echo "bench-mcu: no $q; run make first" >&2; exit 1; }
mkdir -p "$out"

. "$top/bench/lib/mcu_models.sh"

run() {
	name=$1 model=$2 n=$3
	shift 3
	echo "== $name"
	"$q" bench "$out/$model.qfm" --images "$n" "$@" | tee "$out/$name.txt"
	"$q" bench "$out/$model.qfm" --images "$n" "$@" --json >"$out/$name.json"
}
run int8-m4 int8 "$images" --target cortex-m4
run int8-m3 int8 "$images" --target cortex-m4 --cpu cortex-m3
run w4-m4 w4 "$images" --target cortex-m4
run w4-m3 w4 "$images" --target cortex-m4 --cpu cortex-m3
run int8-m4-ref int8 20 --target cortex-m4 --kernels ref
run int8-m3-ref int8 20 --target cortex-m4 --cpu cortex-m3 --kernels ref

total() { sed -n 's/^  "instructions_per_inference": \([0-9]*\),*$/\1/p' "$out/$1.json"; }
echo
echo "== summary: instructions per inference (not cycles)"
. "$top/bench/lib/summary.sh"
for c in m4 m3; do
	i8=$(total int8-$c) w4=$(total w4-$c) ref=$(total int8-$c-ref)
	peer=5020000 peer4=8240000
	[ $c = m3 ] && peer=6760000 peer4=7190000
	summary "MCU instructions/inference int8, $c (C backend)" "$i8" "$peer" \
		"$(awk -v a="$i8" -v b=$peer 'BEGIN { printf "%.2fx", a / b }')" "peer: hand-tuned int8 library"
	summary "MCU instructions/inference 4-bit conv2+3, $c (C)" "$w4" "$peer4" \
		"$(awk -v a="$w4" -v b=$peer4 'BEGIN { printf "%.2fx", a / b }')" "same library, 4-bit weights"
	awk -v c=$c -v i8="$i8" -v w4="$w4" -v ref="$ref" -v peer=$peer 'BEGIN {
		printf "%s: int8 %d (%.2fx the peer library, %.1fx faster than runtime/ref), 4-bit conv2+conv3 %d (%.2fx our int8)\n",
			c, i8, i8 / peer, ref / i8, w4, w4 / i8 }'
done
