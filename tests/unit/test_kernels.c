/* test_kernels.c: the runtime kernels against their reference kernels, and
 * the requantisation helpers against hand-derived values.
 *
 * The runtime sources are included here, so they are compiled with the
 * host's flags and, in make check's second build, its sanitizers. Built as
 * is this tests the portable C path; tests/sh/fw_dsp_host.sh builds the same
 * file with -DQF_DSP_EMULATE, which runs the DSP path on the host through
 * bit-exact C versions of the DSP instructions (runtime/qf_simd.h). The DSP
 * instructions themselves are checked under QEMU by tests/sh/fw_kernels.sh.
 *
 * Every random case is seeded; a failure prints the seed and shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/add_s8.c"
#include "runtime/argmax_s8.c"
#include "runtime/avgpool_s8.c"
#include "runtime/conv_s4.c"
#include "runtime/conv_s8.c"
#include "runtime/conv_s8_s2w.c"
#include "runtime/conv_s8_s4w.c"
#include "runtime/dwconv_s8.c"
#include "runtime/dwconv_s8_s2w.c"
#include "runtime/dwconv_s8_s4w.c"
#include "runtime/fc_s4.c"
#include "runtime/fc_s8.c"
#include "runtime/fc_s8_s2w.c"
#include "runtime/fc_s8_s4w.c"
#include "runtime/maxpool_s8.c"
#include "runtime/scratch.c"
#include "runtime/ref/add_ref.c"
#include "runtime/ref/argmax_ref.c"
#include "runtime/ref/avgpool_ref.c"
#include "runtime/ref/conv_ref.c"
#include "runtime/ref/dwconv_ref.c"
#include "runtime/ref/fc_ref.c"
#include "runtime/ref/maxpool_ref.c"

/* ------------------------------------------------------------ helpers */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64*: small, seeded, the same on every machine */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

/* uniform in [lo, hi] */
static int32_t rr(int32_t lo, int32_t hi)
{
	return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1));
}

static void fill_rand(void *p, size_t n)
{
	uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)rnd();
}

#define GUARD 16

/* n bytes plus a guard band, both filled with the same pattern. */
static int8_t *out_buf(size_t n)
{
	int8_t *b = malloc(n + GUARD);
	assert_non_null(b);
	memset(b, 0x5A, n + GUARD);
	return b;
}

static int guard_ok(const int8_t *b, size_t n)
{
	for (size_t i = n; i < n + GUARD; i++)
		if ((uint8_t)b[i] != 0x5A)
			return 0;
	return 1;
}

static int32_t act_lo(int32_t bits)
{
	return bits == 8 ? -128 : -8;
}

static int32_t act_hi(int32_t bits)
{
	return bits == 8 ? 127 : 7;
}

/* Per-channel requant parameters that spread an accumulator of typical size
 * `mag` over the output range, sometimes clamping; multiplier or pow2 mode. */
typedef struct {
	int32_t mult[64];
	int8_t shift[64];
	qf_rt_requant rq;
} rq_buf;

static int32_t log2i(int64_t v)
{
	int32_t n = 0;
	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

static void make_rq(rq_buf *r, int32_t n, int32_t out_bits, int64_t mag)
{
	assert_true(n <= 64);
	int pow2 = rr(0, 3) == 0;
	int32_t target = log2i(mag) - (out_bits == 8 ? 7 : 3);
	for (int32_t c = 0; c < n; c++) {
		r->mult[c] = rr(1 << 30, INT32_MAX);
		int32_t sh = -target + rr(-2, 1);
		r->shift[c] = (int8_t)(sh > 30 ? 30 : sh < -31 ? -31 : sh);
	}
	r->rq.mult = pow2 ? NULL : r->mult;
	r->rq.shift = r->shift;
	int32_t lo = act_lo(out_bits), hi = act_hi(out_bits);
	r->rq.zp = rr(lo, hi);
	switch (rr(0, 2)) {
	case 0: /* no activation */
		r->rq.min = lo;
		r->rq.max = hi;
		break;
	case 1: /* ReLU */
		r->rq.min = r->rq.zp;
		r->rq.max = hi;
		break;
	default: /* ReLU6-like */
		r->rq.min = r->rq.zp;
		r->rq.max = rr(r->rq.zp, hi);
		break;
	}
}

/* ------------------------------------------------- requant: known answers */

static void test_sat_rdmulh(void **state)
{
	(void)state;
	/* the one product that overflows: (-1) * (-1) = +1 is not in Q31 */
	assert_int_equal(qf_sat_rdmulh(INT32_MIN, INT32_MIN), INT32_MAX);
	/* (2^31-1)^2 = 2^62 - 2^32 + 1; + 2^30, / 2^31, floor: 2^31 - 2 */
	assert_int_equal(qf_sat_rdmulh(INT32_MAX, INT32_MAX), 2147483646);
	/* 0.5 * 0.5 = 0.25 = 2^29 in Q31 */
	assert_int_equal(qf_sat_rdmulh(1 << 30, 1 << 30), 1 << 29);
	/* INT32_MIN * 2^30 = -2^61, exact: -2^30 */
	assert_int_equal(qf_sat_rdmulh(INT32_MIN, 1 << 30), -(1 << 30));
	/* product 2^30 is exactly +0.5 after the doubling high half: up to 1 */
	assert_int_equal(qf_sat_rdmulh(1 << 15, 1 << 15), 1);
	/* -0.5: gemmlowp's nudge 1 - 2^30 makes (-2^31 + 1) / 2^31 truncate to 0 */
	assert_int_equal(qf_sat_rdmulh(-(1 << 15), 1 << 15), 0);
	/* -0.5 - 2^-31 rounds to -1 */
	assert_int_equal(qf_sat_rdmulh(-(1 << 15) - 1, 1 << 15), -1);
	/* +-1.5: ties go toward +infinity: 2 and -1 */
	assert_int_equal(qf_sat_rdmulh(3 << 15, 1 << 15), 2);
	assert_int_equal(qf_sat_rdmulh(-(3 << 15), 1 << 15), -1);
	assert_int_equal(qf_sat_rdmulh(0, INT32_MIN), 0);
	/* INT32_MIN * INT32_MAX = -2^62 + 2^31: / 2^31 exactly -2^31 + 1 */
	assert_int_equal(qf_sat_rdmulh(INT32_MIN, INT32_MAX), INT32_MIN + 1);
}

static void test_rdiv_pot(void **state)
{
	(void)state;
	/* ties away from zero */
	assert_int_equal(qf_rdiv_pot(5, 1), 3);   /*  2.5 */
	assert_int_equal(qf_rdiv_pot(-5, 1), -3); /* -2.5 */
	assert_int_equal(qf_rdiv_pot(6, 2), 2);   /*  1.5 */
	assert_int_equal(qf_rdiv_pot(-6, 2), -2); /* -1.5 */
	assert_int_equal(qf_rdiv_pot(5, 2), 1);   /*  1.25 */
	assert_int_equal(qf_rdiv_pot(-5, 2), -1); /* -1.25 */
	assert_int_equal(qf_rdiv_pot(7, 2), 2);   /*  1.75 */
	assert_int_equal(qf_rdiv_pot(-7, 2), -2); /* -1.75 */
	assert_int_equal(qf_rdiv_pot(-4, 1), -2);
	assert_int_equal(qf_rdiv_pot(12345, 0), 12345);
	assert_int_equal(qf_rdiv_pot(INT32_MIN, 31), -1);   /* exactly -1 */
	assert_int_equal(qf_rdiv_pot(INT32_MAX, 31), 1);    /* 1 - 2^-31 */
	assert_int_equal(qf_rdiv_pot(1 << 30, 31), 1);      /*  0.5 */
	assert_int_equal(qf_rdiv_pot(-(1 << 30), 31), -1);  /* -0.5 */
	assert_int_equal(qf_rdiv_pot((1 << 30) - 1, 31), 0); /* just under 0.5 */
	assert_int_equal(qf_rdiv_pot(INT32_MAX, 1), 1 << 30); /* 2^30 - 0.5 */
}

static void test_mul_qmult(void **state)
{
	(void)state;
	assert_int_equal(qf_mul_qmult(100, 1 << 30, 0), 50);
	assert_int_equal(qf_mul_qmult(100, 1 << 30, -1), 25);
	/* double rounding, as TFLite: 101 * 0.5 = 50.5 -> 51, / 2 = 25.5 -> 26
	 * (one rounding of 101/4 = 25.25 would give 25) */
	assert_int_equal(qf_mul_qmult(101, 1 << 30, -1), 26);
	/* -50.5 -> -50 (tie toward +inf), / 2 = -25 exactly */
	assert_int_equal(qf_mul_qmult(-101, 1 << 30, -1), -25);
	/* left shift first: 3 << 2 = 12, * 0.5 = 6 */
	assert_int_equal(qf_mul_qmult(3, 1 << 30, 2), 6);
	/* 2^30 << 1 wraps to INT32_MIN, * 0.5 = -2^30 (TFLite does the same) */
	assert_int_equal(qf_mul_qmult(1 << 30, 1 << 30, 1), -(1 << 30));
	/* multiplier close to 1: 1000 * (2^31 - 1) / 2^31 = 999.9999995 -> 1000 */
	assert_int_equal(qf_mul_qmult(1000, INT32_MAX, 0), 1000);
	/* 0.75 * 2^-4: 1000 * 0.75 = 750, / 16 = 46.875 -> 47 */
	assert_int_equal(qf_mul_qmult(1000, 3 << 29, -4), 47);
	assert_int_equal(qf_mul_qmult(-1000, 3 << 29, -4), -47);
	/* -2^31 * 0.5 = -2^30 exactly, then / 2^31 = -0.5: away from zero, -1 */
	assert_int_equal(qf_mul_qmult(INT32_MIN, 1 << 30, -31), -1);
}

static void test_shift_round(void **state)
{
	(void)state;
	/* ties toward +infinity */
	assert_int_equal(qf_shift_round(5, -1), 3);   /*  2.5 */
	assert_int_equal(qf_shift_round(-5, -1), -2); /* -2.5 */
	assert_int_equal(qf_shift_round(6, -2), 2);   /*  1.5 */
	assert_int_equal(qf_shift_round(-6, -2), -1); /* -1.5 */
	assert_int_equal(qf_shift_round(-7, -2), -2); /* -1.75 */
	assert_int_equal(qf_shift_round(9, -3), 1);   /*  1.125 */
	/* no overflow at the top: 2^30 - 0.5 -> 2^30 */
	assert_int_equal(qf_shift_round(INT32_MAX, -1), 1 << 30);
	assert_int_equal(qf_shift_round(INT32_MIN, -31), -1);
	assert_int_equal(qf_shift_round(-1, -31), 0);
	assert_int_equal(qf_shift_round(3, 2), 12);
	assert_int_equal(qf_shift_round(-3, 0), -3);
}

static void test_requant1(void **state)
{
	(void)state;
	int32_t m[2] = {1 << 30, 3 << 29};
	int8_t s[2] = {-1, 0};
	/* 101 * 0.5 / 2 = 26 (see above) + zp 3 */
	assert_int_equal(qf_requant1(101, m, s, 0, 3, -128, 127), 29);
	/* clamps: ReLU at zp */
	assert_int_equal(qf_requant1(-101, m, s, 0, 3, 3, 127), 3);
	assert_int_equal(qf_requant1(1000, m, s, 1, -10, -128, 127), 127);
	/* pow2: 2^31-1 + zp must clamp without overflowing */
	int8_t z[1] = {0};
	assert_int_equal(qf_requant1(INT32_MAX, NULL, z, 0, 10, -128, 127), 127);
	assert_int_equal(qf_requant1(INT32_MIN, NULL, z, 0, -10, -128, 127), -128);
	/* 4-bit range */
	int8_t s4[1] = {-4};
	assert_int_equal(qf_requant1(40, NULL, s4, 0, -2, -8, 7), 1); /* 2.5 -> 3, -2 */
}

static void test_packing(void **state)
{
	(void)state;
	/* 4-bit {1, -1, 7, -8}: low nibble first: 0xF1, 0x87 */
	uint8_t b4[2] = {0, 0};
	int32_t v4[4] = {1, -1, 7, -8};
	for (int i = 0; i < 4; i++)
		qf_packed_set(b4, i, 4, v4[i]);
	assert_int_equal(b4[0], 0xF1);
	assert_int_equal(b4[1], 0x87);
	for (int i = 0; i < 4; i++)
		assert_int_equal(qf_packed_get(b4, i, 4), v4[i]);
	/* 2-bit {1, -1, -2, 0}: 01, 11, 10, 00 from bit 0 up: 0b00101101 */
	uint8_t b2[1] = {0xFF};
	int32_t v2[4] = {1, -1, -2, 0};
	for (int i = 0; i < 4; i++)
		qf_packed_set(b2, i, 2, v2[i]);
	assert_int_equal(b2[0], 0x2D);
	for (int i = 0; i < 4; i++)
		assert_int_equal(qf_packed_get(b2, i, 2), v2[i]);
	assert_int_equal(QF_PACKED_BYTES(9, 4), 5);
	assert_int_equal(QF_PACKED_BYTES(9, 2), 3);
	assert_int_equal(QF_PACKED_BYTES(9, 8), 9);
}

/* ------------------------------------------------------------------ conv */

typedef qf_rt_status (*conv_fn)(const qf_rt_conv *, const qf_rt_requant *, const int8_t *, const int8_t *,
	const void *, int8_t *, void *, size_t);

static conv_fn conv_kernel(const qf_rt_conv *p)
{
	if (p->in_bits == 4)
		return qf_conv_s4;
	return p->w_bits == 8 ? qf_conv_s8 : p->w_bits == 4 ? qf_conv_s8_s4w : qf_conv_s8_s2w;
}

static conv_fn dw_kernel(const qf_rt_conv *p)
{
	return p->w_bits == 8 ? qf_dwconv_s8 : p->w_bits == 4 ? qf_dwconv_s8_s4w : qf_dwconv_s8_s2w;
}

static int32_t out_size(int32_t in, int32_t k, int32_t s, int32_t pad_lo, int32_t pad_hi)
{
	return (in + pad_lo + pad_hi - k) / s + 1;
}

static size_t act_bytes(int32_t n, int32_t bits)
{
	return (size_t)QF_PACKED_BYTES(n, bits);
}

/* Runs one conv (dw = 0) or depthwise conv (dw = 1) case with random data
 * against the reference; returns 0 on a match. */
/* Biases of n channels of magnitude up to mag, in one of the formats the
 * kernels take (int32, or int16 scaled by 2^bias_shift), into *b32 or *b16;
 * sets p's bias_bits and bias_shift. Returns the pointer to pass. */
static const void *make_bias(int32_t *b32, int16_t *b16, int32_t n, int32_t mag, int32_t *bits, int32_t *shift)
{
	if (rr(0, 2) == 0) {
		int32_t s = rr(0, 16);
		*bits = 16;
		*shift = s;
		for (int32_t c = 0; c < n; c++)
			b16[c] = (int16_t)rr(-32768, 32767);
		if (s < 16) /* keep some at the magnitude of the products, most at the extremes */
			for (int32_t c = 0; c < n; c += 2)
				b16[c] = (int16_t)(rr(-mag, mag) >> s);
		return b16;
	}
	*bits = rr(0, 1) ? 32 : 0;
	*shift = 0;
	for (int32_t c = 0; c < n; c++)
		b32[c] = rr(-mag, mag);
	return b32;
}

static int run_conv_case(const qf_rt_conv *p_in, int dw, uint64_t seed)
{
	qf_rt_conv pc = *p_in;
	const qf_rt_conv *p = &pc;
	int32_t k = p->k_h * p->k_w * (dw ? 1 : p->in_c);
	int32_t rows = dw ? p->k_h * p->k_w : p->out_c, rowlen = dw ? p->in_c : k;
	size_t in_n = act_bytes(p->in_h * p->in_w * p->in_c, p->in_bits);
	size_t w_n = (size_t)rows * (size_t)QF_PACKED_BYTES(rowlen, p->w_bits);
	size_t out_n = act_bytes(p->out_h * p->out_w * p->out_c, p->out_bits);
	int8_t *in = malloc(in_n), *w = malloc(w_n);
	int32_t *bias = malloc((size_t)p->out_c * sizeof *bias);
	int16_t *bias16 = malloc((size_t)p->out_c * sizeof *bias16);
	assert_true(in && w && bias && bias16);
	fill_rand(in, in_n);
	fill_rand(w, w_n);
	int64_t mag = (int64_t)k * 64 * (1 << (p->w_bits - 1)) / 2;
	const void *bv = make_bias(bias, bias16, p->out_c, (int32_t)(mag < 1 << 20 ? mag : 1 << 20), &pc.bias_bits,
		&pc.bias_shift);
	rq_buf r;
	make_rq(&r, p->out_c, p->out_bits, mag < 2 ? 2 : mag);
	int8_t *o_ref = out_buf(out_n), *o_opt = out_buf(out_n);
	int32_t need = dw ? qf_dwconv_scratch_size(p) : qf_conv_scratch_size(p);
	assert_true(need > 0);
	size_t sn = need > 0 ? (size_t)need : 1; /* what gcc can see */
	void *scratch = malloc(sn);
	fill_rand(scratch, sn);
	const void *b = rr(0, 7) == 0 ? NULL : bv;
	qf_rt_status sr = dw ? qf_ref_dwconv(p, &r.rq, in, w, b, o_ref) : qf_ref_conv(p, &r.rq, in, w, b, o_ref);
	qf_rt_status so = (dw ? dw_kernel(p) : conv_kernel(p))(p, &r.rq, in, w, b, o_opt, scratch, sn);
	int bad = sr != QF_RT_OK || so != QF_RT_OK || memcmp(o_ref, o_opt, out_n + GUARD) != 0 ||
		!guard_ok(o_opt, out_n);
	if (bad) {
		fprintf(stderr,
			"%s seed %llu: in %dx%dx%d out %dx%dx%d k %dx%d s %d,%d pad %d,%d bits in %d w %d out %d "
			"zp %d mult %s: ref %d opt %d\n",
			dw ? "dwconv" : "conv", (unsigned long long)seed, p->in_h, p->in_w, p->in_c, p->out_h, p->out_w,
			p->out_c, p->k_h, p->k_w, p->stride_h, p->stride_w, p->pad_top, p->pad_left, p->in_bits,
			p->w_bits, p->out_bits, p->in_zp, r.rq.mult ? "q31" : "pow2", sr, so);
		for (size_t i = 0; i < out_n; i++)
			if (o_ref[i] != o_opt[i]) {
				fprintf(stderr, "  first difference at byte %zu: ref %d opt %d\n", i, o_ref[i], o_opt[i]);
				break;
			}
	}
	/* too little scratch is refused before anything is written */
	if (!bad && need > 4) {
		memset(o_opt, 0x5A, out_n + GUARD);
		so = (dw ? dw_kernel(p) : conv_kernel(p))(p, &r.rq, in, w, b, o_opt, scratch, sn - 1);
		for (size_t i = 0; i < out_n; i++)
			bad |= (uint8_t)o_opt[i] != 0x5A;
		bad |= so != QF_RT_ERR_SCRATCH;
	}
	free(in);
	free(w);
	free(bias);
	free(bias16);
	free(o_ref);
	free(o_opt);
	free(scratch);
	return bad;
}

static void random_conv_params(qf_rt_conv *p, int dw)
{
	static const int32_t chans[] = {1, 2, 3, 4, 5, 7, 8, 9, 16, 17};
	memset(p, 0, sizeof *p);
	p->in_h = rr(1, 9);
	p->in_w = rr(1, 9);
	p->in_c = chans[rr(0, 9)];
	p->k_h = rr(1, 4) == 4 ? 5 : rr(1, 3);
	p->k_w = rr(0, 3) == 0 ? rr(1, 5) : p->k_h;
	p->stride_h = rr(1, 3) == 1 ? 2 : 1;
	p->stride_w = rr(0, 5) == 0 ? 3 : p->stride_h;
	p->pad_top = rr(0, p->k_h - 1);
	p->pad_left = rr(0, p->k_w - 1);
	int32_t pb = rr(0, p->k_h - 1), pr = rr(0, p->k_w - 1);
	if (p->in_h + p->pad_top + pb < p->k_h)
		pb = p->k_h - p->in_h - p->pad_top;
	if (p->in_w + p->pad_left + pr < p->k_w)
		pr = p->k_w - p->in_w - p->pad_left;
	p->out_h = out_size(p->in_h, p->k_h, p->stride_h, p->pad_top, pb);
	p->out_w = out_size(p->in_w, p->k_w, p->stride_w, p->pad_left, pr);
	p->out_c = dw ? p->in_c : rr(1, 11);
	p->w_bits = (int32_t[]){8, 4, 2}[rr(0, 2)];
	p->in_bits = dw ? 8 : (rr(0, 2) == 0 ? 4 : 8);
	p->out_bits = dw ? 8 : (rr(0, 2) == 0 ? 4 : 8);
	p->in_zp = rr(act_lo(p->in_bits), act_hi(p->in_bits));
}

static void test_conv_random(void **state)
{
	(void)state;
	int fails = 0;
	for (uint64_t seed = 1; seed <= 600; seed++) {
		rng_state = seed * 0x9E3779B97F4A7C15ull;
		qf_rt_conv p;
		random_conv_params(&p, 0);
		fails += run_conv_case(&p, 0, seed);
	}
	assert_int_equal(fails, 0);
}

/* The shapes the fast paths and the layers of fmnist-small take. */
static void test_conv_shapes(void **state)
{
	(void)state;
	static const struct {
		int32_t h, w, cin, cout, k, s, pad, wb, ib, ob;
	} shapes[] = {
		{28, 28, 1, 16, 3, 1, 1, 8, 8, 8},  /* fmnist-small conv1: Cin = 1 */
		{14, 14, 16, 32, 3, 1, 1, 8, 8, 8}, /* conv2 */
		{7, 7, 32, 64, 3, 1, 1, 8, 8, 8},   /* conv3 */
		{14, 14, 16, 32, 3, 1, 1, 4, 8, 8}, /* conv2, 4-bit weights */
		{7, 7, 32, 64, 3, 1, 1, 2, 8, 8},   /* conv3, 2-bit weights */
		{9, 9, 3, 8, 3, 2, 1, 8, 8, 8},     /* RGB first layer, stride 2 */
		{5, 5, 3, 5, 3, 1, 0, 4, 8, 8},     /* Cin = 3, 4-bit */
		{6, 7, 12, 10, 1, 1, 0, 8, 8, 8},   /* 1x1 fast path */
		{6, 7, 13, 9, 1, 2, 0, 4, 8, 8},    /* 1x1 stride 2, odd channels */
		{6, 7, 13, 9, 1, 1, 0, 2, 8, 4},    /* 1x1, 2-bit w, 4-bit out */
		{6, 6, 8, 8, 3, 1, 1, 4, 4, 4},     /* 4-bit activations in and out */
		{5, 5, 7, 3, 3, 2, 2 - 1, 8, 4, 8}, /* 4-bit in, int8 out */
	};
	int fails = 0;
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		rng_state = 1000 + i;
		qf_rt_conv p = {0};
		p.in_h = shapes[i].h;
		p.in_w = shapes[i].w;
		p.in_c = shapes[i].cin;
		p.out_c = shapes[i].cout;
		p.k_h = p.k_w = shapes[i].k;
		p.stride_h = p.stride_w = shapes[i].s;
		p.pad_top = p.pad_left = shapes[i].pad;
		p.out_h = out_size(p.in_h, p.k_h, p.stride_h, p.pad_top, p.pad_top);
		p.out_w = out_size(p.in_w, p.k_w, p.stride_w, p.pad_left, p.pad_left);
		p.w_bits = shapes[i].wb;
		p.in_bits = shapes[i].ib;
		p.out_bits = shapes[i].ob;
		p.in_zp = rr(act_lo(p.in_bits), act_hi(p.in_bits));
		fails += run_conv_case(&p, 0, 1000 + i);
	}
	assert_int_equal(fails, 0);
}

/* A case small enough to do by hand, for the reference kernel itself:
 * input 3x3x1 = 1..9 with zp 1 (so x - zp = 0..8), kernel 2x2 = {1,2;3,4},
 * stride 1, no padding, bias 3:
 *   (0,0): 0*1 + 1*2 + 3*3 + 4*4 = 27 + 3 = 30   (0,1): 1 + 4 + 12 + 20 + 3 = 40
 *   (1,0): 3 + 8 + 18 + 28 + 3 = 60              (1,1): 4 + 10 + 21 + 32 + 3 = 70
 * pow2 shift -1: 15 20 30 35; output zp -5: 10 15 25 30. The same weights
 * at 4 bits pack to {0x21, 0x43}, at 8 bits they are the bytes 1 2 3 4. */
/* The reference kernel and kernel k on one by-hand case, each into a
 * cleared output, each giving want (4 bytes). */
static void conv_pair(const qf_rt_conv *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, conv_fn k, const int8_t *want)
{
	int8_t out[4] = {0};
	int32_t scratch[64];
	assert_int_equal(qf_ref_conv(p, rq, in, w, bias, out), QF_RT_OK);
	assert_memory_equal(out, want, 4);
	memset(out, 0, 4);
	assert_int_equal(k(p, rq, in, w, bias, out, scratch, sizeof scratch), QF_RT_OK);
	assert_memory_equal(out, want, 4);
}

static void test_conv_by_hand(void **state)
{
	(void)state;
	int8_t in[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	int8_t w8[4] = {1, 2, 3, 4}, w4[2] = {0x21, 0x43};
	int32_t bias[1] = {3};
	int16_t bias16[1] = {3};
	int8_t shift[1] = {-1};
	qf_rt_requant rq = {NULL, shift, -5, -128, 127};
	qf_rt_conv p = {3, 3, 1, 2, 2, 1, 2, 2, 1, 1, 0, 0, 1, 8, 8, 8, 0, 0, 0};
	int8_t want[4] = {10, 15, 25, 30}, out[4] = {0};
	int32_t scratch[64];
	conv_pair(&p, &rq, in, w8, bias, qf_conv_s8, want);
	p.w_bits = 4;
	conv_pair(&p, &rq, in, w4, bias, qf_conv_s8_s4w, want);
	/* the same bias as int16 (3 * 2^0); 24 as 3 * 2^3 adds 21 / 2 rounded
	 * up (ties to +inf) to each output: 21 26 36 41 */
	p.bias_bits = 16;
	conv_pair(&p, &rq, in, w4, bias16, qf_conv_s8_s4w, want);
	p.bias_shift = 3;
	int8_t want24[4] = {21, 26, 36, 41};
	conv_pair(&p, &rq, in, w4, bias16, qf_conv_s8_s4w, want24);
	/* bias formats the kernels do not take */
	p.bias_shift = 17;
	assert_int_equal(qf_conv_s8_s4w(&p, &rq, in, w4, bias16, out, scratch, sizeof scratch), QF_RT_ERR_PARAM);
	assert_int_equal(qf_ref_conv(&p, &rq, in, w4, bias16, out), QF_RT_ERR_PARAM);
	p.bias_bits = 8;
	p.bias_shift = 0;
	assert_int_equal(qf_conv_s8_s4w(&p, &rq, in, w4, bias16, out, scratch, sizeof scratch), QF_RT_ERR_PARAM);
	p.bias_bits = 32;
	p.bias_shift = 1;
	assert_int_equal(qf_conv_s8_s4w(&p, &rq, in, w4, bias, out, scratch, sizeof scratch), QF_RT_ERR_PARAM);
	p.bias_bits = 0;
	p.bias_shift = 0;
	memcpy(out, want, 4);
	/* wrong kernel for the bit width, bad zero point, bad shift */
	assert_int_equal(qf_conv_s8(&p, &rq, in, w4, bias, out, scratch, sizeof scratch), QF_RT_ERR_BITS);
	p.w_bits = 8;
	p.in_zp = 200;
	assert_int_equal(qf_conv_s8(&p, &rq, in, w8, bias, out, scratch, sizeof scratch), QF_RT_ERR_PARAM);
	p.in_zp = 1;
	shift[0] = 31;
	assert_int_equal(qf_conv_s8(&p, &rq, in, w8, bias, out, scratch, sizeof scratch), QF_RT_ERR_PARAM);
	shift[0] = -1;
	p.pad_top = 2;
	assert_int_equal(qf_conv_s8(&p, &rq, in, w8, bias, out, scratch, sizeof scratch), QF_RT_ERR_SHAPE);
	p.pad_top = 0;
	assert_int_equal(qf_conv_s8(&p, &rq, NULL, w8, bias, out, scratch, sizeof scratch), QF_RT_ERR_NULL);
	assert_int_equal(qf_conv_s8(&p, &rq, in, w8, bias, out, (char *)scratch + 1, 100), QF_RT_ERR_SCRATCH);
	assert_memory_equal(out, want, 4);
}

static void test_dwconv_random(void **state)
{
	(void)state;
	int fails = 0;
	for (uint64_t seed = 1; seed <= 400; seed++) {
		rng_state = seed * 0xD1B54A32D192ED03ull;
		qf_rt_conv p;
		random_conv_params(&p, 1);
		/* wider maps too, so that most outputs take the interior loop */
		if (seed % 3 == 0) {
			p.in_h += 8;
			p.in_w += 8;
			p.out_h = out_size(p.in_h, p.k_h, p.stride_h, p.pad_top, 0);
			p.out_w = out_size(p.in_w, p.k_w, p.stride_w, p.pad_left, 0);
		}
		fails += run_conv_case(&p, 1, seed);
	}
	assert_int_equal(fails, 0);
}

/* -------------------------------------------------------------------- fc */

typedef qf_rt_status (*fc_fn)(const qf_rt_fc *, const qf_rt_requant *, const int8_t *, const int8_t *,
	const void *, int8_t *, void *, size_t);

static fc_fn fc_kernel(const qf_rt_fc *p)
{
	if (p->in_bits == 4)
		return qf_fc_s4;
	return p->w_bits == 8 ? qf_fc_s8 : p->w_bits == 4 ? qf_fc_s8_s4w : qf_fc_s8_s2w;
}

static void test_fc_random(void **state)
{
	(void)state;
	int fails = 0;
	for (uint64_t seed = 1; seed <= 400; seed++) {
		rng_state = seed * 0xA0761D6478BD642Full;
		qf_rt_fc p;
		p.in_n = rr(0, 3) == 0 ? rr(200, 700) : rr(1, 70);
		p.out_n = rr(1, 21);
		p.w_bits = (int32_t[]){8, 4, 2}[rr(0, 2)];
		p.in_bits = rr(0, 2) == 0 ? 4 : 8;
		p.out_bits = rr(0, 2) == 0 ? 4 : 8;
		p.in_zp = rr(act_lo(p.in_bits), act_hi(p.in_bits));
		size_t in_n = act_bytes(p.in_n, p.in_bits), w_n = (size_t)p.out_n * QF_PACKED_BYTES(p.in_n, p.w_bits);
		size_t out_n = act_bytes(p.out_n, p.out_bits);
		int8_t *in = malloc(in_n), *w = malloc(w_n);
		int32_t bias32[21];
		int16_t bias16[21];
		fill_rand(in, in_n);
		fill_rand(w, w_n);
		int64_t mag = (int64_t)p.in_n * 32 * (1 << (p.w_bits - 1));
		const void *bias = make_bias(bias32, bias16, p.out_n, (int32_t)mag, &p.bias_bits, &p.bias_shift);
		rq_buf r;
		make_rq(&r, p.out_n, p.out_bits, mag);
		int32_t need = qf_fc_scratch_size(&p);
		assert_true(need > 0);
		size_t sn = need > 0 ? (size_t)need : 1; /* what gcc can see */
		void *scratch = malloc(sn);
		fill_rand(scratch, sn);
		int8_t *o_ref = out_buf(out_n), *o_opt = out_buf(out_n);
		qf_rt_status sr = qf_ref_fc(&p, &r.rq, in, w, bias, o_ref);
		qf_rt_status so = fc_kernel(&p)(&p, &r.rq, in, w, bias, o_opt, scratch, sn);
		if (sr != QF_RT_OK || so != QF_RT_OK || memcmp(o_ref, o_opt, out_n + GUARD) != 0) {
			fprintf(stderr, "fc seed %llu: %d -> %d bits in %d w %d out %d: ref %d opt %d\n",
				(unsigned long long)seed, p.in_n, p.out_n, p.in_bits, p.w_bits, p.out_bits, sr, so);
			fails++;
		}
		free(in);
		free(w);
		free(scratch);
		free(o_ref);
		free(o_opt);
	}
	assert_int_equal(fails, 0);
}

/* A layer whose output channels have weights of different widths runs as
 * one call per run of channels at one width, each writing its channels of
 * the common output through out_stride (fc: through out + c0). Per seed:
 * random runs at random widths (even starts for 4-bit output), the
 * optimised kernels against the reference kernels called the same way, on
 * outputs pre-filled with one pattern (the channels of other runs must stay
 * as they were); and the reference with a stride against the reference
 * writing a dense tensor of the run's channels alone, scattered by hand. */
static void test_conv_split(void **state)
{
	(void)state;
	int fails = 0;
	for (uint64_t seed = 1; seed <= 300; seed++) {
		rng_state = seed * 0xD1B54A32D192ED03ull;
		qf_rt_conv p;
		random_conv_params(&p, 0);
		int fc = rr(0, 3) == 0;
		if (fc) {
			p.in_h = p.out_h = p.in_w = p.out_w = p.k_h = p.k_w = p.stride_h = p.stride_w = 1;
			p.pad_top = p.pad_left = 0;
			p.in_c = rr(1, 90);
		}
		int32_t cout = rr(2, 24), npix = p.out_h * p.out_w, k = p.k_h * p.k_w * p.in_c;
		size_t in_n = act_bytes(p.in_h * p.in_w * p.in_c, p.in_bits), out_n = act_bytes(npix * cout, p.out_bits);
		int8_t *in = malloc(in_n), *o_ref = out_buf(out_n), *o_opt = out_buf(out_n), *o_dense = out_buf(out_n);
		assert_true(in != NULL);
		fill_rand(in, in_n);
		rq_buf r;
		make_rq(&r, cout, p.out_bits, (int64_t)k * 64 * 2);
		int32_t bias[24];
		for (int32_t c = 0; c < cout; c++)
			bias[c] = rr(-(1 << 12), 1 << 12);
		for (int32_t c0 = 0, c1; c0 < cout; c0 = c1) {
			c1 = c0 + rr(1, 6);
			if (p.out_bits == 4 && (c1 & 1))
				c1++;
			if (c1 > cout)
				c1 = cout;
			qf_rt_conv q = p;
			q.out_c = c1 - c0;
			q.out_stride = cout;
			q.w_bits = (int32_t[]){8, 4, 2}[rr(0, 2)];
			size_t w_n = (size_t)q.out_c * QF_PACKED_BYTES(k, q.w_bits);
			int8_t *w = malloc(w_n);
			assert_true(w != NULL);
			fill_rand(w, w_n);
			qf_rt_requant rq = r.rq;
			rq.mult = r.rq.mult ? r.rq.mult + c0 : NULL;
			rq.shift = r.rq.shift + c0;
			/* 4-bit output: the run's first channel is even, a byte boundary */
			size_t at = p.out_bits == 8 ? (size_t)c0 : (size_t)c0 / 2;
			int32_t need = qf_conv_scratch_size(&q);
			qf_rt_fc f = {k, q.out_c, q.in_zp, q.in_bits, q.out_bits, q.w_bits, 0, 0};
			if (fc)
				need = qf_fc_scratch_size(&f);
			assert_true(need > 0);
			size_t sn = need > 0 ? (size_t)need : 1;
			void *scratch = malloc(sn);
			fill_rand(scratch, sn);
			qf_rt_status sr, so;
			if (fc) {
				sr = qf_ref_fc(&f, &rq, in, w, bias + c0, o_ref + at);
				so = fc_kernel(&f)(&f, &rq, in, w, bias + c0, o_opt + at, scratch, sn);
			} else {
				sr = qf_ref_conv(&q, &rq, in, w, bias + c0, o_ref + at);
				so = conv_kernel(&q)(&q, &rq, in, w, bias + c0, o_opt + at, scratch, sn);
			}
			/* the run alone, dense, scattered into o_dense */
			qf_rt_conv d = q;
			d.out_stride = 0;
			size_t dn = act_bytes(npix * d.out_c, p.out_bits);
			int8_t *tmp = malloc(dn);
			assert_true(tmp != NULL);
			qf_rt_status sd = qf_ref_conv(&d, &rq, in, w, bias + c0, tmp);
			for (int32_t px = 0; px < npix; px++)
				for (int32_t c = 0; c < d.out_c; c++)
					qf_packed_set(o_dense, px * cout + c0 + c, p.out_bits,
						qf_packed_get(tmp, px * d.out_c + c, p.out_bits));
			if (sr != QF_RT_OK || so != QF_RT_OK || sd != QF_RT_OK) {
				fprintf(stderr, "split seed %llu: run [%d, %d) status ref %d opt %d dense %d\n",
					(unsigned long long)seed, c0, c1, sr, so, sd);
				fails++;
			}
			free(tmp);
			free(w);
			free(scratch);
		}
		if (memcmp(o_ref, o_opt, out_n + GUARD) != 0 || !guard_ok(o_opt, out_n) ||
			memcmp(o_ref, o_dense, out_n + GUARD) != 0) {
			fprintf(stderr, "split seed %llu: %s in %dx%dx%d out %dx%dx%d bits in %d out %d differ\n",
				(unsigned long long)seed, fc ? "fc" : "conv", p.in_h, p.in_w, p.in_c, p.out_h, p.out_w,
				cout, p.in_bits, p.out_bits);
			fails++;
		}
		free(in);
		free(o_ref);
		free(o_opt);
		free(o_dense);
	}
	assert_int_equal(fails, 0);
}

/* A stride below out_c is refused before anything is written; depthwise
 * takes only a dense output. */
static void test_conv_stride_refused(void **state)
{
	(void)state;
	int8_t in[32] = {0}, w[32] = {0}, out[8] = {0};
	int8_t shift[2] = {0, 0};
	int32_t scratch[64];
	qf_rt_requant rq = {NULL, shift, 0, -128, 127};
	qf_rt_conv p = {3, 3, 1, 2, 2, 2, 2, 2, 1, 1, 0, 0, 0, 8, 8, 8, 1, 0, 0};
	assert_int_equal(qf_conv_s8(&p, &rq, in, w, NULL, out, scratch, sizeof scratch), QF_RT_ERR_SHAPE);
	assert_int_equal(qf_ref_conv(&p, &rq, in, w, NULL, out), QF_RT_ERR_SHAPE);
	qf_rt_conv d = {3, 3, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0, 0, 8, 8, 8, 4, 0, 0};
	assert_int_equal(qf_dwconv_s8(&d, &rq, in, w, NULL, out, scratch, sizeof scratch), QF_RT_ERR_SHAPE);
	assert_int_equal(qf_ref_dwconv(&d, &rq, in, w, NULL, out), QF_RT_ERR_SHAPE);
	for (int i = 0; i < 8; i++)
		assert_int_equal(out[i], 0);
	d.out_stride = 2; /* out_c: dense */
	assert_int_equal(qf_dwconv_s8(&d, &rq, in, w, NULL, out, scratch, sizeof scratch), QF_RT_OK);
}

/* --------------------------------------------------------------- pooling */

static void test_pool_random(void **state)
{
	(void)state;
	int fails = 0;
	for (uint64_t seed = 1; seed <= 400; seed++) {
		rng_state = seed * 0xE7037ED1A0B428DBull;
		qf_rt_pool p;
		p.in_h = rr(1, 12);
		p.in_w = rr(1, 12);
		p.c = rr(1, 19);
		if (seed % 5 == 0) { /* global */
			p.k_h = p.in_h;
			p.k_w = p.in_w;
			p.stride_h = p.stride_w = 1;
			p.pad_top = p.pad_left = 0;
			p.out_h = p.out_w = 1;
		} else {
			p.k_h = rr(1, 3);
			p.k_w = rr(1, 3);
			p.stride_h = rr(1, 3);
			p.stride_w = rr(1, 3);
			p.pad_top = rr(0, p.k_h - 1);
			p.pad_left = rr(0, p.k_w - 1);
			int32_t pb = rr(0, p.k_h - 1), pr = rr(0, p.k_w - 1);
			if (p.in_h + p.pad_top + pb < p.k_h)
				pb = p.k_h - p.in_h - p.pad_top;
			if (p.in_w + p.pad_left + pr < p.k_w)
				pr = p.k_w - p.in_w - p.pad_left;
			p.out_h = out_size(p.in_h, p.k_h, p.stride_h, p.pad_top, pb);
			p.out_w = out_size(p.in_w, p.k_w, p.stride_w, p.pad_left, pr);
		}
		p.min = rr(0, 1) ? -128 : rr(-128, 20);
		p.max = rr(0, 1) ? 127 : rr(p.min, 127);
		size_t in_n = (size_t)(p.in_h * p.in_w * p.c), out_n = (size_t)(p.out_h * p.out_w * p.c);
		int8_t *in = malloc(in_n);
		fill_rand(in, in_n);
		for (int avg = 0; avg < 2; avg++) {
			int8_t *o_ref = out_buf(out_n), *o_opt = out_buf(out_n);
			qf_rt_status sr = avg ? qf_ref_avgpool(&p, in, o_ref) : qf_ref_maxpool(&p, in, o_ref);
			qf_rt_status so = avg ? qf_avgpool_s8(&p, in, o_opt) : qf_maxpool_s8(&p, in, o_opt);
			if (sr != QF_RT_OK || so != QF_RT_OK || memcmp(o_ref, o_opt, out_n + GUARD) != 0) {
				fprintf(stderr, "%s seed %llu: in %dx%dx%d k %dx%d s %d,%d pad %d,%d -> %dx%d: %d %d\n",
					avg ? "avgpool" : "maxpool", (unsigned long long)seed, p.in_h, p.in_w, p.c, p.k_h,
					p.k_w, p.stride_h, p.stride_w, p.pad_top, p.pad_left, p.out_h, p.out_w, sr, so);
				fails++;
			}
			free(o_ref);
			free(o_opt);
		}
		free(in);
	}
	assert_int_equal(fails, 0);
}

/* Averages by hand: the mean of {-3, -2} is -2.5 -> -3 and of {2, 3} 2.5 -> 3
 * (half away from zero). Max of {-3, -2} is -2. */
static void test_pool_by_hand(void **state)
{
	(void)state;
	int8_t in[6] = {-3, 2, -2, 3, 1, 2}; /* 3x1 map of 2 channels: c0 = -3,-2,1  c1 = 2,3,2 */
	qf_rt_pool p = {3, 1, 2, 2, 1, 2, 1, 2, 1, 0, 0, -128, 127};
	int8_t out[4];
	/* windows rows {0,1} and {2}: c0 -> -2.5 and 1; c1 -> 2.5 and 2 */
	assert_int_equal(qf_avgpool_s8(&p, in, out), QF_RT_OK);
	assert_int_equal(out[0], -3);
	assert_int_equal(out[1], 3);
	assert_int_equal(out[2], 1);
	assert_int_equal(out[3], 2);
	assert_int_equal(qf_maxpool_s8(&p, in, out), QF_RT_OK);
	assert_int_equal(out[0], -2);
	assert_int_equal(out[1], 3);
	p.min = 0; /* ReLU */
	assert_int_equal(qf_maxpool_s8(&p, in, out), QF_RT_OK);
	assert_int_equal(out[0], 0);
	p.out_h = 3; /* the third window would start past the input */
	assert_int_equal(qf_maxpool_s8(&p, in, out), QF_RT_ERR_SHAPE);
}

/* ------------------------------------------------------------ add, argmax */

static void test_add_random(void **state)
{
	(void)state;
	int fails = 0;
	for (uint64_t seed = 1; seed <= 300; seed++) {
		rng_state = seed * 0x8EBC6AF09C88C6E3ull;
		qf_rt_add p;
		p.n = rr(1, 300);
		p.a_zp = rr(-128, 127);
		p.b_zp = rr(-128, 127);
		p.pow2 = rr(0, 2) == 0;
		p.left_shift = p.pow2 ? rr(0, 8) : 20;
		p.a_mult = rr(1 << 30, INT32_MAX);
		p.b_mult = rr(1 << 30, INT32_MAX);
		p.out_mult = rr(1 << 30, INT32_MAX);
		p.a_shift = rr(-4, 0);
		p.b_shift = rr(-4, 0);
		p.out_shift = -p.left_shift + rr(-1, 2);
		if (p.out_shift > 30)
			p.out_shift = 30;
		p.out_zp = rr(-128, 127);
		p.min = rr(0, 1) ? -128 : p.out_zp;
		p.max = 127;
		int8_t *a = malloc((size_t)p.n), *b = malloc((size_t)p.n);
		fill_rand(a, (size_t)p.n);
		fill_rand(b, (size_t)p.n);
		int8_t *o_ref = out_buf((size_t)p.n), *o_opt = out_buf((size_t)p.n);
		qf_rt_status sr = qf_ref_add(&p, a, b, o_ref), so = qf_add_s8(&p, a, b, o_opt);
		if (sr != QF_RT_OK || so != QF_RT_OK || memcmp(o_ref, o_opt, (size_t)p.n + GUARD) != 0) {
			fprintf(stderr, "add seed %llu: n %d pow2 %d: %d %d\n", (unsigned long long)seed, p.n, p.pow2, sr,
				so);
			fails++;
		}
		free(a);
		free(b);
		free(o_ref);
		free(o_opt);
	}
	assert_int_equal(fails, 0);
}

/* By hand: left shift 1 and input multipliers 0.5 (2^30) give a' = a - 1 and
 * b' = b + 2 exactly; the output multiplier 0.5 and zp 3 give
 *   a = 10, b = 5:    (9 + 7) / 2 = 8            -> 11
 *   a = 0, b = -2:    (-1 + 0) / 2 = -0.5 -> 0   -> 3   (tie toward +inf)
 *   a = b = 100:      (99 + 102) / 2 = 100.5 -> 101 -> 104 */
static void test_add_by_hand(void **state)
{
	(void)state;
	qf_rt_add p = {3, 1, -2, 1, 1 << 30, 0, 1 << 30, 0, 1 << 30, 0, 3, -128, 127, 0};
	int8_t a[3] = {10, 0, 100}, b[3] = {5, -2, 100}, out[3];
	assert_int_equal(qf_add_s8(&p, a, b, out), QF_RT_OK);
	assert_int_equal(out[0], 11);
	assert_int_equal(out[1], 3);
	assert_int_equal(out[2], 104);
	p.a_shift = 1;
	assert_int_equal(qf_add_s8(&p, a, b, out), QF_RT_ERR_PARAM);
}

static void test_argmax(void **state)
{
	(void)state;
	int8_t x[7] = {-5, 3, 9, -128, 9, 2, 127};
	int32_t i = -1;
	assert_int_equal(qf_argmax_s8(x, 7, &i), QF_RT_OK);
	assert_int_equal(i, 6);
	assert_int_equal(qf_argmax_s8(x, 6, &i), QF_RT_OK);
	assert_int_equal(i, 2); /* first of the two 9s */
	assert_int_equal(qf_argmax_s8(x, 0, &i), QF_RT_ERR_SHAPE);
	for (uint64_t seed = 1; seed <= 100; seed++) {
		rng_state = seed;
		int8_t v[40];
		int32_t n = rr(1, 40), a = -1, b = -2;
		for (int32_t j = 0; j < n; j++)
			v[j] = (int8_t)rr(-3, 3); /* many ties */
		assert_int_equal(qf_argmax_s8(v, n, &a), QF_RT_OK);
		assert_int_equal(qf_ref_argmax(v, n, &b), QF_RT_OK);
		assert_int_equal(a, b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sat_rdmulh),
		cmocka_unit_test(test_rdiv_pot),
		cmocka_unit_test(test_mul_qmult),
		cmocka_unit_test(test_shift_round),
		cmocka_unit_test(test_requant1),
		cmocka_unit_test(test_packing),
		cmocka_unit_test(test_conv_by_hand),
		cmocka_unit_test(test_conv_shapes),
		cmocka_unit_test(test_conv_random),
		cmocka_unit_test(test_dwconv_random),
		cmocka_unit_test(test_fc_random),
		cmocka_unit_test(test_conv_split),
		cmocka_unit_test(test_conv_stride_refused),
		cmocka_unit_test(test_pool_by_hand),
		cmocka_unit_test(test_pool_random),
		cmocka_unit_test(test_add_by_hand),
		cmocka_unit_test(test_add_random),
		cmocka_unit_test(test_argmax),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
