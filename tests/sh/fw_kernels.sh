#!/bin/sh
# fw_kernels.sh BUILD: the runtime kernels on emulated Cortex-M cores.
# Builds the firmware (tests/fw/fw.mk) into BUILD/fw, checks that neither the
# runtime objects nor the harness' own objects use floating point (no VFP
# instruction, no __aeabi_f*/__aeabi_d* or libgcc soft-float call; newlib's
# printf may pull some in, so the linked image is not checked), that runtime/
# includes nothing from libc beyond <stdint.h> and <stddef.h>, then runs the
# image under QEMU on Cortex-M4 (mps2-an386, DSP path), Cortex-M3
# (mps2-an385, portable path) and Cortex-M0 (microbit), each of which must
# match the reference outputs bit for bit (exit status 0).
set -u
b=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
fail=0
bad() {
	echo "fw_kernels: $*"
	fail=1
}

mkdir -p "$b"
make --no-print-directory -s fw BUILD="$b" >"$b/fw-make.log" 2>&1 || {
	cat "$b/fw-make.log"
	echo "fw_kernels: firmware build failed"
	exit 1
}

# libc: only the two freestanding headers, the compiler's arm_acle.h and our own
for f in runtime/*.c runtime/*.h; do
	grep -h '^[[:space:]]*#[[:space:]]*include' "$f" |
		grep -v -e '<stdint.h>' -e '<stddef.h>' -e '<arm_acle.h>' -e '"[a-z_]*\.h"' |
		sed "s#^#$f: #" | grep . && bad "$f includes more than <stdint.h>/<stddef.h>"
done

float_syms='__aeabi_[fd]|__aeabi_u?[il]2[fd]|__aeabi_u?l2[fd]|__(add|sub|mul|div|neg|cmp|eq|ne|lt|le|gt|ge|unord)[sd]f[23]|__float|__fix|__extendsfdf2|__truncdfsf2'
for core in m4 m3 m0; do
	objs=$(find "$b/fw/$core/runtime" "$b/fw/$core/tests" -name '*.o')
	[ -n "$objs" ] || bad "$core: no objects"
	for o in $objs; do
		if arm-none-eabi-nm -u "$o" | grep -E "$float_syms"; then
			bad "$o calls soft-float helpers"
		fi
		if arm-none-eabi-objdump -d "$o" | grep -E '^\s+[0-9a-f]+:\s+([0-9a-f]{4} ?){1,2}\s+v[a-z]+(\.[a-z0-9]+)*\s' | head -3 | grep .; then
			bad "$o has floating-point instructions"
		fi
	done
done

run() { # core machine
	log="$b/fw/$1.log"
	timeout 600 qemu-system-arm -M "$2" -nographic -monitor none \
		-semihosting-config enable=on,target=native -icount shift=0 \
		-kernel "$b/fw/$1/fw.elf" >"$log" 2>&1
	rc=$?
	cat "$log"
	[ "$rc" -eq 0 ] || bad "$1 on $2: exit status $rc"
	grep -q '^[0-9]* cases run, [0-9]* skipped, 0 failed' "$log" || bad "$1 on $2: no summary line"
}

run m4 mps2-an386
grep -q '^path: DSP' "$b/fw/m4.log" || bad "m4 did not take the DSP path"
run m3 mps2-an385
grep -q '^path: portable C' "$b/fw/m3.log" || bad "m3 did not take the portable path"
# the calibration loop of 200,000 instructions must read 5,000 ticks (+1 for
# the reads around it) at 40 instructions per tick
for c in m4 m3; do
	grep -Eq '200,000-instruction loop 500[01] ticks' "$b/fw/$c.log" || bad "$c: SysTick calibration off"
done
if qemu-system-arm -M help | grep -q '^microbit'; then
	run m0 microbit
else
	echo "fw_kernels: this QEMU has no microbit machine; Cortex-M0 not run"
fi
exit $fail
