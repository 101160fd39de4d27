#!/bin/sh
# fw_dsp_host.sh BUILD: the DSP path of the runtime kernels on the host.
# tests/unit/test_kernels.c compiled with -DQF_DSP_EMULATE (the DSP
# instructions as exact C, runtime/qf_simd.h) and ASan + UBSan, so the DSP
# code's layouts and lane orders are checked against the reference kernels
# with the host's sanitizers; QEMU (fw_kernels.sh) checks the instructions.
set -u
b=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
make --no-print-directory -s "$b/rt/test_kernels_dsp" BUILD="$b" || exit 1
"$b/rt/test_kernels_dsp"
