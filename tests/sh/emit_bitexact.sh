#!/bin/sh
# Emitted C against the integer reference, bit for bit, on 100 Fashion-MNIST
# test images, for three small models made here (sampled, calibrated on 200
# training images; seconds, not minutes):
#   int8   conv, mbconv (expand, depthwise, relu6, project, residual add),
#          max pool, strided conv, global average pool, fc; multiplier requant
#   mixed  8-, 4- and 2-bit weights, a 4-bit activation between two convs
#   pow2   power-of-two scales: shift-only requant
#   sub    the int8 net at 8/4/4/2/4/8-bit weights with 8-bit activations: the
#          loops generated for sub-byte weights (cgen_spec.c), short and long
# each built and run by qforge bench with gcc and clang-14 on the host and
# under QEMU on Cortex-M4 (mps2-an386, DSP path) and Cortex-M3 (mps2-an385,
# portable C). Then: the emitted folder compiles alone with
# -std=c99 -Wall -Wextra -Werror -pedantic under gcc, clang-14 and
# arm-none-eabi-gcc; the firmware's model and runtime objects hold no
# floating point (no __aeabi_f*/__aeabi_d* calls, no VFP instructions when
# built for a Cortex-M4 with an FPU).
#   sh tests/sh/emit_bitexact.sh BUILD
. "$(dirname "$0")/../lib/common.sh"
[ -f "$fm/t10k-images-idx3-ubyte.gz" ] || { echo "no Fashion-MNIST in $fm"; exit 1; }
idx_slice train 6000 train

{
	fm_data fm slice full
	cat <<EOF
space int8 {
  input 1x28x28;
  conv c 8 k 3 s 2 relu;
  mbconv c 8 e 2 k 3;
  pool max k 2;
  conv c 16 k 3 s 2 relu;
  pool avg global;
  fc 10;
}
EOF
} >"$tmp/nets.qf"
{
	fm_data fm slice full
	cat <<EOF
quant mixed {
  weights { bits {2, 4, 8}; per channel; symmetric; }
  acts    { bits {4, 8};    per tensor;  asymmetric; }
}
space mixed {
  input 1x28x28;
  conv c 8 k 3 s 2 relu wbits 8 abits 8;
  conv c 16 k 3 s 1 relu wbits 4 abits 4;
  conv c 16 k 3 s 2 relu wbits 2 abits 8;
  pool avg global;
  fc 10 wbits 4 abits 8;
}
EOF
} >"$tmp/mixed.qf"

$q train "$tmp/nets.qf" --epochs 1 --seed 3 -o "$tmp/int8_f.qfm" >/dev/null || fail "train int8"
$q train "$tmp/mixed.qf" --epochs 1 --seed 4 -o "$tmp/mixed_f.qfm" >/dev/null || fail "train mixed"
$q calibrate "$tmp/int8_f.qfm" --images 200 -o "$tmp/int8.qfm" >/dev/null || fail "calibrate int8"
$q calibrate "$tmp/mixed_f.qfm" --images 200 -o "$tmp/mixed.qfm" >/dev/null || fail "calibrate mixed"
$q calibrate "$tmp/int8_f.qfm" --images 200 --pow2 -o "$tmp/pow2.qfm" >/dev/null || fail "calibrate pow2"
$q calibrate "$tmp/int8_f.qfm" --images 200 --wbits 8,4,4,2,4,8 -o "$tmp/sub.qfm" >/dev/null || fail "calibrate sub"

# json_field FILE KEY: the value of a top-level key of a bench JSON object
json_field() {
	sed -n "s/^  \"$2\": \\(.*\\),\$/\\1/p; s/^  \"$2\": \\([^,]*\\)\$/\\1/p" "$1" | head -n 1
}

for m in int8 mixed pow2 sub; do
	for run in "host gcc" "host clang-14" "cortex-m4 -" "cortex-m3 -"; do
		set -- $run
		before=$failures
		case $1 in
		host) args="--target host --cc $2" what="host $2" ;;
		cortex-m4) args="--target cortex-m4 --keep $tmp/fw_$m" what="QEMU Cortex-M4" ;;
		cortex-m3) args="--target cortex-m4 --cpu cortex-m3" what="QEMU Cortex-M3" ;;
		esac
		out=$tmp/$m.$1.$2.json
		if ! timeout 600 $q bench "$tmp/$m.qfm" $args --images 100 --json >"$out" 2>"$tmp/err"; then
			fail "$m on $what: bench failed: $(tail -n 20 "$tmp/err")"
			continue
		fi
		exact=$(json_field "$out" bit_exact)
		acc=$(json_field "$out" accuracy)
		ref=$(json_field "$out" reference_accuracy)
		n=$(json_field "$out" images)
		[ "$exact" = true ] || fail "$m on $what: bit_exact is '$exact'"
		[ "$n" = 100 ] || fail "$m on $what: $n images, not 100"
		[ "$acc" = "$ref" ] || fail "$m on $what: accuracy $acc, reference $ref"
		# trained: far from the 10% of a network that says one class (2-bit
		# weights after training in float lose much: mixed 35 to 38%, sub 54% measured)
		floor=50
		[ $m = mixed ] || [ $m = sub ] && floor=25
		[ "${acc%.*}" -ge $floor ] 2>/dev/null || fail "$m on $what: accuracy $acc"
		if [ "$1" != host ]; then
			instr=$(json_field "$out" instructions_per_inference)
			flash=$(json_field "$out" flash_bytes)
			ram=$(json_field "$out" ram_bytes)
			[ "${instr:-0}" -gt 10000 ] 2>/dev/null || fail "$m on $what: instructions_per_inference '$instr'"
			[ "${flash:-0}" -gt 1000 ] 2>/dev/null || fail "$m on $what: flash_bytes '$flash'"
			[ "${ram:-0}" -gt 100 ] 2>/dev/null || fail "$m on $what: ram_bytes '$ram'"
		fi
		[ $failures = $before ] && echo "ok $m on $what: bit-exact, accuracy $acc"
	done
done

# the emitted folder alone, three compilers, the issue's flags
flags="-std=c99 -Wall -Wextra -Werror -pedantic"
for m in int8 mixed pow2 sub; do
	$q emit "$tmp/$m.qfm" --target cortex-m4 -o "$tmp/emit_$m" >/dev/null || { fail "emit $m"; continue; }
	for cc in "gcc -O2" "clang-14 -O2" "arm-none-eabi-gcc -O2 -mthumb -mcpu=cortex-m4" \
		"arm-none-eabi-gcc -Os -mthumb -mcpu=cortex-m3" "arm-none-eabi-gcc -O2 -mthumb -mcpu=cortex-m0"; do
		for c in "$tmp/emit_$m"/*.c; do
			$cc $flags -c "$c" -o "$tmp/x.o" 2>"$tmp/err" || fail "$m: $cc $flags $(basename "$c"): $(head -n 5 "$tmp/err")"
		done
	done
	echo "ok $m compiles alone (gcc, clang-14, arm-none-eabi-gcc M4/M3/M0)"
done

# no floating point in the firmware's model and runtime objects
for m in int8 mixed pow2 sub; do
	objs=$(cat "$tmp/fw_$m/model_objs.txt" 2>/dev/null)
	[ -n "$objs" ] || { fail "$m: no firmware objects kept"; continue; }
	calls=$(cd "$tmp/fw_$m" && arm-none-eabi-nm -u $objs | grep -E '__aeabi_[fd]|__aeabi_[iu]2[fd]|__(add|sub|mul|div)[sd]f3')
	[ -z "$calls" ] || fail "$m: float helper calls in the model: $calls"
	# built for an FPU, any float arithmetic would be VFP instructions
	for c in "$tmp/emit_$m"/*.c; do
		arm-none-eabi-gcc $flags -O2 -mthumb -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16 \
			-c "$c" -o "$tmp/hf.o" || fail "$m: hard-float build of $(basename "$c")"
		vfp=$(arm-none-eabi-objdump -d "$tmp/hf.o" | grep -E '\sv(add|sub|mul|div|mla|mls|fma|cvt|ldr|str|mov|cmp|neg|abs|sqrt|push|pop)' | head -n 3)
		[ -z "$vfp" ] || fail "$m: VFP instructions in $(basename "$c"): $vfp"
	done
	echo "ok $m: no floating point in the model and runtime objects"
done

# the check above can fail: a float in emitted-style code is found
printf 'float f(float x);\nfloat f(float x) { return x * 0.5f + 1.0f; }\n' >"$tmp/float.c"
arm-none-eabi-gcc -O2 -mthumb -mcpu=cortex-m4 -c "$tmp/float.c" -o "$tmp/float.o"
arm-none-eabi-nm -u "$tmp/float.o" | grep -qE '__aeabi_f' || fail "the nm check would not see a float multiply"

if [ "$failures" -ne 0 ]; then
	echo "$failures failures"
	exit 1
fi
echo "all passed"
