/* requant.h: the integer arithmetic contract, as inline helpers.
 *
 * The runtime kernels, the reference kernels, the integer reference executor
 * and emitted code all requantise through these functions, so they agree bit
 * for bit. The rounding is gemmlowp's (and so TFLite's and CMSIS-NN's);
 * docs/runtime.md derives each formula and its edge cases.
 *
 * Right shifts of negative values are arithmetic here: C99 leaves that to the
 * implementation, and every compiler we target (gcc, clang, arm-none-eabi-gcc)
 * defines it so. Left shifts go through uint32_t so they wrap instead of
 * being undefined.
 */
#ifndef QF_REQUANT_H
#define QF_REQUANT_H

#include <stdint.h>

/* gemmlowp SaturatingRoundingDoublingHighMul: round(a * b / 2^31) with ties
 * toward +infinity, INT32_MAX for INT32_MIN * INT32_MIN (the only product
 * whose doubled high half overflows). gemmlowp writes it as a truncating
 * division with a sign-dependent nudge; for every input that equals
 * floor((a*b + 2^30) / 2^31), which is what we compute. */
static inline int32_t qf_sat_rdmulh(int32_t a, int32_t b)
{
	if (a == INT32_MIN && b == INT32_MIN)
		return INT32_MAX;
	int64_t ab = (int64_t)a * (int64_t)b;
	return (int32_t)((ab + ((int64_t)1 << 30)) >> 31);
}

/* gemmlowp RoundingDivideByPOT: x / 2^e rounded to nearest, ties away from
 * zero, for e in [0, 31]. */
static inline int32_t qf_rdiv_pot(int32_t x, int32_t e)
{
	int32_t mask = (int32_t)((1u << e) - 1u);
	int32_t rem = x & mask;
	int32_t thr = (mask >> 1) + (x < 0 ? 1 : 0);
	return (x >> e) + (rem > thr ? 1 : 0);
}

/* x * 2^s without undefined behaviour: wraps modulo 2^32 like TFLite's
 * x * (1 << s) does on every real machine. s in [0, 31]. */
static inline int32_t qf_shl_wrap(int32_t x, int32_t s)
{
	return (int32_t)((uint32_t)x << s);
}

/* TFLite MultiplyByQuantizedMultiplier: x * m / 2^31 * 2^shift, with
 * shift in [-31, 30] (> 0 left, applied before the multiply; < 0 a rounding
 * right shift after it). Two roundings, both gemmlowp's. */
static inline int32_t qf_mul_qmult(int32_t x, int32_t m, int32_t shift)
{
	int32_t left = shift > 0 ? shift : 0;
	int32_t right = shift > 0 ? 0 : -shift;
	return qf_rdiv_pot(qf_sat_rdmulh(qf_shl_wrap(x, left), m), right);
}

/* Power-of-two mode: x * 2^shift, shift in [-31, 30]. A right shift rounds to
 * nearest with ties toward +infinity (the rounding shift of ARM's SRSHR and
 * RISC-V's vssra with rnu): floor((x + 2^(n-1)) / 2^n), computed as
 * (x >> n) + bit n-1 of x so that it cannot overflow near INT32_MAX. */
static inline int32_t qf_shift_round(int32_t x, int32_t shift)
{
	if (shift >= 0)
		return qf_shl_wrap(x, shift);
	int32_t n = -shift;
	return (x >> n) + ((x >> (n - 1)) & 1);
}

/* One output value: rescale, add the output zero point, clamp.
 * mult == NULL selects the power-of-two mode. The clamp is applied before
 * adding zp (to [lo - zp, hi - zp]), which is the same clamp but cannot
 * overflow when the rescaled value is near INT32_MAX. */
static inline int32_t qf_requant1(int32_t acc, const int32_t *mult, const int8_t *shift, int32_t c,
	int32_t zp, int32_t lo, int32_t hi)
{
	int32_t y = mult ? qf_mul_qmult(acc, mult[c], shift[c]) : qf_shift_round(acc, shift[c]);
	if (y < lo - zp)
		y = lo - zp;
	if (y > hi - zp)
		y = hi - zp;
	return y + zp;
}

/* Bias of output channel c: int32 values, or (bias_bits 16) int16 values
 * scaled by 2^bias_shift; NULL is 0. Kernels have checked bits and shift. */
static inline int32_t qf_bias_at(const void *bias, int32_t bits, int32_t shift, int32_t c)
{
	if (!bias)
		return 0;
	if (bits == 16)
		return qf_shl_wrap(((const int16_t *)bias)[c], shift);
	return ((const int32_t *)bias)[c];
}

/* The bias format a kernel accepts. */
static inline int qf_bias_fmt_ok(int32_t bits, int32_t shift)
{
	return ((bits == 0 || bits == 32) && shift == 0) || (bits == 16 && shift >= 0 && shift <= 16);
}

#endif
