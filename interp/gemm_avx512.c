/* gemm_avx512.c: the 12 x 32 AVX-512 microkernel. 24 zmm accumulators,
 * two loads of B and twelve broadcasts of A per step of k. Compiled for
 * AVX-512F by the target attribute only; chosen at run time. */
#include <immintrin.h>

#include "interp/engine_internal.h"

__attribute__((target("avx512f"))) void qf_ukernel_avx512_12x32(int kc, const float *a, const float *b, float *c,
								 int64_t ldc, bool acc)
{
	__m512 t[12][2];
#pragma GCC unroll 12
	for (int i = 0; i < 12; i++)
		t[i][0] = t[i][1] = _mm512_setzero_ps();
	for (int p = 0; p < kc; p++) {
		__m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 12
		for (int i = 0; i < 12; i++) {
			__m512 ai = _mm512_set1_ps(a[i]);
			t[i][0] = _mm512_fmadd_ps(ai, b0, t[i][0]);
			t[i][1] = _mm512_fmadd_ps(ai, b1, t[i][1]);
		}
		a += 12;
		b += 32;
	}
#pragma GCC unroll 12
	for (int i = 0; i < 12; i++) {
		float *ci = c + i * ldc;
		if (acc) {
			t[i][0] = _mm512_add_ps(t[i][0], _mm512_loadu_ps(ci));
			t[i][1] = _mm512_add_ps(t[i][1], _mm512_loadu_ps(ci + 16));
		}
		_mm512_storeu_ps(ci, t[i][0]);
		_mm512_storeu_ps(ci + 16, t[i][1]);
	}
}

/* The same tile with A read through row pointers (indirect GEMM): for
 * each of ntap taps, row i of A is a[t*12 + i] + off, kc floats long.
 * Convolution forward passes pointers into the NHWC image (one per output
 * pixel and tap), so the im2col matrix is never built; the input gradient
 * passes rows of dy. */
__attribute__((target("avx512f"))) void qf_ikernel_avx512_12x32(int ntap, int kc, int64_t off,
								 const float *const *a, const float *b, float *c,
								 int64_t ldc, bool acc)
{
	__m512 t[12][2];
#pragma GCC unroll 12
	for (int i = 0; i < 12; i++)
		t[i][0] = t[i][1] = _mm512_setzero_ps();
	for (int tap = 0; tap < ntap; tap++) {
		const float *r[12];
#pragma GCC unroll 12
		for (int i = 0; i < 12; i++)
			r[i] = a[tap * 12 + i] + off;
		for (int p = 0; p < kc; p++) {
			__m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 12
			for (int i = 0; i < 12; i++) {
				__m512 ai = _mm512_set1_ps(r[i][p]);
				t[i][0] = _mm512_fmadd_ps(ai, b0, t[i][0]);
				t[i][1] = _mm512_fmadd_ps(ai, b1, t[i][1]);
			}
			b += 32;
		}
	}
#pragma GCC unroll 12
	for (int i = 0; i < 12; i++) {
		float *ci = c + i * ldc;
		if (acc) {
			t[i][0] = _mm512_add_ps(t[i][0], _mm512_loadu_ps(ci));
			t[i][1] = _mm512_add_ps(t[i][1], _mm512_loadu_ps(ci + 16));
		}
		_mm512_storeu_ps(ci, t[i][0]);
		_mm512_storeu_ps(ci + 16, t[i][1]);
	}
}
