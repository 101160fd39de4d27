/* ops_bn.c: batch normalisation over N x H x W per channel, NHWC, with an
 * optional relu or relu6 fused on its output (the engine fuses them when
 * the bn output feeds nothing else), which saves a pass over memory each
 * way.
 *
 * Statistics are summed in fixed chunks of QF_RED_ROWS rows and the chunk
 * sums combined in chunk order in double: the same numbers for any thread
 * count. Variance is a second pass around the mean, not E[x^2] - E[x]^2,
 * which cancels badly when |mean| >> std. */
#include <math.h>
#include <string.h>

#include "interp/engine_internal.h"

int64_t qf_bn_part_floats(const qf_step *s, int batch)
{
	int64_t rows = (int64_t)batch * s->xs[0].h * s->xs[0].w;
	/* Chunk sums (two per channel), then the combined sums in double. */
	return (int64_t)qf_red_chunks(rows) * 2 * s->xs[0].c + 4 * s->xs[0].c;
}

int64_t qf_bn_save_floats(const qf_step *s)
{
	return 7 * (int64_t)s->xs[0].c;
}

typedef struct {
	qf_run *r;
	qf_step *s;
	int64_t rows;
	const float *mean, *scale, *shift; /* forward: y = x * scale + shift */
	const float *inv;                  /* backward: inverse std */
	float *coef;                       /* backward: per-channel a, b, c of dx = a*g + b*x + c */
} bn_ctx;

static void chunk_rows(const bn_ctx *b, int chunk, int64_t *r0, int64_t *r1)
{
	*r0 = (int64_t)chunk * QF_RED_ROWS;
	*r1 = *r0 + QF_RED_ROWS < b->rows ? *r0 + QF_RED_ROWS : b->rows;
}

static void sum_task(void *ctx, int chunk, int thread)
{
	(void)thread;
	bn_ctx *b = ctx;
	const int C = b->s->xs[0].c;
	int64_t r0, r1;
	chunk_rows(b, chunk, &r0, &r1);
	float *p = b->r->part + (int64_t)chunk * C;
	memset(p, 0, (size_t)C * sizeof(float));
	for (int64_t i = r0; i < r1; i++) {
		const float *x = b->s->x[0] + i * C;
		for (int c = 0; c < C; c++)
			p[c] += x[c];
	}
}

static void var_task(void *ctx, int chunk, int thread)
{
	(void)thread;
	bn_ctx *b = ctx;
	const int C = b->s->xs[0].c;
	int64_t r0, r1;
	chunk_rows(b, chunk, &r0, &r1);
	float *p = b->r->part + (int64_t)chunk * C;
	memset(p, 0, (size_t)C * sizeof(float));
	for (int64_t i = r0; i < r1; i++) {
		const float *x = b->s->x[0] + i * C;
		for (int c = 0; c < C; c++) {
			float d = x[c] - b->mean[c];
			p[c] += d * d;
		}
	}
}

static void combine(const qf_run *r, int chunks, int C, double *out)
{
	for (int c = 0; c < C; c++)
		out[c] = 0;
	for (int k = 0; k < chunks; k++)
		for (int c = 0; c < C; c++)
			out[c] += r->part[(int64_t)k * C + c];
}

static void norm_range(void *ctx, int64_t r0, int64_t r1, int thread)
{
	(void)thread;
	bn_ctx *b = ctx;
	const qf_step *s = b->s;
	const int C = s->xs[0].c;
	for (int64_t i = r0; i < r1; i++) {
		const float *x = s->x[0] + i * C;
		float *y = s->y + i * C;
		for (int c = 0; c < C; c++)
			y[c] = x[c] * b->scale[c] + b->shift[c];
		if (s->fuse == QF_FUSE_RELU)
			for (int c = 0; c < C; c++)
				y[c] = y[c] > 0 ? y[c] : 0;
		else if (s->fuse == QF_FUSE_RELU6)
			for (int c = 0; c < C; c++)
				y[c] = y[c] > 0 ? (y[c] < 6 ? y[c] : 6) : 0;
	}
}

void qf_bn_forward(qf_run *r, qf_step *s)
{
	const int C = s->xs[0].c;
	bn_ctx b = {.r = r, .s = s, .rows = (int64_t)r->n * s->xs[0].h * s->xs[0].w};
	/* save: mean, inverse std, then the scale and shift of this pass. */
	float *mean = s->save, *inv = s->save + C, *scale = s->save + 2 * C, *shift = s->save + 3 * C;
	if (r->train) {
		int chunks = qf_red_chunks(b.rows);
		double *sum = (double *)(void *)(r->part + (int64_t)chunks * 2 * C);
		qf_pool_run(r->pool, chunks, sum_task, &b);
		combine(r, chunks, C, sum);
		for (int c = 0; c < C; c++)
			mean[c] = (float)(sum[c] / (double)b.rows);
		b.mean = mean;
		qf_pool_run(r->pool, chunks, var_task, &b);
		combine(r, chunks, C, sum);
		double rows = (double)b.rows;
		for (int c = 0; c < C; c++) {
			double var = sum[c] / rows;
			inv[c] = (float)(1.0 / sqrt(var + s->eps));
			double unbiased = rows > 1 ? sum[c] / (rows - 1) : var;
			s->rmean[c] = (1 - s->momentum) * s->rmean[c] + s->momentum * mean[c];
			s->rvar[c] = (float)((1 - s->momentum) * s->rvar[c] + s->momentum * unbiased);
		}
	} else {
		for (int c = 0; c < C; c++) {
			mean[c] = s->rmean[c];
			inv[c] = (float)(1.0 / sqrt((double)s->rvar[c] + s->eps));
		}
	}
	for (int c = 0; c < C; c++) {
		scale[c] = s->w[c] * inv[c];
		shift[c] = s->b[c] - mean[c] * scale[c];
	}
	b.scale = scale;
	b.shift = shift;
	qf_par_range(r, b.rows, norm_range, &b);
}

/* g: the gradient at the bn output, through the fused activation. */
static inline float act_grad(const qf_step *s, float y, float dy)
{
	switch (s->fuse) {
	case QF_FUSE_RELU:
		return y > 0 ? dy : 0;
	case QF_FUSE_RELU6:
		return y > 0 && y < 6 ? dy : 0;
	default:
		return dy;
	}
}

/* Per chunk: sum of g and of g * (x - mean), into part[chunk][2][C]. */
static void gsum_task(void *ctx, int chunk, int thread)
{
	(void)thread;
	bn_ctx *b = ctx;
	const qf_step *s = b->s;
	const int C = s->xs[0].c;
	int64_t r0, r1;
	chunk_rows(b, chunk, &r0, &r1);
	float *sg = b->r->part + (int64_t)chunk * 2 * C, *sgx = sg + C;
	memset(sg, 0, 2 * (size_t)C * sizeof(float));
	for (int64_t i = r0; i < r1; i++) {
		const float *x = s->x[0] + i * C, *y = s->y + i * C, *dy = s->dy + i * C;
		for (int c = 0; c < C; c++) {
			float g = act_grad(s, y[c], dy[c]);
			sg[c] += g;
			sgx[c] += g * (x[c] - b->mean[c]);
		}
	}
}

static void dx_range(void *ctx, int64_t r0, int64_t r1, int thread)
{
	(void)thread;
	bn_ctx *b = ctx;
	const qf_step *s = b->s;
	const int C = s->xs[0].c;
	const float *ka = b->coef, *kb = b->coef + C, *kc = b->coef + 2 * C;
	for (int64_t i = r0; i < r1; i++) {
		const float *x = s->x[0] + i * C, *y = s->y + i * C, *dy = s->dy + i * C;
		float *dx = s->dx[0] + i * C;
		for (int c = 0; c < C; c++) {
			float v = ka[c] * act_grad(s, y[c], dy[c]) + kb[c] * x[c] + kc[c];
			dx[c] = s->acc[0] ? dx[c] + v : v;
		}
	}
}

void qf_bn_backward(qf_run *r, qf_step *s)
{
	const int C = s->xs[0].c;
	bn_ctx b = {.r = r, .s = s, .rows = (int64_t)r->n * s->xs[0].h * s->xs[0].w};
	b.mean = s->save;
	b.inv = s->save + C;
	int chunks = qf_red_chunks(b.rows);
	qf_pool_run(r->pool, chunks, gsum_task, &b);
	double *sum = (double *)(void *)(r->part + (int64_t)chunks * 2 * C);
	for (int c = 0; c < 2 * C; c++)
		sum[c] = 0;
	for (int k = 0; k < chunks; k++)
		for (int c = 0; c < 2 * C; c++)
			sum[c] += r->part[(int64_t)k * 2 * C + c];
	/* With xhat = (x - mean) * inv, N = rows:
	 *   dgamma = sum(g * xhat), dbeta = sum(g),
	 *   dx = gamma * inv * (g - dbeta / N - xhat * dgamma / N)
	 * written as dx = a*g + b*x + c per channel. */
	float *coef = s->save + 4 * C;
	double rows = (double)b.rows;
	for (int c = 0; c < C; c++) {
		double inv = b.inv[c], sg = sum[c], sgxh = sum[C + c] * inv;
		s->gw[c] += (float)sgxh;
		s->gb[c] += (float)sg;
		double a = (double)s->w[c] * inv;
		double bx = -a * inv * sgxh / rows;
		coef[c] = (float)a;
		coef[C + c] = (float)bx;
		coef[2 * C + c] = (float)(-a * sg / rows - bx * b.mean[c]);
	}
	b.coef = coef;
	if (s->dx[0])
		qf_par_range(r, b.rows, dx_range, &b);
}
