/* ops_conv.c: 2-D convolution, NHWC, forward and backward.
 *
 * General case: implicit im2col GEMM per group. Rows of the GEMM are
 * output pixels of the whole batch, columns output channels, depth the
 * taps in (ky, kx, ci) order, so that one tap of an NHWC pixel is a run
 * of contiguous channels. The im2col matrix never exists: the A packer
 * reads the image directly.
 *   forward   y[pix][co]   = sum_kidx col[pix][kidx] * W[co][kidx]
 *   weights   dW[kidx][co] = sum_pix  col[pix][kidx] * dy[pix][co]
 *   input     dcol[pix][kidx] = sum_co dy[pix][co] * W[co][kidx], scattered
 *             into dx by the GEMM epilogue (col2im) block by block.
 * Depthwise convolutions (one input and one output channel per group) are
 * direct loops vectorised over channels.
 *
 * Weight gradients are sums over every pixel of the batch: they are summed
 * in a fixed number of pixel chunks, each chunk's partial kept apart and
 * the partials added in chunk order, so the result does not depend on the
 * thread count. */
#include <string.h>

#include "interp/engine_internal.h"

/* ------------------------------------------------------------ geometry */

typedef struct {
	const float *x;              /* NHWC input, or dx for the scatter */
	float *dx;
	int H, W, C;                 /* input */
	int OH, OW;
	int k, s, pad;
	int cin_g, c0;               /* channels of this group, its first channel */
	int64_t pix0;                /* first pixel of the transposed packer's depth */
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

/* Input pixel of output pixel pix at tap (ky, kx): the offset of its
 * channel 0 in the batch array, or -1 in the padding. */
typedef struct {
	int64_t img;                 /* offset of the image */
	int iy0, ix0;
} pixpos;

static inline pixpos pix_pos(const geom *q, int64_t pix)
{
	int64_t ohw = (int64_t)q->OH * q->OW;
	int64_t n = pix / ohw, rem = pix % ohw;
	int oy = (int)(rem / q->OW), ox = (int)(rem % q->OW);
	pixpos p = {n * q->H * q->W * q->C, oy * q->s - q->pad, ox * q->s - q->pad};
	return p;
}

static inline int64_t tap_off(const geom *q, pixpos pp, int tap)
{
	int iy = pp.iy0 + tap / q->k, ix = pp.ix0 + tap % q->k;
	if (iy < 0 || iy >= q->H || ix < 0 || ix >= q->W)
		return -1;
	return pp.img + ((int64_t)iy * q->W + ix) * q->C + q->c0;
}

/* ------------------------------------------------------------ packers */

/* A of the forward and input-gradient GEMMs' im2col: rows are pixels,
 * depth is kidx. */
static void pack_im2col(const void *ctx, int r0, int rows, int p0, int kc, int w, float *dst)
{
	const geom *q = ctx;
	if (rows < w)
		for (int p = 0; p < kc; p++)
			for (int r = rows; r < w; r++)
				dst[(int64_t)p * w + r] = 0;
	for (int r = 0; r < rows; r++) {
		pixpos pp = pix_pos(q, r0 + r);
		for (int p = p0, end = p0 + kc; p < end;) {
			int tap = p / q->cin_g, ci = p % q->cin_g;
			int seg = q->cin_g - ci < end - p ? q->cin_g - ci : end - p;
			int64_t off = tap_off(q, pp, tap);
			float *d = dst + (int64_t)(p - p0) * w + r;
			if (off < 0)
				for (int j = 0; j < seg; j++)
					d[(int64_t)j * w] = 0;
			else
				for (int j = 0; j < seg; j++)
					d[(int64_t)j * w] = q->x[off + ci + j];
			p += seg;
		}
	}
}

/* A of the weight-gradient GEMM, im2col transposed: rows are kidx, depth
 * is pixels counted from pix0. */
static void pack_im2col_t(const void *ctx, int r0, int rows, int p0, int kc, int w, float *dst)
{
	const geom *q = ctx;
	for (int p = 0; p < kc; p++) {
		pixpos pp = pix_pos(q, q->pix0 + p0 + p);
		float *d = dst + (int64_t)p * w;
		for (int r = r0, end = r0 + rows; r < end;) {
			int tap = r / q->cin_g, ci = r % q->cin_g;
			int seg = q->cin_g - ci < end - r ? q->cin_g - ci : end - r;
			int64_t off = tap_off(q, pp, tap);
			if (off < 0)
				memset(d + (r - r0), 0, (size_t)seg * sizeof(float));
			else
				memcpy(d + (r - r0), q->x + off + ci, (size_t)seg * sizeof(float));
			r += seg;
		}
		for (int r = rows; r < w; r++)
			d[r] = 0;
	}
}

/* Weights of one group in graph layout [Cout, Cin/g, k, k], as the GEMM
 * operand W[kidx][co] (forward: rows co, depth kidx) or transposed
 * (input gradient: rows kidx, depth co). A fake quantizer of weights
 * would transform the values here. */
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
	for (int p = 0; p < kc; p++) {
		float *d = dst + (int64_t)p * w;
		for (int r = 0; r < rows; r++)
			d[r] = wp->by_kidx ? wp->w[w_index(wp, p0 + p, r0 + r)] : wp->w[w_index(wp, r0 + r, p0 + p)];
		for (int r = rows; r < w; r++)
			d[r] = 0;
	}
}

/* ------------------------------------------------------------ epilogues */

typedef struct {
	const float *bias;           /* this group's, or NULL */
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
static void col2im(void *ctx, int i0, int j0, int rows, int cols, float *c, int64_t ldc)
{
	const geom *q = ctx;
	for (int r = 0; r < rows; r++) {
		pixpos pp = pix_pos(q, i0 + r);
		const float *t = c + r * ldc;
		for (int j = j0, end = j0 + cols; j < end;) {
			int tap = j / q->cin_g, ci = j % q->cin_g;
			int seg = q->cin_g - ci < end - j ? q->cin_g - ci : end - j;
			int64_t off = tap_off(q, pp, tap);
			if (off >= 0) {
				float *d = q->dx + off + ci;
				const float *src = t + (j - j0);
				for (int u = 0; u < seg; u++)
					d[u] += src[u];
			}
			j += seg;
		}
	}
}

/* ------------------------------------------------------------ sizes */

static bool is_depthwise(const qf_step *s)
{
	return s->groups > 1 && s->groups == s->xs[0].c && s->groups == s->ys.c;
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

/* One chunk's partial: dW as [kidx][co] for the group, then the bias. */
static int64_t wg_part(const qf_step *s)
{
	int cin_g = s->xs[0].c / s->groups, cout_g = s->ys.c / s->groups;
	if (is_depthwise(s))
		return (int64_t)s->ys.c * (s->k * s->k + 1);
	return (int64_t)cin_g * s->k * s->k * cout_g + cout_g;
}

int64_t qf_conv_part_floats(const qf_step *s, int batch)
{
	return wg_chunks((int64_t)batch * s->ys.h * s->ys.w) * wg_part(s);
}

int64_t qf_conv_scratch_floats(const qf_step *s, int batch)
{
	(void)s;
	(void)batch;
	return 0;
}

/* ------------------------------------------------------------ depthwise */

typedef struct {
	qf_run *r;
	qf_step *s;
	int64_t pixels;
	int chunks;
} dw_ctx;

static void dw_fwd(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	const qf_step *s = ((dw_ctx *)ctx)->s;
	geom q = make_geom(s, 0);
	const int C = q.C, kk = s->k * s->k;
	for (int64_t pix = b; pix < e; pix++) {
		pixpos pp = pix_pos(&q, pix);
		float *y = s->y + pix * C;
		for (int c = 0; c < C; c++)
			y[c] = s->b ? s->b[c] : 0;
		for (int tap = 0; tap < kk; tap++) {
			int64_t off = tap_off(&q, pp, tap);
			if (off < 0)
				continue;
			const float *x = s->x[0] + off;
			for (int c = 0; c < C; c++)
				y[c] += x[c] * s->w[c * kk + tap];
		}
	}
}

/* Partial weight and bias gradients of one chunk of output pixels. */
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
	/* part is [tap][c] here so the inner loop runs over channels. */
	for (int64_t pix = b; pix < e; pix++) {
		pixpos pp = pix_pos(&q, pix);
		const float *dy = s->dy + pix * C;
		for (int c = 0; c < C; c++)
			pb[c] += dy[c];
		for (int tap = 0; tap < kk; tap++) {
			int64_t off = tap_off(&q, pp, tap);
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
		for (int64_t pix = n * ohw; pix < (n + 1) * ohw; pix++) {
			pixpos pp = pix_pos(&q, pix);
			const float *dy = s->dy + pix * C;
			for (int tap = 0; tap < kk; tap++) {
				int64_t off = tap_off(&q, pp, tap);
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
	qf_par_range(r, d.pixels, dw_fwd, &d);
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
		qf_par_range(r, r->n, dw_dx, &d);
}

/* ------------------------------------------------------------ GEMM path */

void qf_conv_forward(qf_run *r, qf_step *s)
{
	if (is_depthwise(s)) {
		dw_forward(r, s);
		return;
	}
	const int G = s->groups, cout_g = s->ys.c / G, cin_g = s->xs[0].c / G, kk = s->k * s->k;
	const int64_t pixels = (int64_t)r->n * s->ys.h * s->ys.w;
	for (int g = 0; g < G; g++) {
		geom q = make_geom(s, g);
		wpack wp = {s->w + (int64_t)g * cout_g * cin_g * kk, cin_g, kk, false};
		bias_ep be = {s->b ? s->b + g * cout_g : NULL};
		qf_gemm gm = {
			.m = (int)pixels, .n = cout_g, .k = cin_g * kk,
			.a = {pack_im2col, &q}, .b = {pack_weights, &wp},
			.c = s->y + g * cout_g, .ldc = s->ys.c,
			.epilogue = s->b ? add_bias : NULL, .ep_ctx = &be,
		};
		qf_gemm_par(&gm, r->kern->mr, r->pool, r->ws);
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
		qf_par_range(r, (int64_t)r->n * qf_shape_elems(s->xs[0]), zero_dx, &z);
	}
	for (int g = 0; g < G; g++) {
		wg_ctx w = {r, s, g, wg_chunks(pixels), pixels};
		qf_pool_run(r->pool, w.chunks, wg_task, &w);
		float *gw = s->gw + (int64_t)g * cout_g * cin_g * kk;
		wpack wp = {gw, cin_g, kk, false};
		for (int ch = 0; ch < w.chunks; ch++) {
			const float *part = r->part + ch * wg_part(s), *pb = part + (int64_t)K * cout_g;
			for (int kidx = 0; kidx < K; kidx++)
				for (int co = 0; co < cout_g; co++)
					gw[w_index(&wp, co, kidx)] += part[(int64_t)kidx * cout_g + co];
			if (s->gb)
				for (int co = 0; co < cout_g; co++)
					s->gb[g * cout_g + co] += pb[co];
		}
		if (!s->dx[0])
			continue;
		geom q = make_geom(s, g);
		wpack wt = {s->w + (int64_t)g * cout_g * cin_g * kk, cin_g, kk, true};
		qf_mat dym = {s->dy + g * cout_g, s->ys.c, 1};
		qf_gemm gm = {
			.m = (int)pixels, .n = K, .k = cout_g,
			.a = {qf_pack_mat, &dym}, .b = {pack_weights, &wt},
			.c = NULL, .epilogue = col2im, .ep_ctx = &q,
		};
		qf_gemm_par(&gm, s->ys.h * s->ys.w, r->pool, r->ws);
	}
}
