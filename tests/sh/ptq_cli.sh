#!/bin/sh
# `qforge ptq` end to end on a slice of Fashion-MNIST (the first 2,000
# training and 500 test images, cut into plain IDX files here), with a
# small net trained here for one epoch:
#   - the progress display (the 8-bit start, lowering steps with structure,
#     width and error estimate, the self-distillation) and the per-layer
#     table are printed; --json has float_bytes, quant_bytes,
#     float_accuracy, quant_accuracy, and the result is smaller than the
#     float model;
#   - the output goes through qforge bench: emitted C and the LLVM
#     backend's object, on the host and under QEMU Cortex-M4, every logit
#     equal to the integer reference's (bit_exact);
#   - with a memory goal between whole-layer steps, layers lowered half at
#     a time (split layers) that both backends run bit-exact;
#   - bad input, each exit 1 with a clear error and no output file: a model
#     that is already quantized, more calibration images than the data
#     has, a memory goal under what 2-bit weights everywhere need, a
#     missing --calib.
#   sh tests/sh/ptq_cli.sh BUILD
. "$(dirname "$0")/../lib/common.sh"

fmnist_slice 2000 500

small_qf net.qf ''
"$q" train "$tmp/net.qf" --pick smallest --epochs 1 --batch 16 --seed 3 -o "$tmp/float.qfm" >"$tmp/log" 2>&1 ||
	{ echo "FAIL: train: $(cat "$tmp/log")"; exit 1; }

# the progress display and the table
"$q" ptq "$tmp/float.qfm" --calib 200 --max-drop 3 -o "$tmp/fxp.qfm" >"$tmp/out" 2>&1 ||
	fail "ptq: exit $?: $(cat "$tmp/out")"
grep -q '^ptq: 8 bits everywhere: agreement [0-9.]*%' "$tmp/out" || fail "no 8-bit start line: $(cat "$tmp/out")"
grep -q '^ptq: step 1: s[0-9.a-z]* [a-z]*\( \[[0-9]*, [0-9]*)\)\{0,1\} -> [24] bits: agreement [0-9.]*%, KL [0-9.]*, est. drop' "$tmp/out" ||
	fail "no step line with structure, width and error: $(cat "$tmp/out")"
grep -q '^ptq: self-distillation round 1' "$tmp/out" || fail "no self-distillation line: $(cat "$tmp/out")"
grep -q '^layer  *op  *wbits  *w FL  *bias b:FL  *out bits FL zp  *bytes@8  *bytes  *error (KL)$' "$tmp/out" ||
	fail "no table header: $(cat "$tmp/out")"
grep -q '^s4.b0.fc  *fc  *8->[842]  *[0-9.-]*  *16:[0-9.-]* ' "$tmp/out" || fail "no fc row with a 16-bit bias in the table: $(cat "$tmp/out")"
grep -q '^total ' "$tmp/out" || fail "no total row"
grep -q "^wrote $tmp/fxp.qfm" "$tmp/out" || fail "no 'wrote' line"

"$q" ptq "$tmp/float.qfm" --calib 200 --max-drop 3 --json -o "$tmp/fxp2.qfm" >"$tmp/json" 2>"$tmp/err" ||
	fail "ptq --json: $(cat "$tmp/err")"
for k in float_bytes quant_bytes float_accuracy quant_accuracy; do
	grep -q "^  \"$k\": [0-9.]*,$" "$tmp/json" || fail "--json has no $k: $(cat "$tmp/json")"
done
fb=$(sed -n 's/^  "float_bytes": \([0-9]*\),$/\1/p' "$tmp/json")
qb=$(sed -n 's/^  "quant_bytes": \([0-9]*\),$/\1/p' "$tmp/json")
[ "${qb:-0}" -gt 0 ] && [ "${fb:-0}" -gt $((4 * ${qb:-0})) ] || fail "quant_bytes $qb is not under a quarter of float_bytes $fb"
grep -q '^ptq: step 1' "$tmp/err" || fail "--json: progress is not on stderr"
cmp -s "$tmp/fxp.qfm" "$tmp/fxp2.qfm" || fail "two runs wrote different models"

# the C backend stores what the memory figure counts: int16 biases, int8 shifts
"$q" emit "$tmp/fxp.qfm" --target cortex-m4 -o "$tmp/emit" >"$tmp/log" 2>&1 || fail "emit: $(cat "$tmp/log")"
grep -q '^const int16_t qf_[a-z0-9_]*_b[0-9]*\[' "$tmp/emit/weights.c" || fail "emit: no int16 bias array"
grep -q '^const int8_t qf_[a-z0-9_]*_n[0-9]*\[' "$tmp/emit/weights.c" || fail "emit: no int8 shift array"
grep -q '^const int32_t qf_[a-z0-9_]*_[bn][0-9]*\[' "$tmp/emit/weights.c" && fail "emit: an int32 bias or shift array"
grep -q '\.bias_bits = 16, \.bias_shift = [0-9]*' "$tmp/emit/model.c" || fail "emit: no 16-bit bias parameters"

# through both backends, bit-exact with the integer reference
bench() { # TARGET BACKEND
	"$q" bench "$tmp/fxp.qfm" --target "$1" --backend "$2" --images 50 --json >"$tmp/bench" 2>&1 ||
		fail "bench $1 $2: exit $?: $(cat "$tmp/bench")"
	grep -q '"bit_exact": true' "$tmp/bench" || fail "bench $1 $2 is not bit-exact: $(cat "$tmp/bench")"
	grep -q '"images": 50' "$tmp/bench" || fail "bench $1 $2 did not run 50 images"
}
bench host c
bench host llvm
if command -v qemu-system-arm >/dev/null && command -v arm-none-eabi-gcc >/dev/null; then
	bench cortex-m4 c
	bench cortex-m4 llvm
else
	fail "qemu-system-arm or arm-none-eabi-gcc missing: no run under QEMU"
fi

# a memory goal between two steps of whole layers: layers lowered a half
# at a time become split layers (two runs of channels at two widths),
# which the backends run bit-exact too
"$q" ptq "$tmp/float.qfm" --calib 200 --max-drop 30 --memory-goal 1900 --no-distill -o "$tmp/half.qfm" \
	>"$tmp/out" 2>&1 || fail "ptq with a goal: exit $?: $(cat "$tmp/out")"
grep -q '^s[0-9.a-z]*  *conv  *8->[84]/[42] ' "$tmp/out" || fail "no layer split in halves: $(cat "$tmp/out")"
grep -q '^ptq: step [0-9]*: s[0-9.a-z]* weights \[[0-9]*, [0-9]*) -> [42] bits' "$tmp/out" ||
	fail "no step on half a layer: $(cat "$tmp/out")"
for t in "host c" "host llvm" "cortex-m4 c"; do
	set -- $t
	"$q" bench "$tmp/half.qfm" --target "$1" --backend "$2" --images 50 --json >"$tmp/bench" 2>&1 ||
		fail "bench of the split model on $1 $2: $(cat "$tmp/bench")"
	grep -q '"bit_exact": true' "$tmp/bench" || fail "split model on $1 $2 is not bit-exact: $(cat "$tmp/bench")"
done

# bad input: exit 1, one clear error, nothing written
bad() { # WANT ARGS...
	want=$1
	shift
	rm -f "$tmp/bad.qfm"
	"$q" ptq "$@" -o "$tmp/bad.qfm" >"$tmp/out" 2>&1
	rc=$?
	[ $rc -eq 1 ] || fail "ptq $*: exit $rc, not 1: $(cat "$tmp/out")"
	grep -q "error: .*$want" "$tmp/out" || fail "ptq $*: no error saying '$want': $(cat "$tmp/out")"
	[ ! -e "$tmp/bad.qfm" ] || fail "ptq $*: wrote an output"
	ls "$tmp" | grep -q '\.tmp' && fail "ptq $*: left a temporary file"
}
"$q" calibrate "$tmp/float.qfm" --images 100 -o "$tmp/int8.qfm" >"$tmp/log" 2>&1 || fail "calibrate: $(cat "$tmp/log")"
bad "already quantized" "$tmp/int8.qfm" --calib 100
bad "more calibration images than the training data has (2000)" "$tmp/float.qfm" --calib 2001
bad "every weight at 2 bits needs" "$tmp/float.qfm" --calib 100 --memory-goal 500
bad "no calibration count given" "$tmp/float.qfm"
bad "max-drop 'x'" "$tmp/float.qfm" --calib 100 --max-drop x

[ $failures -eq 0 ] || exit 1
echo "ptq_cli: ok"
