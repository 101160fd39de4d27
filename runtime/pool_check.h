/* pool_check.h: argument checks shared by maxpool_s8.c and avgpool_s8.c.
 * Internal to runtime/. */
#ifndef QF_POOL_CHECK_H
#define QF_POOL_CHECK_H

#include "qf_runtime.h"

static inline qf_rt_status qf__pool_check(const qf_rt_pool *p, const void *in, const void *out)
{
	if (!p || !in || !out)
		return QF_RT_ERR_NULL;
	if (p->in_h < 1 || p->in_w < 1 || p->c < 1 || p->out_h < 1 || p->out_w < 1 || p->k_h < 1 || p->k_w < 1 ||
		p->stride_h < 1 || p->stride_w < 1 || p->pad_top < 0 || p->pad_left < 0 || p->pad_top >= p->k_h ||
		p->pad_left >= p->k_w)
		return QF_RT_ERR_SHAPE;
	/* every window must hold a valid position: the last ones start inside */
	if ((p->out_h - 1) * p->stride_h - p->pad_top >= p->in_h ||
		(p->out_w - 1) * p->stride_w - p->pad_left >= p->in_w)
		return QF_RT_ERR_SHAPE;
	if (p->min < -128 || p->max > 127 || p->min > p->max)
		return QF_RT_ERR_PARAM;
	return QF_RT_OK;
}

/* The valid part [y0, y1) x [x0, x1) of the window of output (oy, ox). */
static inline void qf__pool_window(const qf_rt_pool *p, int32_t oy, int32_t ox, int32_t *y0, int32_t *y1,
	int32_t *x0, int32_t *x1)
{
	int32_t iy = oy * p->stride_h - p->pad_top, ix = ox * p->stride_w - p->pad_left;
	*y0 = iy < 0 ? 0 : iy;
	*y1 = iy + p->k_h > p->in_h ? p->in_h : iy + p->k_h;
	*x0 = ix < 0 ? 0 : ix;
	*x1 = ix + p->k_w > p->in_w ? p->in_w : ix + p->k_w;
}

#endif
