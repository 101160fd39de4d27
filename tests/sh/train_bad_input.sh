#!/bin/sh
# Bad data given to `qforge train` and `qforge eval`: a missing file, a
# truncated one (plain and gzip), a corrupt gzip stream, a file that is not
# IDX, labels that do not match the images in count, a label out of range,
# images of another shape than the data block says, a network that does not
# take the images, a broken checkpoint. Each must exit 1 with an "error:"
# line naming the file and what is wrong, and leave the checkpoint that -o
# names exactly as it was (and no temporary beside it).
#   sh tests/sh/train_bad_input.sh BUILD
. "$(dirname "$0")/../lib/common.sh"
checks=0

# A slice of 500 training and 200 test images (IDX headers in octal:
# 500 = 0x01f4, 200 = 0xc8, 28 = 0x1c).
fmnist_slice 500 200

# broken variants
head -c 100000 "$tmp/train-images" >"$tmp/trunc-images"
gzip -9 -c "$tmp/train-images" >"$tmp/images.gz"
head -c 20000 "$tmp/images.gz" >"$tmp/trunc-images.gz"
# flip a byte of the CRC-32 trailer (8 bytes from the end): the data
# inflates fully and only the check fails
size=$(wc -c <"$tmp/images.gz")
{ head -c $((size - 8)) "$tmp/images.gz"; printf '\377'; tail -c 7 "$tmp/images.gz"; } >"$tmp/badcrc-images.gz"
cmp -s "$tmp/images.gz" "$tmp/badcrc-images.gz" && fail "the CRC byte was already 0xff"

# qf DATA-STATEMENTS [INPUT]: a .qf with a small net on the given data
qf() {
	cat <<EOF
data d {
  format idx;
  $1
  classes ${CLASSES:-10};
  validate 0;
}
space small {
  input ${2:-1x28x28};
  conv c 4 k 3 s 2 relu;
  pool avg global;
  fc ${CLASSES:-10};
}
EOF
}
good="train images \"$tmp/train-images\" labels \"$tmp/train-labels\";
  test images \"$tmp/test-images\" labels \"$tmp/test-labels\";
  input 1x28x28 uint8;"
qf "$good" >"$tmp/good.qf"

"$q" train "$tmp/good.qf" --epochs 1 -o "$tmp/ckpt.qfm" >"$tmp/log" 2>&1 || fail "the good run failed: $(cat "$tmp/log")"
cp "$tmp/ckpt.qfm" "$tmp/keep.qfm"

# expect NAME FILE-NAMED WHAT CMD...: exit 1, stderr has "FILE-NAMED: error:"
# (or "FILE-NAMED:LINE: error:") and WHAT, and the checkpoint is unchanged.
expect() {
	name=$1
	file=$2
	what=$3
	shift 3
	checks=$((checks + 1))
	timeout 120 "$@" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	[ "$rc" -eq 1 ] || fail "$name: exit $rc, expected 1; stderr: $(head -c 600 "$tmp/stderr")"
	# "FILE: error:" or "FILE:LINE: error:"
	awk -v f="$file:" 'index($0, f) == 1 && index($0, ": error:") { ok = 1 } END { exit !ok }' "$tmp/stderr" ||
		fail "$name: no '$file: error:' in: $(head -c 600 "$tmp/stderr")"
	grep -qF -- "$what" "$tmp/stderr" || fail "$name: no '$what' in: $(head -c 600 "$tmp/stderr")"
	cmp -s "$tmp/ckpt.qfm" "$tmp/keep.qfm" || fail "$name: the checkpoint changed"
	for f in "$tmp"/ckpt.qfm.tmp*; do
		[ -e "$f" ] && fail "$name: left the temporary $f"
	done
	return 0
}

# case NAME DATA-STATEMENTS FILE-NAMED WHAT [INPUT]: training a fresh
# network and resuming the checkpoint on that data both fail
case_() {
	qf "$2" "${5:-1x28x28}" >"$tmp/bad.qf"
	expect "$1 (train)" "$3" "$4" "$q" train "$tmp/bad.qf" --epochs 1 -o "$tmp/ckpt.qfm"
	expect "$1 (resume)" "$3" "$4" "$q" train --resume "$tmp/ckpt.qfm" "$tmp/bad.qf" --epochs 2 -o "$tmp/ckpt.qfm"
}

t="test images \"$tmp/test-images\" labels \"$tmp/test-labels\"; input 1x28x28 uint8;"
case_ "missing images" "train images \"$tmp/nope\" labels \"$tmp/train-labels\"; $t" \
	"$tmp/nope" "cannot open: No such file or directory"
case_ "truncated images" "train images \"$tmp/trunc-images\" labels \"$tmp/train-labels\"; $t" \
	"$tmp/trunc-images" "truncated: the header says 500 images, the file ends after 127"
case_ "truncated gzip" "train images \"$tmp/trunc-images.gz\" labels \"$tmp/train-labels\"; $t" \
	"$tmp/trunc-images.gz" "truncated"
case_ "bad gzip CRC" "train images \"$tmp/badcrc-images.gz\" labels \"$tmp/train-labels\"; $t" \
	"$tmp/badcrc-images.gz" "corrupt gzip data"
case_ "labels as images" "train images \"$tmp/train-labels\" labels \"$tmp/train-labels\"; $t" \
	"$tmp/train-labels" "IDX rank 1"
case_ "not IDX" "train images \"$tmp/good.qf\" labels \"$tmp/train-labels\"; $t" \
	"$tmp/good.qf" "not an IDX file"
case_ "label count" "train images \"$tmp/train-images\" labels \"$tmp/test-labels\"; $t" \
	"$tmp/test-labels" "200 labels for 500 images"
CLASSES=5 case_ "label range" "$good" "$tmp/train-labels" "is out of range: the data has 5 classes (0..4)"
case_ "image shape" "train images \"$tmp/train-images\" labels \"$tmp/train-labels\";
  test images \"$tmp/test-images\" labels \"$tmp/test-labels\"; input 1x32x32 uint8;" \
	"$tmp/train-images" "images are 1x28x28 (CxHxW) but the data block's input is 1x32x32" 1x32x32
case_ "test labels" "train images \"$tmp/train-images\" labels \"$tmp/train-labels\";
  test images \"$tmp/test-images\" labels \"$tmp/nope-labels\"; input 1x28x28 uint8;" \
	"$tmp/nope-labels" "cannot open"

# a network that does not take the images: the .qf checker compares a
# space with its data block, so the mismatch comes from a model sampled
# from a space of 32x32 inputs and trained on the 28x28 data of another .qf
cat >"$tmp/net32.qf" <<EOF
space wide { input 1x32x32; conv c 4 k 3 s 2 relu; pool avg global; fc 10; }
EOF
"$q" sample "$tmp/net32.qf" --pick largest -o "$tmp/net32.qfm" >"$tmp/log" 2>&1 || fail "sample: $(cat "$tmp/log")"
expect "network input" "$tmp/train-images" "images are 1x28x28 but the network 'wide' takes 1x32x32" \
	"$q" train "$tmp/net32.qfm" --qf "$tmp/good.qf" -o "$tmp/ckpt.qfm"
expect "eval network input" "$tmp/test-images" "but the network 'wide' takes 1x32x32" \
	"$q" eval "$tmp/net32.qfm" --qf "$tmp/good.qf"

# broken checkpoints
printf 'not a model' >"$tmp/junk.qfm"
expect "junk checkpoint" "$tmp/junk.qfm" "" "$q" train --resume "$tmp/junk.qfm" "$tmp/good.qf" -o "$tmp/ckpt.qfm"
sed 's/key="train.step" value="[0-9]*"/key="train.step" value="3"/' "$tmp/keep.qfm" >"$tmp/step.qfm"
cmp -s "$tmp/step.qfm" "$tmp/keep.qfm" && fail "could not edit train.step"
expect "step mismatch" "$tmp/step.qfm" "checkpoint step 3 is not epoch 1 x 8 steps" \
	"$q" train --resume "$tmp/step.qfm" --epochs 2 -o "$tmp/ckpt.qfm"
expect "bad option value" "qforge train" "--epochs '0' is not a number" \
	"$q" train "$tmp/good.qf" --epochs 0 -o "$tmp/ckpt.qfm"
expect "resume without data" "$tmp/nowhere.qf" "cannot open" \
	"$q" train --resume "$tmp/ckpt.qfm" --qf "$tmp/nowhere.qf" -o "$tmp/ckpt.qfm"

# eval of a model whose data is gone
mv "$tmp/test-images" "$tmp/test-images.away"
expect "eval, missing test images" "$tmp/test-images" "cannot open" "$q" eval "$tmp/ckpt.qfm" --json
mv "$tmp/test-images.away" "$tmp/test-images"
"$q" eval "$tmp/ckpt.qfm" --json >"$tmp/log" 2>&1 || fail "eval of the good checkpoint: $(cat "$tmp/log")"
grep -q '"images": 200' "$tmp/log" || fail "eval did not test 200 images: $(cat "$tmp/log")"

echo "$checks checks, $failures failures"
[ "$failures" -eq 0 ]
