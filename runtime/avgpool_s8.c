/* avgpool_s8.c: average pooling (global pooling is k = input size), int8,
 * same scale in and out: mean of the valid positions, rounded half away
 * from zero with one integer division per output (SDIV on M3/M4). */
#include "pool_check.h"

qf_rt_status qf_avgpool_s8(const qf_rt_pool *p, const int8_t *in, int8_t *out)
{
	qf_rt_status st = qf__pool_check(p, in, out);
	if (st != QF_RT_OK)
		return st;
	const int32_t C = p->c, W = p->in_w;
	for (int32_t oy = 0; oy < p->out_h; oy++)
		for (int32_t ox = 0; ox < p->out_w; ox++) {
			int32_t y0, y1, x0, x1;
			qf__pool_window(p, oy, ox, &y0, &y1, &x0, &x1);
			int32_t n = (y1 - y0) * (x1 - x0), half = n / 2;
			int8_t *o = out + (oy * p->out_w + ox) * C;
			for (int32_t c = 0; c < C; c++) {
				int32_t sum = 0;
				for (int32_t y = y0; y < y1; y++) {
					const int8_t *r = in + (y * W + x0) * C + c;
					for (int32_t x = x0; x < x1; x++, r += C)
						sum += *r;
				}
				int32_t m = (sum >= 0 ? sum + half : sum - half) / n;
				m = m < p->min ? p->min : m;
				o[c] = (int8_t)(m > p->max ? p->max : m);
			}
		}
	return QF_RT_OK;
}
