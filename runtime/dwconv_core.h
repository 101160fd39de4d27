/* dwconv_core.h: depthwise convolution shared by dwconv_s8*.c.
 * Internal to runtime/.
 *
 * Each output channel sees only its own input channel, so there is no dot
 * product to feed SMLAD; the work is k_h * k_w multiply-adds per output.
 * Two things make it cheap:
 *  - The zero point leaves the inner loop: for an output whose window lies
 *    inside the input, sum (x - zp) * w = sum x * w - zp * sum w, and the
 *    second term goes into a per-channel bias computed once per call. Outputs
 *    whose window crosses the border (a thin frame) take a plain loop.
 *  - On the DSP path one word holds four channels of one pixel (NHWC);
 *    SXTB16 splits it into (c0, c2) and (c1, c3) lanes and SMLABB/SMLATT
 *    multiply-add lane by lane, four channels per two loads.
 * Sub-byte weights are unpacked to int8 once per call into scratch, so both
 * loops read one weight layout.
 */
#ifndef QF_DWCONV_CORE_H
#define QF_DWCONV_CORE_H

#include "conv_core.h"

QF_INLINE qf_rt_status qf__dw_run(const qf_rt_conv *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out, void *scratch, size_t scratch_bytes, const int32_t wbits)
{
	if (!p || !in || !w || !out || !scratch)
		return QF_RT_ERR_NULL;
	if (p->w_bits != wbits || p->in_bits != 8 || p->out_bits != 8)
		return QF_RT_ERR_BITS;
	if (p->in_h < 1 || p->in_w < 1 || p->in_c < 1 || p->out_h < 1 || p->out_w < 1 || p->out_c != p->in_c ||
		p->k_h < 1 || p->k_w < 1 || p->stride_h < 1 || p->stride_w < 1 || p->pad_top < 0 ||
		p->pad_left < 0 || p->pad_top >= p->k_h || p->pad_left >= p->k_w)
		return QF_RT_ERR_SHAPE;
	/* a channel of the output is the same channel of the input: a run of
	 * channels would need an input stride too, which no caller has */
	if (p->out_stride != 0 && p->out_stride != p->out_c)
		return QF_RT_ERR_SHAPE;
	if (!qf__zp_ok(p->in_zp, 8) || !qf_bias_fmt_ok(p->bias_bits, p->bias_shift))
		return QF_RT_ERR_PARAM;
	int32_t need = qf_dwconv_scratch_size(p);
	if (need < 0)
		return (qf_rt_status)need;
	if (scratch_bytes < (size_t)need || ((uintptr_t)scratch & 3u))
		return QF_RT_ERR_SCRATCH;
	qf_rt_status st = qf__check_rq(rq, p->in_c, 8);
	if (st != QF_RT_OK)
		return st;

	const int32_t C = p->in_c, kh = p->k_h, kw = p->k_w, W = p->in_w, zp = p->in_zp;
	int32_t *cb = (int32_t *)scratch;
	const int8_t *wt = w;
	int32_t wrow = C; /* bytes per tap row as the loops read it */
	if (wbits != 8) {
		int8_t *u = (int8_t *)(cb + C);
		wrow = (C + 3) & ~3;
		int32_t prow = QF_PACKED_BYTES(C, wbits);
		for (int32_t t = 0; t < kh * kw; t++)
			for (int32_t c = 0; c < C; c++)
				u[t * wrow + c] = (int8_t)qf_packed_get(w + t * prow, c, wbits);
		wt = u;
	}
	for (int32_t c = 0; c < C; c++) {
		int32_t sw = 0;
		for (int32_t t = 0; t < kh * kw; t++)
			sw += wt[t * wrow + c];
		cb[c] = qf_bias_at(bias, p->bias_bits, p->bias_shift, c) - zp * sw;
	}

	for (int32_t oy = 0; oy < p->out_h; oy++) {
		int32_t iy0 = oy * p->stride_h - p->pad_top;
		for (int32_t ox = 0; ox < p->out_w; ox++) {
			int32_t ix0 = ox * p->stride_w - p->pad_left;
			int8_t *o = out + (oy * p->out_w + ox) * C;
			if (iy0 < 0 || iy0 + kh > p->in_h || ix0 < 0 || ix0 + kw > W) {
				/* border: taps outside the input add (zp - zp) * w = 0 */
				for (int32_t c = 0; c < C; c++) {
					int32_t acc = qf_bias_at(bias, p->bias_bits, p->bias_shift, c);
					for (int32_t ky = 0; ky < kh; ky++) {
						int32_t iy = iy0 + ky;
						if (iy < 0 || iy >= p->in_h)
							continue;
						for (int32_t kx = 0; kx < kw; kx++) {
							int32_t ix = ix0 + kx;
							if (ix < 0 || ix >= W)
								continue;
							acc += (in[(iy * W + ix) * C + c] - zp) * wt[(ky * kw + kx) * wrow + c];
						}
					}
					o[c] = (int8_t)qf_requant1(acc, rq->mult, rq->shift, c, rq->zp, rq->min, rq->max);
				}
				continue;
			}
			const int8_t *base = in + (iy0 * W + ix0) * C;
			int32_t c = 0;
#if QF_DSP
			for (; c + 4 <= C; c += 4) {
				int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
				const int8_t *wp = wt + c;
				for (int32_t ky = 0; ky < kh; ky++) {
					const int8_t *xp = base + ky * W * C + c;
					for (int32_t kx = 0; kx < kw; kx++, xp += C, wp += wrow) {
						int32_t x = qf_ld32(xp), v = qf_ld32(wp);
						int32_t xs = qf_sxtb16(x), xr = qf_sxtb16_ror8(x);
						int32_t vs = qf_sxtb16(v), vr = qf_sxtb16_ror8(v);
						a0 = qf_smlabb(xs, vs, a0);
						a2 = qf_smlatt(xs, vs, a2);
						a1 = qf_smlabb(xr, vr, a1);
						a3 = qf_smlatt(xr, vr, a3);
					}
				}
				o[c] = (int8_t)qf_requant1(a0 + cb[c], rq->mult, rq->shift, c, rq->zp, rq->min, rq->max);
				o[c + 1] = (int8_t)qf_requant1(a1 + cb[c + 1], rq->mult, rq->shift, c + 1, rq->zp, rq->min,
					rq->max);
				o[c + 2] = (int8_t)qf_requant1(a2 + cb[c + 2], rq->mult, rq->shift, c + 2, rq->zp, rq->min,
					rq->max);
				o[c + 3] = (int8_t)qf_requant1(a3 + cb[c + 3], rq->mult, rq->shift, c + 3, rq->zp, rq->min,
					rq->max);
			}
#endif
			for (; c < C; c++) {
				int32_t acc = cb[c];
				const int8_t *wp = wt + c;
				for (int32_t ky = 0; ky < kh; ky++) {
					const int8_t *xp = base + ky * W * C + c;
					for (int32_t kx = 0; kx < kw; kx++, xp += C, wp += wrow)
						acc += *xp * *wp;
				}
				o[c] = (int8_t)qf_requant1(acc, rq->mult, rq->shift, c, rq->zp, rq->min, rq->max);
			}
		}
	}
	return QF_RT_OK;
}

#endif
