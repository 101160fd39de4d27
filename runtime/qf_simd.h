/* qf_simd.h: the few Cortex-M DSP instructions the optimised kernels use.
 *
 * QF_DSP is 1 when the kernels take their DSP path:
 *  - on a core with the DSP extension (__ARM_FEATURE_DSP: M4, M7, M33 ...),
 *    through ACLE intrinsics from the compiler's arm_acle.h and inline asm
 *    for the one form ACLE lacks (SXTB16 with a rotation);
 *  - on any host when QF_DSP_EMULATE is defined: the same instructions as
 *    plain C, exact to the bit, so the DSP path can be tested against the
 *    reference kernels under the host's sanitizers, not only under QEMU.
 * Otherwise QF_DSP is 0 and the kernels use their portable C path.
 * Internal to runtime/; not part of the public API.
 */
#ifndef QF_SIMD_H
#define QF_SIMD_H

#include <stdint.h>

#if defined(__ARM_FEATURE_DSP)
#define QF_DSP 1
#include <arm_acle.h>

/* lanes (sext(x.b0), sext(x.b2)) */
static inline int32_t qf_sxtb16(int32_t x)
{
	return (int32_t)__sxtb16((int8x4_t)x);
}

/* lanes (sext(x.b1), sext(x.b3)): one instruction, which __sxtb16(__ror())
 * does not always become. */
static inline int32_t qf_sxtb16_ror8(int32_t x)
{
	int32_t r;
	__asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
	return r;
}

static inline int32_t qf_smlad(int32_t a, int32_t b, int32_t acc)
{
	return __smlad((int16x2_t)a, (int16x2_t)b, acc);
}

static inline int32_t qf_ssub16(int32_t a, int32_t b)
{
	return (int32_t)__ssub16((int16x2_t)a, (int16x2_t)b);
}

/* acc + a.lo * b.lo, acc + a.hi * b.hi, acc + a.lo * b.hi, acc + a.hi * b.lo */
static inline int32_t qf_smlabb(int32_t a, int32_t b, int32_t acc)
{
	return __smlabb(a, b, acc);
}
static inline int32_t qf_smlatt(int32_t a, int32_t b, int32_t acc)
{
	return __smlatt(a, b, acc);
}
static inline int32_t qf_smlabt(int32_t a, int32_t b, int32_t acc)
{
	return __smlabt(a, b, acc);
}
static inline int32_t qf_smlatb(int32_t a, int32_t b, int32_t acc)
{
	return __smlatb(a, b, acc);
}

/* per byte lane: a >= b ? a : b (SSUB8 sets the GE flags SEL reads) */
static inline int32_t qf_max8x4(int32_t a, int32_t b)
{
	(void)__ssub8((int8x4_t)a, (int8x4_t)b);
	return (int32_t)__sel((uint8x4_t)a, (uint8x4_t)b);
}
static inline int32_t qf_min8x4(int32_t a, int32_t b)
{
	(void)__ssub8((int8x4_t)a, (int8x4_t)b);
	return (int32_t)__sel((uint8x4_t)b, (uint8x4_t)a);
}

#elif defined(QF_DSP_EMULATE)
#define QF_DSP 1

static inline int32_t qf__lane16(int32_t x, int hi)
{
	return (int16_t)(uint16_t)((uint32_t)x >> (hi ? 16 : 0));
}
static inline int32_t qf__pack16(int32_t lo, int32_t hi)
{
	return (int32_t)(((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16));
}
static inline int32_t qf_sxtb16(int32_t x)
{
	uint32_t u = (uint32_t)x;
	return qf__pack16((int8_t)(uint8_t)u, (int8_t)(uint8_t)(u >> 16));
}
static inline int32_t qf_sxtb16_ror8(int32_t x)
{
	uint32_t u = (uint32_t)x;
	return qf__pack16((int8_t)(uint8_t)(u >> 8), (int8_t)(uint8_t)(u >> 24));
}
/* SMLAD wraps modulo 2^32 (and sets Q, which we never read). */
static inline int32_t qf_smlad(int32_t a, int32_t b, int32_t acc)
{
	uint32_t p0 = (uint32_t)(qf__lane16(a, 0) * qf__lane16(b, 0));
	uint32_t p1 = (uint32_t)(qf__lane16(a, 1) * qf__lane16(b, 1));
	return (int32_t)((uint32_t)acc + p0 + p1);
}
static inline int32_t qf_ssub16(int32_t a, int32_t b)
{
	return qf__pack16(qf__lane16(a, 0) - qf__lane16(b, 0), qf__lane16(a, 1) - qf__lane16(b, 1));
}
static inline int32_t qf_smlabb(int32_t a, int32_t b, int32_t acc)
{
	return (int32_t)((uint32_t)acc + (uint32_t)(qf__lane16(a, 0) * qf__lane16(b, 0)));
}
static inline int32_t qf_smlatt(int32_t a, int32_t b, int32_t acc)
{
	return (int32_t)((uint32_t)acc + (uint32_t)(qf__lane16(a, 1) * qf__lane16(b, 1)));
}
static inline int32_t qf_smlabt(int32_t a, int32_t b, int32_t acc)
{
	return (int32_t)((uint32_t)acc + (uint32_t)(qf__lane16(a, 0) * qf__lane16(b, 1)));
}
static inline int32_t qf_smlatb(int32_t a, int32_t b, int32_t acc)
{
	return (int32_t)((uint32_t)acc + (uint32_t)(qf__lane16(a, 1) * qf__lane16(b, 0)));
}
static inline int32_t qf_max8x4(int32_t a, int32_t b)
{
	uint32_t r = 0;
	for (int i = 0; i < 4; i++) {
		int8_t x = (int8_t)(uint8_t)((uint32_t)a >> (8 * i));
		int8_t y = (int8_t)(uint8_t)((uint32_t)b >> (8 * i));
		r |= (uint32_t)(uint8_t)(x >= y ? x : y) << (8 * i);
	}
	return (int32_t)r;
}
static inline int32_t qf_min8x4(int32_t a, int32_t b)
{
	uint32_t r = 0;
	for (int i = 0; i < 4; i++) {
		int8_t x = (int8_t)(uint8_t)((uint32_t)a >> (8 * i));
		int8_t y = (int8_t)(uint8_t)((uint32_t)b >> (8 * i));
		r |= (uint32_t)(uint8_t)(x >= y ? y : x) << (8 * i);
	}
	return (int32_t)r;
}

#else
#define QF_DSP 0
#endif

#if QF_DSP
/* Word loads and stores at any alignment: M3/M4/M7 do unaligned LDR/STR in
 * one instruction, and memcpy is how C says it without breaking aliasing.
 * The DSP path only builds with gcc or clang, which both have the builtin. */
static inline int32_t qf_ld32(const void *p)
{
	int32_t v;
	__builtin_memcpy(&v, p, 4);
	return v;
}
static inline void qf_st32(void *p, int32_t v)
{
	__builtin_memcpy(p, &v, 4);
}
/* (lo & 0xffff) | hi << 16: PKHBT; hi >> 16 into the low lane: PKHTB */
static inline int32_t qf_pkhbt(int32_t lo, int32_t hi)
{
	return (int32_t)(((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16));
}
static inline int32_t qf_pkhtb(int32_t hi, int32_t lo)
{
	return (int32_t)(((uint32_t)hi & 0xFFFF0000u) | ((uint32_t)lo >> 16));
}
#endif

#endif
