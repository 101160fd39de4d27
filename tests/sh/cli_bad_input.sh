#!/bin/sh
# Bad input to `qforge sample` and `qforge show`. Every failure must exit 1
# (a user error: not 0, not 2 = internal error, not a signal), say
# "error:" on stderr, print nothing on stdout, and leave no output file and
# no temporary beside it; an existing output file must survive unchanged.
# The good paths are checked too: sampling is deterministic, an index list
# gives the same model as the keyword it spells, --json is one object.
#   sh tests/sh/cli_bad_input.sh BUILD
. "$(dirname "$0")/../lib/common.sh"
checks=0

# expect_error NAME OUT CMD...: CMD must fail as described above; OUT is
# the output path it was given ("" when none).
expect_error() {
	name=$1
	out=$2
	shift 2
	checks=$((checks + 1))
	timeout 60 "$@" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	[ "$rc" -eq 1 ] || fail "$name: exit $rc, expected 1; stderr: $(head -c 600 "$tmp/stderr")"
	grep -q "error:" "$tmp/stderr" || fail "$name: no 'error:' on stderr"
	[ -s "$tmp/stdout" ] && fail "$name: wrote to stdout: $(head -c 200 "$tmp/stdout")"
	if [ -n "$out" ]; then
		[ -e "$out" ] && fail "$name: left $out behind"
		for f in "$out".tmp*; do
			[ -e "$f" ] && fail "$name: left the temporary $f behind"
		done
	fi
	return 0
}

expect_ok() {
	name=$1
	shift
	checks=$((checks + 1))
	timeout 60 "$@" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	[ "$rc" -eq 0 ] || fail "$name: exit $rc, expected 0; stderr: $(head -c 600 "$tmp/stderr")"
	return 0
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

cat >"$tmp/ok.qf" <<'EOF'
space tiny {
  input 1x28x28;
  conv c {8, 16} k {3, 5} s 2 relu;
  stage depth {1, 2} { mbconv c {16, 24} e {3, 6} k 3 s 2; }
  pool avg global;
  fc 10;
}
EOF
o=$tmp/out.qfm

# ---------------------------------------------------------------- sample: input
expect_error "sample missing file" "$o" "$q" sample "$tmp/nope.qf" --pick smallest -o "$o"
expect_error "sample directory" "$o" "$q" sample "$tmp" --pick smallest -o "$o"
: >"$tmp/empty.qf"
expect_error "sample empty file" "$o" "$q" sample "$tmp/empty.qf" --pick smallest -o "$o"
printf 'space s {\n  input 1x28x28;\n  conv c 8 k 3 relu\n  fc 10;\n}\n' >"$tmp/syntax.qf"
expect_error "sample syntax error" "$o" "$q" sample "$tmp/syntax.qf" --pick smallest -o "$o"
printf '\177ELF\001\001\001\000\000\000\377\376\375{{{;;;\n' >"$tmp/binary.qf"
expect_error "sample binary file" "$o" "$q" sample "$tmp/binary.qf" --pick smallest -o "$o"
cat >"$tmp/huge.qf" <<'EOF'
space huge {
  input 1x28x28;
  conv c 1000000000 k 3 relu;
  fc 10;
}
EOF
expect_error "sample 10^9 channels" "$o" "$q" sample "$tmp/huge.qf" --pick smallest -o "$o"
truncate -s 1G "$tmp/big.qf"
t0=$(now_ms)
expect_error "sample 1 GB .qf" "$o" "$q" sample "$tmp/big.qf" --pick smallest -o "$o"
t1=$(now_ms)
[ $((t1 - t0)) -lt 2000 ] || fail "sample 1 GB .qf: took $((t1 - t0)) ms; must be rejected by size, not read"
grep -q "bytes" "$tmp/stderr" || fail "sample 1 GB .qf: the error does not give the size: $(cat "$tmp/stderr")"
rm -f "$tmp/big.qf"

# ---------------------------------------------------------------- sample: output
expect_error "sample -o directory" "" "$q" sample "$tmp/ok.qf" --pick smallest -o "$tmp"
expect_error "sample -o in a missing folder" "$tmp/no/such/x.qfm" "$q" sample "$tmp/ok.qf" --pick smallest -o "$tmp/no/such/x.qfm"
: >"$tmp/plain"
expect_error "sample -o under a file" "$tmp/plain/x.qfm" "$q" sample "$tmp/ok.qf" --pick smallest -o "$tmp/plain/x.qfm"
cp "$tmp/ok.qf" "$tmp/self.qf"
expect_error "sample -o = input" "" "$q" sample "$tmp/self.qf" --pick smallest -o "$tmp/self.qf"
cmp -s "$tmp/ok.qf" "$tmp/self.qf" || fail "sample -o = input: the input was changed"
mkfifo "$tmp/fifo"
expect_error "sample -o FIFO" "" "$q" sample "$tmp/ok.qf" --pick smallest -o "$tmp/fifo"
[ -p "$tmp/fifo" ] || fail "sample -o FIFO: the FIFO was replaced"
expect_error "sample missing -o" "" "$q" sample "$tmp/ok.qf" --pick smallest
expect_error "sample empty -o" "" "$q" sample "$tmp/ok.qf" --pick smallest -o ""
# A failure must not clobber an existing model.
echo "an older model" >"$tmp/keep.qfm"
expect_error "sample failure keeps old output" "" "$q" sample "$tmp/huge.qf" --pick smallest -o "$tmp/keep.qfm"
[ "$(cat "$tmp/keep.qfm")" = "an older model" ] || fail "sample failure keeps old output: it was overwritten"

# ---------------------------------------------------------------- sample: options
expect_error "sample unknown option" "$o" "$q" sample "$tmp/ok.qf" --pick smallest --fast -o "$o"
expect_error "sample no --pick" "$o" "$q" sample "$tmp/ok.qf" -o "$o"
for p in biggest "" -1 0,,1 x 0,1, 99999999999999999999999 0 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0; do
	expect_error "sample --pick '$p'" "$o" "$q" sample "$tmp/ok.qf" --pick "$p" -o "$o"
done
for s in -1 abc 18446744073709551616 1.5 ""; do
	expect_error "sample --seed '$s'" "$o" "$q" sample "$tmp/ok.qf" --pick smallest --seed "$s" -o "$o"
done

# ---------------------------------------------------------------- sample: good paths
expect_ok "sample smallest" "$q" sample "$tmp/ok.qf" --pick smallest --seed 7 -o "$tmp/a.qfm" --json
cp "$tmp/stdout" "$tmp/a.json"
expect_ok "sample smallest again" "$q" sample "$tmp/ok.qf" --pick smallest --seed 7 -o "$tmp/b.qfm"
cmp -s "$tmp/a.qfm" "$tmp/b.qfm" || fail "sample is not deterministic: same file, pick and seed, different bytes"
expect_ok "sample other seed" "$q" sample "$tmp/ok.qf" --pick smallest --seed 8 -o "$tmp/c.qfm"
cmp -s "$tmp/a.qfm" "$tmp/c.qfm" && fail "sample: --seed 8 gave the same weights as --seed 7"
# The choice vector of --pick smallest, spelled as indices, is the same model.
idx=$(tr -d ' \n' <"$tmp/a.json" | sed -n 's/.*"choice":\[\([0-9,]*\)\].*/\1/p')
[ -n "$idx" ] || fail "sample --json: no choice vector in $(cat "$tmp/a.json")"
expect_ok "sample by indices" "$q" sample "$tmp/ok.qf" --pick "$idx" --seed 7 -o "$tmp/d.qfm"
cmp -s "$tmp/a.qfm" "$tmp/d.qfm" || fail "sample --pick $idx differs from --pick smallest"
# An out-of-range index names the dimension.
bad=$(echo "$idx" | sed 's/^[0-9]*/9/')
expect_error "sample index out of range" "$o" "$q" sample "$tmp/ok.qf" --pick "$bad" -o "$o"
grep -q "dimension 0" "$tmp/stderr" || fail "sample index out of range: does not name the dimension: $(cat "$tmp/stderr")"
expect_ok "sample largest" "$q" sample "$tmp/ok.qf" --pick largest -o "$tmp/l.qfm" --json
cp "$tmp/stdout" "$tmp/l.json"
pa=$(tr -d ' \n' <"$tmp/a.json" | sed -n 's/.*"params":\([0-9]*\).*/\1/p')
pl=$(tr -d ' \n' <"$tmp/l.json" | sed -n 's/.*"params":\([0-9]*\).*/\1/p')
[ -n "$pa" ] && [ -n "$pl" ] && [ "$pl" -gt "$pa" ] || fail "largest ($pl params) is not larger than smallest ($pa)"
if command -v jq >/dev/null 2>&1; then
	jq -e '.params > 0 and .macs > 0 and (.choice | length) > 0' "$tmp/a.json" >/dev/null ||
		fail "sample --json is not the expected JSON object: $(cat "$tmp/a.json")"
fi

# ---------------------------------------------------------------- show
expect_ok "show" "$q" show "$tmp/a.qfm"
grep -q "params" "$tmp/stdout" || fail "show: no totals"
expect_ok "show --json" "$q" show "$tmp/a.qfm" --json
sp=$(tr -d ' \n' <"$tmp/stdout" | sed -n 's/.*"classes":[0-9]*,"params":\([0-9]*\),.*/\1/p')
[ "$sp" = "$pa" ] || fail "show --json params ($sp) differ from sample's ($pa)"
if command -v jq >/dev/null 2>&1; then
	jq -e '(.layers | length) > 0 and .peak_activation_bytes > 0 and (.layers | all(.name and .op and .shape))' \
		"$tmp/stdout" >/dev/null || fail "show --json is not the expected JSON object"
fi
expect_error "show missing" "" "$q" show "$tmp/nope.qfm"
expect_error "show directory" "" "$q" show "$tmp"
: >"$tmp/empty.qfm"
expect_error "show empty" "" "$q" show "$tmp/empty.qfm"
n=$(wc -c <"$tmp/a.qfm")
head -c $((n / 2)) "$tmp/a.qfm" >"$tmp/half.qfm"
expect_error "show truncated" "" "$q" show "$tmp/half.qfm"
grep -q ":[0-9][0-9]*: error:" "$tmp/stderr" || fail "show truncated: no line number: $(cat "$tmp/stderr")"
sed 's/conv2d/conv9d/' "$tmp/a.qfm" >"$tmp/badop.qfm"
cmp -s "$tmp/a.qfm" "$tmp/badop.qfm" && fail "show bad op: the model has no conv2d to corrupt"
expect_error "show unknown op" "" "$q" show "$tmp/badop.qfm"
grep -q ":[0-9][0-9]*: error:" "$tmp/stderr" || fail "show unknown op: no line number: $(cat "$tmp/stderr")"
printf 'not xml at all\n' >"$tmp/text.qfm"
expect_error "show not XML" "" "$q" show "$tmp/text.qfm"
printf '<?xml version="1.0"?>\n<html><body/></html>\n' >"$tmp/html.qfm"
expect_error "show wrong root" "" "$q" show "$tmp/html.qfm"
head -c 3000 /dev/zero >"$tmp/zeros.qfm"
expect_error "show zero bytes" "" "$q" show "$tmp/zeros.qfm"
truncate -s 1G "$tmp/big.qfm"
t0=$(now_ms)
expect_error "show 1 GB" "" "$q" show "$tmp/big.qfm"
t1=$(now_ms)
[ $((t1 - t0)) -lt 2000 ] || fail "show 1 GB: took $((t1 - t0)) ms; must be rejected by size, not read"
grep -q "bytes" "$tmp/stderr" || fail "show 1 GB: the error does not give the size: $(cat "$tmp/stderr")"
rm -f "$tmp/big.qfm"
expect_error "show unknown option" "" "$q" show "$tmp/a.qfm" --int8
expect_error "show two files" "" "$q" show "$tmp/a.qfm" "$tmp/b.qfm"

# ---------------------------------------------------------------- stdout errors
if [ -w /dev/full ]; then
	checks=$((checks + 1))
	"$q" show "$tmp/a.qfm" >/dev/full 2>"$tmp/stderr"
	rc=$?
	[ "$rc" -eq 1 ] || fail "show >/dev/full: exit $rc, expected 1"
fi

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
