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
# three qforge ptq runs on the first CALIB training images with the drop
# bounded by 1 point: as top-1 disagreement with the float model (the
# default: a bound the calibration images cannot exceed), as the expected
# drop (--metric expected), and as the expected drop with the memory goal
# at 8x (--memory-goal float_bytes / 8: the lowering stops there). Each fixed-point model then goes
# through qforge bench on QEMU Cortex-M4 (100 test images): bit_exact says
# every logit equals the integer reference's; flash as linked.
#
# Trained models are kept in DIR (default BUILD/bench-ptq) and reused, so a
# second run only quantizes. Long (an hour or more on a loaded 2-core
# machine); never part of check. Figures go to docs/bench.md, "PTQ".
#   sh bench/ptq.sh BUILD
# Environment: CALIB (512), MODELS ("small wide mbconv"), DIR, THREADS (2),
# RUNS ("disagree expected goal8"; disagree must come first).
# The issue's goal, per model: at least 8x the float32 constants at a test
# accuracy drop of at most 1 point; the "goal" column says whether a run
# met it. Under `make bench`, one row per model goes to the closing
# summary table (bench/lib/summary.sh): the FxP run that meets the goal, else
# one whose drop is within the point, else the one with the larger ratio,
# against plain int8 PTQ.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. "$top/bench/lib/summary.sh"
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
q=$build/qforge
calib=${CALIB:-512}
models=${MODELS:-small wide mbconv}
dir=${DIR:-$build/bench-ptq}
threads=${THREADS:-2}
# the runs per model: the two bounds, and the expected-drop bound with the
# memory goal at the issue's 8x (after disagree, which gives float_bytes)
runs=${RUNS:-disagree expected goal8}
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
	for run in $runs; do
		out=$dir/$m-$run
		# goal8: lower only to the issue's 8x (float bytes / 8), with the
		# expected drop bounded by the point, then distil
		case $run in
		goal8) opts="--metric expected --memory-goal $(($(num float_bytes "$dir/$m-disagree.json") / 8))" ;;
		*) opts="--metric $run" ;;
		esac
		echo "bench-ptq: $m, ptq $opts --max-drop 1" >&2
		start=$(date +%s)
		# shellcheck disable=SC2086
		"$q" ptq "$f" --calib "$calib" --max-drop 1 $opts --compare-int8 --threads "$threads" \
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
	rows="$rows$(printf '| %s | %s | %.2f%% | int8 PTQ (min-max, per channel) | %s | %.2fx | %.2fx | %.2f%% | %.2f | | | |' \
		"$m" "$fb" "$fa" "$ib" "$(echo "$fb $ib" | awk '{ print $1 / $2 }')" \
		"$(echo "$fb $iw" | awk '{ print $1 / $2 }')" "$ia" "$(echo "$fa $ia" | awk '{ print $1 - $2 }')")
"
	idrop=$(echo "$fa $ia" | awk '{ print $1 - $2 }')
	iratio=$(echo "$fb $ib" | awk '{ print $1 / $2 }')
	best="" best_ratio=0 best_met=no best_drop=0 best_rank=0
	for run in $runs; do
		j=$dir/$m-$run.json
		b=$dir/$m-$run.bench
		case $run in
		goal8) method="expected <= 1, goal 8x" ;;
		*) method="$run <= 1" ;;
		esac
		qb=$(num quant_bytes "$j")
		qw=$(num weight_bias_bytes "$j")
		qa=$(num quant_accuracy "$j")
		ratio=$(num ratio "$j")
		drop=$(echo "$fa $qa" | awk '{ print $1 - $2 }')
		met=$(echo "$ratio $drop" | awk '{ print ($1 >= 8 && $2 <= 1) ? "yes" : "no" }')
		rows="$rows$(printf '| %s | %s | %.2f%% | FxP PTQ, %s | %s | %.2fx | %.2fx | %.2f%% | %.2f | %s | %s | %s s |' \
			"$m" "$fb" "$fa" "$method" "$qb" "$ratio" "$(echo "$fb $qw" | awk '{ print $1 / $2 }')" "$qa" \
			"$drop" "$met" "$(field bit_exact "$b")" "$(cat "$dir/$m-$run.seconds")")
"
		# the run for the summary: one that meets the goal, else one within
		# the point, else the larger ratio
		rank=$(echo "$ratio $drop" | awk '{ print ($1 >= 8 && $2 <= 1) * 2 + ($2 <= 1) }')
		if [ -z "$best" ] || [ "$rank" -gt "$best_rank" ] || { [ "$rank" -eq "$best_rank" ] &&
			[ "$(echo "$ratio $best_ratio" | awk '{ print ($1 > $2) }')" = 1 ]; }; then
			best=$run best_ratio=$ratio best_met=$met best_drop=$drop best_rank=$rank
		fi
	done
	summary "PTQ memory ratio, fmnist-$m (plain int8 PTQ)" "$(printf '%.2fx' "$best_ratio")" \
		"$(printf '%.2fx' "$iratio")" "$(echo "$best_ratio $iratio" | awk '{ printf "%.2fx", $1 / $2 }')" \
		"$(printf 'FxP run %s; drop %.2f pt (int8 %.2f); goal >= 8x at <= 1 pt: %s' \
			"$best" "$best_drop" "$idrop" "$best_met")"
done
echo
echo "calibration: the first $calib training images; accuracy: the 10,000 test images"
echo "| model | float32 bytes | float acc | method | bytes | ratio | ratio, weights+biases | acc | drop (points) | goal: >= 8x, drop <= 1 | bit-exact M4 | ptq time |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s' "$rows"
