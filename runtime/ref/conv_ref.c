/* conv_ref.c: reference 2-D convolution, any activation and weight bits. */
#include "../requant.h"
#include "ref.h"

qf_rt_status qf_ref_conv(const qf_rt_conv *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out)
{
	if (!p || !rq || !rq->shift || !in || !w || !out)
		return QF_RT_ERR_NULL;
	if (!qf_bias_fmt_ok(p->bias_bits, p->bias_shift))
		return QF_RT_ERR_PARAM;
	int32_t k = p->k_h * p->k_w * p->in_c;
	int32_t wrow = QF_PACKED_BYTES(k, p->w_bits);
	int32_t stride = p->out_stride ? p->out_stride : p->out_c;
	if (stride < p->out_c)
		return QF_RT_ERR_SHAPE;
	for (int32_t oy = 0; oy < p->out_h; oy++)
		for (int32_t ox = 0; ox < p->out_w; ox++)
			for (int32_t oc = 0; oc < p->out_c; oc++) {
				int32_t acc = 0;
				for (int32_t ky = 0; ky < p->k_h; ky++)
					for (int32_t kx = 0; kx < p->k_w; kx++)
						for (int32_t ic = 0; ic < p->in_c; ic++) {
							int32_t iy = oy * p->stride_h - p->pad_top + ky;
							int32_t ix = ox * p->stride_w - p->pad_left + kx;
							int32_t x = p->in_zp;
							if (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w)
								x = qf_packed_get(in, (iy * p->in_w + ix) * p->in_c + ic,
									p->in_bits);
							int32_t wv = qf_packed_get(w + oc * wrow,
								(ky * p->k_w + kx) * p->in_c + ic, p->w_bits);
							acc += (x - p->in_zp) * wv;
						}
				acc += qf_ref_bias(bias, p->bias_bits, p->bias_shift, oc);
				int32_t y = qf_requant1(acc, rq->mult, rq->shift, oc, rq->zp, rq->min, rq->max);
				qf_packed_set(out, (oy * p->out_w + ox) * stride + oc, p->out_bits, y);
			}
	return QF_RT_OK;
}
