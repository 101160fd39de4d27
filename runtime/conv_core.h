/* conv_core.h: im2col and the 2x2 matrix kernels that conv and fc share.
 * Internal to runtime/: each conv_*.c / fc_*.c file calls qf__conv_run or
 * qf__fc_run with its bit widths as constants, and the compiler keeps only
 * the paths that file needs.
 *
 * How a convolution runs (both paths): output pixels are taken two at a
 * time; for each, the k_h x k_w x in_c patch is gathered ("im2col") into
 * scratch as int16 values x - in_zp (positions outside the input read in_zp,
 * so they become 0); then every pair of output channels is multiplied with
 * the pair of columns (a 2x2 tile: each weight and each column value loaded
 * once is used twice) and the four sums are requantised and stored.
 *
 * DSP path: the weights stay packed in flash and are read one 32-bit word
 * (4, 8 or 16 values) at a time in the order they are stored. SXTB16 splits a
 * word into two int16 lanes holding bytes 0 and 2 (or, rotated, 1 and 3), and
 * SMLAD multiplies two lanes with two column values and adds both products.
 * The sub-byte fields are isolated without any shift back down: masking the
 * top field of each byte (and shifting the lower fields up to it first)
 * leaves each weight multiplied by 2^(8-b) in its lane, so the sums come out
 * scaled by 2^(8-b) and one exact arithmetic shift per output undoes it.
 * The column is therefore stored in the order the lanes come out: per group
 * of G = 32/b values (one weight word), the pairs
 *   for f in 0..F-1 (F = 8/b fields per byte, low field first),
 *     for r in 0, 1:  (x[r*F + f], x[r*F + f + G/2])
 * e.g. b = 8: (x0,x2) (x1,x3); b = 4: (x0,x4) (x2,x6) (x1,x5) (x3,x7).
 * The column is padded with zeros to a multiple of G, so the last, partial
 * weight word can be read byte by byte (never past the row) and its unused
 * bits meet zeros.
 *
 * Portable path: the column is int16 in natural order and the weights are
 * read a byte at a time (LDRSB) and split with shifts; 2x2 tiles as above.
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
/* ------------------------------------------------------- DSP column layout */

/* One group of G int8 values (all loaded before anything is stored, so the
 * destination may overlap the source: see qf__conv_run) into G/2 words of
 * int16 pairs x - zp in the lane order described at the top. */
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

/* The K int8 values at s as a DSP column of qf__kpad(K) values at d. */
QF_INLINE void qf__cvt_col(int32_t *d, const int8_t *s, int32_t k, int32_t zp, const int32_t wbits)
{
	const int32_t g = QF__GROUP(wbits);
	int32_t zp2 = (int32_t)(((uint32_t)zp & 0xFFFFu) | ((uint32_t)zp << 16));
	int32_t i = 0;
	for (; i + g <= k; i += g, d += g / 2)
		qf__cvt_group(d, s + i, zp2, wbits);
	if (i < k) {
		/* the partial group: zp pads it so the padding becomes 0 */
		int8_t t[16];
		int32_t j = 0;
		for (; i + j < k; j++)
			t[j] = s[i + j];
		for (; j < g; j++)
			t[j] = (int8_t)zp;
		qf__cvt_group(d, t, zp2, wbits);
	}
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

/* acc[r][p] += row r . column p over one weight word per row. */
QF_INLINE void qf__word2x2(int32_t w0, int32_t w1, const int32_t *x0, const int32_t *x1, int32_t *a00,
	int32_t *a01, int32_t *a10, int32_t *a11, const int32_t wbits)
{
	const int32_t nf = 8 / wbits;
	for (int32_t f = 0; f < nf; f++) {
		int32_t v0 = qf__field(w0, f, wbits), v1 = qf__field(w1, f, wbits);
		int32_t xa = x0[2 * f], xb = x0[2 * f + 1], ya = x1[2 * f], yb = x1[2 * f + 1];
		int32_t l = qf_sxtb16(v0), h = qf_sxtb16_ror8(v0);
		*a00 = qf_smlad(l, xa, *a00);
		*a00 = qf_smlad(h, xb, *a00);
		*a01 = qf_smlad(l, ya, *a01);
		*a01 = qf_smlad(h, yb, *a01);
		l = qf_sxtb16(v1);
		h = qf_sxtb16_ror8(v1);
		*a10 = qf_smlad(l, xa, *a10);
		*a10 = qf_smlad(h, xb, *a10);
		*a11 = qf_smlad(l, ya, *a11);
		*a11 = qf_smlad(h, yb, *a11);
	}
}

QF_INLINE void qf__word2x1(int32_t w0, int32_t w1, const int32_t *x0, int32_t *a00, int32_t *a10,
	const int32_t wbits)
{
	const int32_t nf = 8 / wbits;
	for (int32_t f = 0; f < nf; f++) {
		int32_t v0 = qf__field(w0, f, wbits), v1 = qf__field(w1, f, wbits);
		int32_t xa = x0[2 * f], xb = x0[2 * f + 1];
		*a00 = qf_smlad(qf_sxtb16(v0), xa, *a00);
		*a00 = qf_smlad(qf_sxtb16_ror8(v0), xb, *a00);
		*a10 = qf_smlad(qf_sxtb16(v1), xa, *a10);
		*a10 = qf_smlad(qf_sxtb16_ror8(v1), xb, *a10);
	}
}

/* Rows w0, w1 (wrow bytes each) times columns c0, c1 (npix = 1 or 2). The
 * sums come back scaled by 2^(8-b). */
QF_INLINE void qf__tile(const int8_t *w0, const int8_t *w1, int32_t k, const int32_t *c0, const int32_t *c1,
	int32_t npix, int32_t acc[4], const int32_t wbits)
{
	const int32_t g = QF__GROUP(wbits);
	int32_t a00 = 0, a01 = 0, a10 = 0, a11 = 0;
	int32_t nfull = k / g, rest = k - nfull * g;
	if (npix == 2) {
		for (int32_t i = 0; i < nfull; i++) {
			qf__word2x2(qf_ld32(w0), qf_ld32(w1), c0, c1, &a00, &a01, &a10, &a11, wbits);
			w0 += 4;
			w1 += 4;
			c0 += g / 2;
			c1 += g / 2;
		}
		if (rest) {
			int32_t nb = QF_PACKED_BYTES(rest, wbits);
			qf__word2x2(qf__ld_partial(w0, nb), qf__ld_partial(w1, nb), c0, c1, &a00, &a01, &a10, &a11,
				wbits);
		}
	} else {
		for (int32_t i = 0; i < nfull; i++) {
			qf__word2x1(qf_ld32(w0), qf_ld32(w1), c0, &a00, &a10, wbits);
			w0 += 4;
			w1 += 4;
			c0 += g / 2;
		}
		if (rest) {
			int32_t nb = QF_PACKED_BYTES(rest, wbits);
			qf__word2x1(qf__ld_partial(w0, nb), qf__ld_partial(w1, nb), c0, &a00, &a10, wbits);
		}
	}
	acc[0] = a00;
	acc[1] = a01;
	acc[2] = a10;
	acc[3] = a11;
}

#define QF__ACC_SHIFT(wbits) (8 - (wbits))
typedef int32_t qf__col_t;

#else /* portable path */

/* The K int8 values at s as x - zp in int16, then zeros up to kpad. */
QF_INLINE void qf__cvt_col(int16_t *d, const int8_t *s, int32_t k, int32_t zp, const int32_t wbits)
{
	int32_t kp = qf__kpad(k, wbits), i = 0;
	for (; i < k; i++)
		d[i] = (int16_t)(s[i] - zp);
	for (; i < kp; i++)
		d[i] = 0;
}

/* signed b-bit field at bit position s of byte v */
#define QF__SX(v, s, b) ((int32_t)((uint32_t)(v) << (32 - (s) - (b))) >> (32 - (b)))

QF_INLINE void qf__tile(const int8_t *w0, const int8_t *w1, int32_t k, const int16_t *c0, const int16_t *c1,
	int32_t npix, int32_t acc[4], const int32_t wbits)
{
	int32_t a00 = 0, a01 = 0, a10 = 0, a11 = 0;
	/* one column: point the second at the first and drop its sums; the
	 * single-pixel case is one in a whole layer, not worth its own loop */
	if (npix == 1)
		c1 = c0;
	if (wbits == 8) {
		for (int32_t i = 0; i < k; i++) {
			int32_t x = c0[i], y = c1[i], u = w0[i], v = w1[i];
			a00 += u * x;
			a01 += u * y;
			a10 += v * x;
			a11 += v * y;
		}
	} else {
		/* whole bytes: the column's zero padding covers the last one */
		const int32_t per = 8 / wbits;
		int32_t nb = QF_PACKED_BYTES(k, wbits);
		for (int32_t i = 0; i < nb; i++, c0 += per, c1 += per) {
			uint32_t bu = (uint8_t)w0[i], bv = (uint8_t)w1[i];
			for (int32_t f = 0; f < per; f++) {
				int32_t u = QF__SX(bu, f * wbits, wbits), v = QF__SX(bv, f * wbits, wbits);
				int32_t x = c0[f], y = c1[f];
				a00 += u * x;
				a01 += u * y;
				a10 += v * x;
				a11 += v * y;
			}
		}
	}
	acc[0] = a00;
	acc[1] = a01;
	acc[2] = a10;
	acc[3] = a11;
}

#define QF__ACC_SHIFT(wbits) 0
typedef int16_t qf__col_t;
#endif

/* Column slot bytes: kpad int16 values. The int8 patch is gathered into the
 * slot's upper half and converted in place toward the front: group g is
 * written to bytes [2gG, 2gG + 2G) after it was read from [kpad + gG, ...),
 * and 2gG + 2G <= kpad + (g+1)G holds for every g, so no value is
 * overwritten before it is read. That halves the scratch. */
static inline int32_t qf__slot_bytes(int32_t k, int32_t wbits)
{
	return 2 * qf__kpad(k, wbits);
}

/* Requantise the sums of rows (oc, oc+1) x pixels (p0, p0+1) and store. */
QF_INLINE void qf__emit(const int32_t acc[4], int32_t oc, int32_t nrow, int32_t p0, int32_t npix, int32_t cout,
	const int32_t *bias, const qf_rt_requant *rq, int8_t *out, int32_t out_bits, const int32_t wbits)
{
	(void)wbits; /* unused when QF__ACC_SHIFT is 0 */
	for (int32_t r = 0; r < nrow; r++) {
		int32_t c = oc + r;
		int32_t b = bias ? bias[c] : 0;
		for (int32_t q = 0; q < npix; q++) {
			int32_t s = (acc[2 * r + q] >> QF__ACC_SHIFT(wbits)) + b;
			int32_t v = qf_requant1(s, rq->mult, rq->shift, c, rq->zp, rq->min, rq->max);
			qf__store(out, (p0 + q) * cout + c, v, out_bits);
		}
	}
}

QF_INLINE void qf__rows(const int8_t *w, int32_t wrow, int32_t k, int32_t cout, const qf__col_t *c0,
	const qf__col_t *c1, int32_t npix, int32_t p0, const int32_t *bias, const qf_rt_requant *rq, int8_t *out,
	int32_t out_bits, const int32_t wbits)
{
	int32_t acc[4];
	for (int32_t oc = 0; oc < cout; oc += 2) {
		const int8_t *w0 = w + oc * wrow;
		int32_t nrow = oc + 1 < cout ? 2 : 1;
		/* an odd last channel reuses its own row as the second one */
		qf__tile(w0, nrow == 2 ? w0 + wrow : w0, k, c0, c1, npix, acc, wbits);
		qf__emit(acc, oc, nrow, p0, npix, cout, bias, rq, out, out_bits, wbits);
	}
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
	if (!qf__zp_ok(p->in_zp, inbits))
		return QF_RT_ERR_PARAM;
	int32_t need = qf_conv_scratch_size(p);
	if (need < 0)
		return (qf_rt_status)need;
	if (scratch_bytes < (size_t)need || ((uintptr_t)scratch & 3u))
		return QF_RT_ERR_SCRATCH;
	return qf__check_rq(rq, p->out_c, p->out_bits);
}

QF_INLINE qf_rt_status qf__conv_run(const qf_rt_conv *p, const qf_rt_requant *rq, const int8_t *in,
	const int8_t *w, const int32_t *bias, int8_t *out, void *scratch, size_t scratch_bytes, const int32_t wbits,
	const int32_t inbits)
{
	qf_rt_status st = qf__conv_check(p, rq, in, w, out, scratch, scratch_bytes, wbits, inbits);
	if (st != QF_RT_OK)
		return st;
	int32_t k = p->k_h * p->k_w * p->in_c, kpad = qf__kpad(k, wbits);
	int32_t wrow = QF_PACKED_BYTES(k, wbits), slot = qf__slot_bytes(k, wbits);
	int32_t npix = p->out_h * p->out_w;
	/* 1x1 (so no padding) with every output over an input pixel: the patch
	 * is that pixel's channels, already contiguous, so no gather */
	int direct = inbits == 8 && p->k_h == 1 && p->k_w == 1 && (p->out_h - 1) * p->stride_h < p->in_h &&
		(p->out_w - 1) * p->stride_w < p->in_w;
	uint8_t *sc = (uint8_t *)scratch;
	int32_t oy = 0, ox = 0;
	for (int32_t px = 0; px < npix; px++) {
		qf__col_t *col = (qf__col_t *)(void *)(sc + (px & 1) * slot);
		const int8_t *src;
		if (direct) {
			src = in + (oy * p->stride_h * p->in_w + ox * p->stride_w) * p->in_c;
		} else {
			int8_t *g = (int8_t *)(sc + (px & 1) * slot + kpad);
			qf__gather(g, p, in, oy, ox, inbits);
			src = g;
		}
		qf__cvt_col(col, src, k, p->in_zp, wbits);
		if (px & 1)
			qf__rows(w, wrow, k, p->out_c, (const qf__col_t *)(void *)sc,
				(const qf__col_t *)(void *)(sc + slot), 2, px - 1, bias, rq, out, p->out_bits, wbits);
		if (++ox == p->out_w) {
			ox = 0;
			oy++;
		}
	}
	if (npix & 1)
		qf__rows(w, wrow, k, p->out_c, (const qf__col_t *)(void *)sc, (const qf__col_t *)(void *)sc, 1,
			npix - 1, bias, rq, out, p->out_bits, wbits);
	return QF_RT_OK;
}

QF_INLINE qf_rt_status qf__fc_run(const qf_rt_fc *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const int32_t *bias, int8_t *out, void *scratch, size_t scratch_bytes, const int32_t wbits,
	const int32_t inbits)
{
	if (!p || !in || !w || !out || !scratch)
		return QF_RT_ERR_NULL;
	if (p->w_bits != wbits || p->in_bits != inbits || !qf__act_bits_ok(p->out_bits))
		return QF_RT_ERR_BITS;
	if (p->in_n < 1 || p->out_n < 1 || p->in_n > QF_RT_MAX_K)
		return QF_RT_ERR_SHAPE;
	if (!qf__zp_ok(p->in_zp, inbits))
		return QF_RT_ERR_PARAM;
	if (scratch_bytes < (size_t)qf_fc_scratch_size(p) || ((uintptr_t)scratch & 3u))
		return QF_RT_ERR_SCRATCH;
	qf_rt_status st = qf__check_rq(rq, p->out_n, p->out_bits);
	if (st != QF_RT_OK)
		return st;
	int32_t k = p->in_n, kpad = qf__kpad(k, wbits), wrow = QF_PACKED_BYTES(k, wbits);
	qf__col_t *col = (qf__col_t *)scratch;
	const int8_t *src = in;
	if (inbits == 4) {
		int8_t *g = (int8_t *)scratch + kpad;
		qf__copy4(g, in, 0, k);
		src = g;
	}
	qf__cvt_col(col, src, k, p->in_zp, wbits);
	qf__rows(w, wrow, k, p->out_n, col, col, 1, 0, bias, rq, out, p->out_bits, wbits);
	return QF_RT_OK;
}

#endif
