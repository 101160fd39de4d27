#!/bin/sh
# `make bench`: runs every benchmark in bench/, in name order, against the
# build dir given (default build), and prints what each reports. A
# benchmark is any bench/*.sh except this runner and the gen_*.sh input
# generators (what the benchmarks source is in bench/lib/). Ends with one
# table of every comparison with a peer made in this run (rows from
# bench/lib/summary.sh and bench/lib/summary.py). Exit status 1 when any
# benchmark failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
status=0
QF_BENCH_SUMMARY=$(mktemp)
export QF_BENCH_SUMMARY
trap 'rm -f "$QF_BENCH_SUMMARY"' EXIT
for b in "$top"/bench/*.sh; do
	n=${b##*/}
	case $n in run.sh | gen_*) continue ;; esac
	echo "== $n"
	if ! sh "$b" "$build"; then
		echo "FAILED: $n"
		status=1
	fi
done
echo
echo "== summary: qforge against its peers, all from this run ($(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg))"
awk -F'\t' 'BEGIN { printf "%-52s %12s %12s %9s  %s\n", "", "qforge", "peer", "ratio", "" }
	{ printf "%-52s %12s %12s %9s  %s\n", $1, $2, $3, $4, $5 }' "$QF_BENCH_SUMMARY"
exit $status
