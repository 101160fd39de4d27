/* conv_core.h: im2col and the 2x2 matrix kernels that conv and fc share.
 * Internal to runtime/: each conv_*.c / fc_*.c file calls qf__conv_run or
 * qf__fc_run with its bit widths as constants, and the compiler keeps only
 * the paths that file needs.
 *
 * How a convolution runs (both paths): output pixels are taken two at a
 * time; the k_h x k_w x in_c patch of each ("im2col") is written to scratch
 * as int16 values x - in_zp (positions outside the input read in_zp, so they
 * become 0); then every pair of output channels is multiplied with the pair
 * of columns (a 2x2 tile: each weight and each column value loaded is used
 * twice) and the four sums are requantised and stored. With int8 input and
 * patch rows (k_w x in_c values, contiguous in NHWC) a whole number of column
 * groups long, rows are converted straight from the input; otherwise the
 * patch is gathered into an int8 buffer first (first layers with 1 or 3
 * input channels, 4-bit input).
 *
 * DSP path: the weights stay packed in flash and are read one 32-bit word
 * (4, 8 or 16 values) at a time in the order they are stored. SXTB16 splits a
 * word into two int16 lanes holding bytes 0 and 2 (or, rotated, 1 and 3), and
 * SMLAD multiplies two lanes with two column values and adds both products.
 * Sub-byte fields are isolated without any shift back down: masking the top
 * field of each byte (after shifting a lower field up to it) leaves each
 * weight multiplied by 2^(8-b) in its lane, so the sums come out scaled by
 * 2^(8-b) and one exact arithmetic shift per output undoes it. That is why
 * 4-bit weights cost about what 8-bit ones do. The column is therefore stored
 * in the order the lanes come out: per group of G = 32/b values (one weight
 * word), the pairs
 *   for f in 0..F-1 (F = 8/b fields per byte, low field first),
 *     for r in 0, 1:  (x[r*F + f], x[r*F + f + G/2])
 * e.g. b = 8: (x0,x2) (x1,x3); b = 4: (x0,x4) (x2,x6) (x1,x5) (x3,x7).
 * The two pixels' columns are interleaved group by group (pixel 0's G/2
 * words, then pixel 1's), so the inner loop walks one pointer. The column is
 * padded with zeros to a multiple of G; the last, partial weight word is read
 * byte by byte (never past the row) and its unused bits meet those zeros.
 *
 * Portable path: the column values of the two pixels alternate as int16, the
 * weights are read a byte at a time and split with shifts; 2x2 tiles as
 * above.
 */
#ifndef QF_CONV_CORE_H
#define QF_CONV_CORE_H

#include "qf_runtime.h"
#include "qf_simd.h"
#include "requant.h"

#if defined(__GNUC__)
#define QF_INLINE static inline __attribute__((always_inline))
#else
#define QF_INLINE static inline
#endif

/* values per weight word, and K rounded up to whole words: the column length */
#define QF__GROUP(wbits) (32 / (wbits))
static inline int32_t qf__kpad(int32_t k, int32_t wbits)
{
	int32_t g = QF__GROUP(wbits);
	return (k + g - 1) / g * g;
}

/* Rows that end in a partial weight word and are short (first layers: 9
 * values for 3x3 on one channel, 27 on three) cost a byte-by-byte load of
 * that word in every tile, a large share of the work; the DSP path copies
 * such weights once per call into scratch with rows padded to whole words.
 * The scratch size counts it on every path, so that it depends only on the
 * parameters. */
static inline int qf__pad_rows(int32_t k, int32_t cout, int32_t wbits)
{
	return k % QF__GROUP(wbits) != 0 && k <= 64 && cout <= 256;
}

static inline qf_rt_status qf__check_rq(const qf_rt_requant *rq, int32_t n, int32_t out_bits)
{
	if (!rq || !rq->shift)
		return QF_RT_ERR_NULL;
	int32_t lo = out_bits == 8 ? -128 : -8, hi = out_bits == 8 ? 127 : 7;
	if (rq->zp < lo || rq->zp > hi || rq->min < lo || rq->max > hi || rq->min > rq->max)
		return QF_RT_ERR_PARAM;
	for (int32_t c = 0; c < n; c++) {
		if (rq->shift[c] < -31 || rq->shift[c] > 30)
			return QF_RT_ERR_PARAM;
		if (rq->mult && rq->mult[c] < 1)
			return QF_RT_ERR_PARAM;
	}
	return QF_RT_OK;
}

static inline int qf__act_bits_ok(int32_t b)
{
	return b == 8 || b == 4;
}

static inline int qf__zp_ok(int32_t zp, int32_t bits)
{
	return bits == 8 ? zp >= -128 && zp <= 127 : zp >= -8 && zp <= 7;
}

/* One requantised value into an 8- or 4-bit output tensor at element i. */
QF_INLINE void qf__store(int8_t *out, int32_t i, int32_t v, int32_t out_bits)
{
	if (out_bits == 8) {
		out[i] = (int8_t)v;
	} else {
		uint8_t *b = (uint8_t *)out + (i >> 1);
		int s = (i & 1) * 4;
		*b = (uint8_t)((*b & ~(0xFu << s)) | (((uint32_t)v & 0xFu) << s));
	}
}

/* 4-bit activation i, sign-extended. */
QF_INLINE int32_t qf__get4(const int8_t *in, int32_t i)
{
	uint32_t byte = (uint8_t)in[i >> 1];
	return (int32_t)((byte >> ((i & 1) * 4) & 0xFu) ^ 8u) - 8;
}

/* ---------------------------------------------------------------- gather
 * The k_h x k_w x in_c patch of output pixel (oy, ox) as int8 values in
 * (ky, kx, ic) order, in_zp where the patch leaves the input. */
static inline void qf__fill8(int8_t *d, int32_t v, int32_t n)
{
	for (int32_t i = 0; i < n; i++)
		d[i] = (int8_t)v;
}

static inline void qf__copy8(int8_t *d, const int8_t *s, int32_t n)
{
	int32_t i = 0;
#if QF_DSP
	for (; i + 4 <= n; i += 4)
		qf_st32(d + i, qf_ld32(s + i));
#endif
	for (; i < n; i++)
		d[i] = s[i];
}

static inline void qf__copy4(int8_t *d, const int8_t *in, int32_t e, int32_t n)
{
	for (int32_t i = 0; i < n; i++)
		d[i] = (int8_t)qf__get4(in, e + i);
}

QF_INLINE void qf__gather(int8_t *d, const qf_rt_conv *p, const int8_t *in, int32_t oy, int32_t ox,
	const int32_t inbits)
{
	int32_t c = p->in_c, kw = p->k_w;
	int32_t iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
	int inside_x = ix0 >= 0 && ix0 + kw <= p->in_w;
	for (int32_t ky = 0; ky < p->k_h; ky++) {
		int32_t iy = iy0 + ky;
		if (iy < 0 || iy >= p->in_h) {
			qf__fill8(d, p->in_zp, kw * c);
			d += kw * c;
			continue;
		}
		/* a row inside the input is one contiguous run in NHWC */
		if (inside_x) {
			int32_t e = (iy * p->in_w + ix0) * c;
			if (inbits == 8)
				qf__copy8(d, in + e, kw * c);
			else
				qf__copy4(d, in, e, kw * c);
			d += kw * c;
			continue;
		}
		for (int32_t kx = 0; kx < kw; kx++, d += c) {
			int32_t ix = ix0 + kx;
			if (ix < 0 || ix >= p->in_w)
				qf__fill8(d, p->in_zp, c);
			else if (inbits == 8)
				qf__copy8(d, in + (iy * p->in_w + ix) * c, c);
			else
				qf__copy4(d, in, (iy * p->in_w + ix) * c, c);
		}
	}
}

#if QF_DSP
/* ------------------------------------------------------------ DSP path */

/* values per column group: one weight word */
#define QF__CG(wbits) (32 / (wbits))
typedef int32_t qf__col_t;

/* One group of G int8 values into G/2 words of int16 pairs x - zp, in the
 * lane order described at the top. */
QF_INLINE void qf__cvt_group(int32_t *d, const int8_t *s, int32_t zp2, const int32_t wbits)
{
	if (wbits == 8) {
		int32_t x = qf_ld32(s);
		d[0] = qf_ssub16(qf_sxtb16(x), zp2);
		d[1] = qf_ssub16(qf_sxtb16_ror8(x), zp2);
	} else if (wbits == 4) {
		int32_t x0 = qf_ld32(s), x1 = qf_ld32(s + 4);
		int32_t a = qf_sxtb16(x0), b = qf_sxtb16(x1);             /* (x0,x2) (x4,x6) */
		int32_t ar = qf_sxtb16_ror8(x0), br = qf_sxtb16_ror8(x1); /* (x1,x3) (x5,x7) */
		d[0] = qf_ssub16(qf_pkhbt(a, b), zp2);
		d[1] = qf_ssub16(qf_pkhtb(b, a), zp2);
		d[2] = qf_ssub16(qf_pkhbt(ar, br), zp2);
		d[3] = qf_ssub16(qf_pkhtb(br, ar), zp2);
	} else {
		int32_t x0 = qf_ld32(s), x1 = qf_ld32(s + 4), x2 = qf_ld32(s + 8), x3 = qf_ld32(s + 12);
		int32_t a0 = qf_sxtb16(x0), a1 = qf_sxtb16(x1), a2 = qf_sxtb16(x2), a3 = qf_sxtb16(x3);
		int32_t r0 = qf_sxtb16_ror8(x0), r1 = qf_sxtb16_ror8(x1);
		int32_t r2 = qf_sxtb16_ror8(x2), r3 = qf_sxtb16_ror8(x3);
		d[0] = qf_ssub16(qf_pkhbt(a0, a2), zp2); /* (x0,x8)  */
		d[1] = qf_ssub16(qf_pkhbt(a1, a3), zp2); /* (x4,x12) */
		d[2] = qf_ssub16(qf_pkhbt(r0, r2), zp2); /* (x1,x9)  */
		d[3] = qf_ssub16(qf_pkhbt(r1, r3), zp2); /* (x5,x13) */
		d[4] = qf_ssub16(qf_pkhtb(a2, a0), zp2); /* (x2,x10) */
		d[5] = qf_ssub16(qf_pkhtb(a3, a1), zp2); /* (x6,x14) */
		d[6] = qf_ssub16(qf_pkhtb(r2, r0), zp2); /* (x3,x11) */
		d[7] = qf_ssub16(qf_pkhtb(r3, r1), zp2); /* (x7,x15) */
	}
}

/* n groups from s to d, the groups dstride words apart */
QF_INLINE int32_t *qf__cvt_groups(int32_t *d, int32_t dstride, const int8_t *s, int32_t n, int32_t zp2,
	const int32_t wbits)
{
	const int8_t *end = s + n * QF__CG(wbits);
	/* two groups per pass: this runs once per output pixel and input value */
	if (n & 1) {
		qf__cvt_group(d, s, zp2, wbits);
		d += dstride;
		s += QF__CG(wbits);
	}
	while (s != end) {
		qf__cvt_group(d, s, zp2, wbits);
		qf__cvt_group(d + dstride, s + QF__CG(wbits), zp2, wbits);
		d += 2 * dstride;
		s += 2 * QF__CG(wbits);
	}
	return d;
}

QF_INLINE int32_t *qf__zero_groups(int32_t *d, int32_t dstride, int32_t n, const int32_t wbits)
{
	for (int32_t i = 0; i < n; i++, d += dstride)
		for (int32_t j = 0; j < QF__CG(wbits) / 2; j++)
			d[j] = 0;
	return d;
}

/* the last n < G values, padded with zp so that the padding becomes 0 */
QF_INLINE void qf__cvt_part(int32_t *d, const int8_t *s, int32_t n, int32_t zp, int32_t zp2, const int32_t wbits)
{
	int8_t t[16];
	int32_t j = 0;
	for (; j < n; j++)
		t[j] = s[j];
	for (; j < QF__CG(wbits); j++)
		t[j] = (int8_t)zp;
	qf__cvt_group(d, t, zp2, wbits);
}

/* A weight word holding fewer than 4 bytes of the row, zero-extended. */
static inline int32_t qf__ld_partial(const int8_t *w, int32_t nbytes)
{
	uint32_t v = 0;
	for (int32_t i = 0; i < nbytes; i++)
		v |= (uint32_t)(uint8_t)w[i] << (8 * i);
	return (int32_t)v;
}

/* Field f of weight word w (0 = lowest bits of each byte) moved to the top
 * of its byte with the other bits cleared: w_i * 2^(8-b) per byte. */
QF_INLINE int32_t qf__field(int32_t w, int32_t f, const int32_t wbits)
{
	if (wbits == 8)
		return w;
	uint32_t mask = wbits == 4 ? 0xF0F0F0F0u : 0xC0C0C0C0u;
	return (int32_t)(((uint32_t)w << (8 - wbits * (f + 1))) & mask);
}

/* One weight word of rows 0 and 1 against a column group of both pixels
 * (pixel 0's G/2 words at x, pixel 1's right after). */
#define QF__STEP22(W0, W1, x)                                                                                  \
	for (int32_t f = 0; f < 8 / wbits; f++) {                                                              \
		int32_t v0 = qf__field(W0, f, wbits), v1 = qf__field(W1, f, wbits);                            \
		int32_t xa = (x)[2 * f], xb = (x)[2 * f + 1];                                                  \
		int32_t ya = (x)[g / 2 + 2 * f], yb = (x)[g / 2 + 2 * f + 1];                                  \
		int32_t l = qf_sxtb16(v0), h = qf_sxtb16_ror8(v0);                                             \
		a00 = qf_smlad(l, xa, a00);                                                                    \
		a00 = qf_smlad(h, xb, a00);                                                                    \
		a01 = qf_smlad(l, ya, a01);                                                                    \
		a01 = qf_smlad(h, yb, a01);                                                                    \
		l = qf_sxtb16(v1);                                                                             \
		h = qf_sxtb16_ror8(v1);                                                                        \
		a10 = qf_smlad(l, xa, a10);                                                                    \
		a10 = qf_smlad(h, xb, a10);                                                                    \
		a11 = qf_smlad(l, ya, a11);                                                                    \
		a11 = qf_smlad(h, yb, a11);                                                                    \
	}

#define QF__STEP21(W0, W1, x)                                                                                  \
	for (int32_t f = 0; f < 8 / wbits; f++) {                                                              \
		int32_t v0 = qf__field(W0, f, wbits), v1 = qf__field(W1, f, wbits);                            \
		int32_t xa = (x)[2 * f], xb = (x)[2 * f + 1];                                                  \
		a00 = qf_smlad(qf_sxtb16(v0), xa, a00);                                                        \
		a00 = qf_smlad(qf_sxtb16_ror8(v0), xb, a00);                                                   \
		a10 = qf_smlad(qf_sxtb16(v1), xa, a10);                                                        \
		a10 = qf_smlad(qf_sxtb16_ror8(v1), xb, a10);                                                   \
	}

#if defined(__ARM_FEATURE_DSP)
/* The hot loop of every conv, in assembly so that it is the same on every
 * compiler: gcc spills two of the fourteen values it needs (two weight
 * pointers, column pointer, end, four sums, four column words, two lanes) and
 * adds a load and a store per word. Per weight word and row pair: the column
 * words of both pixels (two LDRD), each row's word (LDR, the second row at
 * +woff), its fields masked up to the top of each byte (sub-byte only), two
 * SXTB16, four SMLAD per row. 8-bit: 16.5 instructions per 16 MACs, unrolled
 * four times. The C version above (QF__STEP22) is what QF_DSP_EMULATE tests on the
 * host; the firmware tests check this one against the same references. */
#define QF__A_ROW(acc0, acc1, xa, xb, ya, yb)                                                                  \
	"sxtb16 %[l], %[v]\n\t"                                                                                \
	"sxtb16 %[v], %[v], ror #8\n\t"                                                                        \
	"smlad %[" acc0 "], %[l], %[" xa "], %[" acc0 "]\n\t"                                                  \
	"smlad %[" acc0 "], %[v], %[" xb "], %[" acc0 "]\n\t"                                                  \
	"smlad %[" acc1 "], %[l], %[" ya "], %[" acc1 "]\n\t"                                                  \
	"smlad %[" acc1 "], %[v], %[" yb "], %[" acc1 "]\n\t"
/* one field of both rows; FIELD masks v (empty for 8-bit), POST advances w */
#define QF__A_FIELD(FIELD, WPOST)                                                                              \
	"ldr %[v], [%[w], %[woff]]\n\t" FIELD QF__A_ROW("a10", "a11", "x0", "x1", "y0", "y1")                   \
	"ldr %[v], [%[w]" WPOST "\n\t" FIELD QF__A_ROW("a00", "a01", "x0", "x1", "y0", "y1")
#define QF__A_W8                                                                                               \
	"ldrd %[x0], %[x1], [%[c]], #16\n\t"                                                                   \
	"ldrd %[y0], %[y1], [%[c], #-8]\n\t" QF__A_FIELD("", "], #4")
#define QF__A_W4                                                                                               \
	"ldrd %[x0], %[x1], [%[c]], #32\n\t"                                                                   \
	"ldrd %[y0], %[y1], [%[c], #-16]\n\t"                                                                  \
	QF__A_FIELD("lsl %[v], %[v], #4\n\tand %[v], %[v], #0xF0F0F0F0\n\t", "]")                              \
	"ldrd %[x0], %[x1], [%[c], #-24]\n\t"                                                                  \
	"ldrd %[y0], %[y1], [%[c], #-8]\n\t" QF__A_FIELD("and %[v], %[v], #0xF0F0F0F0\n\t", "], #4")
#define QF__A_W2_F(sh, xo, yo, WPOST)                                                                          \
	"ldrd %[x0], %[x1], [%[c], #" xo "]\n\t"                                                               \
	"ldrd %[y0], %[y1], [%[c], #" yo "]\n\t"                                                               \
	QF__A_FIELD("lsl %[v], %[v], #" sh "\n\tand %[v], %[v], #0xC0C0C0C0\n\t", WPOST)
#define QF__A_W2                                                                                               \
	"add %[c], %[c], #64\n\t" QF__A_W2_F("6", "-64", "-32", "]") QF__A_W2_F("4", "-56", "-24", "]")       \
	QF__A_W2_F("2", "-48", "-16", "]")                                                                     \
	"ldrd %[x0], %[x1], [%[c], #-40]\n\t"                                                                  \
	"ldrd %[y0], %[y1], [%[c], #-8]\n\t" QF__A_FIELD("and %[v], %[v], #0xC0C0C0C0\n\t", "], #4")

/* The loop runs four groups per pass, after one step when the count is odd
 * and two when it has bit 1 set (the steps use v, so the count left is
 * worked out again). The
 * "m" inputs say the loop reads the columns and weights (so the stores that
 * wrote the columns come first) without a "memory" clobber, which would make
 * gcc reload every kernel parameter after each tile. */
#define QF__A_LOOP(STEP, GB, GB2)                                                                              \
	__asm__ volatile("sub %[v], %[end], %[c]\n\t"                                                          \
			 "tst %[v], #" GB "\n\t"                                                             \
			 "beq 2f\n\t" STEP "2:\n\t"                                                            \
			 "sub %[v], %[end], %[c]\n\t"                                                          \
			 "tst %[v], #" GB2 "\n\t"                                                            \
			 "beq 4f\n\t" STEP STEP "4:\n\t"                                                       \
			 "cmp %[c], %[end]\n\t"                                                              \
			 "beq 3f\n"                                                                           \
			 "1:\n\t" STEP STEP STEP STEP "cmp %[c], %[end]\n\t"                                   \
			 "bne 1b\n"                                                                           \
			 "3:\n"                                                                               \
			 : [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11), [c] "+r"(c),     \
			 [w] "+r"(w), [x0] "=&r"(x0), [x1] "=&r"(x1), [y0] "=&r"(y0), [y1] "=&r"(y1),          \
			 [v] "=&r"(v), [l] "=&r"(l)                                                            \
			 : [woff] "r"(woff), [end] "r"(end),                                                   \
			 "m"(*(const int32_t(*)[])c), "m"(*(const int8_t(*)[])w)                               \
			 : "cc")

QF_INLINE void qf__loop22(const int8_t **pw, int32_t woff, const int32_t **pc, int32_t n, int32_t *p00,
	int32_t *p01, int32_t *p10, int32_t *p11, const int32_t wbits)
{
	const int8_t *w = *pw;
	const int32_t *c = *pc, *end = c + n * QF__CG(wbits);
	int32_t a00 = *p00, a01 = *p01, a10 = *p10, a11 = *p11, x0, x1, y0, y1, v, l;
	if (wbits == 8)
		QF__A_LOOP(QF__A_W8, "16", "32");
	else if (wbits == 4)
		QF__A_LOOP(QF__A_W4, "32", "64");
	else
		QF__A_LOOP(QF__A_W2, "64", "128");
	*pw = w;
	*pc = c;
	*p00 = a00;
	*p01 = a01;
	*p10 = a10;
	*p11 = a11;
}
#endif

/* Rows w0 and w0 + woff (k values each) against the column pair at c (npix
 * 2) or the single column at c with groups cstride words apart (npix 1).
 * Sums come back scaled by 2^(8-b) in acc[row * 2 + pixel]. */
QF_INLINE void qf__tile(const int8_t *w0, int32_t woff, int32_t k, const int32_t *c, int32_t cstride, int32_t npix,
	int32_t *r00, int32_t *r01, int32_t *r10, int32_t *r11, const int32_t wbits)
{
	const int32_t g = QF__CG(wbits);
	int32_t a00 = 0, a01 = 0, a10 = 0, a11 = 0;
	int32_t nfull = k / g, rest = k - nfull * g;
	if (npix == 2) {
#if defined(__ARM_FEATURE_DSP)
		qf__loop22(&w0, woff, &c, nfull, &a00, &a01, &a10, &a11, wbits);
#else
		const int32_t *end = c + nfull * g;
		while (c < end) {
			int32_t W0 = qf_ld32(w0), W1 = qf_ld32(w0 + woff);
			w0 += 4;
			QF__STEP22(W0, W1, c)
			c += g;
		}
#endif
		if (rest) {
			int32_t nb = QF_PACKED_BYTES(rest, wbits);
			int32_t W0 = qf__ld_partial(w0, nb), W1 = qf__ld_partial(w0 + woff, nb);
			QF__STEP22(W0, W1, c)
		}
	} else {
		for (int32_t i = 0; i < nfull; i++, c += cstride) {
			int32_t W0 = qf_ld32(w0), W1 = qf_ld32(w0 + woff);
			w0 += 4;
			QF__STEP21(W0, W1, c)
		}
		if (rest) {
			int32_t nb = QF_PACKED_BYTES(rest, wbits);
			int32_t W0 = qf__ld_partial(w0, nb), W1 = qf__ld_partial(w0 + woff, nb);
			QF__STEP21(W0, W1, c)
		}
	}
	*r00 = a00;
	*r01 = a01;
	*r10 = a10;
	*r11 = a11;
}

#define QF__ACC_SHIFT(wbits) (8 - (wbits))

#else /* ------------------------------------------------------ portable path */

/* one value per group: the int16 column values of the two pixels alternate */
#define QF__CG(wbits) 1
typedef int16_t qf__col_t;

QF_INLINE int16_t *qf__cvt_groups(int16_t *d, int32_t dstride, const int8_t *s, int32_t n, int32_t zp2,
	const int32_t wbits)
{
	(void)wbits;
	for (int32_t i = 0; i < n; i++, d += dstride)
		*d = (int16_t)(s[i] - zp2);
	return d;
}

QF_INLINE int16_t *qf__zero_groups(int16_t *d, int32_t dstride, int32_t n, const int32_t wbits)
{
	(void)wbits;
	for (int32_t i = 0; i < n; i++, d += dstride)
		*d = 0;
	return d;
}

/* signed b-bit field at bit position s of byte v */
#define QF__SX(v, s, b) ((int32_t)((uint32_t)(v) << (32 - (s) - (b))) >> (32 - (b)))

/* As the DSP qf__tile, one column value at a time; the column of a pair
 * alternates pixel 0 and pixel 1 (cstride 2), a single one has cstride 1.
 * The column is zero-padded to a multiple of 8 / b values, so sub-byte rows
 * are read in whole bytes. */
QF_INLINE void qf__tile(const int8_t *w0, int32_t woff, int32_t k, const int16_t *c, int32_t cstride, int32_t npix,
	int32_t *r00, int32_t *r01, int32_t *r10, int32_t *r11, const int32_t wbits)
{
	int32_t a00 = 0, a01 = 0, a10 = 0, a11 = 0;
	const int8_t *w1 = w0 + woff;
	/* a single column is read twice and its second sums dropped: cstride 1
	 * and the same column for both keeps one loop; a single pixel happens
	 * once per layer at most, fc being the exception it costs 2x there */
	int32_t d = npix == 2 ? 1 : 0;
	if (wbits == 8) {
		int32_t i = 0;
		if (cstride == 2) {
			/* four values per pass, constant offsets: one pointer step
			 * per operand every four loads */
			for (; i + 4 <= k; i += 4, c += 8) {
				int32_t u, v, x, y;
#define QF__P22(j)                                                                                             \
	x = c[2 * (j)];                                                                                        \
	y = c[2 * (j) + d];                                                                                    \
	u = w0[i + (j)];                                                                                       \
	v = w1[i + (j)];                                                                                       \
	a00 += u * x;                                                                                          \
	a01 += u * y;                                                                                          \
	a10 += v * x;                                                                                          \
	a11 += v * y;
				QF__P22(0)
				QF__P22(1)
				QF__P22(2)
				QF__P22(3)
#undef QF__P22
			}
		}
		for (; i < k; i++, c += cstride) {
			int32_t x = c[0], y = c[d], u = w0[i], v = w1[i];
			a00 += u * x;
			a01 += u * y;
			a10 += v * x;
			a11 += v * y;
		}
	} else {
		const int32_t per = 8 / wbits;
		int32_t nb = QF_PACKED_BYTES(k, wbits);
		for (int32_t i = 0; i < nb; i++) {
			uint32_t bu = (uint8_t)w0[i], bv = (uint8_t)w1[i];
			for (int32_t f = 0; f < per; f++, c += cstride) {
				int32_t u = QF__SX(bu, f * wbits, wbits), v = QF__SX(bv, f * wbits, wbits);
				int32_t x = c[0], y = c[d];
				a00 += u * x;
				a01 += u * y;
				a10 += v * x;
				a11 += v * y;
			}
		}
	}
	*r00 = a00;
	*r01 = a01;
	*r10 = a10;
	*r11 = a11;
}

#define QF__ACC_SHIFT(wbits) 0
#endif

/* The column of output pixel (oy, ox) into d, its groups dstride apart.
 * With int8 input and patch rows a whole number of groups long, rows are
 * converted straight from the input (no gather); otherwise the patch is
 * gathered into gbuf first. */
QF_INLINE void qf__col(qf__col_t *d, int32_t dstride, const qf_rt_conv *p, const int8_t *in, int32_t oy,
	int32_t ox, int8_t *gbuf, const int32_t inbits, const int32_t wbits)
{
	const int32_t g = QF__CG(wbits), c = p->in_c, kw = p->k_w, rl = kw * c, k = p->k_h * rl;
	const int32_t iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
	const int inside_x = ix0 >= 0 && ix0 + kw <= p->in_w;
#if QF_DSP
	const int32_t zp = p->in_zp, zpv = (int32_t)(((uint32_t)zp & 0xFFFFu) | ((uint32_t)zp << 16));
#else
	const int32_t zp = p->in_zp, zpv = zp;
#endif
	const int8_t *src = gbuf;
	if (inbits == 8 && rl % g == 0 && (inside_x || c % g == 0)) {
		for (int32_t ky = 0; ky < p->k_h; ky++) {
			int32_t iy = iy0 + ky;
			if (iy < 0 || iy >= p->in_h) {
				d = qf__zero_groups(d, dstride, rl / g, wbits);
			} else if (inside_x) {
				d = qf__cvt_groups(d, dstride, in + (iy * p->in_w + ix0) * c, rl / g, zpv, wbits);
			} else {
				for (int32_t kx = 0; kx < kw; kx++) {
					int32_t ix = ix0 + kx;
					if (ix < 0 || ix >= p->in_w)
						d = qf__zero_groups(d, dstride, c / g, wbits);
					else
						d = qf__cvt_groups(d, dstride, in + (iy * p->in_w + ix) * c, c / g, zpv, wbits);
				}
			}
		}
#if !QF_DSP
		qf__zero_groups(d, dstride, qf__kpad(k, wbits) - k, wbits);
#endif
		return;
	}
	if (inbits == 8 && kw == 1 && p->k_h == 1 && iy0 < p->in_h && inside_x)
		src = in + (iy0 * p->in_w + ix0) * c; /* 1x1: the pixel's channels */
	else
		qf__gather(gbuf, p, in, oy, ox, inbits);
	d = qf__cvt_groups(d, dstride, src, k / g, zpv, wbits);
#if QF_DSP
	if (k % g)
		qf__cvt_part(d, src + k / g * g, k % g, zp, zpv, wbits);
#else
	/* zeros up to kpad: sub-byte rows are read in whole bytes */
	qf__zero_groups(d, dstride, qf__kpad(k, wbits) - k, wbits);
#endif
}

/* Multiply by a Q31 multiplier m >= 1: qf_sat_rdmulh without its saturation
 * test, which only INT32_MIN * INT32_MIN needs (the kernels check m >= 1). */
static inline int32_t qf__rdmulh(int32_t a, int32_t m)
{
	return (int32_t)(((int64_t)a * m + ((int64_t)1 << 30)) >> 31);
}

/* What the requantisation of a layer's outputs needs, gathered once per call. */
typedef struct {
	const int32_t *mult;
	const int8_t *shift;
	const int32_t *bias32; /* one of the two, or neither */
	const int16_t *bias16;
	int32_t bias_shift;
	int8_t *out;
	int32_t zp, lo, hi; /* lo/hi: the clamp before adding zp */
	int32_t cout, out_bits, acc_shift;
	int32_t stride; /* elements from one output pixel to the next (>= cout) */
} qf__outs;

static inline void qf__outs_init(qf__outs *o, const qf_rt_requant *rq, const void *bias, int32_t bias_bits,
	int32_t bias_shift, int8_t *out, int32_t cout, int32_t out_bits, int32_t acc_shift)
{
	o->mult = rq->mult;
	o->shift = rq->shift;
	o->bias32 = bias_bits == 16 ? NULL : (const int32_t *)bias;
	o->bias16 = bias_bits == 16 ? (const int16_t *)bias : NULL;
	o->bias_shift = bias_shift;
	o->out = out;
	o->zp = rq->zp;
	o->lo = rq->min - rq->zp;
	o->hi = rq->max - rq->zp;
	o->cout = cout;
	o->out_bits = out_bits;
	o->acc_shift = acc_shift;
	o->stride = cout;
}

/* qf_bias_at with the format decided once per call. */
static inline int32_t qf__bias(const qf__outs *o, int32_t c)
{
	return o->bias32 ? o->bias32[c] : o->bias16 ? qf_shl_wrap(o->bias16[c], o->bias_shift) : 0;
}

#if defined(__GNUC__)
#define QF_NOINLINE __attribute__((noinline))
#else
#define QF_NOINLINE
#endif

/* Requantise and store the sums a[r][q] of channels c, c+1 (nrow) for output
 * elements i, i + cout (npix). Not inlined on purpose: inside the conv loops
 * every register is taken and gcc spilled the channel parameters around each
 * output; called once per 2x2 tile it gets all registers to itself. The
 * channel's multiplier, shifts and rounding mask are worked out once for both
 * pixels. */
static QF_NOINLINE void qf__emit(const qf__outs *o, int32_t c, int32_t i, int32_t nrow, int32_t npix,
	const int32_t a[4])
{
	for (int32_t r = 0; r < nrow; r++, c++, i++) {
		int32_t b = qf__bias(o, c), s = o->shift[c];
		int32_t ls = s > 0 ? s : 0, rs = s > 0 ? 0 : -s;
		int32_t mask = (int32_t)((1u << rs) - 1u), half = mask >> 1, m = o->mult ? o->mult[c] : 0;
		for (int32_t q = 0; q < npix; q++) {
			int32_t v = (a[2 * r + q] >> o->acc_shift) + b;
			if (m) {
				/* qf_rdiv_pot(qf__rdmulh(qf_shl_wrap(v, ls), m), rs) with
				 * the mask and half worked out above */
				v = qf__rdmulh(qf_shl_wrap(v, ls), m);
				v = (v >> rs) + ((v & mask) > half + (v < 0 ? 1 : 0) ? 1 : 0);
			} else {
				v = qf_shift_round(v, s);
			}
			v = v < o->lo ? o->lo : v;
			v = (v > o->hi ? o->hi : v) + o->zp;
			qf__store(o->out, i + q * o->stride, v, o->out_bits);
		}
	}
}

/* qf__emit for the common case, written out: both rows and both pixels, int8
 * output. Per output: bias, the multiply with its rounding, the rounding
 * shift with the mask and half worked out per channel, clamp, zero point,
 * store: about twenty instructions on a Cortex-M4. */
static QF_NOINLINE void qf__emit22(const qf__outs *o, int32_t c, int8_t *dst, const int32_t a[4])
{
	const int32_t lo = o->lo, hi = o->hi, zp = o->zp, stride = o->stride, sh = o->acc_shift;
	const int32_t *mult = o->mult;
	for (int32_t r = 0; r < 2; r++, c++, dst++) {
		int32_t b = qf__bias(o, c), s = o->shift[c];
		int32_t v0 = (a[2 * r] >> sh) + b, v1 = (a[2 * r + 1] >> sh) + b;
		if (mult) {
			int32_t m = mult[c], ls = s > 0 ? s : 0, rs = s > 0 ? 0 : -s;
			int32_t mask = (int32_t)((1u << rs) - 1u), half = mask >> 1;
			v0 = qf__rdmulh(qf_shl_wrap(v0, ls), m);
			v1 = qf__rdmulh(qf_shl_wrap(v1, ls), m);
			v0 = (v0 >> rs) + ((v0 & mask) > half + (int32_t)((uint32_t)v0 >> 31) ? 1 : 0);
			v1 = (v1 >> rs) + ((v1 & mask) > half + (int32_t)((uint32_t)v1 >> 31) ? 1 : 0);
		} else {
			v0 = qf_shift_round(v0, s);
			v1 = qf_shift_round(v1, s);
		}
		v0 = v0 < lo ? lo : v0 > hi ? hi : v0;
		v1 = v1 < lo ? lo : v1 > hi ? hi : v1;
		dst[0] = (int8_t)(v0 + zp);
		dst[stride] = (int8_t)(v1 + zp);
	}
}

/* Every pair of output channels against the columns of npix pixels. */
QF_INLINE void qf__rows(const int8_t *w, int32_t wrow, int32_t k, const qf__col_t *c, int32_t cstride,
	int32_t npix, int32_t p0, const qf__outs *o, const int32_t wbits)
{
	const int32_t cout = o->cout, stride = o->stride;
	for (int32_t oc = 0; oc < cout; oc += 2, w += 2 * wrow) {
		int32_t a[4];
		int two = oc + 1 < cout;
		/* an odd last channel uses its own row as the second one */
		qf__tile(w, two ? wrow : 0, k, c, cstride, npix, &a[0], &a[1], &a[2], &a[3], wbits);
		if (two && npix == 2 && o->out_bits == 8)
			qf__emit22(o, oc, o->out + p0 * stride + oc, a);
		else
			qf__emit(o, oc, p0 * stride + oc, two ? 2 : 1, npix, a);
	}
}

/* qf__rows for a pair of pixels, out of line: the tile loop then has few
 * values live around the assembly, which needs fourteen registers (inlined
 * into qf__conv_run, gcc reloaded a dozen values from the stack per tile). */
static QF_NOINLINE void qf__rows2(const int8_t *w, int32_t wrow, int32_t k, const qf__col_t *c, int32_t block,
	int32_t p0, const qf__outs *o, const int32_t wbits)
{
	qf__rows(w, wrow, k, c, block, 2, p0, o, wbits);
}

static inline qf_rt_status qf__conv_check(const qf_rt_conv *p, const qf_rt_requant *rq, const void *in,
	const void *w, const void *out, const void *scratch, size_t scratch_bytes, int32_t wbits, int32_t inbits)
{
	if (!p || !in || !w || !out || !scratch)
		return QF_RT_ERR_NULL;
	if (p->w_bits != wbits || p->in_bits != inbits || !qf__act_bits_ok(p->out_bits))
		return QF_RT_ERR_BITS;
	if (p->in_h < 1 || p->in_w < 1 || p->in_c < 1 || p->out_h < 1 || p->out_w < 1 || p->out_c < 1 ||
		p->k_h < 1 || p->k_w < 1 || p->stride_h < 1 || p->stride_w < 1 || p->pad_top < 0 ||
		p->pad_left < 0 || p->pad_top >= p->k_h || p->pad_left >= p->k_w)
		return QF_RT_ERR_SHAPE;
	if ((int64_t)p->k_h * p->k_w * p->in_c > QF_RT_MAX_K)
		return QF_RT_ERR_SHAPE;
	if (p->out_stride != 0 && p->out_stride < p->out_c)
		return QF_RT_ERR_SHAPE;
	if (!qf__zp_ok(p->in_zp, inbits) || !qf_bias_fmt_ok(p->bias_bits, p->bias_shift))
		return QF_RT_ERR_PARAM;
	int32_t need = qf_conv_scratch_size(p);
	if (need < 0)
		return (qf_rt_status)need;
	if (scratch_bytes < (size_t)need || ((uintptr_t)scratch & 3u))
		return QF_RT_ERR_SCRATCH;
	return qf__check_rq(rq, p->out_c, p->out_bits);
}

/* Scratch of a conv: the column pair (2 x kpad int16), the gather buffer
 * (kpad int8) and, when qf__pad_rows, the weights with padded rows. */
QF_INLINE qf_rt_status qf__conv_run(const qf_rt_conv *p, const qf_rt_requant *rq, const int8_t *in,
	const int8_t *w, const void *bias, int8_t *out, void *scratch, size_t scratch_bytes, const int32_t wbits,
	const int32_t inbits)
{
	qf_rt_status st = qf__conv_check(p, rq, in, w, out, scratch, scratch_bytes, wbits, inbits);
	if (st != QF_RT_OK)
		return st;
	const int32_t npix = p->out_h * p->out_w;
	int32_t k = p->k_h * p->k_w * p->in_c, wrow = QF_PACKED_BYTES(k, wbits);
	const int32_t kpad = qf__kpad(k, wbits);
	/* a group block holds pixel 0's part of a group, then pixel 1's */
#if QF_DSP
	const int32_t half = QF__CG(wbits) / 2, block = QF__CG(wbits);
#else
	const int32_t half = 1, block = 2;
#endif
	qf__col_t *col = (qf__col_t *)scratch;
	int8_t *gbuf = (int8_t *)scratch + 4 * kpad;
#if QF_DSP
	if (qf__pad_rows(k, p->out_c, wbits)) {
		/* first-layer shapes: rows padded to whole words once per call, so
		 * every tile is the assembly loop alone */
		int8_t *pw = gbuf + kpad;
		int32_t prow = QF_PACKED_BYTES(kpad, wbits);
		for (int32_t r = 0; r < p->out_c; r++)
			for (int32_t j = 0; j < prow; j++)
				pw[r * prow + j] = j < wrow ? w[r * wrow + j] : 0;
		w = pw;
		wrow = prow;
		k = kpad;
	}
#endif
	qf__outs o;
	qf__outs_init(&o, rq, bias, p->bias_bits, p->bias_shift, out, p->out_c, p->out_bits, QF__ACC_SHIFT(wbits));
	if (p->out_stride)
		o.stride = p->out_stride;
	int32_t oy = 0, ox = 0;
	for (int32_t px = 0; px < npix; px++) {
		qf__col(col + (px & 1) * half, block, p, in, oy, ox, gbuf, inbits, wbits);
		if (px & 1)
			qf__rows2(w, wrow, k, col, block, px - 1, &o, wbits);
		if (++ox == p->out_w) {
			ox = 0;
			oy++;
		}
	}
	if (npix & 1)
		qf__rows(w, wrow, k, col, block, 1, npix - 1, &o, wbits);
	return QF_RT_OK;
}

/* Scratch of an fc: one column (kpad int16), then, for 4-bit input, the
 * unpacked input (kpad int8). */
QF_INLINE qf_rt_status qf__fc_run(const qf_rt_fc *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out, void *scratch, size_t scratch_bytes, const int32_t wbits,
	const int32_t inbits)
{
	if (!p || !in || !w || !out || !scratch)
		return QF_RT_ERR_NULL;
	if (p->w_bits != wbits || p->in_bits != inbits || !qf__act_bits_ok(p->out_bits))
		return QF_RT_ERR_BITS;
	if (p->in_n < 1 || p->out_n < 1 || p->in_n > QF_RT_MAX_K)
		return QF_RT_ERR_SHAPE;
	if (!qf__zp_ok(p->in_zp, inbits) || !qf_bias_fmt_ok(p->bias_bits, p->bias_shift))
		return QF_RT_ERR_PARAM;
	if (scratch_bytes < (size_t)qf_fc_scratch_size(p) || ((uintptr_t)scratch & 3u))
		return QF_RT_ERR_SCRATCH;
	qf_rt_status st = qf__check_rq(rq, p->out_n, p->out_bits);
	if (st != QF_RT_OK)
		return st;
	const int32_t k = p->in_n, g = QF__CG(wbits), wrow = QF_PACKED_BYTES(k, wbits);
	qf__col_t *col = (qf__col_t *)scratch;
	qf__outs o;
	qf__outs_init(&o, rq, bias, p->bias_bits, p->bias_shift, out, p->out_n, p->out_bits, QF__ACC_SHIFT(wbits));
	const int8_t *src = in;
	if (inbits == 4) {
		int8_t *u = (int8_t *)scratch + 2 * qf__kpad(k, wbits);
		qf__copy4(u, in, 0, k);
		src = u;
	}
#if QF_DSP
	const int32_t zpv = (int32_t)(((uint32_t)p->in_zp & 0xFFFFu) | ((uint32_t)p->in_zp << 16));
	qf__col_t *d = qf__cvt_groups(col, g / 2, src, k / g, zpv, wbits);
	if (k % g)
		qf__cvt_part(d, src + k / g * g, k % g, p->in_zp, zpv, wbits);
	qf__rows(w, wrow, k, col, g / 2, 1, 0, &o, wbits);
#else
	/* zero up to the padded length: sub-byte rows are read in whole bytes */
	qf__col_t *d = qf__cvt_groups(col, 1, src, k, p->in_zp, wbits);
	qf__zero_groups(d, 1, qf__kpad(k, wbits) - k, wbits);
	qf__rows(w, wrow, k, col, g, 1, 0, &o, wbits);
#endif
	return QF_RT_OK;
}

#endif
