#!/bin/sh
# One golden test. A case is NAME.t holding one shell command line, run
# from the repository root with $QFORGE set to the binary under test; its
# stdout+stderr and exit status, with host paths stripped, must equal
# NAME.out. With UPDATE=1, NAME.out is rewritten instead.
set -u
qforge=$1
case=$2
expected=${case%.t}.out
top=$(pwd)
case $qforge in /*) ;; *) qforge=$top/$qforge ;; esac
actual=$(mktemp)
tmpdir=$(mktemp -d)
trap 'rm -rf "$actual" "$tmpdir"' EXIT
(
	export QFORGE="$qforge" TMP="$tmpdir"
	sh "$case" 2>&1
	echo "exit $?"
) | sed -e "s#$top/##g" -e "s#$tmpdir#TMP#g" >"$actual"
if [ "${UPDATE:-0}" = 1 ]; then
	cp "$actual" "$expected"
	exit 0
fi
if ! diff -u "$expected" "$actual"; then
	echo "golden mismatch: $case (UPDATE=1 make check refreshes it)"
	exit 1
fi
