/* ops_bn.c: batch normalisation over N x H x W per channel, NHWC, with an
 * optional relu or relu6 fused on its output (the engine fuses them when
 * the bn output feeds nothing else), which saves a pass over memory each
 * way.
 *
 * Every loop runs flat over the batch array in QF_VL-float vectors, with
 * the per-channel parameters laid out over one period L = lcm(C, QF_VL) (see
 * qf_period), so any channel count vectorises.
 *
 * Statistics: one pass per fixed chunk of QF_RED_ROWS rows computes sums
 * of (x - K) and (x - K)^2 with K the chunk's first row, which keeps the
 * float sums free of cancellation when |mean| >> std; the chunks are then
 * merged in chunk order in double (Chan et al.). The chunking depends only
 * on the row count, so the numbers are the same for any thread count. */
#include <math.h>
#include <string.h>

#include "interp/engine_internal.h"

/* save: mean, inv std, scale, shift, a, b, c (C each), then the periodic
 * copies of scale, shift, mean, a, b, c (L each). */
enum { S_MEAN, S_INV, S_SCALE, S_SHIFT, S_A, S_B, S_C, S_N };
enum { P_SCALE, P_SHIFT, P_MEAN, P_A, P_B, P_C, P_N };

int64_t qf_bn_save_floats(const qf_step *s)
{
	return S_N * (int64_t)s->xs[0].c + P_N * (int64_t)qf_period(s->xs[0].c);
}

/* Per chunk: three periodic vectors' worth of L floats (sums and shift, or
 * the two gradient sums); then the merged per-channel results in double. */
int64_t qf_bn_part_floats(const qf_step *s, int batch)
{
	int64_t rows = (int64_t)batch * s->xs[0].h * s->xs[0].w;
	return (int64_t)qf_red_chunks(rows) * 3 * qf_period(s->xs[0].c) + 8 * (int64_t)s->xs[0].c;
}

static float *per(const qf_step *s, int which)
{
	const int C = s->xs[0].c;
	return s->save + S_N * C + (int64_t)which * qf_period(C);
}

static void expand(const qf_step *s, int which, const float *v)
{
	const int C = s->xs[0].c, L = qf_period(C);
	float *d = per(s, which);
	for (int j = 0; j < L; j++)
		d[j] = v[j % C];
}

typedef struct {
	qf_run *r;
	qf_step *s;
	int64_t rows;
} bn_ctx;

static void chunk_rows(const bn_ctx *b, int chunk, int64_t *r0, int64_t *r1)
{
	*r0 = (int64_t)chunk * QF_RED_ROWS;
	*r1 = *r0 + QF_RED_ROWS < b->rows ? *r0 + QF_RED_ROWS : b->rows;
}

/* ------------------------------------------------------------ forward */

QF_CLONES static void stats_flat(const float *x, int64_t f0, int64_t f1, int L, int C, float *s1, float *s2,
				 const float *k)
{
	int j = 0;
	int64_t f = f0;
	for (; f + QF_VL <= f1; f += QF_VL) {
		qf_vf d = QF_VLOAD(x + f) - QF_VLOAD(k + j);
		QF_VSTORE(s1 + j, QF_VLOAD(s1 + j) + d);
		QF_VSTORE(s2 + j, QF_VLOAD(s2 + j) + d * d);
		j = j + QF_VL == L ? 0 : j + QF_VL;
	}
	for (; f < f1; f++) {
		int c = (int)((f - f0) % L);
		float d = x[f] - k[c];
		s1[c] += d;
		s2[c] += d * d;
	}
	(void)C;
}

static void stats_task(void *ctx, int chunk, int thread)
{
	(void)thread;
	bn_ctx *b = ctx;
	const int C = b->s->xs[0].c, L = qf_period(C);
	int64_t r0, r1;
	chunk_rows(b, chunk, &r0, &r1);
	float *s1 = b->r->part + (int64_t)chunk * 3 * L, *s2 = s1 + L, *k = s2 + L;
	memset(s1, 0, 2 * (size_t)L * sizeof(float));
	const float *x = b->s->x[0];
	for (int j = 0; j < L; j++)
		k[j] = x[r0 * C + j % C];
	stats_flat(x, r0 * C, r1 * C, L, C, s1, s2, k);
}

/* Chunk sums -> mean and biased variance, merged in chunk order. */
static void merge_stats(const bn_ctx *b, double *mean, double *m2)
{
	const int C = b->s->xs[0].c, L = qf_period(C);
	double *c1 = (double *)(void *)(b->r->part + (int64_t)qf_red_chunks(b->rows) * 3 * L);
	double *c2 = c1 + C;
	double n = 0;
	for (int c = 0; c < C; c++)
		mean[c] = m2[c] = 0;
	for (int ch = 0; ch < qf_red_chunks(b->rows); ch++) {
		int64_t r0, r1;
		chunk_rows(b, ch, &r0, &r1);
		const float *s1 = b->r->part + (int64_t)ch * 3 * L, *s2 = s1 + L, *k = s2 + L;
		for (int c = 0; c < C; c++)
			c1[c] = c2[c] = 0;
		for (int j = 0; j < L; j++) {
			c1[j % C] += s1[j];
			c2[j % C] += s2[j];
		}
		double nb = (double)(r1 - r0), na = n;
		n += nb;
		for (int c = 0; c < C; c++) {
			double mb = k[c] + c1[c] / nb, m2b = c2[c] - c1[c] * c1[c] / nb;
			double d = mb - mean[c];
			mean[c] += d * nb / n;
			m2[c] += (m2b > 0 ? m2b : 0) + d * d * na * nb / n;
		}
	}
}

QF_CLONES static void norm_flat(float *y, const float *x, int64_t f0, int64_t f1, int L, const float *sc,
				const float *sh, qf_fuse fuse)
{
	int j = 0;
	int64_t f = f0;
	for (; f + QF_VL <= f1; f += QF_VL) {
		qf_vf v = QF_VLOAD(x + f) * QF_VLOAD(sc + j) + QF_VLOAD(sh + j);
		if (fuse != QF_FUSE_NONE)
			v = QF_VMAX0(v);
		if (fuse == QF_FUSE_RELU6)
			v = QF_VSEL(v < 6, v, QF_VSPLAT(6));
		QF_VSTORE(y + f, v);
		j = j + QF_VL == L ? 0 : j + QF_VL;
	}
	for (; f < f1; f++) {
		int c = (int)((f - f0) % L);
		float v = x[f] * sc[c] + sh[c];
		if (fuse != QF_FUSE_NONE)
			v = v > 0 ? v : 0;
		if (fuse == QF_FUSE_RELU6)
			v = v < 6 ? v : 6;
		y[f] = v;
	}
}

static void norm_range(void *ctx, int64_t r0, int64_t r1, int thread)
{
	(void)thread;
	bn_ctx *b = ctx;
	const qf_step *s = b->s;
	const int C = s->xs[0].c;
	norm_flat(s->y, s->x[0], r0 * C, r1 * C, qf_period(C), per(s, P_SCALE), per(s, P_SHIFT), s->fuse);
}

void qf_bn_forward(qf_run *r, qf_step *s)
{
	const int C = s->xs[0].c;
	bn_ctx b = {.r = r, .s = s, .rows = (int64_t)r->n * s->xs[0].h * s->xs[0].w};
	float *mean = s->save + S_MEAN * C, *inv = s->save + S_INV * C;
	float *scale = s->save + S_SCALE * C, *shift = s->save + S_SHIFT * C;
	if (r->train) {
		double *m = (double *)(void *)(r->part + (int64_t)qf_red_chunks(b.rows) * 3 * qf_period(C)) + 2 * C;
		double *m2 = m + C;
		qf_pool_run(r->pool, qf_red_chunks(b.rows), stats_task, &b);
		merge_stats(&b, m, m2);
		double rows = (double)b.rows;
		for (int c = 0; c < C; c++) {
			double var = m2[c] / rows;
			mean[c] = (float)m[c];
			inv[c] = (float)(1.0 / sqrt(var + s->eps));
			double unbiased = rows > 1 ? m2[c] / (rows - 1) : var;
			s->rmean[c] = (float)((1 - s->momentum) * s->rmean[c] + s->momentum * m[c]);
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
	expand(s, P_SCALE, scale);
	expand(s, P_SHIFT, shift);
	expand(s, P_MEAN, mean);
	qf_par_range_aligned(r, b.rows, QF_ROW_ALIGN, norm_range, &b);
}

/* ------------------------------------------------------------ backward */

/* g: the gradient at the bn output, through the fused activation, whose
 * output y is what the step stored. */
#define ACT_GRAD(fuse, y, dy)                                                                 \
	((fuse) == QF_FUSE_RELU    ? QF_VSEL((y) > 0, (dy), (qf_vf){0})                       \
	 : (fuse) == QF_FUSE_RELU6 ? QF_VSEL(((y) > 0) & ((y) < 6), (dy), (qf_vf){0})         \
				   : (dy))

static inline float act_grad1(qf_fuse fuse, float y, float dy)
{
	switch (fuse) {
	case QF_FUSE_RELU:
		return y > 0 ? dy : 0;
	case QF_FUSE_RELU6:
		return y > 0 && y < 6 ? dy : 0;
	default:
		return dy;
	}
}

QF_CLONES static void gsum_flat(const float *x, const float *y, const float *dy, int64_t f0, int64_t f1, int L,
				const float *mean, float *sg, float *sgx, qf_fuse fuse)
{
	int j = 0;
	int64_t f = f0;
	for (; f + QF_VL <= f1; f += QF_VL) {
		qf_vf g = ACT_GRAD(fuse, QF_VLOAD(y + f), QF_VLOAD(dy + f));
		QF_VSTORE(sg + j, QF_VLOAD(sg + j) + g);
		QF_VSTORE(sgx + j, QF_VLOAD(sgx + j) + g * (QF_VLOAD(x + f) - QF_VLOAD(mean + j)));
		j = j + QF_VL == L ? 0 : j + QF_VL;
	}
	for (; f < f1; f++) {
		int c = (int)((f - f0) % L);
		float g = act_grad1(fuse, y[f], dy[f]);
		sg[c] += g;
		sgx[c] += g * (x[f] - mean[c]);
	}
}

static void gsum_task(void *ctx, int chunk, int thread)
{
	(void)thread;
	bn_ctx *b = ctx;
	const qf_step *s = b->s;
	const int C = s->xs[0].c, L = qf_period(C);
	int64_t r0, r1;
	chunk_rows(b, chunk, &r0, &r1);
	float *sg = b->r->part + (int64_t)chunk * 3 * L, *sgx = sg + L;
	memset(sg, 0, 2 * (size_t)L * sizeof(float));
	gsum_flat(s->x[0], s->y, s->dy, r0 * C, r1 * C, L, per(s, P_MEAN), sg, sgx, s->fuse);
}

QF_CLONES static void dx_flat(float *dx, const float *x, const float *y, const float *dy, int64_t f0, int64_t f1,
			      int L, const float *ka, const float *kb, const float *kc, qf_fuse fuse, bool acc)
{
	int j = 0;
	int64_t f = f0;
	for (; f + QF_VL <= f1; f += QF_VL) {
		qf_vf g = ACT_GRAD(fuse, QF_VLOAD(y + f), QF_VLOAD(dy + f));
		qf_vf v = QF_VLOAD(ka + j) * g + QF_VLOAD(kb + j) * QF_VLOAD(x + f) + QF_VLOAD(kc + j);
		if (acc)
			v += QF_VLOAD(dx + f);
		QF_VSTORE(dx + f, v);
		j = j + QF_VL == L ? 0 : j + QF_VL;
	}
	for (; f < f1; f++) {
		int c = (int)((f - f0) % L);
		float v = ka[c] * act_grad1(fuse, y[f], dy[f]) + kb[c] * x[f] + kc[c];
		dx[f] = acc ? dx[f] + v : v;
	}
}

static void dx_range(void *ctx, int64_t r0, int64_t r1, int thread)
{
	(void)thread;
	bn_ctx *b = ctx;
	const qf_step *s = b->s;
	const int C = s->xs[0].c;
	dx_flat(s->dx[0], s->x[0], s->y, s->dy, r0 * C, r1 * C, qf_period(C), per(s, P_A), per(s, P_B),
		per(s, P_C), s->fuse, s->acc[0]);
}

void qf_bn_backward(qf_run *r, qf_step *s)
{
	const int C = s->xs[0].c, L = qf_period(C);
	bn_ctx b = {.r = r, .s = s, .rows = (int64_t)r->n * s->xs[0].h * s->xs[0].w};
	const float *mean = s->save + S_MEAN * C, *inv = s->save + S_INV * C;
	int chunks = qf_red_chunks(b.rows);
	qf_pool_run(r->pool, chunks, gsum_task, &b);
	double *sum = (double *)(void *)(r->part + (int64_t)chunks * 3 * L);
	for (int c = 0; c < 2 * C; c++)
		sum[c] = 0;
	for (int k = 0; k < chunks; k++) {
		const float *p = r->part + (int64_t)k * 3 * L;
		for (int j = 0; j < L; j++) {
			sum[j % C] += p[j];
			sum[C + j % C] += p[L + j];
		}
	}
	/* With xhat = (x - mean) * inv, N = rows:
	 *   dgamma = sum(g * xhat), dbeta = sum(g),
	 *   dx = gamma * inv * (g - dbeta / N - xhat * dgamma / N)
	 * written as dx = a*g + b*x + c per channel. */
	float *ka = s->save + S_A * C, *kb = s->save + S_B * C, *kc = s->save + S_C * C;
	double rows = (double)b.rows;
	for (int c = 0; c < C; c++) {
		double iv = inv[c], sg = sum[c], sgxh = sum[C + c] * iv;
		s->gw[c] += (float)sgxh;
		s->gb[c] += (float)sg;
		double a = (double)s->w[c] * iv;
		double bx = -a * iv * sgxh / rows;
		ka[c] = (float)a;
		kb[c] = (float)bx;
		kc[c] = (float)(-a * sg / rows - bx * mean[c]);
	}
	if (!s->dx[0])
		return;
	expand(s, P_A, ka);
	expand(s, P_B, kb);
	expand(s, P_C, kc);
	qf_par_range_aligned(r, b.rows, QF_ROW_ALIGN, dx_range, &b);
}
