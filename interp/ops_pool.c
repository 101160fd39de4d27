/* ops_pool.c: max and average pooling over k x k windows, and global
 * average pooling, NHWC. Work is split by images, so the scatters of the
 * backward passes never meet across threads. */
#include <math.h>
#include <string.h>

#include "interp/engine_internal.h"

typedef struct {
	qf_step *s;
} pool_ctx;

static void max_fwd(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	qf_step *s = ((pool_ctx *)ctx)->s;
	const int C = s->xs[0].c, H = s->xs[0].h, W = s->xs[0].w, OH = s->ys.h, OW = s->ys.w;
	const int64_t in_img = qf_shape_elems(s->xs[0]), out_img = qf_shape_elems(s->ys);
	for (int64_t n = b; n < e; n++) {
		const float *x = s->x[0] + n * in_img;
		float *y = s->y + n * out_img;
		int32_t *arg = s->arg + n * out_img;
		for (int oy = 0; oy < OH; oy++)
			for (int ox = 0; ox < OW; ox++) {
				float *yo = y + ((int64_t)oy * OW + ox) * C;
				int32_t *ao = arg + ((int64_t)oy * OW + ox) * C;
				for (int c = 0; c < C; c++) {
					yo[c] = -INFINITY;
					ao[c] = -1;
				}
				for (int ky = 0; ky < s->k; ky++) {
					int iy = oy * s->s - s->pad + ky;
					if (iy < 0 || iy >= H)
						continue;
					for (int kx = 0; kx < s->k; kx++) {
						int ix = ox * s->s - s->pad + kx;
						if (ix < 0 || ix >= W)
							continue;
						int32_t off = (iy * W + ix) * C;
						const float *xi = x + off;
						for (int c = 0; c < C; c++)
							if (xi[c] > yo[c]) {
								yo[c] = xi[c];
								ao[c] = off + c;
							}
					}
				}
				/* A window wholly in the padding, or of NaNs. */
				for (int c = 0; c < C; c++)
					if (ao[c] < 0)
						yo[c] = 0;
			}
	}
}

static void max_bwd(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	qf_step *s = ((pool_ctx *)ctx)->s;
	const int64_t in_img = qf_shape_elems(s->xs[0]), out_img = qf_shape_elems(s->ys);
	for (int64_t n = b; n < e; n++) {
		float *dx = s->dx[0] + n * in_img;
		const float *dy = s->dy + n * out_img;
		const int32_t *arg = s->arg + n * out_img;
		if (!s->acc[0])
			memset(dx, 0, (size_t)in_img * sizeof(float));
		for (int64_t i = 0; i < out_img; i++)
			if (arg[i] >= 0)
				dx[arg[i]] += dy[i];
	}
}

/* Valid window [y0, y1) x [x0, x1) of output (oy, ox). */
static int window(const qf_step *s, int oy, int ox, int *y0, int *y1, int *x0, int *x1)
{
	*y0 = oy * s->s - s->pad;
	*x0 = ox * s->s - s->pad;
	*y1 = *y0 + s->k;
	*x1 = *x0 + s->k;
	if (*y0 < 0)
		*y0 = 0;
	if (*x0 < 0)
		*x0 = 0;
	if (*y1 > s->xs[0].h)
		*y1 = s->xs[0].h;
	if (*x1 > s->xs[0].w)
		*x1 = s->xs[0].w;
	int n = (*y1 - *y0) * (*x1 - *x0);
	return *y1 > *y0 && *x1 > *x0 ? n : 0;
}

static void avg_fwd(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	qf_step *s = ((pool_ctx *)ctx)->s;
	const int C = s->xs[0].c, W = s->xs[0].w, OH = s->ys.h, OW = s->ys.w;
	const int64_t in_img = qf_shape_elems(s->xs[0]), out_img = qf_shape_elems(s->ys);
	for (int64_t n = b; n < e; n++) {
		const float *x = s->x[0] + n * in_img;
		float *y = s->y + n * out_img;
		for (int oy = 0; oy < OH; oy++)
			for (int ox = 0; ox < OW; ox++) {
				float *yo = y + ((int64_t)oy * OW + ox) * C;
				int y0, y1, x0, x1;
				int cnt = window(s, oy, ox, &y0, &y1, &x0, &x1);
				for (int c = 0; c < C; c++)
					yo[c] = 0;
				for (int iy = y0; iy < y1; iy++)
					for (int ix = x0; ix < x1; ix++) {
						const float *xi = x + ((int64_t)iy * W + ix) * C;
						for (int c = 0; c < C; c++)
							yo[c] += xi[c];
					}
				float inv = cnt ? 1.0f / (float)cnt : 0;
				for (int c = 0; c < C; c++)
					yo[c] *= inv;
			}
	}
}

static void avg_bwd(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	qf_step *s = ((pool_ctx *)ctx)->s;
	const int C = s->xs[0].c, W = s->xs[0].w, OH = s->ys.h, OW = s->ys.w;
	const int64_t in_img = qf_shape_elems(s->xs[0]), out_img = qf_shape_elems(s->ys);
	for (int64_t n = b; n < e; n++) {
		float *dx = s->dx[0] + n * in_img;
		const float *dy = s->dy + n * out_img;
		if (!s->acc[0])
			memset(dx, 0, (size_t)in_img * sizeof(float));
		for (int oy = 0; oy < OH; oy++)
			for (int ox = 0; ox < OW; ox++) {
				const float *dyo = dy + ((int64_t)oy * OW + ox) * C;
				int y0, y1, x0, x1;
				int cnt = window(s, oy, ox, &y0, &y1, &x0, &x1);
				if (!cnt)
					continue;
				float inv = 1.0f / (float)cnt;
				for (int iy = y0; iy < y1; iy++)
					for (int ix = x0; ix < x1; ix++) {
						float *dxi = dx + ((int64_t)iy * W + ix) * C;
						for (int c = 0; c < C; c++)
							dxi[c] += dyo[c] * inv;
					}
			}
	}
}

void qf_pool_forward(qf_run *r, qf_step *s)
{
	pool_ctx c = {s};
	qf_par_range(r, r->n, s->op == QF_OP_MAXPOOL ? max_fwd : avg_fwd, &c);
}

void qf_pool_backward(qf_run *r, qf_step *s)
{
	if (!s->dx[0])
		return;
	pool_ctx c = {s};
	qf_par_range(r, r->n, s->op == QF_OP_MAXPOOL ? max_bwd : avg_bwd, &c);
}

static void gap_fwd(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	qf_step *s = ((pool_ctx *)ctx)->s;
	const int C = s->xs[0].c;
	const int64_t hw = (int64_t)s->xs[0].h * s->xs[0].w;
	const float inv = 1.0f / (float)hw;
	for (int64_t n = b; n < e; n++) {
		const float *x = s->x[0] + n * hw * C;
		float *y = s->y + n * C;
		for (int c = 0; c < C; c++)
			y[c] = 0;
		for (int64_t p = 0; p < hw; p++)
			for (int c = 0; c < C; c++)
				y[c] += x[p * C + c];
		for (int c = 0; c < C; c++)
			y[c] *= inv;
	}
}

static void gap_bwd(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	qf_step *s = ((pool_ctx *)ctx)->s;
	const int C = s->xs[0].c;
	const int64_t hw = (int64_t)s->xs[0].h * s->xs[0].w;
	const float inv = 1.0f / (float)hw;
	for (int64_t n = b; n < e; n++) {
		float *dx = s->dx[0] + n * hw * C;
		const float *dy = s->dy + n * C;
		for (int64_t p = 0; p < hw; p++)
			for (int c = 0; c < C; c++)
				dx[p * C + c] = (s->acc[0] ? dx[p * C + c] : 0) + dy[c] * inv;
	}
}

void qf_gap_forward(qf_run *r, qf_step *s)
{
	pool_ctx c = {s};
	qf_par_range(r, r->n, gap_fwd, &c);
}

void qf_gap_backward(qf_run *r, qf_step *s)
{
	if (!s->dx[0])
		return;
	pool_ctx c = {s};
	qf_par_range(r, r->n, gap_bwd, &c);
}
