/* gemm_avx2.c: the 6 x 16 AVX2+FMA microkernel. Twelve ymm accumulators,
 * two loads of B and six broadcasts of A per step of k: enough independent
 * FMAs to cover their latency on both FMA ports. Compiled for AVX2 by the
 * target attribute only, so the rest of the binary runs on any x86-64. */
#include <immintrin.h>

#include "interp/engine_internal.h"

__attribute__((target("avx2,fma"))) void qf_ukernel_avx2_6x16(int kc, const float *a, const float *b, float *c,
							       int64_t ldc, bool acc)
{
	__m256 t[6][2];
#pragma GCC unroll 6
	for (int i = 0; i < 6; i++)
		t[i][0] = t[i][1] = _mm256_setzero_ps();
	for (int p = 0; p < kc; p++) {
		__m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 6
		for (int i = 0; i < 6; i++) {
			__m256 ai = _mm256_broadcast_ss(a + i);
			t[i][0] = _mm256_fmadd_ps(ai, b0, t[i][0]);
			t[i][1] = _mm256_fmadd_ps(ai, b1, t[i][1]);
		}
		a += 6;
		b += 16;
	}
#pragma GCC unroll 6
	for (int i = 0; i < 6; i++) {
		float *ci = c + i * ldc;
		if (acc) {
			t[i][0] = _mm256_add_ps(t[i][0], _mm256_loadu_ps(ci));
			t[i][1] = _mm256_add_ps(t[i][1], _mm256_loadu_ps(ci + 8));
		}
		_mm256_storeu_ps(ci, t[i][0]);
		_mm256_storeu_ps(ci + 8, t[i][1]);
	}
}

/* The same tile with A read through row pointers (indirect GEMM); see
 * gemm_avx512.c. */
__attribute__((target("avx2,fma"))) void qf_ikernel_avx2_6x16(int ntap, int kc, int64_t off, const float *const *a,
							       const float *b, float *c, int64_t ldc, bool acc)
{
	__m256 t[6][2];
#pragma GCC unroll 6
	for (int i = 0; i < 6; i++)
		t[i][0] = t[i][1] = _mm256_setzero_ps();
	for (int tap = 0; tap < ntap; tap++) {
		const float *r[6];
#pragma GCC unroll 6
		for (int i = 0; i < 6; i++)
			r[i] = a[tap * 6 + i] + off;
		for (int p = 0; p < kc; p++) {
			__m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 6
			for (int i = 0; i < 6; i++) {
				__m256 ai = _mm256_broadcast_ss(r[i] + p);
				t[i][0] = _mm256_fmadd_ps(ai, b0, t[i][0]);
				t[i][1] = _mm256_fmadd_ps(ai, b1, t[i][1]);
			}
			b += 16;
		}
	}
#pragma GCC unroll 6
	for (int i = 0; i < 6; i++) {
		float *ci = c + i * ldc;
		if (acc) {
			t[i][0] = _mm256_add_ps(t[i][0], _mm256_loadu_ps(ci));
			t[i][1] = _mm256_add_ps(t[i][1], _mm256_loadu_ps(ci + 8));
		}
		_mm256_storeu_ps(ci, t[i][0]);
		_mm256_storeu_ps(ci + 8, t[i][1]);
	}
}
