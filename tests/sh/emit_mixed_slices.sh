#!/bin/sh
# Learned precision per slice, deployed (issue 5): a tiny net trained with
# QAT, `slice 4` and a weight budget the projection meets by lowering some
# slices of a layer and not others, so that layers hold weights at two
# widths (conv1 2/4-bit into a 4-bit activation, the last fc 8/4/8-bit).
# Checks, on 100 Fashion-MNIST test images:
#   - qforge lower splits those layers into runs of channels;
#   - the C backend on the host (gcc) and the LLVM backend's host object
#     agree with the integer reference bit for bit (qforge bench
#     bit_exact), and so do both on Cortex-M4 under QEMU (DSP path);
#   - the constants (weights, biases, requant) of the mixed model are below
#     those of the same net at 8 bits everywhere (qforge calibrate --wbits
#     8,8,8,8), both backends, Cortex-M4. Flash as a whole is printed, not
#     checked: on a net this small the code of the extra kernels (C: one
#     per width; LLVM: one tile loop per run) outweighs the weights saved.
# Training takes about a second (6,000 images, 3 short epochs).
#   sh tests/sh/emit_mixed_slices.sh BUILD
. "$(dirname "$0")/../lib/common.sh"
[ -f "$fm/t10k-images-idx3-ubyte.gz" ] || { echo "no Fashion-MNIST in $fm"; exit 1; }
idx_slice train 6000 train

# 8 bits everywhere the weights would take 1,536 bytes; the budget of 800
# makes the projection lower 11 slices of 4 channels (seed 5)
{
	fm_data fm slice full
	cat <<EOT
quant lp {
  weights { bits {2, 4, 8}; per channel; symmetric; slice 4; }
  acts    { bits {4, 8}; per tensor; asymmetric; }
  method  lsq, learned_precision;
  budget  weights <= 800 penalty 1e-3;
  schedule { qat 1 epoch; precision 1 epoch; finetune 1 epoch; }
}
space mx {
  input 1x28x28;
  conv c 8 k 3 s 2 relu abits 4;
  conv c 16 k 3 s 2 relu abits 8;
  pool avg global;
  fc 12 abits 8;
  fc 10 abits 8;
}
EOT
} >"$tmp/mx.qf"
$q train "$tmp/mx.qf" --seed 5 -o "$tmp/mx.qfm" >"$tmp/train.log" 2>&1 || { cat "$tmp/train.log"; fail "train"; exit 1; }
$q lower "$tmp/mx.qfm" >"$tmp/lower.txt" 2>&1 || fail "lower: $(cat "$tmp/lower.txt")"
split=$(grep -c ' w\[0,' "$tmp/lower.txt")
[ "$split" -ge 1 ] || fail "no split layer in: $(cat "$tmp/lower.txt")"
grep -q 'i4 .* w\[0,\|s0.b0.conv .*w\[0,' "$tmp/lower.txt" || fail "conv1 (4-bit output) is not split"

json_field() {
	sed -n "s/^  \"$2\": \\(.*\\),\$/\\1/p; s/^  \"$2\": \\([^,]*\\)\$/\\1/p" "$1" | head -n 1
}

for run in "host c --cc gcc" "host llvm --backend llvm" "cortex-m4 c" "cortex-m4 llvm --backend llvm"; do
	set -- $run
	t=$1 be=$2
	shift 2
	out=$tmp/$t.$be.json
	if ! timeout 600 $q bench "$tmp/mx.qfm" --target $t "$@" --images 100 --json >"$out" 2>"$tmp/err"; then
		fail "$t $be: bench failed: $(tail -n 20 "$tmp/err")"
		continue
	fi
	[ "$(json_field "$out" bit_exact)" = true ] || fail "$t $be: not bit-exact"
	[ "$(json_field "$out" images)" = 100 ] || fail "$t $be: not 100 images"
	[ "$(json_field "$out" accuracy)" = "$(json_field "$out" reference_accuracy)" ] || fail "$t $be: accuracy"
	echo "mixed slices, $t $be: bit-exact on 100 images, accuracy $(json_field "$out" accuracy)%," \
		"flash $(json_field "$out" flash_bytes)"
done

# the saving: the same net at 8 bits everywhere (recalibrated; widths only matter here)
$q calibrate "$tmp/mx.qfm" --images 200 --wbits 8,8,8,8 -o "$tmp/u8.qfm" >/dev/null 2>"$tmp/err" ||
	fail "calibrate u8: $(cat "$tmp/err")"
for be in c llvm; do
	if timeout 600 $q bench "$tmp/u8.qfm" --target cortex-m4 --backend $be --images 20 --json >"$tmp/u8.json" \
		2>"$tmp/err"; then
		mc=$(json_field "$tmp/cortex-m4.$be.json" const_bytes)
		uc=$(json_field "$tmp/u8.json" const_bytes)
		echo "Cortex-M4, $be backend: constants $mc bytes mixed, $uc uniform 8-bit;" \
			"flash $(json_field "$tmp/cortex-m4.$be.json" flash_bytes) mixed," \
			"$(json_field "$tmp/u8.json" flash_bytes) uniform"
		[ "$mc" -lt "$uc" ] 2>/dev/null || fail "$be: mixed constants $mc not below uniform $uc"
	else
		fail "bench u8 $be: $(tail -n 20 "$tmp/err")"
	fi
done

[ $failures -eq 0 ] && echo "emit_mixed_slices: ok"
[ $failures -eq 0 ]
