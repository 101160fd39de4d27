#!/bin/sh
# check speed: wall time of `qforge check` on a generated 5,000-line .qf
# (bench/gen_qf.sh), the median of RUNS runs after one untimed run that
# must succeed: a file that does not check cleanly is a failure, since
# timing an early exit would measure nothing.
#   sh bench/check_speed.sh [BUILD]      BUILD defaults to build
#   RUNS=11 LINES=5000 (environment) change the runs and the file size.
# Times come from `date +%s%N` around each run, so each includes one
# fork+exec of qforge (what a user waits for) and about 1 ms of date's
# own start-up. The target is under 100 ms.
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
median=$(sed -n "$(((runs + 1) / 2))p" "$tmp/us")
min=$(head -n 1 "$tmp/us")
max=$(tail -n 1 "$tmp/us")
ms() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }
verdict="under the ${target_ms} ms target"
[ "$median" -lt $((target_ms * 1000)) ] || verdict="OVER the ${target_ms} ms target"
echo "check speed: qforge check of a $(wc -l <"$tmp/big.qf" | tr -d ' ')-line .qf: median $(ms "$median") ms of $runs runs (min $(ms "$min"), max $(ms "$max")), $verdict"
