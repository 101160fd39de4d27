#!/bin/sh
# check speed: wall time of `qforge check` on a generated 5,000-line .qf
# (bench/gen_qf.sh), the median of RUNS runs after one untimed run that
# must succeed: a file that does not check cleanly is a failure, since
# timing an early exit would measure nothing.
#   sh bench/check_speed.sh [BUILD]      BUILD defaults to build
#   RUNS=11 LINES=5000 (environment) change the runs and the file size.
# Wall times come from `date +%s%N` around each run, so each includes one
# fork+exec of qforge (what a user waits for) and about 1 ms of date's
# own start-up. The target is under 100 ms of wall time. On a shared
# machine wall time grows with the load, so the CPU time (user + system)
# per run is printed beside it: the shell's `times` before and after
# another RUNS runs, divided by RUNS (its ticks are 10 ms, hence the sum).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
qforge=$build/qforge
runs=${RUNS:-11}
lines=${LINES:-5000}
target_ms=100
if [ ! -x "$qforge" ]; then
	echo "check_speed: no qforge at $qforge (build it first)" >&2
	exit 1
fi
case $(date +%N) in
'' | *[!0-9]*) echo "check_speed: date +%N does not give nanoseconds here" >&2; exit 1 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh "$top/bench/gen_qf.sh" "$lines" >"$tmp/big.qf"
if ! "$qforge" check "$tmp/big.qf" >"$tmp/out" 2>&1; then
	echo "check_speed: the generated file does not check cleanly:" >&2
	head -n 20 "$tmp/out" >&2
	exit 1
fi
i=0
while [ "$i" -lt "$runs" ]; do
	t0=$(date +%s%N)
	"$qforge" check "$tmp/big.qf" >/dev/null 2>&1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000))
	i=$((i + 1))
done | sort -n >"$tmp/us"
# Children's user + system time in microseconds, from `times` output
# (run in this shell: in a $(...) subshell it would count other children).
child_us() { awk 'NR == 2 { t = 0; for (f = 1; f <= 2; f++) { split($f, p, "m"); t += p[1] * 60 + p[2] } printf "%d\n", t * 1e6 }' "$1"; }
times >"$tmp/times0"
i=0
while [ "$i" -lt "$runs" ]; do
	"$qforge" check "$tmp/big.qf" >/dev/null 2>&1
	i=$((i + 1))
done
times >"$tmp/times1"
cpu=$((($(child_us "$tmp/times1") - $(child_us "$tmp/times0")) / runs))
median=$(sed -n "$(((runs + 1) / 2))p" "$tmp/us")
min=$(head -n 1 "$tmp/us")
max=$(tail -n 1 "$tmp/us")
ms() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }
verdict="under the ${target_ms} ms target"
[ "$median" -lt $((target_ms * 1000)) ] || verdict="OVER the ${target_ms} ms target"
echo "check speed: qforge check of a $(wc -l <"$tmp/big.qf" | tr -d ' ')-line .qf: median $(ms "$median") ms of $runs runs (min $(ms "$min"), max $(ms "$max")), $verdict; CPU $(ms "$cpu") ms per run"
