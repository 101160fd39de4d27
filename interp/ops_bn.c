/* ops_bn.c: batch normalisation over N x H x W per channel, NHWC, with an
 * optional relu or relu6 fused on its output (the engine fuses them when
 * the bn output feeds nothing else), and after that optionally a k x k
 * max pool of stride k: each fusion saves passes over the full-size map
 * both ways.
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

void qf_bn_coef(const qf_step *bn, const float **a, const float **b, const float **c)
{
	const int C = bn->xs[0].c;
	*a = bn->save + S_A * C;
	*b = bn->save + S_B * C;
	*c = bn->save + S_C * C;
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
				const float *sh, qf_fused_act fuse)
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

/* ------------------------------------------------------------ fused max pool */

/* With a k x k max pool (stride k) after the activation, the bn writes the
 * pooled map and, per output element, the window index of its maximum.
 * Pooling commutes with relu and relu6 (both are monotone), so the window
 * maximum is taken before the activation: the same values, and the same
 * gradients (where the maxima tie, the activation is flat). */
typedef uint8_t qf_vb __attribute__((vector_size(QF_VL), aligned(1), may_alias));

static inline float act1(qf_fused_act fuse, float z)
{
	z = z > 0 ? z : 0;
	return fuse == QF_FUSE_RELU6 && z > 6 ? 6 : z;
}

QF_CLONES static void pool_fwd_rows(const qf_step *s, int64_t r0, int64_t r1, const float *sc, const float *sh)
{
	const int C = s->xs[0].c, H = s->xs[0].h, W = s->xs[0].w, OH = s->ys.h, OW = s->ys.w, k = s->pool_k;
	const int cv = C % QF_VL == 0 ? C : 0;
	for (int64_t r = r0; r < r1; r++) {
		const int64_t n = r / OH;
		const int oy = (int)(r % OH);
		for (int ox = 0; ox < OW; ox++) {
			const float *x0 = s->x[0] + (((n * H + (int64_t)oy * k) * W) + (int64_t)ox * k) * C;
			float *y = s->y + (r * OW + ox) * C;
			uint8_t *a = s->parg + (r * OW + ox) * C;
			float *pm = s->pmax + (r * OW + ox) * C;
			for (int c = 0; c < cv; c += QF_VL) {
				qf_vf vs = QF_VLOAD(sc + c), vh = QF_VLOAD(sh + c);
				qf_vf best = QF_VSPLAT(-INFINITY), bx = {0};
				qf_vi bi = {0};
				int w = 0;
				for (int wy = 0; wy < k; wy++)
					for (int wx = 0; wx < k; wx++, w++) {
						qf_vf xv = QF_VLOAD(x0 + ((int64_t)wy * W + wx) * C + c);
						qf_vf z = xv * vs + vh;
						qf_vi m = z > best;
						best = QF_VSEL(m, z, best);
						bx = QF_VSEL(m, xv, bx);
						bi = (m & w) | (~m & bi);
					}
				QF_VSTORE(pm + c, bx);
				best = QF_VMAX0(best);
				if (s->fuse == QF_FUSE_RELU6)
					best = QF_VSEL(best < 6, best, QF_VSPLAT(6));
				QF_VSTORE(y + c, best);
				*(qf_vb *)(a + c) = __builtin_convertvector(bi, qf_vb);
			}
			for (int c = cv; c < C; c++) {
				float best = -INFINITY, bx = 0;
				int bi = 0, w = 0;
				for (int wy = 0; wy < k; wy++)
					for (int wx = 0; wx < k; wx++, w++) {
						float xv = x0[((int64_t)wy * W + wx) * C + c], z = xv * sc[c] + sh[c];
						if (z > best) {
							best = z;
							bx = xv;
							bi = w;
						}
					}
				y[c] = act1(s->fuse, best);
				a[c] = (uint8_t)bi;
				pm[c] = bx;
			}
		}
	}
}

static void pool_fwd_range(void *ctx, int64_t r0, int64_t r1, int thread)
{
	(void)thread;
	bn_ctx *b = ctx;
	const qf_step *s = b->s;
	const int C = s->xs[0].c;
	pool_fwd_rows(s, r0, r1, s->save + S_SCALE * C, s->save + S_SHIFT * C);
}

/* Per chunk of QF_RED_ROWS output pixels: sum of g and of g * (x - mean)
 * at each maximum, where g is dy where the activation passes. x at the
 * maximum was kept by the forward, so only pooled-size arrays are read. */
QF_CLONES static void pool_gsum(const qf_step *s, int64_t p0, int64_t p1, float *sg, float *sgx)
{
	const int C = s->xs[0].c;
	const int cv = C % QF_VL == 0 ? C : 0;
	const float *mean = s->save + S_MEAN * C;
	const bool r6 = s->fuse == QF_FUSE_RELU6;
	for (int64_t p = p0; p < p1; p++) {
		const float *y = s->y + p * C, *dy = s->dy + p * C, *xm = s->pmax + p * C;
		for (int c = 0; c < cv; c += QF_VL) {
			qf_vf yv = QF_VLOAD(y + c);
			qf_vi on = r6 ? (yv > 0) & (yv < 6) : yv > 0;
			qf_vf g = QF_VSEL(on, QF_VLOAD(dy + c), (qf_vf){0});
			QF_VSTORE(sg + c, QF_VLOAD(sg + c) + g);
			QF_VSTORE(sgx + c, QF_VLOAD(sgx + c) + g * (QF_VLOAD(xm + c) - QF_VLOAD(mean + c)));
		}
		for (int c = cv; c < C; c++) {
			bool on = r6 ? y[c] > 0 && y[c] < 6 : y[c] > 0;
			float g = on ? dy[c] : 0;
			sg[c] += g;
			sgx[c] += g * (xm[c] - mean[c]);
		}
	}
}

static void pool_gsum_task(void *ctx, int chunk, int thread)
{
	(void)thread;
	bn_ctx *b = ctx;
	const qf_step *s = b->s;
	const int C = s->xs[0].c, L = qf_period(C);
	int64_t p0 = (int64_t)chunk * QF_RED_ROWS, p1 = p0 + QF_RED_ROWS < b->rows ? p0 + QF_RED_ROWS : b->rows;
	float *sg = b->r->part + (int64_t)chunk * 3 * L, *sgx = sg + C;
	memset(sg, 0, 2 * (size_t)C * sizeof(float));
	pool_gsum(s, p0, p1, sg, sgx);
}

/* dx over whole images: a*g + b*x + c inside the windows (g only at each
 * maximum), b*x + c in the rows and columns no window covers. */
QF_CLONES static void pool_dx(const qf_step *s, int64_t n0, int64_t n1)
{
	const int C = s->xs[0].c, H = s->xs[0].h, W = s->xs[0].w, OH = s->ys.h, OW = s->ys.w, k = s->pool_k;
	const int cv = C % QF_VL == 0 ? C : 0;
	const float *ka = s->save + S_A * C, *kb = s->save + S_B * C, *kc = s->save + S_C * C;
	const bool r6 = s->fuse == QF_FUSE_RELU6, acc = s->acc[0];
	for (int64_t n = n0; n < n1; n++) {
		for (int oy = 0; oy < OH; oy++)
			for (int ox = 0; ox < OW; ox++) {
				const int64_t p = (n * OH + oy) * OW + ox;
				const int64_t base = (((n * H + (int64_t)oy * k) * W) + (int64_t)ox * k) * C;
				const float *x0 = s->x[0] + base, *y = s->y + p * C, *dy = s->dy + p * C;
				float *dx0 = s->dx[0] + base;
				const uint8_t *a = s->parg + p * C;
				for (int c = 0; c < cv; c += QF_VL) {
					qf_vf yv = QF_VLOAD(y + c);
					qf_vi on = r6 ? (yv > 0) & (yv < 6) : yv > 0;
					qf_vf ag = QF_VLOAD(ka + c) * QF_VSEL(on, QF_VLOAD(dy + c), (qf_vf){0});
					qf_vi av = __builtin_convertvector(*(const qf_vb *)(a + c), qf_vi);
					qf_vf vb = QF_VLOAD(kb + c), vc = QF_VLOAD(kc + c);
					int w = 0;
					for (int wy = 0; wy < k; wy++)
						for (int wx = 0; wx < k; wx++, w++) {
							int64_t o = ((int64_t)wy * W + wx) * C + c;
							qf_vf v = vb * QF_VLOAD(x0 + o) + vc + QF_VSEL(av == w, ag, (qf_vf){0});
							if (acc)
								v += QF_VLOAD(dx0 + o);
							QF_VSTORE(dx0 + o, v);
						}
				}
				for (int c = cv; c < C; c++) {
					bool on = r6 ? y[c] > 0 && y[c] < 6 : y[c] > 0;
					float ag = on ? ka[c] * dy[c] : 0;
					int w = 0;
					for (int wy = 0; wy < k; wy++)
						for (int wx = 0; wx < k; wx++, w++) {
							int64_t o = ((int64_t)wy * W + wx) * C + c;
							float v = kb[c] * x0[o] + kc[c] + (a[c] == w ? ag : 0);
							dx0[o] = acc ? dx0[o] + v : v;
						}
				}
			}
		/* Outside every window: g = 0. */
		for (int iy = 0; iy < H; iy++)
			for (int ix = iy < OH * k ? OW * k : 0; ix < W; ix++) {
				const int64_t o = ((n * H + iy) * W + ix) * C;
				for (int c = 0; c < C; c++) {
					float v = kb[c] * s->x[0][o + c] + kc[c];
					s->dx[0][o + c] = acc ? s->dx[0][o + c] + v : v;
				}
			}
	}
}

static void pool_dx_range(void *ctx, int64_t n0, int64_t n1, int thread)
{
	(void)thread;
	pool_dx(((bn_ctx *)ctx)->s, n0, n1);
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
	if (s->pool_k) {
		qf_par_range(r, (int64_t)r->n * s->ys.h, (int64_t)s->ys.w * s->xs[0].c * s->pool_k * s->pool_k, pool_fwd_range,
			     &b);
		return;
	}
	expand(s, P_SCALE, scale);
	expand(s, P_SHIFT, shift);
	expand(s, P_MEAN, mean);
	qf_par_range_aligned(r, b.rows, QF_ROW_ALIGN, 2 * C, norm_range, &b);
}

/* ------------------------------------------------------------ backward */

/* g: the gradient at the bn output, through the fused activation, whose
 * output y is what the step stored. */
#define ACT_GRAD(fuse, y, dy)                                                                 \
	((fuse) == QF_FUSE_RELU    ? QF_VSEL((y) > 0, (dy), (qf_vf){0})                       \
	 : (fuse) == QF_FUSE_RELU6 ? QF_VSEL(((y) > 0) & ((y) < 6), (dy), (qf_vf){0})         \
				   : (dy))

static inline float act_grad1(qf_fused_act fuse, float y, float dy)
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
				const float *mean, float *sg, float *sgx, qf_fused_act fuse)
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
			      int L, const float *ka, const float *kb, const float *kc, qf_fused_act fuse, bool acc)
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
	/* Gradient sums: over the bn's rows, or with a fused pool over its
	 * output pixels (fewer; a chunking of its own, fixed by the shape). */
	bn_ctx pb = b;
	if (s->pool_k)
		pb.rows = (int64_t)r->n * s->ys.h * s->ys.w;
	int chunks = qf_red_chunks(pb.rows);
	qf_pool_run(r->pool, chunks, s->pool_k ? pool_gsum_task : gsum_task, &pb);
	double *sum = (double *)(void *)(r->part + (int64_t)qf_red_chunks(b.rows) * 3 * L);
	for (int c = 0; c < 2 * C; c++)
		sum[c] = 0;
	for (int k = 0; k < chunks; k++) {
		const float *p = r->part + (int64_t)k * 3 * L;
		if (s->pool_k)
			for (int c = 0; c < C; c++) {
				sum[c] += p[c];
				sum[C + c] += p[C + c];
			}
		else
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
	if (!s->dx[0] || s->lazy_dx)
		return;
	if (s->pool_k) {
		qf_par_range(r, r->n, 3 * qf_shape_elems(s->xs[0]), pool_dx_range, &b);
		return;
	}
	expand(s, P_A, ka);
	expand(s, P_B, kb);
	expand(s, P_C, kc);
	qf_par_range_aligned(r, b.rows, QF_ROW_ALIGN, 4 * C, dx_range, &b);
}
