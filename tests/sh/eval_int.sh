#!/bin/sh
# `qforge eval --int` on a slice of Fashion-MNIST (the first 2,000 training
# and 1,000 test images, cut into plain IDX files):
#   - a QAT model (int8, 2 epochs) and a calibrated float model: the integer
#     accuracy of `eval --int --json` equals that of the firmware built by
#     `qforge bench --target host` on the same 1,000 images (bench checks
#     its logits bit for bit against the integer reference), its confusion
#     matrix sums to the images and its diagonal to `correct`;
#   - the QAT model's integer accuracy is within 2 points of the
#     fake-quantized test accuracy training reported (measured: equal);
#   - the result does not depend on --threads (2 and 3);
#   - a float model is refused (exit 1, pointing to calibrate, ptq, QAT).
#   sh tests/sh/eval_int.sh BUILD
. "$(dirname "$0")/../lib/common.sh"

fmnist_slice 2000 1000

small_qf int8.qf 'quant int8 {
  weights { bits {8}; per channel; symmetric; }
  acts    { bits {8}; per tensor;  asymmetric; }
  scales  float;
  method  lsq, statassist, gradboost;
}'
small_qf float.qf ''

json_num() { sed -n "s/^ *\"$1\": \\([0-9.]*\\),*\$/\\1/p" "$2"; }

timeout 300 "$q" train "$tmp/int8.qf" --epochs 2 --batch 32 --seed 3 -o "$tmp/q.qfm" --json >"$tmp/train" 2>"$tmp/log" ||
	fail "train: $(cat "$tmp/log")"
fq=$(json_num accuracy "$tmp/train")
timeout 300 "$q" train "$tmp/float.qf" --epochs 1 --batch 32 --seed 3 -o "$tmp/f.qfm" >"$tmp/log" 2>&1 ||
	fail "float train: $(cat "$tmp/log")"
timeout 300 "$q" calibrate "$tmp/f.qfm" -o "$tmp/c.qfm" >"$tmp/log" 2>&1 || fail "calibrate: $(cat "$tmp/log")"

# $1: model; sets acc
check_model() {
	timeout 300 "$q" eval "$1" --int --json >"$tmp/eval" 2>"$tmp/log" || fail "eval --int $1: $(cat "$tmp/log")"
	acc=$(json_num accuracy "$tmp/eval")
	grep -q '"integer": true' "$tmp/eval" || fail "eval --int --json has no \"integer\": true"
	grep -q '"images": 1000,' "$tmp/eval" || fail "eval --int did not test 1000 images: $(cat "$tmp/eval")"
	# the confusion rows: their total and their diagonal
	tr -d ' ' <"$tmp/eval" | grep '^\[[0-9,]*\],*$' | tr -d '[]' | awk -F, -v want="$(json_num correct "$tmp/eval")" '
		{ for (i = 1; i <= NF; i++) if ($i != "") { all += $i; if (i == NR) diag += $i } }
		END { exit !(NR == 10 && all == 1000 && diag == want) }' ||
		fail "$1: the confusion matrix does not have 10 rows summing to 1000 with 'correct' on its diagonal"
	timeout 300 "$q" bench "$1" --target host --images 1000 --json >"$tmp/bench" 2>"$tmp/log" ||
		fail "bench $1: $(cat "$tmp/log")"
	grep -q '"bit_exact": true' "$tmp/bench" || fail "bench $1 is not bit-exact: $(cat "$tmp/bench")"
	b=$(json_num accuracy "$tmp/bench")
	[ -n "$acc" ] && [ "$acc" = "$b" ] || fail "$1: eval --int accuracy ${acc:-none} is not bench's ${b:-none}"
}
check_model "$tmp/q.qfm"
timeout 300 "$q" eval "$tmp/q.qfm" --int --json --threads 3 >"$tmp/eval3" 2>&1
cmp -s "$tmp/eval" "$tmp/eval3" || fail "eval --int differs with 3 threads"
awk -v a="${acc:-0}" -v b="${fq:-100}" 'BEGIN { d = a - b; exit !(d <= 2 && d >= -2) }' ||
	fail "the integer accuracy ${acc:-none} is not within 2 points of the fake-quantized ${fq:-none}"
check_model "$tmp/c.qfm"

# a float model has no integer model
timeout 60 "$q" eval "$tmp/f.qfm" --int >"$tmp/out" 2>"$tmp/log"
rc=$?
[ "$rc" -eq 1 ] || fail "eval --int of a float model: exit $rc, not 1"
grep -q "^$tmp/f.qfm: error: .*float model.*qforge calibrate.*qforge ptq.*QAT" "$tmp/log" ||
	fail "eval --int of a float model: no clear error: $(cat "$tmp/log")"
[ -s "$tmp/out" ] && fail "eval --int of a float model printed: $(cat "$tmp/out")"

[ "$failures" -eq 0 ] || exit 1
echo "eval_int: ok"
