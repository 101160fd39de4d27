/* ops_misc.c: residual add and channel concatenation, NHWC. */
#include <string.h>

#include "interp/engine_internal.h"

typedef struct {
	qf_step *s;
} misc_ctx;

static void add_fwd(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	qf_step *s = ((misc_ctx *)ctx)->s;
	const float *x0 = s->x[0], *x1 = s->x[1];
	for (int64_t i = b; i < e; i++)
		s->y[i] = x0[i] + x1[i];
}

static void add_bwd(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	qf_step *s = ((misc_ctx *)ctx)->s;
	for (int k = 0; k < 2; k++) {
		float *dx = s->dx[k];
		if (!dx)
			continue;
		if (s->acc[k])
			for (int64_t i = b; i < e; i++)
				dx[i] += s->dy[i];
		else
			memcpy(dx + b, s->dy + b, (size_t)(e - b) * sizeof(float));
	}
}

void qf_add_forward(qf_run *r, qf_step *s)
{
	misc_ctx c = {s};
	qf_par_range(r, (int64_t)r->n * qf_shape_elems(s->ys), 3, add_fwd, &c);
}

void qf_add_backward(qf_run *r, qf_step *s)
{
	misc_ctx c = {s};
	qf_par_range(r, (int64_t)r->n * qf_shape_elems(s->ys), 3, add_bwd, &c);
}

/* Rows are pixels: each output pixel is the first input's channels then
 * the second's. */
static void cat_fwd(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	qf_step *s = ((misc_ctx *)ctx)->s;
	const int c0 = s->xs[0].c, c1 = s->xs[1].c, c = s->ys.c;
	for (int64_t p = b; p < e; p++) {
		memcpy(s->y + p * c, s->x[0] + p * c0, (size_t)c0 * sizeof(float));
		memcpy(s->y + p * c + c0, s->x[1] + p * c1, (size_t)c1 * sizeof(float));
	}
}

static void cat_bwd(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	qf_step *s = ((misc_ctx *)ctx)->s;
	const int c = s->ys.c;
	int off = 0;
	for (int k = 0; k < 2; k++) {
		const int ck = s->xs[k].c;
		float *dx = s->dx[k];
		if (dx)
			for (int64_t p = b; p < e; p++) {
				const float *dy = s->dy + p * c + off;
				float *d = dx + p * ck;
				if (s->acc[k])
					for (int j = 0; j < ck; j++)
						d[j] += dy[j];
				else
					memcpy(d, dy, (size_t)ck * sizeof(float));
			}
		off += ck;
	}
}

void qf_concat_forward(qf_run *r, qf_step *s)
{
	misc_ctx c = {s};
	qf_par_range(r, (int64_t)r->n * s->ys.h * s->ys.w, 2 * s->ys.c, cat_fwd, &c);
}

void qf_concat_backward(qf_run *r, qf_step *s)
{
	misc_ctx c = {s};
	qf_par_range(r, (int64_t)r->n * s->ys.h * s->ys.w, 2 * s->ys.c, cat_bwd, &c);
}
