#!/bin/sh
# The LLVM column of `make bench-mcu` (issue 7): fmnist-small int8 and with
# 4-bit weights in conv2 and conv3, under QEMU Cortex-M4 (mps2-an386,
# -icount shift=0, SysTick), built by the LLVM backend and by the C backend
# in the same run, plus the C backend on runtime/ref's plain reference
# kernels; instructions per inference and per layer, flash as linked, RAM,
# bit-exactness against the integer reference; and the LLVM backend's
# emission time (CPU time of the whole `qforge emit`, median of 5).
# Instructions, not cycles.
#
# Models: the ones `make bench-mcu` (bench/mcu.sh) made in
# BUILD/bench-mcu when they are there, else the same recipe
# (bench/lib/mcu_models.sh): train bench/fmnist-small.qf EPOCHS (5) epochs
# in float, or take MODEL (a trained .qfm), calibrate on 1,000 training
# images, int8 and --wbits 8,4,4,8.
# Output in BUILD/bench-mcu-llvm: one .txt and one .json per run.
# IMAGES (default 100; the reference kernels run 20).
#   sh bench/mcu_llvm.sh BUILD
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
q=$build/qforge
epochs=${EPOCHS:-5}
images=${IMAGES:-100}
out=$build/bench-mcu-llvm
[ -x "$q" ] || { echo "mcu_llvm: no $q; run make first" >&2; exit 1; }
mkdir -p "$out"

have=$build/bench-mcu
if [ -z "${MODEL:-}" ] && [ -f "$have/int8.qfm" ] && [ -f "$have/w4.qfm" ]; then
	echo "== models of make bench-mcu ($have)"
	cp "$have/int8.qfm" "$have/w4.qfm" "$out/"
else
	. "$top/bench/lib/mcu_models.sh"
fi

run() {
	name=$1 model=$2 n=$3
	shift 3
	echo "== $name"
	"$q" bench "$out/$model.qfm" --images "$n" --target cortex-m4 "$@" | tee "$out/$name.txt"
	"$q" bench "$out/$model.qfm" --images "$n" --target cortex-m4 "$@" --json >"$out/$name.json"
}
for m in int8 w4; do
	run $m-llvm $m "$images" --backend llvm
	run $m-c $m "$images" --backend c
done
run int8-ref int8 20 --kernels ref

# emission time: CPU seconds of the whole command (reading, lowering,
# building, verifying, optimising, object code, files), median of 5
times=""
for i in 1 2 3 4 5; do
	t=$( { /usr/bin/time -f '%U %S' "$q" emit "$out/int8.qfm" --backend llvm --target cortex-m4 \
		-o "$out/emit-int8" >/dev/null; } 2>&1 | tail -n 1)
	times="$times $(echo "$t" | awk '{ printf "%.0f", 1000 * ($1 + $2) }')"
done
emit_ms=$(echo $times | tr ' ' '\n' | sort -n | sed -n 3p)
"$q" emit "$out/int8.qfm" --backend llvm --target cortex-m4 -o "$out/emit-int8" --json >"$out/emit.json"

key() { sed -n "s/^  \"$2\": \([0-9.a-z]*\),*$/\1/p" "$out/$1.json"; }
echo
echo "== summary (Cortex-M4, instructions per inference, not cycles)"
for m in int8 w4; do
	awk -v m=$m -v l="$(key $m-llvm instructions_per_inference)" -v c="$(key $m-c instructions_per_inference)" \
		-v lf="$(key $m-llvm flash_bytes)" -v cf="$(key $m-c flash_bytes)" \
		-v le="$(key $m-llvm bit_exact)" -v ce="$(key $m-c bit_exact)" 'BEGIN {
		printf "%-5s llvm %9d  c %9d  llvm/c %.2f  llvm/peer(5.02M) %.2f  flash llvm %d c %d (%.2fx)  bit-exact llvm %s c %s\n",
			m, l, c, l / c, l / 5020000, lf, cf, lf / cf, le, ce }'
done
awk -v l="$(key int8-llvm instructions_per_inference)" -v r="$(key int8-ref instructions_per_inference)" \
	'BEGIN { printf "int8  reference kernels %d: llvm is %.1fx fewer\n", r, r / l }'
echo "emission of int8 for cortex-m4: $emit_ms ms CPU (median of 5:$times)"
. "$top/bench/lib/summary.sh"
l=$(key int8-llvm instructions_per_inference)
summary "MCU instructions/inference int8, m4 (LLVM backend)" "$l" 5020000 \
	"$(awk -v a="$l" 'BEGIN { printf "%.2fx", a / 5020000 }')" "goal <= 3.0M instructions"
l=$(key w4-llvm instructions_per_inference)
summary "MCU instructions/inference 4-bit conv2+3, m4 (LLVM)" "$l" 8240000 \
	"$(awk -v a="$l" 'BEGIN { printf "%.2fx", a / 8240000 }')" "peer: same library, 4-bit weights"
