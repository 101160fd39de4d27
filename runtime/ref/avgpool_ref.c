/* avgpool_ref.c: reference average pooling: the mean of the valid part of
 * each window, rounded half away from zero. */
#include "ref.h"

qf_rt_status qf_ref_avgpool(const qf_rt_pool *p, const int8_t *in, int8_t *out)
{
	if (!p || !in || !out)
		return QF_RT_ERR_NULL;
	for (int32_t oy = 0; oy < p->out_h; oy++)
		for (int32_t ox = 0; ox < p->out_w; ox++)
			for (int32_t c = 0; c < p->c; c++) {
				int32_t sum = 0, n = 0;
				for (int32_t ky = 0; ky < p->k_h; ky++)
					for (int32_t kx = 0; kx < p->k_w; kx++) {
						int32_t iy = oy * p->stride_h - p->pad_top + ky;
						int32_t ix = ox * p->stride_w - p->pad_left + kx;
						if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w)
							continue;
						sum += in[(iy * p->in_w + ix) * p->c + c];
						n++;
					}
				if (n == 0)
					return QF_RT_ERR_SHAPE;
				int32_t m = sum >= 0 ? (sum + n / 2) / n : (sum - n / 2) / n;
				if (m < p->min)
					m = p->min;
				if (m > p->max)
					m = p->max;
				out[(oy * p->out_w + ox) * p->c + c] = (int8_t)m;
			}
	return QF_RT_OK;
}
