/* ops_pool.c: max and average pooling over k x k windows, and global
 * average pooling, NHWC. Work is split by images, so the scatters of the
 * backward passes never meet across threads.
 *
 * A pool may carry the activation quantizer of its input (qf_step.xq):
 * it then reads the unquantized values and quantizes each as it loads it,
 * and once an image's input gradient is complete it runs the quantizer's
 * backward over it in place while it is still in cache, instead of two
 * more passes over the whole batch. */
#include <math.h>
#include <string.h>

#include "interp/engine_internal.h"

typedef struct {
	qf_step *s;
	const qf_fq *q;              /* the input's quantizer, or NULL */
	double *part;                /* its gradient sums, 4 per image */
} pool_ctx;

static pool_ctx make_ctx(qf_run *r, qf_step *s)
{
	pool_ctx c = {s, s->xq && s->xq->fq_on ? &s->xq->fq : NULL, (double *)(void *)r->part};
	/* The pool is its input's only reader (engine.c), so it stores dx. */
	QF_ASSERT(!c.q || !s->acc[0]);
	return c;
}

/* Max pooling without overlap: each input takes the gradient of at most
 * one output, and the others' is 0, for which the quantizer's backward is
 * 0 too and adds nothing to its sums. So it runs on the argmaxes only (a
 * quarter of the map for 2 x 2 windows), in output order, with the
 * values the forward kept there (pmax; reading them from the map would
 * touch every line of it out of order): dx as the scatter would have left
 * it (0 + dy, so -0 becomes +0 as there). The sums add the same terms as
 * a pass over the whole map, in another order (last bits of a double). */
static void fq_max_img(const pool_ctx *c, int64_t n, float *dx, const float *dy, const int32_t *arg,
		       int64_t out_img)
{
	enum { BLK = 512 };
	const float *x = c->s->pmax + n * out_img;
	float gb[BLK];
	double *sums = c->part + 4 * n;
	sums[0] = sums[1] = sums[2] = sums[3] = 0;
	for (int64_t i0 = 0; i0 < out_img; i0 += BLK) {
		int m = out_img - i0 < BLK ? (int)(out_img - i0) : BLK;
		for (int i = 0; i < m; i++)
			gb[i] = arg[i0 + i] >= 0 ? 0.0f + dy[i0 + i] : 0.0f;
		double part[4];
		qf_fq_bwd_block(c->q, x + i0, gb, m, part);
		for (int k = 0; k < 4; k++)
			sums[k] += part[k];
		for (int i = 0; i < m; i++)
			if (arg[i0 + i] >= 0)
				dx[arg[i0 + i]] = gb[i];
	}
}

/* Image n's input gradient dx is complete: through the quantizer. */
static void fq_img(const pool_ctx *c, int64_t n, float *dx)
{
	const int64_t in_img = qf_shape_elems(c->s->xs[0]);
	if (c->q)
		qf_fq_bwd_block(c->q, c->s->x[0] + n * in_img, dx, in_img, c->part + 4 * n);
}

/* One image. Channels go QF_VL at a time when C allows; ties keep the first
 * maximum in window order, in both paths. With keep (a constant at each
 * call below), the value of xr at each argmax goes to raw. */
static inline __attribute__((always_inline)) void max_img(const qf_step *s, const float *x, const float *xr,
							   float *y, int32_t *arg, float *raw, const bool keep)
{
	const int C = s->xs[0].c, H = s->xs[0].h, W = s->xs[0].w, OH = s->ys.h, OW = s->ys.w;
	const int cv = C % QF_VL == 0 ? C : 0;
	const qf_vi iota = {0, 1, 2, 3, 4, 5, 6, 7};
	for (int oy = 0; oy < OH; oy++)
		for (int ox = 0; ox < OW; ox++) {
			float *yo = y + ((int64_t)oy * OW + ox) * C;
			int32_t *ao = arg + ((int64_t)oy * OW + ox) * C;
			int y0 = oy * s->s - s->pad, x0 = ox * s->s - s->pad;
			int y1 = y0 + s->k < H ? y0 + s->k : H, x1 = x0 + s->k < W ? x0 + s->k : W;
			y0 = y0 > 0 ? y0 : 0;
			x0 = x0 > 0 ? x0 : 0;
			for (int c = 0; c < cv; c += QF_VL) {
				qf_vf best = QF_VSPLAT(-INFINITY), braw = {0};
				qf_vi bi = (qf_vi){0} - 1;
				for (int iy = y0; iy < y1; iy++)
					for (int ix = x0; ix < x1; ix++) {
						int32_t off = (iy * W + ix) * C + c;
						qf_vf v = QF_VLOAD(x + off);
						qf_vi m = v > best;
						best = QF_VSEL(m, v, best);
						if (keep)
							braw = QF_VSEL(m, QF_VLOAD(xr + off), braw);
						bi = (m & (iota + off)) | (~m & bi);
					}
				/* A window wholly in the padding, or of NaNs: 0. */
				best = QF_VSEL(bi >= 0, best, (qf_vf){0});
				QF_VSTORE(yo + c, best);
				*(qf_vi *)(void *)(ao + c) = bi;
				if (keep)
					QF_VSTORE(raw + ((int64_t)oy * OW + ox) * C + c, braw);
			}
			for (int c = cv; c < C; c++) {
				float best = -INFINITY;
				int32_t bi = -1;
				for (int iy = y0; iy < y1; iy++)
					for (int ix = x0; ix < x1; ix++) {
						int32_t off = (iy * W + ix) * C + c;
						if (x[off] > best) {
							best = x[off];
							bi = off;
						}
					}
				yo[c] = bi >= 0 ? best : 0;
				ao[c] = bi;
				if (keep)
					raw[((int64_t)oy * OW + ox) * C + c] = bi >= 0 ? xr[bi] : 0;
			}
		}
}

QF_CLONES static void max_fwd_img(const qf_step *s, const float *x, const float *xr, float *y, int32_t *arg,
				    float *raw)
{
	if (raw)
		max_img(s, x, xr, y, arg, raw, true);
	else
		max_img(s, x, xr, y, arg, raw, false);
}

/* With a quantizer, the image is quantized first into the thread's buffer
 * (a streaming pass, in cache for the pooling): quantizing inside the
 * window loop took a third more time (perf samples, fmnist-small QAT). */
static void max_fwd(void *ctx, int64_t b, int64_t e, int thread)
{
	const pool_ctx *c = ctx;
	qf_step *s = c->s;
	const int64_t in_img = qf_shape_elems(s->xs[0]), out_img = qf_shape_elems(s->ys);
	float *qx = c->q ? s->qbuf + thread * in_img : NULL;
	for (int64_t n = b; n < e; n++) {
		const float *x = s->x[0] + n * in_img;
		if (c->q)
			qf_fq_forward(c->q, x, qx, in_img);
		max_fwd_img(s, c->q ? qx : x, x, s->y + n * out_img, s->arg + n * out_img,
			    c->q ? s->pmax + n * out_img : NULL);
	}
}

static void max_bwd(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	const pool_ctx *c = ctx;
	qf_step *s = c->s;
	const int64_t in_img = qf_shape_elems(s->xs[0]), out_img = qf_shape_elems(s->ys);
	for (int64_t n = b; n < e; n++) {
		float *dx = s->dx[0] + n * in_img;
		const float *dy = s->dy + n * out_img;
		const int32_t *arg = s->arg + n * out_img;
		if (!s->acc[0])
			memset(dx, 0, (size_t)in_img * sizeof(float));
		if (c->q && s->k <= s->s) {
			fq_max_img(c, n, dx, dy, arg, out_img);
			continue;
		}
		for (int64_t i = 0; i < out_img; i++)
			if (arg[i] >= 0)
				dx[arg[i]] += dy[i];
		fq_img(c, n, dx);
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
	const qf_fq *q = ((pool_ctx *)ctx)->q;
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
							yo[c] += q ? qf_fq1(q, xi[c]) : xi[c];
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
	const pool_ctx *pc = ctx;
	qf_step *s = pc->s;
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
		fq_img(pc, n, dx);
	}
}

void qf_pool_forward(qf_run *r, qf_step *s)
{
	pool_ctx c = make_ctx(r, s);
	qf_par_range(r, r->n, qf_shape_elems(s->ys) * (s->k * s->k + 1), s->op == QF_OP_MAXPOOL ? max_fwd : avg_fwd, &c);
}

void qf_pool_backward(qf_run *r, qf_step *s)
{
	if (!s->dx[0])
		return;
	pool_ctx c = make_ctx(r, s);
	qf_par_range(r, r->n, qf_shape_elems(s->xs[0]) + qf_shape_elems(s->ys) * s->k * s->k,
		     s->op == QF_OP_MAXPOOL ? max_bwd : avg_bwd, &c);
}

QF_CLONES static void gap_img(const qf_fq *q, const float *x, float *y, int64_t hw, int C, float inv)
{
	const qf_vfq kq = q ? QF_VFQ_INIT(q) : (qf_vfq){0};
	const int cv = C % QF_VL == 0 ? C : 0;
	for (int c = 0; c < cv; c += QF_VL) {
		qf_vf a = {0};
		if (q)
			for (int64_t p = 0; p < hw; p++)
				a += QF_VFQ(kq, QF_VLOAD(x + p * C + c));
		else
			for (int64_t p = 0; p < hw; p++)
				a += QF_VLOAD(x + p * C + c);
		QF_VSTORE(y + c, a * inv);
	}
	for (int c = cv; c < C; c++) {
		float a = 0;
		for (int64_t p = 0; p < hw; p++)
			a += q ? qf_fq1(q, x[p * C + c]) : x[p * C + c];
		y[c] = a * inv;
	}
}

static void gap_fwd(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	const pool_ctx *c = ctx;
	qf_step *s = c->s;
	const int C = s->xs[0].c;
	const int64_t hw = (int64_t)s->xs[0].h * s->xs[0].w;
	for (int64_t n = b; n < e; n++)
		gap_img(c->q, s->x[0] + n * hw * C, s->y + n * C, hw, C, 1.0f / (float)hw);
}

QF_CLONES static void gap_bwd_img(float *dx, const float *dy, int64_t hw, int C, float inv, bool acc)
{
	const int cv = C % QF_VL == 0 ? C : 0;
	for (int64_t p = 0; p < hw; p++) {
		float *d = dx + p * C;
		for (int c = 0; c < cv; c += QF_VL) {
			qf_vf v = QF_VLOAD(dy + c) * inv;
			if (acc)
				v += QF_VLOAD(d + c);
			QF_VSTORE(d + c, v);
		}
		for (int c = cv; c < C; c++)
			d[c] = (acc ? d[c] : 0) + dy[c] * inv;
	}
}

static void gap_bwd(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	const pool_ctx *c = ctx;
	qf_step *s = c->s;
	const int C = s->xs[0].c;
	const int64_t hw = (int64_t)s->xs[0].h * s->xs[0].w;
	for (int64_t n = b; n < e; n++) {
		gap_bwd_img(s->dx[0] + n * hw * C, s->dy + n * C, hw, C, 1.0f / (float)hw, s->acc[0]);
		fq_img(c, n, s->dx[0] + n * hw * C);
	}
}

void qf_gap_forward(qf_run *r, qf_step *s)
{
	pool_ctx c = make_ctx(r, s);
	qf_par_range(r, r->n, qf_shape_elems(s->xs[0]), gap_fwd, &c);
}

void qf_gap_backward(qf_run *r, qf_step *s)
{
	if (!s->dx[0])
		return;
	pool_ctx c = make_ctx(r, s);
	qf_par_range(r, r->n, qf_shape_elems(s->xs[0]), gap_bwd, &c);
}
