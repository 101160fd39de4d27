#!/bin/sh
# Bad input to qforge calibrate, lower, emit and bench. Every failure must
# exit 1, say "error:" on stderr, print nothing on stdout and leave the
# output (a folder for emit, a file for calibrate) as it was: absent when
# it was absent, untouched when it existed, no temporary beside it. The
# good paths next to them are checked too (an emission replaces an earlier
# one whole; the summary fits the target).
#   sh tests/sh/emit_bad_input.sh BUILD
. "$(dirname "$0")/../lib/common.sh"
checks=0

# no_leftovers OUT: nothing named OUT.tmp* or OUT.old* beside OUT
no_leftovers() {
	for f in "$1".tmp* "$1".old*; do
		[ -e "$f" ] && fail "left $f behind"
	done
	return 0
}

# expect_error NAME OUT PATTERN CMD...: CMD fails as described; stderr
# matches PATTERN (grep -E); OUT must not exist afterwards (or "" when none)
expect_error() {
	name=$1 out=$2 pat=$3
	shift 3
	checks=$((checks + 1))
	timeout 120 "$@" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	[ "$rc" -eq 1 ] || fail "$name: exit $rc, expected 1; stderr: $(head -c 600 "$tmp/stderr")"
	grep -q "error:" "$tmp/stderr" || fail "$name: no 'error:' on stderr"
	grep -qE -e "$pat" "$tmp/stderr" || fail "$name: stderr does not say /$pat/: $(head -c 600 "$tmp/stderr")"
	[ -s "$tmp/stdout" ] && fail "$name: wrote to stdout: $(head -c 200 "$tmp/stdout")"
	if [ -n "$out" ]; then
		[ -e "$out" ] && fail "$name: left $out behind"
		no_leftovers "$out"
	fi
	return 0
}

{
	echo 'target "cortex-m4" { flash 8K; ram 4K; }'
	fm_data fm full full
	cat <<EOF
quant q {
  weights { bits {2, 4, 8}; per channel; symmetric; }
  acts    { bits {4, 8};    per tensor;  asymmetric; }
}
space m {
  input 1x28x28;
  conv c 8 k 3 s 2 relu wbits 8 abits 8;
  conv c 16 k 3 s 2 relu wbits 2 abits 8;
  pool avg global;
  fc 10 wbits 8 abits 8;
}
EOF
} >"$tmp/m.qf"
sed -e '/^quant q {/,/^}/d' -e '/^target/d' -e 's/ wbits [0-9] abits [0-9]//' "$tmp/m.qf" >"$tmp/float.qf"
$q sample "$tmp/m.qf" --pick smallest -o "$tmp/placeholder.qfm" >/dev/null || fail "sample"
$q sample "$tmp/float.qf" --pick smallest -o "$tmp/float.qfm" >/dev/null || fail "sample float"
$q calibrate "$tmp/placeholder.qfm" --images 100 -o "$tmp/q.qfm" >/dev/null || fail "calibrate"

# ---- emit: models it cannot lower
expect_error "emit float model" "$tmp/out" "has no quant params.*qforge calibrate" \
	$q emit "$tmp/float.qfm" --target cortex-m4 -o "$tmp/out"
expect_error "emit placeholders" "$tmp/out" "placeholder quant params" \
	$q emit "$tmp/placeholder.qfm" --target cortex-m4 -o "$tmp/out"
sed 's#<bits>2</bits>#<bits>3</bits>#' "$tmp/q.qfm" >"$tmp/bits3.qfm"
expect_error "emit 3-bit weights" "$tmp/out" "3-bit; the runtime has kernels for 8, 4 and 2 bits" \
	$q emit "$tmp/bits3.qfm" --target cortex-m4 -o "$tmp/out"
expect_error "lower 3-bit weights" "" "3-bit" $q lower "$tmp/bits3.qfm"
expect_error "lower float model" "" "has no quant params" $q lower "$tmp/float.qfm"

# ---- emit: a target it does not fit, by how much, per layer
sed -e 's/name="cortex-m4"/name="tiny"/' -e 's/flash="[0-9]*" ram="[0-9]*"/flash="4096" ram="2048"/' \
	targets/cortex-m4.xml >"$tmp/tiny.xml"
expect_error "emit too big" "$tmp/out" "does not fit the flash of tiny: it needs [0-9]+ bytes.*the target has 4096: [0-9]+ bytes too many" \
	$q emit "$tmp/q.qfm" --target "$tmp/tiny.xml" -o "$tmp/out"
grep -q "does not fit the RAM of tiny" "$tmp/stderr" || fail "emit too big: RAM not reported"
grep -q "note: layer s1.b0.conv (conv): [0-9]* bytes of weights" "$tmp/stderr" || fail "emit too big: no per-layer flash note"
grep -q "note: layer s0.b0.conv (conv): [0-9]* bytes live while it runs" "$tmp/stderr" || fail "emit too big: no per-layer RAM note"
expect_error "bench too big" "" "does not fit" $q bench "$tmp/q.qfm" --target "$tmp/tiny.xml" --images 5
# without --target: the .qf's target with its overrides (8K of flash)
expect_error "emit to the .qf's target" "$tmp/out" "does not fit the flash of cortex-m4: .* the target has 8192" \
	$q emit "$tmp/q.qfm" -o "$tmp/out"
expect_error "emit float model, no target anywhere" "$tmp/out" "names no target; give --target" \
	$q emit "$tmp/float.qfm" -o "$tmp/out"

# ---- emit: outputs it must not touch
mkdir "$tmp/mine" && echo precious >"$tmp/mine/notes.txt"
checks=$((checks + 1))
$q emit "$tmp/q.qfm" --target cortex-m4 -o "$tmp/mine" >"$tmp/stdout" 2>"$tmp/stderr"
[ $? -eq 1 ] || fail "emit over a foreign folder: not refused"
grep -q "not a folder qforge emit wrote" "$tmp/stderr" || fail "emit over a foreign folder: $(cat "$tmp/stderr")"
[ "$(cat "$tmp/mine/notes.txt")" = precious ] || fail "emit over a foreign folder: touched it"
no_leftovers "$tmp/mine"
echo x >"$tmp/afile"
expect_error "emit onto a file" "" "is not a folder" $q emit "$tmp/q.qfm" --target cortex-m4 -o "$tmp/afile"
[ "$(cat "$tmp/afile")" = x ] || fail "emit onto a file: changed it"
expect_error "emit into a missing folder" "$tmp/no/such/out" "cannot" \
	$q emit "$tmp/q.qfm" --target cortex-m4 -o "$tmp/no/such/out"

# ---- emit: usage
expect_error "emit no -o" "" "no output folder" $q emit "$tmp/q.qfm" --target cortex-m4
expect_error "emit unknown backend" "$tmp/out" "--backend 'gcc': give c or llvm" \
	$q emit "$tmp/q.qfm" --backend gcc -o "$tmp/out"
expect_error "emit bad name" "$tmp/out" "not a C identifier" $q emit "$tmp/q.qfm" --name 9x -o "$tmp/out"
expect_error "emit unknown target" "$tmp/out" "cortex-m4" $q emit "$tmp/q.qfm" --target cortex-m44 -o "$tmp/out"

# ---- emit: good, then again over its own output (replaced whole)
checks=$((checks + 1))
$q emit "$tmp/q.qfm" --target cortex-m4 -o "$tmp/out" >"$tmp/stdout" 2>"$tmp/stderr" || fail "emit: $(cat "$tmp/stderr")"
grep -q "^flash .* of 1,048,576" "$tmp/stdout" || fail "emit summary: $(cat "$tmp/stdout")"
grep -q "^RAM .* arena" "$tmp/stdout" || fail "emit summary: $(cat "$tmp/stdout")"
for f in model.h model.c weights.c weights.h model.mk qf_runtime.h conv_s8_s2w.c fc_s8.c avgpool_s8.c; do
	[ -f "$tmp/out/$f" ] || fail "emit: no $f"
done
# the first conv (9 taps) runs a generated loop: its runtime kernel is not copied
[ -e "$tmp/out/conv_s8.c" ] && fail "emit: conv_s8.c copied though no layer calls it"
grep -q "qf_gen_0(a + " "$tmp/out/model.c" || fail "emit: the first conv does not run a generated loop"
touch "$tmp/out/stale.o"
$q emit "$tmp/q.qfm" --target cortex-m4 --name other -o "$tmp/out" >/dev/null 2>"$tmp/stderr" || fail "re-emit: $(cat "$tmp/stderr")"
grep -q "qf_other_run" "$tmp/out/model.h" || fail "re-emit: model.h not replaced"
[ -e "$tmp/out/stale.o" ] && fail "re-emit: the old folder's files survived"
no_leftovers "$tmp/out"

# ---- calibrate
cp "$tmp/q.qfm" "$tmp/keep.qfm"
expect_error "calibrate no -o" "" "no output given" $q calibrate "$tmp/float.qfm"
expect_error "calibrate bad wbits" "$tmp/c.qfm" "--wbits '3' is not 8, 4 or 2" \
	$q calibrate "$tmp/float.qfm" --wbits 3 -o "$tmp/c.qfm"
expect_error "calibrate bad images" "$tmp/c.qfm" "--images" $q calibrate "$tmp/float.qfm" --images 0 -o "$tmp/c.qfm"
expect_error "calibrate onto its input" "" "is the input model" $q calibrate "$tmp/keep.qfm" -o "$tmp/keep.qfm"
cmp -s "$tmp/q.qfm" "$tmp/keep.qfm" || fail "calibrate onto its input: changed it"
expect_error "calibrate missing model" "$tmp/c.qfm" "no_such.qfm" $q calibrate "$tmp/no_such.qfm" -o "$tmp/c.qfm"
sed "s#$tmp/float.qf#$tmp/gone.qf#" "$tmp/float.qfm" >"$tmp/orphan.qfm"
expect_error "calibrate without its .qf" "$tmp/c.qfm" "gone.qf" $q calibrate "$tmp/orphan.qfm" -o "$tmp/c.qfm"
expect_error "calibrate into a missing folder" "" "cannot" $q calibrate "$tmp/float.qfm" -o "$tmp/no/such/c.qfm"

# ---- bench: usage
expect_error "bench no target" "" "no target given" $q bench "$tmp/q.qfm"
expect_error "bench unknown core" "" "no QEMU board for core 'cortex-m0plus'" \
	$q bench "$tmp/q.qfm" --target cortex-m0plus
expect_error "bench bad images" "" "--images" $q bench "$tmp/q.qfm" --target host --images 0

echo "$checks checks, $failures failures"
[ "$failures" -eq 0 ]
