/* maxpool_s8.c: max pooling, int8, same scale in and out.
 * DSP path: SSUB8 + SEL take the bytewise max of four channels at once. */
#include "pool_check.h"
#include "qf_simd.h"

qf_rt_status qf_maxpool_s8(const qf_rt_pool *p, const int8_t *in, int8_t *out)
{
	qf_rt_status st = qf__pool_check(p, in, out);
	if (st != QF_RT_OK)
		return st;
	const int32_t C = p->c, W = p->in_w;
#if QF_DSP
	int32_t lo4 = (int32_t)(0x01010101u * (uint8_t)p->min), hi4 = (int32_t)(0x01010101u * (uint8_t)p->max);
#endif
	for (int32_t oy = 0; oy < p->out_h; oy++)
		for (int32_t ox = 0; ox < p->out_w; ox++) {
			int32_t y0, y1, x0, x1;
			qf__pool_window(p, oy, ox, &y0, &y1, &x0, &x1);
			int8_t *o = out + (oy * p->out_w + ox) * C;
			const int8_t *first = in + (y0 * W + x0) * C;
			int32_t c = 0;
#if QF_DSP
			for (; c + 4 <= C; c += 4) {
				int32_t m = qf_ld32(first + c);
				for (int32_t y = y0; y < y1; y++)
					for (int32_t x = x0; x < x1; x++)
						m = qf_max8x4(m, qf_ld32(in + (y * W + x) * C + c));
				qf_st32(o + c, qf_min8x4(qf_max8x4(m, lo4), hi4));
			}
#endif
			for (; c < C; c++) {
				int32_t m = first[c];
				for (int32_t y = y0; y < y1; y++)
					for (int32_t x = x0; x < x1; x++) {
						int32_t v = in[(y * W + x) * C + c];
						m = v > m ? v : m;
					}
				m = m < p->min ? p->min : m;
				o[c] = (int8_t)(m > p->max ? p->max : m);
			}
		}
	return QF_RT_OK;
}
