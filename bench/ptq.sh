#!/bin/sh
# `make bench-ptq`: post-training fixed point (qforge ptq, FxP-QNet) against
# plain int8 post-training quantization (qforge calibrate: per-channel
# weights, min-max activations, multiplier requant) on three float models
# trained by qforge on Fashion-MNIST: fmnist-small, fmnist-wide and
# fmnist-mbconv (bench/*.qf; 10 epochs each, seed 1, the training
# benchmark's settings).
#
# For each model: the float32 constants (weights and biases, BN folded) and
# test accuracy; the int8 model's constants (bytes: packed weights, int32
# biases and requant constants, as the Int Graph stores them; the ratio
# also over weights and biases alone, the data structures the paper
# counts) and integer test accuracy; and
# two qforge ptq runs on the first CALIB training images with the drop
# bounded by 1 point, once as top-1 disagreement with the float model
# (the default: a bound the calibration images cannot exceed) and once as
# the expected drop (--metric expected). Each fixed-point model then goes
# through qforge bench on QEMU Cortex-M4 (100 test images): bit_exact says
# every logit equals the integer reference's; flash as linked.
#
# Trained models are kept in DIR (default BUILD/bench-ptq) and reused, so a
# second run only quantizes. Long (an hour or more on a loaded 2-core
# machine); never part of check. Figures go to docs/bench.md, "PTQ".
#   sh bench/ptq.sh BUILD
# Environment: CALIB (512), MODELS ("small wide mbconv"), DIR, THREADS (2).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
q=$build/qforge
calib=${CALIB:-512}
models=${MODELS:-small wide mbconv}
dir=${DIR:-$build/bench-ptq}
threads=${THREADS:-2}
[ -x "$q" ] || { echo "bench-ptq: no $q; run make first" >&2; exit 1; }
mkdir -p "$dir"

num() { # KEY FILE: a number member of a qforge --json object
	sed -n "s/^  \"$1\": \([-0-9.e]*\),*\$/\1/p" "$2" | head -n 1
}
field() { # KEY FILE: a true/false member
	sed -n "s/^  \"$1\": \([a-z]*\),*\$/\1/p" "$2" | head -n 1
}

rows=""
for m in $models; do
	f=$dir/$m.qfm
	if [ ! -f "$f" ]; then
		echo "bench-ptq: training $m (10 epochs)" >&2
		"$q" train bench/fmnist-$m.qf --pick smallest --epochs 10 --threads "$threads" --seed 1 -o "$f" >&2
	fi
	for metric in disagree expected; do
		out=$dir/$m-$metric
		echo "bench-ptq: $m, ptq --metric $metric --max-drop 1" >&2
		start=$(date +%s)
		"$q" ptq "$f" --calib "$calib" --max-drop 1 --metric "$metric" --compare-int8 --threads "$threads" \
			--json -o "$out.qfm" >"$out.json" 2>"$out.log"
		echo $(($(date +%s) - start)) >"$out.seconds"
		"$q" bench "$out.qfm" --target cortex-m4 --images 100 --json >"$out.bench" 2>&1 || true
	done
	j=$dir/$m-disagree.json
	fb=$(num float_bytes "$j")
	fa=$(num float_accuracy "$j")
	ib=$(num int8_bytes "$j")
	iw=$(num int8_weight_bias_bytes "$j")
	ia=$(num int8_accuracy "$j")
	rows="$rows$(printf '| %s | %s | %.2f%% | int8 PTQ (min-max, per channel) | %s | %.2fx | %.2fx | %.2f%% | %.2f | | |' \
		"$m" "$fb" "$fa" "$ib" "$(echo "$fb $ib" | awk '{ print $1 / $2 }')" \
		"$(echo "$fb $iw" | awk '{ print $1 / $2 }')" "$ia" "$(echo "$fa $ia" | awk '{ print $1 - $2 }')")
"
	for metric in disagree expected; do
		j=$dir/$m-$metric.json
		b=$dir/$m-$metric.bench
		qb=$(num quant_bytes "$j")
		qw=$(num weight_bias_bytes "$j")
		qa=$(num quant_accuracy "$j")
		rows="$rows$(printf '| %s | %s | %.2f%% | FxP PTQ, %s <= 1 | %s | %.2fx | %.2fx | %.2f%% | %.2f | %s | %s s |' \
			"$m" "$fb" "$fa" "$metric" "$qb" "$(num ratio "$j")" "$(echo "$fb $qw" | awk '{ print $1 / $2 }')" "$qa" \
			"$(echo "$fa $qa" | awk '{ print $1 - $2 }')" "$(field bit_exact "$b")" \
			"$(cat "$dir/$m-$metric.seconds")")
"
	done
done
echo
echo "calibration: the first $calib training images; accuracy: the 10,000 test images"
echo "| model | float32 bytes | float acc | method | bytes | ratio | ratio, weights+biases | acc | drop (points) | bit-exact M4 | ptq time |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s' "$rows"
