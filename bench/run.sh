#!/bin/sh
# `make bench`: runs every benchmark in bench/, in name order, against the
# build dir given (default build), and prints what each reports. A
# benchmark is any bench/*.sh except this runner and the gen_*.sh input
# generators. Exit status 1 when any benchmark failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
status=0
for b in "$top"/bench/*.sh; do
	n=${b##*/}
	case $n in run.sh | gen_*) continue ;; esac
	echo "== $n"
	if ! sh "$b" "$build"; then
		echo "FAILED: $n"
		status=1
	fi
done
exit $status
