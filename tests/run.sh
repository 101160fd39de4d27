#!/bin/sh
# Runs every test against each build dir given, and ends with the one line
# "N passed, N failed". Exit status 1 when anything failed.
#   unit tests   BUILD/tests/test_*   (cmocka; each case counts)
#   goldens      tests/golden/**/*.t  (command + expected output)
#   fuzz smoke   BUILD/fuzz/fuzz_*    (corpus + bounded new inputs)
# UPDATE=1 rewrites golden expectations instead of comparing.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
pass=0
fail=0
failed=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

note_fail() { fail=$((fail + 1)); failed="$failed\n  $1"; }

for b in "$@"; do
	[ -d "$b" ] || continue
	for t in "$b"/tests/test_*; do
		[ -x "$t" ] || continue
		CMOCKA_MESSAGE_OUTPUT=stdout timeout 600 "$t" >"$log" 2>&1
		rc=$?
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
		p=${p:-0}
		f=${f:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		pass=$((pass + p))
		if [ "$f" -gt 0 ]; then
			fail=$((fail + f))
			failed="$failed\n  $t"
			echo "FAIL $t (exit $rc)"
			tail -n 40 "$log"
		else
			echo "ok   $t ($p)"
		fi
	done
	if [ -x "$b/qforge" ]; then
		for t in $(find tests/golden -name '*.t' | sort); do
			if sh tests/golden.sh "$b/qforge" "$t" >"$log" 2>&1; then
				pass=$((pass + 1))
			else
				note_fail "$b: $t"
				echo "FAIL $b $t"
				cat "$log"
			fi
		done
		echo "ok   $b goldens"
	fi
	for f in "$b"/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		n=${f##*/}
		if timeout 300 "$f" -runs=2000 -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
			tests/fuzz/corpus/"$n" >"$log" 2>&1; then
			pass=$((pass + 1))
			echo "ok   $f"
		else
			note_fail "$f"
			echo "FAIL $f"
			tail -n 40 "$log"
		fi
	done
done
# Whole-system tests (firmware under QEMU, end-to-end flows): each script
# is one test, run once with the first build dir; exit 0 means it passed.
for s in tests/sh/*.sh; do
	[ -f "$s" ] || continue
	if timeout 900 sh "$s" "$1" >"$log" 2>&1; then
		pass=$((pass + 1))
		echo "ok   $s"
	else
		note_fail "$s"
		echo "FAIL $s"
		tail -n 60 "$log"
	fi
done
if [ "$fail" -gt 0 ]; then
	printf "failed:%b\n" "$failed"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
