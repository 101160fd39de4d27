#!/bin/sh
# qforge emit/bench --backend llvm from the command line (issue 7):
#  - a small calibrated model emitted for every built-in target: model.o is
#    an object for the target's machine (ELF header), exports qf_m_run and
#    nothing else, model.h is the C backend's API; --emit-llvm and
#    --emit-asm add model.ll and model.s; the Cortex objects hold no
#    floating point (no VFP instruction, no soft-float call)
#  - qforge bench --backend llvm on Cortex-M4 (QEMU) and the host: bit-exact
#    with the integer reference on 20 test images, the same JSON keys as
#    --backend c
#  - bad input: a target whose CPU or feature LLVM does not know, a triple
#    it has no backend for, an output folder that cannot be made, a folder
#    that is not an emission, usage errors; each exit 1 with a message
#    naming the problem, nothing written
#   sh tests/sh/llvm_emit.sh BUILD
. "$(dirname "$0")/../lib/common.sh"
[ -f "$fm/t10k-images-idx3-ubyte.gz" ] || { echo "no Fashion-MNIST in $fm"; exit 1; }

{
	fm_data fm full full
	cat <<EOF
target "cortex-m4";
space m {
  input 1x28x28;
  conv c 8 k 3 s 2 relu;
  pool max k 2;
  conv c 16 k 3 relu;
  pool avg global;
  fc 10;
}
EOF
} >"$tmp/m.qf"
$q sample "$tmp/m.qf" --pick smallest --seed 2 -o "$tmp/f.qfm" >/dev/null || fail "sample"
$q calibrate "$tmp/f.qfm" --images 100 -o "$tmp/m.qfm" >/dev/null || fail "calibrate"

# ---- every built-in target
for t in cortex-m0plus cortex-m4 cortex-m7 rv32imc host; do
	o=$tmp/out-$t
	$q emit "$tmp/m.qfm" --backend llvm --target $t -o "$o" --emit-llvm --emit-asm >"$tmp/stdout" 2>"$tmp/stderr" ||
		fail "emit $t: $(cat "$tmp/stderr")"
	for f in model.o model.h model.ll model.s; do
		[ -s "$o/$f" ] || fail "emit $t: no $f"
	done
	case $t in
	cortex-*) want="ARM" ;;
	rv32imc) want="RISC-V" ;;
	host) want="X86-64|x86-64" ;;
	esac
	readelf -h "$o/model.o" | grep -Eq "Machine: +.*($want)" || fail "emit $t: model.o is not for $want"
	syms=$(nm -g --defined-only "$o/model.o" 2>/dev/null | awk '{ print $3 }')
	[ "$syms" = qf_m_run ] || fail "emit $t: global symbols '$syms', want qf_m_run"
	grep -q 'int qf_m_run(const uint8_t \*in, int8_t \*out_logits, void \*arena);' "$o/model.h" || fail "emit $t: model.h API"
	grep -q '^define .*@qf_m_run' "$o/model.ll" || fail "emit $t: model.ll has no qf_m_run"
	grep -q "^flash .* bytes: constants .* + code" "$tmp/stdout" || fail "emit $t: summary: $(cat "$tmp/stdout")"
	case $t in
	cortex-*)
		if arm-none-eabi-objdump -d "$o/model.o" |
			grep -E '^\s+[0-9a-f]+:\s+([0-9a-f]{4} ?){1,2}\s+v[a-z]+(\.[a-z0-9]+)*\s' | head -3 | grep .; then
			fail "emit $t: floating-point instructions"
		fi
		arm-none-eabi-nm -u "$o/model.o" | grep -E '__aeabi_[fd]|__(add|sub|mul|div)[sd]f3' && fail "emit $t: soft-float calls"
		;;
	esac
done
# the DSP path where the target has it, not elsewhere
grep -q smlad "$tmp/out-cortex-m4/model.s" || fail "cortex-m4: no SMLAD"
grep -q smlad "$tmp/out-cortex-m0plus/model.s" && fail "cortex-m0plus: SMLAD on ARMv6-M"
$q emit "$tmp/m.qfm" --backend llvm --target cortex-m4 -o "$tmp/j" --json >"$tmp/j.json" || fail "emit --json"
for k in name target backend output layers files flash_bytes const_bytes code_bytes arena_bytes dsp cpu_ms; do
	grep -q "\"$k\":" "$tmp/j.json" || fail "emit --json: no $k"
done
$q emit "$tmp/m.qfm" --backend llvm --opt s -o "$tmp/os" >/dev/null || fail "emit --opt s"
[ -s "$tmp/os/model.o" ] || fail "emit --opt s: no model.o"

# ---- bench: bit-exact, same keys as the C backend
$q bench "$tmp/m.qfm" --target cortex-m4 --backend llvm --images 20 --json >"$tmp/bl.json" 2>"$tmp/stderr" ||
	fail "bench llvm m4: $(cat "$tmp/stderr")"
$q bench "$tmp/m.qfm" --target cortex-m4 --images 20 --json >"$tmp/bc.json" 2>"$tmp/stderr" ||
	fail "bench c m4: $(cat "$tmp/stderr")"
grep -q '"bit_exact": true' "$tmp/bl.json" || fail "bench llvm m4: not bit-exact"
keys() { sed -n 's/^  "\([a-z_]*\)":.*/\1/p' "$1"; }
[ "$(keys "$tmp/bl.json")" = "$(keys "$tmp/bc.json")" ] || fail "bench llvm and c: different keys"
grep -Eq '"instructions_per_inference": [1-9][0-9]*' "$tmp/bl.json" || fail "bench llvm m4: no instruction count"
$q bench "$tmp/m.qfm" --target host --backend llvm --images 20 >"$tmp/stdout" 2>"$tmp/stderr" ||
	fail "bench llvm host: $(cat "$tmp/stderr")"
grep -q "^bit_exact *yes" "$tmp/stdout" || fail "bench llvm host: $(cat "$tmp/stdout")"

# ---- bad input: exit 1, the reason, nothing written
expect_error() { # name, path that must not appear, pattern, command...
	name=$1 path=$2 pat=$3
	shift 3
	"$@" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	[ $rc -eq 1 ] || fail "$name: exit $rc, want 1"
	grep -Eq -e "$pat" "$tmp/stderr" || fail "$name: no \"$pat\" in: $(cat "$tmp/stderr")"
	if [ -n "$path" ]; then
		[ -e "$path" ] && fail "$name: $path was written"
		ls -d "$path".* >/dev/null 2>&1 && fail "$name: left $(ls -d "$path".*)"
	fi
}
sed 's/cpu="cortex-m4"/cpu="cortex-m99"/' targets/cortex-m4.xml >"$tmp/cpu.xml"
sed 's/features="+dsp"/features="+dsp,+warp"/' targets/cortex-m4.xml >"$tmp/feat.xml"
sed 's/triple="thumbv7em-none-eabi"/triple="aarch64-none-elf"/' targets/cortex-m4.xml >"$tmp/triple.xml"
expect_error "unknown cpu" "$tmp/bad" "LLVM 14 does not know the CPU 'cortex-m99'" \
	$q emit "$tmp/m.qfm" --backend llvm --target "$tmp/cpu.xml" -o "$tmp/bad"
expect_error "unknown feature" "$tmp/bad" "does not know the feature '\+warp'" \
	$q emit "$tmp/m.qfm" --backend llvm --target "$tmp/feat.xml" -o "$tmp/bad"
expect_error "triple without a backend" "$tmp/bad" "cannot compile for 'aarch64-none-elf'" \
	$q emit "$tmp/m.qfm" --backend llvm --target "$tmp/triple.xml" -o "$tmp/bad"
expect_error "bench unknown feature" "" "does not know the feature" \
	$q bench "$tmp/m.qfm" --backend llvm --target "$tmp/feat.xml" --images 2
expect_error "unwritable folder" "" "cannot" \
	$q emit "$tmp/m.qfm" --backend llvm -o /proc/qforge-llvm-out
echo x >"$tmp/afile"
expect_error "folder under a file" "" "cannot" \
	$q emit "$tmp/m.qfm" --backend llvm -o "$tmp/afile/out"
[ "$(cat "$tmp/afile")" = x ] || fail "folder under a file: the file changed"
mkdir "$tmp/mine" && echo precious >"$tmp/mine/notes.txt"
expect_error "foreign folder" "" "not a folder qforge emit wrote" \
	$q emit "$tmp/m.qfm" --backend llvm -o "$tmp/mine"
[ "$(ls "$tmp/mine")" = notes.txt ] || fail "foreign folder: touched"
expect_error "bad --opt" "$tmp/bad" "--opt '3'" $q emit "$tmp/m.qfm" --backend llvm --opt 3 -o "$tmp/bad"
expect_error "--emit-llvm with c" "$tmp/bad" "are for --backend llvm" $q emit "$tmp/m.qfm" --emit-llvm -o "$tmp/bad"
expect_error "unknown backend" "$tmp/bad" "give c or llvm" $q emit "$tmp/m.qfm" --backend gcc -o "$tmp/bad"
expect_error "bench llvm --cpu" "" "builds for the target's CPU" \
	$q bench "$tmp/m.qfm" --backend llvm --target cortex-m4 --cpu cortex-m3 --images 2
expect_error "bench llvm --kernels" "" "--kernels is for the c backend" \
	$q bench "$tmp/m.qfm" --backend llvm --target cortex-m4 --kernels ref --images 2

# ---- a second emission replaces the first whole
$q emit "$tmp/m.qfm" --backend llvm -o "$tmp/out-cortex-m4" --name other >/dev/null || fail "re-emit"
[ -e "$tmp/out-cortex-m4/model.ll" ] && fail "re-emit: the old model.ll survived"
grep -q qf_other_run "$tmp/out-cortex-m4/model.h" || fail "re-emit: model.h not replaced"

[ $failures -eq 0 ] || { echo "$failures failures"; exit 1; }
echo "llvm_emit: ok"
