#!/bin/sh
# `qforge train --resume` of a QAT run, on a slice of Fashion-MNIST (the
# first 2,000 training and 1,000 test images, cut into plain IDX files):
#   - int8 LSQ + StatAssist, 2 epochs: stopped after epoch 1 (--stop-after)
#     and resumed gives the same bytes as the run never stopped;
#   - learned precision under a weight budget with a float/qat/precision/
#     finetune schedule, 4 epochs: resumed after epoch 1 and again after
#     epoch 3 (so across the projection) gives the same bytes;
#   - with GradBoost (its statistics, step count and generator are in the
#     checkpoint) stopped after epoch 1 of 2 and resumed gives the same
#     bytes too;
#   - a QAT checkpoint resumed with a .qf without a quant policy is refused.
#   sh tests/sh/qat_resume.sh BUILD
. "$(dirname "$0")/../lib/common.sh"

fmnist_slice 2000 1000

small_qf int8.qf 'quant int8 {
  weights { bits {8}; per channel; symmetric; }
  acts    { bits {8}; per tensor;  asymmetric; }
  scales  float;
  method  lsq, statassist;
}'
small_qf lp.qf 'quant mixed {
  weights { bits {2, 4, 8}; per channel; symmetric; slice 8; }
  acts    { bits {8}; per tensor;  asymmetric; }
  scales  float;
  method  lsq, statassist, learned_precision, gradmod;
  budget  weights <= 3K penalty 1e-3;
  schedule { float 1 epoch; qat 1 epoch; precision 1 epoch lr 0.05; finetune 1 epoch; }
}'
small_qf gb.qf 'quant int8 {
  weights { bits {8}; per channel; symmetric; }
  acts    { bits {8}; per tensor;  asymmetric; }
  scales  float;
  method  lsq, statassist, gradboost;
}'
small_qf float.qf ''

run() {
	timeout 300 "$q" train --batch 32 --seed 3 "$@" >"$tmp/log" 2>&1 || fail "train $*: exit $?: $(cat "$tmp/log")"
}

# int8: 2 epochs, and 1 + resume
run "$tmp/int8.qf" --epochs 2 -o "$tmp/a.qfm"
run "$tmp/int8.qf" --epochs 2 --stop-after 1 -o "$tmp/b.qfm"
grep -q "epoch 2/2" "$tmp/log" && fail "--stop-after 1 trained epoch 2"
run --resume "$tmp/b.qfm" -o "$tmp/b.qfm"
grep -q "epoch 2/2" "$tmp/log" || fail "the resume did not train epoch 2: $(cat "$tmp/log")"
cmp -s "$tmp/a.qfm" "$tmp/b.qfm" || fail "int8: stopped and resumed differs from the uninterrupted run"
# a fresh start from the epoch-1 checkpoint's weights is another run
run "$tmp/b.qfm" --epochs 1 -o "$tmp/c.qfm"
cmp -s "$tmp/a.qfm" "$tmp/c.qfm" && fail "a fresh run from the checkpoint equals the resumed one"

# learned precision, multi-phase: resume at epoch 1 and at 3 (before the
# projection, which happens when finetune starts at epoch 4)
run "$tmp/lp.qf" -o "$tmp/lp.qfm"
grep -q "^project: " "$tmp/log" || fail "the budget run projected nothing: $(cat "$tmp/log")"
run "$tmp/lp.qf" --stop-after 1 -o "$tmp/lp1.qfm"
run --resume "$tmp/lp1.qfm" --stop-after 3 -o "$tmp/lp1.qfm"
run --resume "$tmp/lp1.qfm" -o "$tmp/lp1.qfm"
grep -q "^project: " "$tmp/log" || fail "the resumed run did not project: $(cat "$tmp/log")"
cmp -s "$tmp/lp.qfm" "$tmp/lp1.qfm" || fail "learned precision: resumed twice differs from the uninterrupted run"

# GradBoost: the same bytes too
run "$tmp/gb.qf" --epochs 2 -o "$tmp/g.qfm"
run "$tmp/gb.qf" --epochs 2 --stop-after 1 -o "$tmp/h.qfm"
run --resume "$tmp/h.qfm" -o "$tmp/h.qfm"
grep -q 'qat epoch 2/2 (qat)' "$tmp/h.qfm" || fail "the resumed GradBoost run has no QAT epoch 2 in its history"
cmp -s "$tmp/g.qfm" "$tmp/h.qfm" || fail "GradBoost: stopped and resumed differs from the uninterrupted run"
# a checkpoint whose GradBoost state is damaged is refused, not restarted
sed 's/key="gradboost" value="[0-9]*/key="gradboost" value="x/' "$tmp/h.qfm" >"$tmp/hb.qfm"
cmp -s "$tmp/h.qfm" "$tmp/hb.qfm" && fail "the test could not damage the GradBoost state"
run "$tmp/gb.qf" --epochs 2 --stop-after 1 -o "$tmp/h.qfm"
sed 's/key="gradboost" value="[0-9]*/key="gradboost" value="x/' "$tmp/h.qfm" >"$tmp/hb.qfm"
timeout 60 "$q" train --resume "$tmp/hb.qfm" -o "$tmp/hb.qfm" >"$tmp/log" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "resume with damaged GradBoost state: exit $rc, not 1"
grep -q "GradBoost state" "$tmp/log" || fail "damaged GradBoost state: no message naming it: $(cat "$tmp/log")"

# a QAT checkpoint needs its policy
timeout 60 "$q" train --resume "$tmp/b.qfm" --qf "$tmp/float.qf" -o "$tmp/d.qfm" >"$tmp/log" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "resume with a .qf without quant policy: exit $rc, not 1"
grep -q "has no quant policy" "$tmp/log" || fail "no message for the missing policy: $(cat "$tmp/log")"
[ -e "$tmp/d.qfm" ] && fail "a refused resume wrote its output"

[ "$failures" -eq 0 ] || exit 1
echo "qat_resume: ok"
