/* ops_conv.c: 2-D convolution, NHWC, forward and backward.
 *
 * General case: GEMMs per group. Rows are the output pixels of the whole
 * batch, columns output channels, depth the taps in (ky, kx, ci) order,
 * so that one tap of an NHWC pixel is a run of contiguous channels.
 *   forward   y[pix][co]      = sum_kidx col[pix][kidx] * W[co][kidx]
 *   weights   dW[kidx][co]    = sum_pix  col[pix][kidx] * dy[pix][co]
 *   input     dcol[pix][kidx] = sum_co   dy[pix][co] * W[co][kidx],
 *             scattered into dx by the GEMM epilogue (col2im).
 * The im2col matrix col never exists. The forward GEMM reads A through
 * row pointers into the image (indirect GEMM: one pointer per output pixel
 * and tap, zeros in the padding); the weight-gradient GEMM packs col^T
 * panels straight from the image, where each tap of a pixel is a
 * contiguous copy.
 *
 * Small depth (Cin/g * k * k <= DIRECT_K, one group, Cout 16, 32, 48 or
 * 64: the first layer of an image net) runs direct loops instead,
 * vectorised over output channels: a GEMM would spend more on packing and
 * on tiles padded to the kernel's width than on arithmetic. Depthwise
 * convolutions (one channel per group) are direct too.
 *
 * Weight gradients are sums over every pixel of the batch: they are summed
 * in a fixed number of pixel chunks, each chunk's partial kept apart and
 * the partials added in chunk order, so the result does not depend on the
 * thread count. */
#include <string.h>

#include "interp/engine_internal.h"

/* ------------------------------------------------------------ geometry */

typedef struct {
	const float *x;              /* NHWC input */
	float *dx;                   /* its gradient, for the scatter */
	int H, W, C;                 /* input */
	int OH, OW;
	int k, s, pad;
	int cin_g, c0;               /* channels of this group, its first channel */
	int64_t pix0;                /* first pixel of the weight-gradient packer's depth */
} geom;

static geom make_geom(const qf_step *st, int g)
{
	geom q = {
		.x = st->x[0], .dx = st->dx[0],
		.H = st->xs[0].h, .W = st->xs[0].w, .C = st->xs[0].c,
		.OH = st->ys.h, .OW = st->ys.w,
		.k = st->k, .s = st->s, .pad = st->pad,
		.cin_g = st->xs[0].c / st->groups,
	};
	q.c0 = g * q.cin_g;
	return q;
}

/* An output pixel, walked in order without divisions. */
typedef struct {
	int64_t img;                 /* offset of its image in the input */
	int oy, ox;
} pixit;

static inline pixit pix_at(const geom *q, int64_t pix)
{
	int64_t ohw = (int64_t)q->OH * q->OW, rem = pix % ohw;
	pixit it = {pix / ohw * q->H * q->W * q->C, (int)(rem / q->OW), (int)(rem % q->OW)};
	return it;
}

static inline void pix_next(const geom *q, pixit *it)
{
	if (++it->ox < q->OW)
		return;
	it->ox = 0;
	if (++it->oy < q->OH)
		return;
	it->oy = 0;
	it->img += (int64_t)q->H * q->W * q->C;
}

/* Offset of the group's first channel at the input pixel under tap
 * (ky, kx) of output pixel it, or -1 in the padding. */
static inline int64_t at(const geom *q, const pixit *it, int ky, int kx)
{
	int iy = it->oy * q->s - q->pad + ky, ix = it->ox * q->s - q->pad + kx;
	if ((unsigned)iy >= (unsigned)q->H || (unsigned)ix >= (unsigned)q->W)
		return -1;
	return it->img + ((int64_t)iy * q->W + ix) * q->C + q->c0;
}

/* ------------------------------------------------------------ A operands */

typedef struct {
	geom q;
	const float *zero;
	const float *base;           /* dy_rows: first row, row stride ld */
	int64_t ld;
} rows_ctx;

/* Forward A as row pointers: row i (output pixel r0 + i) at tap t points
 * at the Cin/g channels under that tap, or at zeros in the padding. */
static void im2col_rows(const void *ctx, int r0, int rows, int t0, int t1, int w, const float **dst)
{
	const rows_ctx *rc = ctx;
	const geom *q = &rc->q;
	/* Per tap of the block: kernel position and offset from the window's
	 * top-left input (used when the whole window is inside the image). */
	int ky[64], kx[64];
	int64_t toff[64];
	QF_ASSERT(t1 - t0 <= 64);
	for (int t = t0; t < t1; t++) {
		ky[t - t0] = t / q->k;
		kx[t - t0] = t % q->k;
		toff[t - t0] = ((int64_t)ky[t - t0] * q->W + kx[t - t0]) * q->C;
	}
	pixit it = pix_at(q, r0);
	for (int i = 0; i < w; i++, pix_next(q, &it)) {
		if (i >= rows) {
			for (int t = t0; t < t1; t++)
				dst[(t - t0) * w + i] = rc->zero;
			continue;
		}
		int iy = it.oy * q->s - q->pad, ix = it.ox * q->s - q->pad;
		if (iy >= 0 && ix >= 0 && iy + q->k <= q->H && ix + q->k <= q->W) {
			const float *base = q->x + it.img + ((int64_t)iy * q->W + ix) * q->C + q->c0;
			for (int t = 0; t < t1 - t0; t++)
				dst[t * w + i] = base + toff[t];
			continue;
		}
		for (int t = 0; t < t1 - t0; t++) {
			int64_t off = at(q, &it, ky[t], kx[t]);
			dst[t * w + i] = off < 0 ? rc->zero : q->x + off;
		}
	}
}

/* Input-gradient A: rows of dy (one tap). */
static void dy_rows(const void *ctx, int r0, int rows, int t0, int t1, int w, const float **dst)
{
	const rows_ctx *rc = ctx;
	(void)t0;
	(void)t1;
	for (int i = 0; i < w; i++)
		dst[i] = i < rows ? rc->base + (int64_t)(r0 + i) * rc->ld : rc->zero;
}

/* Weight-gradient A, col^T: rows are kidx [r0, r0 + rows), depth is pixels
 * from pix0 + p0. Per pixel, the im2col row segment [r0, r0 + rows) is
 * gathered into a contiguous buffer (one copy of channels per tap), then
 * each panel takes w consecutive values of it: two passes of contiguous
 * copies instead of one of strided scalar stores. */
QF_CLONES static void pack_im2col_t_impl(const geom *q, int r0, int rows, int p0, int kc, int w, float *dst)
{
	const int cin = q->cin_g, t0 = r0 / cin, t1 = (r0 + rows - 1) / cin + 1;
	const int64_t panel = (int64_t)kc * w;
	const int npan = (rows + w - 1) / w;
	QF_ASSERT(rows <= QF_GEMM_MC && w <= QF_GEMM_MAXMR && w >= 4);
	float buf[QF_GEMM_MC + QF_GEMM_MAXMR];
	/* Per tap of the block: its channel range [lo, hi) and kernel position. */
	int lo[QF_GEMM_MC + 1], hi[QF_GEMM_MC + 1], ky[QF_GEMM_MC + 1], kx[QF_GEMM_MC + 1];
	for (int t = t0; t < t1; t++) {
		lo[t - t0] = t * cin > r0 ? 0 : r0 - t * cin;
		hi[t - t0] = (t + 1) * cin < r0 + rows ? cin : r0 + rows - t * cin;
		ky[t - t0] = t / q->k;
		kx[t - t0] = t % q->k;
	}
	/* Rows past `rows` up to the whole last panel stay zero. */
	for (int i = rows; i < npan * w; i++)
		buf[i] = 0;
	int64_t toff[QF_GEMM_MC + 1];
	for (int t = 0; t < t1 - t0; t++)
		toff[t] = ((int64_t)ky[t] * q->W + kx[t]) * q->C + q->c0;
	pixit it = pix_at(q, q->pix0 + p0);
	for (int p = 0; p < kc; p++, pix_next(q, &it)) {
		const int iy = it.oy * q->s - q->pad, ix = it.ox * q->s - q->pad;
		const bool inside = iy >= 0 && ix >= 0 && iy + q->k <= q->H && ix + q->k <= q->W;
		const int64_t base = it.img + ((int64_t)iy * q->W + ix) * q->C;
		for (int t = 0; t < t1 - t0; t++) {
			int64_t off = inside ? base + toff[t] : at(q, &it, ky[t], kx[t]);
			float *b = buf + (t + t0) * cin - r0;
			int c = lo[t], n = hi[t] - lo[t];
			if (off < 0) {
				for (int u = 0; u < n; u++)
					b[c + u] = 0;
			} else if (n >= 4) {
				QF_COPY_SMALL(b + c, q->x + off + c, n);
			} else {
				for (int u = 0; u < n; u++)
					b[c + u] = q->x[off + c + u];
			}
		}
		const float *src = buf;
		float *d = dst + (int64_t)p * w;
		for (int pn = 0; pn < npan; pn++, src += w, d += panel)
			QF_COPY_SMALL(d, src, w);
	}
}

static void pack_im2col_t(const void *ctx, int r0, int rows, int p0, int kc, int w, float *dst)
{
	pack_im2col_t_impl(ctx, r0, rows, p0, kc, w, dst);
}

/* ------------------------------------------------------------ weights */

/* Weights of one group in graph layout [Cout, Cin/g, k, k], as the GEMM
 * operand W[kidx][co] (forward: rows co, depth kidx) or transposed (input
 * gradient: rows kidx, depth co). A fake quantizer of weights transforms
 * the values here, on their way into the panels. */
typedef struct {
	const float *w;              /* first output channel of the group */
	int cin_g, kk;
	bool by_kidx;                /* rows are kidx */
} wpack;

static inline int64_t w_index(const wpack *wp, int co, int kidx)
{
	int tap = kidx / wp->cin_g, ci = kidx % wp->cin_g;
	return ((int64_t)co * wp->cin_g + ci) * wp->kk + tap;
}

static void pack_weights(const void *ctx, int r0, int rows, int p0, int kc, int w, float *dst)
{
	const wpack *wp = ctx;
	for (int r = 0; r < rows + (w - rows % w) % w; r += w, dst += (int64_t)kc * w)
		for (int p = 0; p < kc; p++) {
			float *d = dst + (int64_t)p * w;
			for (int i = 0; i < w; i++) {
				int row = r + i;
				d[i] = row >= rows      ? 0
				       : wp->by_kidx ? wp->w[w_index(wp, p0 + p, r0 + row)]
						     : wp->w[w_index(wp, r0 + row, p0 + p)];
			}
		}
}

/* ------------------------------------------------------------ epilogues */

typedef struct {
	const float *bias;           /* this group's */
} bias_ep;

static void add_bias(void *ctx, int i0, int j0, int rows, int cols, float *c, int64_t ldc)
{
	(void)i0;
	const float *b = ((bias_ep *)ctx)->bias + j0;
	for (int i = 0; i < rows; i++)
		for (int j = 0; j < cols; j++)
			c[i * ldc + j] += b[j];
}

/* col2im: adds a finished block of dcol (rows pixels, columns kidx) into
 * dx. Rows of one image stay on one thread (qf_gemm_par aligned to whole
 * images), so no two threads add into the same dx. */
QF_CLONES static void col2im_block(const geom *q, int i0, int j0, int rows, int cols, const float *c, int64_t ldc)
{
	const int cin = q->cin_g, t0 = j0 / cin, t1 = (j0 + cols - 1) / cin + 1;
	QF_ASSERT(cols <= QF_GEMM_NC);
	int lo[QF_GEMM_NC + 1], hi[QF_GEMM_NC + 1], ky[QF_GEMM_NC + 1], kx[QF_GEMM_NC + 1];
	for (int t = t0; t < t1; t++) {
		lo[t - t0] = t * cin > j0 ? 0 : j0 - t * cin;
		hi[t - t0] = (t + 1) * cin < j0 + cols ? cin : j0 + cols - t * cin;
		ky[t - t0] = t / q->k;
		kx[t - t0] = t % q->k;
	}
	/* Offsets of the taps from the window's first input, for windows
	 * inside the image (no bounds checks). */
	int64_t toff[QF_GEMM_NC + 1];
	for (int t = 0; t < t1 - t0; t++)
		toff[t] = ((int64_t)ky[t] * q->W + kx[t]) * q->C + q->c0;
	pixit it = pix_at(q, i0);
	for (int r = 0; r < rows; r++, pix_next(q, &it)) {
		const float *row = c + r * ldc;
		const int iy = it.oy * q->s - q->pad, ix = it.ox * q->s - q->pad;
		const bool inside = iy >= 0 && ix >= 0 && iy + q->k <= q->H && ix + q->k <= q->W;
		const int64_t base = it.img + ((int64_t)iy * q->W + ix) * q->C;
		for (int t = 0; t < t1 - t0; t++) {
			int64_t off = inside ? base + toff[t] : at(q, &it, ky[t], kx[t]);
			if (off < 0)
				continue;
			float *d = q->dx + off;
			const float *src = row + (t + t0) * cin - j0;
			int u = lo[t];
			for (; u + QF_VL <= hi[t]; u += QF_VL)
				QF_VSTORE(d + u, QF_VLOAD(d + u) + QF_VLOAD(src + u));
			for (; u < hi[t]; u++)
				d[u] += src[u];
		}
	}
}

static void col2im(void *ctx, int i0, int j0, int rows, int cols, float *c, int64_t ldc)
{
	col2im_block(ctx, i0, j0, rows, cols, c, ldc);
}

/* ------------------------------------------------------------ sizes */

static bool is_depthwise(const qf_step *s)
{
	return s->groups > 1 && s->groups == s->xs[0].c && s->groups == s->ys.c;
}

#define DIRECT_K 32
#define DIRECT_COUT 64

bool qf_conv_is_direct(const qf_step *s)
{
	return s->op == QF_OP_CONV2D && s->groups == 1 && s->xs[0].c * s->k * s->k <= DIRECT_K &&
	       s->ys.c % 16 == 0 && s->ys.c <= DIRECT_COUT;
}

static bool is_direct(const qf_step *s)
{
	return s->groups == 1 && s->xs[0].c * s->k * s->k <= DIRECT_K && s->ys.c % 16 == 0 &&
	       s->ys.c <= DIRECT_COUT;
}

/* Weight-gradient chunks: a fixed count for a given pixel total. */
#define WG_MAX_CHUNKS 8
#define WG_MIN_PIXELS 256

static int wg_chunks(int64_t pixels)
{
	int64_t c = (pixels + WG_MIN_PIXELS - 1) / WG_MIN_PIXELS;
	return c < 1 ? 1 : c > WG_MAX_CHUNKS ? WG_MAX_CHUNKS : (int)c;
}

static void chunk_range(int64_t total, int chunks, int c, int64_t *b, int64_t *e)
{
	*b = total * c / chunks;
	*e = total * (c + 1) / chunks;
}

/* One chunk's partial: dW as [kidx][co] for the group, then the bias
 * (depthwise: [tap][c], then the bias). */
static int64_t wg_part(const qf_step *s)
{
	int cin_g = s->xs[0].c / s->groups, cout_g = s->ys.c / s->groups;
	if (is_depthwise(s))
		return (int64_t)s->ys.c * (s->k * s->k + 1);
	return (int64_t)cin_g * s->k * s->k * cout_g + cout_g;
}

int64_t qf_conv_part_floats(const qf_step *s, int batch)
{
	int64_t p = wg_chunks((int64_t)batch * s->ys.h * s->ys.w) * wg_part(s);
	/* The direct path keeps its transposed weights after the partials. */
	if (is_direct(s))
		p += (int64_t)s->xs[0].c * s->k * s->k * s->ys.c;
	return p;
}

/* Adds the chunk partials, in chunk order, into the weight gradient of
 * group g ([kidx][co] partials, graph layout gradient) and the bias. */
static void reduce_wgrad(qf_run *r, qf_step *s, int g, int chunks)
{
	const int G = s->groups, cout_g = s->ys.c / G, cin_g = s->xs[0].c / G, kk = s->k * s->k, K = cin_g * kk;
	float *gw = s->gw + (int64_t)g * cout_g * cin_g * kk;
	wpack wp = {gw, cin_g, kk, false};
	for (int ch = 0; ch < chunks; ch++) {
		const float *part = r->part + ch * wg_part(s), *pb = part + (int64_t)K * cout_g;
		for (int kidx = 0; kidx < K; kidx++)
			for (int co = 0; co < cout_g; co++)
				gw[w_index(&wp, co, kidx)] += part[(int64_t)kidx * cout_g + co];
		if (s->gb)
			for (int co = 0; co < cout_g; co++)
				s->gb[g * cout_g + co] += pb[co];
	}
}

/* ------------------------------------------------------------ depthwise */

typedef struct {
	qf_run *r;
	qf_step *s;
	int64_t pixels;
	int chunks;
} dw_ctx;

QF_CLONES static void dw_fwd_range(const qf_step *s, int64_t b, int64_t e)
{
	geom q = make_geom(s, 0);
	const int C = q.C, kk = s->k * s->k;
	pixit it = pix_at(&q, b);
	for (int64_t pix = b; pix < e; pix++, pix_next(&q, &it)) {
		float *y = s->y + pix * C;
		for (int c = 0; c < C; c++)
			y[c] = s->b ? s->b[c] : 0;
		for (int tap = 0; tap < kk; tap++) {
			int64_t off = at(&q, &it, tap / s->k, tap % s->k);
			if (off < 0)
				continue;
			const float *x = s->x[0] + off;
			for (int c = 0; c < C; c++)
				y[c] += x[c] * s->w[c * kk + tap];
		}
	}
}

static void dw_fwd(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	dw_fwd_range(((dw_ctx *)ctx)->s, b, e);
}

/* Partial weight and bias gradients of one chunk of output pixels; part
 * is [tap][c] here so the inner loop runs over channels. */
static void dw_wgrad(void *ctx, int chunk, int thread)
{
	(void)thread;
	dw_ctx *d = ctx;
	const qf_step *s = d->s;
	geom q = make_geom(s, 0);
	const int C = q.C, kk = s->k * s->k;
	float *part = d->r->part + chunk * wg_part(s), *pb = part + (int64_t)C * kk;
	memset(part, 0, (size_t)wg_part(s) * sizeof(float));
	int64_t b, e;
	chunk_range(d->pixels, d->chunks, chunk, &b, &e);
	pixit it = pix_at(&q, b);
	for (int64_t pix = b; pix < e; pix++, pix_next(&q, &it)) {
		const float *dy = s->dy + pix * C;
		for (int c = 0; c < C; c++)
			pb[c] += dy[c];
		for (int tap = 0; tap < kk; tap++) {
			int64_t off = at(&q, &it, tap / s->k, tap % s->k);
			if (off < 0)
				continue;
			const float *x = s->x[0] + off;
			float *pw = part + (int64_t)tap * C;
			for (int c = 0; c < C; c++)
				pw[c] += dy[c] * x[c];
		}
	}
}

static void dw_dx(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	const qf_step *s = ((dw_ctx *)ctx)->s;
	geom q = make_geom(s, 0);
	const int C = q.C, kk = s->k * s->k;
	const int64_t img = (int64_t)q.H * q.W * C, ohw = (int64_t)q.OH * q.OW;
	for (int64_t n = b; n < e; n++) {
		if (!s->acc[0])
			memset(s->dx[0] + n * img, 0, (size_t)img * sizeof(float));
		pixit it = pix_at(&q, n * ohw);
		for (int64_t pix = n * ohw; pix < (n + 1) * ohw; pix++, pix_next(&q, &it)) {
			const float *dy = s->dy + pix * C;
			for (int tap = 0; tap < kk; tap++) {
				int64_t off = at(&q, &it, tap / s->k, tap % s->k);
				if (off < 0)
					continue;
				float *dx = s->dx[0] + off;
				for (int c = 0; c < C; c++)
					dx[c] += dy[c] * s->w[c * kk + tap];
			}
		}
	}
}

static void dw_forward(qf_run *r, qf_step *s)
{
	dw_ctx d = {r, s, (int64_t)r->n * s->ys.h * s->ys.w, 0};
	qf_par_range(r, d.pixels, (int64_t)s->ys.c * s->k * s->k, dw_fwd, &d);
}

static void dw_backward(qf_run *r, qf_step *s)
{
	dw_ctx d = {r, s, (int64_t)r->n * s->ys.h * s->ys.w, 0};
	d.chunks = wg_chunks(d.pixels);
	qf_pool_run(r->pool, d.chunks, dw_wgrad, &d);
	const int C = s->ys.c, kk = s->k * s->k;
	for (int ch = 0; ch < d.chunks; ch++) {
		const float *part = r->part + ch * wg_part(s), *pb = part + (int64_t)C * kk;
		for (int c = 0; c < C; c++) {
			for (int tap = 0; tap < kk; tap++)
				s->gw[c * kk + tap] += part[(int64_t)tap * C + c];
			if (s->gb)
				s->gb[c] += pb[c];
		}
	}
	if (s->dx[0])
		qf_par_range(r, r->n, qf_shape_elems(s->ys) * s->k * s->k, dw_dx, &d);
}

/* ------------------------------------------------------------ direct, small depth */

/* wt: weights as [kidx][co] (rebuilt each forward: the optimiser moves
 * them between steps). */
typedef struct {
	qf_run *r;
	qf_step *s;
	const float *wt;
	int64_t pixels;
	int chunks;
} dir_ctx;

#define DIRECT_NV (DIRECT_COUT / QF_VL)
typedef uint8_t qf_vb __attribute__((vector_size(QF_VL), aligned(1), may_alias));

/* Offset of each kidx (tap, channel) from a pixel's top-left input, for
 * pixels whose window lies inside the image (no bounds checks). */
static void kidx_offsets(const geom *q, int64_t *koff)
{
	for (int ky = 0, i = 0; ky < q->k; ky++)
		for (int kx = 0; kx < q->k; kx++)
			for (int ci = 0; ci < q->cin_g; ci++)
				koff[i++] = ((int64_t)ky * q->W + kx) * q->C + ci;
}

static inline bool interior(const geom *q, const pixit *it)
{
	int iy = it->oy * q->s - q->pad, ix = it->ox * q->s - q->pad;
	return iy >= 0 && ix >= 0 && iy + q->k <= q->H && ix + q->k <= q->W;
}

/* nv (output vectors) is a constant at each call site below, so the
 * accumulators stay in registers. */
static inline __attribute__((always_inline)) void direct_fwd_nv(const qf_step *s, const float *wt, int64_t b,
								 int64_t e, const int nv)
{
	geom q = make_geom(s, 0);
	const int cin = q.C, cout = s->ys.c, K = cin * s->k * s->k;
	int64_t koff[DIRECT_K];
	kidx_offsets(&q, koff);
	pixit it = pix_at(&q, b);
	for (int64_t pix = b; pix < e; pix++, pix_next(&q, &it)) {
		qf_vf acc[DIRECT_NV];
#pragma GCC unroll 8
		for (int v = 0; v < nv; v++)
			acc[v] = s->b ? QF_VLOAD(s->b + v * QF_VL) : (qf_vf){0};
		if (interior(&q, &it)) {
			const float *x0 = q.x + at(&q, &it, 0, 0);
			const float *w = wt;
			for (int i = 0; i < K; i++, w += cout) {
				float xv = x0[koff[i]];
#pragma GCC unroll 8
				for (int v = 0; v < nv; v++)
					acc[v] += xv * QF_VLOAD(w + v * QF_VL);
			}
		} else {
			const float *w = wt;
			for (int ky = 0; ky < s->k; ky++)
				for (int kx = 0; kx < s->k; kx++, w += (int64_t)cin * cout) {
					int64_t off = at(&q, &it, ky, kx);
					if (off < 0)
						continue;
					for (int ci = 0; ci < cin; ci++) {
						float xv = q.x[off + ci];
#pragma GCC unroll 8
						for (int v = 0; v < nv; v++)
							acc[v] += xv * QF_VLOAD(w + ci * cout + v * QF_VL);
					}
				}
		}
#pragma GCC unroll 8
		for (int v = 0; v < nv; v++)
			QF_VSTORE(s->y + pix * cout + v * QF_VL, acc[v]);
	}
}

QF_CLONES static void direct_fwd_range(const qf_step *s, const float *wt, int64_t b, int64_t e)
{
	switch (s->ys.c / QF_VL) {
	case 2:
		direct_fwd_nv(s, wt, b, e, 2);
		break;
	case 4:
		direct_fwd_nv(s, wt, b, e, 4);
		break;
	case 6:
		direct_fwd_nv(s, wt, b, e, 6);
		break;
	default:
		direct_fwd_nv(s, wt, b, e, 8);
		break;
	}
}

static void direct_fwd(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	dir_ctx *d = ctx;
	direct_fwd_range(d->s, d->wt, b, e);
}

/* One chunk of pixels: acc[kidx][co] += x[kidx] * dy[co], then the bias.
 * acc (the chunk's partial) is small enough to stay in L1. */
static inline __attribute__((always_inline)) void direct_wgrad_nv(const qf_step *s, int64_t b, int64_t e,
								   float *part, const int nv)
{
	geom q = make_geom(s, 0);
	const int cin = q.C, cout = s->ys.c, K = cin * s->k * s->k;
	float *pb = part + (int64_t)K * cout;
	memset(part, 0, (size_t)(K + 1) * cout * sizeof(float));
	int64_t koff[DIRECT_K];
	kidx_offsets(&q, koff);
	pixit it = pix_at(&q, b);
	qf_vf db[DIRECT_NV];
#pragma GCC unroll 8
	for (int v = 0; v < nv; v++)
		db[v] = (qf_vf){0};
	/* A lazy dy (see qf_step.dy_bn): the bn's dx, formed here. */
	const qf_step *bn = s->dy_bn;
	const float *ka = NULL, *kb = NULL, *kc = NULL;
	int pk = 0, ph = 0, pw = 0;
	int64_t n = 0;
	if (bn) {
		qf_bn_coef(bn, &ka, &kb, &kc);
		pk = bn->pool_k;
		ph = bn->ys.h;
		pw = bn->ys.w;
		n = b / ((int64_t)q.OH * q.OW);
	}
	for (int64_t pix = b; pix < e; pix++, pix_next(&q, &it)) {
		qf_vf dy[DIRECT_NV];
		if (bn) {
			if (pix > b && it.oy == 0 && it.ox == 0)
				n++;
			const float *yv = s->y + pix * cout;
			bool in = it.oy < ph * pk && it.ox < pw * pk;
			int64_t qo = ((n * ph + it.oy / pk) * pw + it.ox / pk) * cout;
			int w = it.oy % pk * pk + it.ox % pk;
#pragma GCC unroll 8
			for (int v = 0; v < nv; v++) {
				int c = v * QF_VL;
				qf_vf d = QF_VLOAD(kb + c) * QF_VLOAD(yv + c) + QF_VLOAD(kc + c);
				if (in) {
					qf_vf pv = QF_VLOAD(bn->y + qo + c);
					qf_vi on = bn->fuse == QF_FUSE_RELU6 ? (pv > 0) & (pv < 6) : pv > 0;
					qf_vi av = __builtin_convertvector(*(const qf_vb *)(bn->parg + qo + c), qf_vi);
					qf_vf g = QF_VLOAD(ka + c) * QF_VLOAD(bn->dy + qo + c);
					d += QF_VSEL(on & (av == w), g, (qf_vf){0});
				}
				dy[v] = d;
				db[v] += d;
			}
		} else {
#pragma GCC unroll 8
			for (int v = 0; v < nv; v++) {
				dy[v] = QF_VLOAD(s->dy + pix * cout + v * QF_VL);
				db[v] += dy[v];
			}
		}
		float *acc = part;
		if (interior(&q, &it)) {
			const float *x0 = q.x + at(&q, &it, 0, 0);
			for (int i = 0; i < K; i++, acc += cout) {
				float xv = x0[koff[i]];
#pragma GCC unroll 8
				for (int v = 0; v < nv; v++)
					QF_VSTORE(acc + v * QF_VL, QF_VLOAD(acc + v * QF_VL) + xv * dy[v]);
			}
			continue;
		}
		for (int ky = 0; ky < s->k; ky++)
			for (int kx = 0; kx < s->k; kx++, acc += (int64_t)cin * cout) {
				int64_t off = at(&q, &it, ky, kx);
				if (off < 0)
					continue;
				for (int ci = 0; ci < cin; ci++) {
					float xv = q.x[off + ci];
					float *a = acc + ci * cout;
#pragma GCC unroll 8
					for (int v = 0; v < nv; v++)
						QF_VSTORE(a + v * QF_VL, QF_VLOAD(a + v * QF_VL) + xv * dy[v]);
				}
			}
	}
#pragma GCC unroll 8
	for (int v = 0; v < nv; v++)
		QF_VSTORE(pb + v * QF_VL, db[v]);
}

QF_CLONES static void direct_wgrad_range(const qf_step *s, int64_t b, int64_t e, float *part)
{
	switch (s->ys.c / QF_VL) {
	case 2:
		direct_wgrad_nv(s, b, e, part, 2);
		break;
	case 4:
		direct_wgrad_nv(s, b, e, part, 4);
		break;
	case 6:
		direct_wgrad_nv(s, b, e, part, 6);
		break;
	default:
		direct_wgrad_nv(s, b, e, part, 8);
		break;
	}
}

static void direct_wgrad(void *ctx, int chunk, int thread)
{
	(void)thread;
	dir_ctx *d = ctx;
	int64_t b, e;
	chunk_range(d->pixels, d->chunks, chunk, &b, &e);
	direct_wgrad_range(d->s, b, e, d->r->part + chunk * wg_part(d->s));
}

static void direct_forward(qf_run *r, qf_step *s)
{
	const int cout = s->ys.c, cin = s->xs[0].c, kk = s->k * s->k, K = cin * kk;
	dir_ctx d = {r, s, NULL, (int64_t)r->n * s->ys.h * s->ys.w, 0};
	/* The transposed weights live past the largest set of partials. */
	float *wt = r->part + r->part_floats - (int64_t)K * cout;
	wpack wp = {s->w, cin, kk, false};
	for (int kidx = 0; kidx < K; kidx++)
		for (int co = 0; co < cout; co++)
			wt[kidx * cout + co] = s->w[w_index(&wp, co, kidx)];
	d.wt = wt;
	qf_par_range_aligned(r, d.pixels, 64, (int64_t)s->ys.c * K, direct_fwd, &d);
}

/* ------------------------------------------------------------ GEMM path */

void qf_conv_forward(qf_run *r, qf_step *s)
{
	if (is_depthwise(s)) {
		dw_forward(r, s);
		return;
	}
	if (is_direct(s)) {
		direct_forward(r, s);
		return;
	}
	const int G = s->groups, cout_g = s->ys.c / G, cin_g = s->xs[0].c / G, kk = s->k * s->k;
	const int64_t pixels = (int64_t)r->n * s->ys.h * s->ys.w;
	for (int g = 0; g < G; g++) {
		rows_ctx rc = {.q = make_geom(s, g), .zero = s->zero};
		wpack wp = {s->w + (int64_t)g * cout_g * cin_g * kk, cin_g, kk, false};
		bias_ep be = {s->b ? s->b + g * cout_g : NULL};
		qf_gemm gm = {
			.m = (int)pixels, .n = cout_g, .k = cin_g * kk,
			.ind = {im2col_rows, &rc, kk, cin_g}, .b = {pack_weights, &wp},
			.c = s->y + g * cout_g, .ldc = s->ys.c,
			.epilogue = s->b ? add_bias : NULL, .ep_ctx = &be,
		};
		qf_gemm_par(&gm, r->kern->mr, r->par_min_macs, r->pool, r->ws);
	}
}

typedef struct {
	qf_run *r;
	const qf_step *s;
	int g, chunks;
	int64_t pixels;
} wg_ctx;

static void wg_task(void *ctx, int chunk, int thread)
{
	wg_ctx *w = ctx;
	const qf_step *s = w->s;
	const int G = s->groups, cout_g = s->ys.c / G, cin_g = s->xs[0].c / G, K = cin_g * s->k * s->k;
	int64_t b, e;
	chunk_range(w->pixels, w->chunks, chunk, &b, &e);
	float *part = w->r->part + chunk * wg_part(s), *pb = part + (int64_t)K * cout_g;
	geom q = make_geom(s, w->g);
	q.pix0 = b;
	const float *dy = s->dy + b * s->ys.c + w->g * cout_g;
	qf_mat dym = {dy, 1, s->ys.c};
	qf_gemm gm = {
		.m = K, .n = cout_g, .k = (int)(e - b),
		.a = {pack_im2col_t, &q}, .b = {qf_pack_mat, &dym},
		.c = part, .ldc = cout_g,
	};
	qf_gemm_rows(&gm, 0, K, &w->r->ws[thread]);
	if (s->gb) {
		memset(pb, 0, (size_t)cout_g * sizeof(float));
		for (int64_t p = 0; p < e - b; p++)
			for (int c = 0; c < cout_g; c++)
				pb[c] += dy[p * s->ys.c + c];
	}
}

typedef struct {
	qf_step *s;
} zero_ctx;

static void zero_dx(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	qf_step *s = ((zero_ctx *)ctx)->s;
	memset(s->dx[0] + b, 0, (size_t)(e - b) * sizeof(float));
}

void qf_conv_backward(qf_run *r, qf_step *s)
{
	if (is_depthwise(s)) {
		dw_backward(r, s);
		return;
	}
	const int G = s->groups, cout_g = s->ys.c / G, cin_g = s->xs[0].c / G, kk = s->k * s->k, K = cin_g * kk;
	const int64_t pixels = (int64_t)r->n * s->ys.h * s->ys.w;
	if (s->dx[0] && !s->acc[0]) {
		zero_ctx z = {s};
		qf_par_range(r, (int64_t)r->n * qf_shape_elems(s->xs[0]), 1, zero_dx, &z);
	}
	for (int g = 0; g < G; g++) {
		if (is_direct(s)) {
			dir_ctx d = {r, s, NULL, pixels, wg_chunks(pixels)};
			qf_pool_run(r->pool, d.chunks, direct_wgrad, &d);
			reduce_wgrad(r, s, g, d.chunks);
		} else {
			wg_ctx w = {r, s, g, wg_chunks(pixels), pixels};
			qf_pool_run(r->pool, w.chunks, wg_task, &w);
			reduce_wgrad(r, s, g, w.chunks);
		}
		if (!s->dx[0])
			continue;
		geom q = make_geom(s, g);
		wpack wt = {s->w + (int64_t)g * cout_g * cin_g * kk, cin_g, kk, true};
		rows_ctx rc = {.zero = s->zero, .base = s->dy + g * cout_g, .ld = s->ys.c};
		qf_gemm gm = {
			.m = (int)pixels, .n = K, .k = cout_g,
			.ind = {dy_rows, &rc, 1, cout_g}, .b = {pack_weights, &wt},
			.c = NULL, .epilogue = col2im, .ep_ctx = &q,
		};
		qf_gemm_par(&gm, s->ys.h * s->ys.w, r->par_min_macs, r->pool, r->ws);
	}
}
