#!/bin/sh
# The engine's GEMM and whole-network training step, against OpenBLAS:
#   sh bench/gemm.sh [BUILD]        (default build; run `make` first)
#
# Builds bench/gemm_bench.c and bench/engine_bench.c against
# BUILD/libqforge.a into BUILD/bench/, then prints
#   - GFLOP/s per shape and kernel (every kernel this CPU runs) with 1 and
#     THREADS threads, and OpenBLAS's cblas_sgemm on the same shapes when
#     libopenblas-dev is installed (installed here with apt when missing
#     and running as root; never part of make check);
#   - images/s of a whole training step of fmnist-small (forward, loss,
#     backward, SGD) on random data, with 1 and THREADS threads, and the
#     per-op profile of the last.
# THREADS (default 2), SECONDS per measurement (default 0.3).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${1:-build}
threads=${THREADS:-2}
seconds=${SECONDS_PER:-0.3}
lib=$build/libqforge.a
[ -f "$lib" ] || { echo "gemm.sh: no $lib; run make first" >&2; exit 1; }

if ! pkg-config --exists openblas 2>/dev/null && [ "$(id -u)" -eq 0 ]; then
	echo "gemm.sh: installing libopenblas-dev (for the comparison only)" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq libopenblas-dev >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq libopenblas-dev >/dev/null 2>&1; } ||
		echo "gemm.sh: could not install libopenblas-dev; qforge only" >&2
fi
blas_cflags=""
blas_libs=""
if pkg-config --exists openblas 2>/dev/null; then
	blas_cflags="-DHAVE_OPENBLAS $(pkg-config --cflags openblas)"
	blas_libs=$(pkg-config --libs openblas)
fi

mkdir -p "$build/bench"
cc=${CC:-gcc}
flags="-std=c11 -O2 -g -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -I."
# shellcheck disable=SC2086
$cc $flags $blas_cflags -o "$build/bench/gemm_bench" bench/gemm_bench.c "$lib" $blas_libs -lm -lpthread
# shellcheck disable=SC2086
$cc $flags -o "$build/bench/engine_bench" bench/engine_bench.c "$lib" \
	$(pkg-config --libs libxml-2.0 2>/dev/null || echo -lxml2) -lz -lm -lpthread

echo "# GEMM, GFLOP/s (best of repeated runs, ${seconds}s each)"
"$build/bench/gemm_bench" --threads 1 --seconds "$seconds"
[ "$threads" -gt 1 ] && "$build/bench/gemm_bench" --threads "$threads" --seconds "$seconds"
echo "# fmnist-small training step, batch 64, random data"
"$build/bench/engine_bench" --threads 1 --steps 200 --repeat 3
"$build/bench/engine_bench" --threads "$threads" --steps 200 --repeat 3 --profile
