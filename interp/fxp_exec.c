/* fxp_exec.c: a fast executor of QUANTIZED Int Graphs, for the post-training
 * search, which runs hundreds of candidate models over the calibration set.
 *
 * It computes what interp/intref.c computes, bit for bit (tests/unit/
 * test_fxp.c holds the two equal on mixed 8/4/2-bit power-of-two models and
 * on a multiplier-requant int8 model), but for a batch of images at once,
 * with the dot products of conv and fc layers done by qf_sgemm on floats:
 * every product (x - zp) * w is an integer of magnitude at most
 * 255 * 127, and as long as the sum of |products| stays below 2^24 every
 * partial sum the gemm forms, in any order and with or without fused
 * multiply-add, is an integer a float holds exactly. So the depth is cut
 * into chunks short enough for that bound and the chunk sums are added in
 * int64, which is then the exact accumulator. The requant, clamps, pools and
 * adds are integer code written from the contract in docs/runtime.md, like
 * intref's, which stays the definition: the search's final check and the
 * tests use it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "interp/interp.h"

struct qf_iexec {
	const qf_igraph *ig;
	int batch;
	int8_t **val;                /* per tensor: batch x H x W x C, one value per byte */
	float **wf;                  /* per conv and fc: rows of unpacked weights, [out c][K] */
	int32_t **wi;                /* per depthwise conv: [tap][c] */
	float *col, *prod;           /* im2col block and its gemm result */
	int64_t col_cap, prod_cap;
	int64_t *acc;                /* exact accumulators of one layer */
	int64_t acc_cap;
	/* per weighted node, per output channel: sums of accumulators (bias
	 * included) over every output position of every image run */
	int64_t **acc_sum;
	int64_t *acc_count;
};

/* ------------------------------------------------------------ the contract (docs/runtime.md) */

static int32_t srdhm(int32_t a, int32_t b)
{
	if (a == INT32_MIN && b == INT32_MIN)
		return INT32_MAX;
	int64_t ab = (int64_t)a * (int64_t)b;
	int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
	return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

static int32_t rdpot(int32_t x, int e)
{
	int32_t mask = (int32_t)(((int64_t)1 << e) - 1), rem = x & mask, thr = (mask >> 1) + (x < 0);
	return (x >> e) + (rem > thr);
}

static int32_t shl_wrap(int32_t x, int s)
{
	return (int32_t)(uint32_t)((uint64_t)(uint32_t)x << s);
}

static int32_t mul_qm(int32_t x, int32_t m, int shift)
{
	return rdpot(srdhm(shl_wrap(x, shift > 0 ? shift : 0), m), shift > 0 ? 0 : -shift);
}

/* floor(x / 2^n + 1/2) for n = -s > 0, computed without overflow. */
static int32_t shift_round(int32_t x, int s)
{
	if (s >= 0)
		return shl_wrap(x, s);
	int n = -s;
	return (x >> n) + ((x >> (n - 1)) & 1);
}

static int32_t rescale(const qf_igraph *ig, const qf_inode *n, int64_t c, int32_t acc)
{
	int s = ig->i32[n->shift + c];
	return ig->pow2 ? shift_round(acc, s) : mul_qm(acc, ig->i32[n->mult + c], s);
}

static int8_t clamp_out(const qf_inode *n, int32_t zp, int32_t v)
{
	int64_t y = (int64_t)v + zp;
	return (int8_t)(y < n->act_min ? n->act_min : y > n->act_max ? n->act_max : y);
}

static int32_t unpack(const uint8_t *row, int64_t i, int b)
{
	int64_t bit = i * b;
	int32_t v = (row[bit >> 3] >> (bit & 7)) & ((1 << b) - 1);
	return v >= 1 << (b - 1) ? v - (1 << b) : v;
}

static bool weighted(qf_iop op)
{
	return op == QF_IOP_CONV || op == QF_IOP_DWCONV || op == QF_IOP_FC;
}

/* ------------------------------------------------------------ setup */

qf_iexec *qf_iexec_new(const qf_igraph *ig, int batch)
{
	QF_ASSERT(ig->stage >= QF_ISTAGE_QUANTIZED && batch >= 1);
	qf_iexec *x = qf_xcalloc(1, sizeof(*x));
	x->ig = ig;
	x->batch = batch;
	x->val = qf_xcalloc((size_t)ig->nt, sizeof(int8_t *));
	for (int i = 0; i < ig->nt; i++)
		x->val[i] = qf_xmalloc((size_t)(batch * qf_itensor_elems(&ig->t[i])));
	x->wf = qf_xcalloc((size_t)ig->nn, sizeof(float *));
	x->wi = qf_xcalloc((size_t)ig->nn, sizeof(int32_t *));
	x->acc_sum = qf_xcalloc((size_t)ig->nn, sizeof(int64_t *));
	x->acc_count = qf_xcalloc((size_t)ig->nn, sizeof(int64_t));
	for (int i = 0; i < ig->nn; i++) {
		const qf_inode *n = &ig->n[i];
		if (!weighted(n->op))
			continue;
		int64_t rows = qf_inode_rows(ig, n), len = qf_inode_row_len(ig, n);
		int64_t rb = qf_packed_row_bytes(len, n->w_bits);
		if (n->nparts) {
			/* a split conv or fc: each row at its run's width (the
			 * exactness bound, chunk_depth, takes the widest) */
			x->wf[i] = qf_xmalloc((size_t)(rows * len) * sizeof(float));
			for (int64_t r = 0; r < rows; r++) {
				int b;
				int64_t at = qf_inode_wrow(ig, n, (int)r, &b);
				for (int64_t k = 0; k < len; k++)
					x->wf[i][r * len + k] = (float)unpack(ig->w + at, k, b);
			}
		} else if (n->op == QF_IOP_DWCONV) {
			x->wi[i] = qf_xmalloc((size_t)(rows * len) * sizeof(int32_t));
			for (int64_t r = 0; r < rows; r++)
				for (int64_t k = 0; k < len; k++)
					x->wi[i][r * len + k] = unpack(ig->w + n->w_off + r * rb, k, n->w_bits);
		} else {
			x->wf[i] = qf_xmalloc((size_t)(rows * len) * sizeof(float));
			for (int64_t r = 0; r < rows; r++)
				for (int64_t k = 0; k < len; k++)
					x->wf[i][r * len + k] = (float)unpack(ig->w + n->w_off + r * rb, k, n->w_bits);
		}
		x->acc_sum[i] = qf_xcalloc((size_t)ig->t[n->out].c, sizeof(int64_t));
	}
	return x;
}

void qf_iexec_free(qf_iexec *x)
{
	if (!x)
		return;
	for (int i = 0; i < x->ig->nt; i++)
		free(x->val[i]);
	for (int i = 0; i < x->ig->nn; i++) {
		free(x->wf[i]);
		free(x->wi[i]);
		free(x->acc_sum[i]);
	}
	free(x->val);
	free(x->wf);
	free(x->wi);
	free(x->acc_sum);
	free(x->acc_count);
	free(x->col);
	free(x->prod);
	free(x->acc);
	free(x);
}

static void *reserve(void *p, int64_t *cap, int64_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	free(p);
	*cap = need;
	return qf_xmalloc((size_t)need * elem);
}

/* ------------------------------------------------------------ layers */

/* Depth per gemm chunk: sum of |products| below 2^24 (see the top). */
static int64_t chunk_depth(int in_bits, int w_bits)
{
	int64_t ax = in_bits == 8 ? 255 : 15, aw = (1 << (w_bits - 1)) - 1;
	return ((1 << 24) - 1) / (ax * aw);
}

/* acc[p * cout + c] = sum over k of col[p][k] * w[c][k], exactly. */
static void dot(qf_iexec *x, const float *w, int64_t P, int cout, int64_t K, int in_bits, int w_bits)
{
	int64_t step = chunk_depth(in_bits, w_bits);
	x->prod = reserve(x->prod, &x->prod_cap, P * cout, sizeof(float));
	memset(x->acc, 0, (size_t)(P * cout) * sizeof(int64_t));
	for (int64_t k0 = 0; k0 < K; k0 += step) {
		int64_t kc = K - k0 < step ? K - k0 : step;
		qf_sgemm(false, true, (int)P, cout, (int)kc, 1.0f, x->col + k0, (int)K, w + k0, (int)K, 0.0f, x->prod,
			 cout);
		for (int64_t i = 0; i < P * cout; i++)
			x->acc[i] += (int64_t)x->prod[i];
	}
}

static inline int32_t acc32(const qf_inode *n, int64_t acc)
{
	if (acc < INT32_MIN || acc > INT32_MAX)
		qf_die("fxp_exec: layer '%s' overflows its int32 accumulator (%lld)", n->name, (long long)acc);
	return (int32_t)acc;
}

/* Bias, requant and clamp of P x cout accumulators into y. */
static void finish(qf_iexec *x, int ni, int64_t P, int8_t *y)
{
	const qf_igraph *ig = x->ig;
	const qf_inode *n = &ig->n[ni];
	int cout = ig->t[n->out].c;
	/* the clamp before adding zp (docs/runtime.md): it cannot overflow */
	int32_t zp = ig->t[n->out].zp, lo = n->act_min - zp, hi = n->act_max - zp;
	const int32_t *bias = n->bias >= 0 ? ig->i32 + n->bias : NULL, *sh = ig->i32 + n->shift;
	const int32_t *mu = ig->pow2 ? NULL : ig->i32 + n->mult;
	int64_t *sum = x->acc_sum[ni];
	const int64_t *acc = x->acc;
	for (int64_t p = 0; p < P; p++, acc += cout, y += cout)
		for (int c = 0; c < cout; c++) {
			int64_t a = acc[c] + (bias ? bias[c] : 0);
			int32_t a32 = acc32(n, a);
			sum[c] += a32;
			int32_t v = mu ? mul_qm(a32, mu[c], sh[c]) : shift_round(a32, sh[c]);
			y[c] = (int8_t)((v < lo ? lo : v > hi ? hi : v) + zp);
		}
	x->acc_count[ni] += P;
}

static void conv(qf_iexec *x, int ni, int nimg)
{
	const qf_igraph *ig = x->ig;
	const qf_inode *n = &ig->n[ni];
	const qf_itensor *xt = &ig->t[n->in[0]], *yt = &ig->t[n->out];
	int64_t K = qf_inode_row_len(ig, n), pix = (int64_t)yt->h * yt->w, P = nimg * pix;
	int64_t xe = qf_itensor_elems(xt);
	x->col = reserve(x->col, &x->col_cap, P * K, sizeof(float));
	x->acc = reserve(x->acc, &x->acc_cap, P * yt->c, sizeof(int64_t));
	for (int b = 0; b < nimg; b++) {
		const int8_t *in = x->val[n->in[0]] + b * xe;
		for (int oy = 0; oy < yt->h; oy++)
			for (int ox = 0; ox < yt->w; ox++) {
				float *c = x->col + ((int64_t)b * pix + (int64_t)oy * yt->w + ox) * K;
				for (int ky = 0; ky < n->k_h; ky++)
					for (int kx = 0; kx < n->k_w; kx++, c += xt->c) {
						int iy = oy * n->stride - n->pad_top + ky, ix = ox * n->stride - n->pad_left + kx;
						if (iy < 0 || iy >= xt->h || ix < 0 || ix >= xt->w) {
							memset(c, 0, (size_t)xt->c * sizeof(float));
							continue;
						}
						const int8_t *v = in + ((int64_t)iy * xt->w + ix) * xt->c;
						for (int ic = 0; ic < xt->c; ic++)
							c[ic] = (float)(v[ic] - xt->zp);
					}
			}
	}
	dot(x, x->wf[ni], P, yt->c, K, xt->bits, n->w_bits);
	finish(x, ni, P, x->val[n->out]);
}

static void fc(qf_iexec *x, int ni, int nimg)
{
	const qf_igraph *ig = x->ig;
	const qf_inode *n = &ig->n[ni];
	const qf_itensor *xt = &ig->t[n->in[0]], *yt = &ig->t[n->out];
	int64_t K = qf_itensor_elems(xt);
	x->col = reserve(x->col, &x->col_cap, nimg * K, sizeof(float));
	x->acc = reserve(x->acc, &x->acc_cap, (int64_t)nimg * yt->c, sizeof(int64_t));
	const int8_t *in = x->val[n->in[0]];
	for (int64_t i = 0; i < nimg * K; i++)
		x->col[i] = (float)(in[i] - xt->zp);
	dot(x, x->wf[ni], nimg, yt->c, K, xt->bits, n->w_bits);
	finish(x, ni, nimg, x->val[n->out]);
}

/* Depthwise: k_h * k_w products per output, not worth a gemm. */
static void dwconv(qf_iexec *x, int ni, int nimg)
{
	const qf_igraph *ig = x->ig;
	const qf_inode *n = &ig->n[ni];
	const qf_itensor *xt = &ig->t[n->in[0]], *yt = &ig->t[n->out];
	int64_t xe = qf_itensor_elems(xt), ye = qf_itensor_elems(yt), C = yt->c;
	const int32_t *w = x->wi[ni];
	x->acc = reserve(x->acc, &x->acc_cap, nimg * ye, sizeof(int64_t));
	for (int b = 0; b < nimg; b++) {
		const int8_t *in = x->val[n->in[0]] + b * xe;
		for (int oy = 0; oy < yt->h; oy++)
			for (int ox = 0; ox < yt->w; ox++) {
				int64_t *acc = x->acc + b * ye + ((int64_t)oy * yt->w + ox) * C;
				memset(acc, 0, (size_t)C * sizeof(int64_t));
				for (int ky = 0; ky < n->k_h; ky++)
					for (int kx = 0; kx < n->k_w; kx++) {
						int iy = oy * n->stride - n->pad_top + ky, ix = ox * n->stride - n->pad_left + kx;
						if (iy < 0 || iy >= xt->h || ix < 0 || ix >= xt->w)
							continue; /* x - zp is 0 there */
						const int8_t *v = in + ((int64_t)iy * xt->w + ix) * xt->c;
						const int32_t *wr = w + (int64_t)(ky * n->k_w + kx) * C;
						for (int64_t c = 0; c < C; c++)
							acc[c] += (v[c] - xt->zp) * wr[c];
					}
			}
	}
	finish(x, ni, nimg * (int64_t)yt->h * yt->w, x->val[n->out]);
}

static void pool(qf_iexec *x, int ni, int nimg)
{
	const qf_igraph *ig = x->ig;
	const qf_inode *n = &ig->n[ni];
	const qf_itensor *xt = &ig->t[n->in[0]], *yt = &ig->t[n->out];
	int64_t xe = qf_itensor_elems(xt), ye = qf_itensor_elems(yt);
	for (int b = 0; b < nimg; b++) {
		const int8_t *in = x->val[n->in[0]] + b * xe;
		int8_t *out = x->val[n->out] + b * ye;
		for (int oy = 0; oy < yt->h; oy++)
			for (int ox = 0; ox < yt->w; ox++)
				for (int c = 0; c < yt->c; c++) {
					int32_t best = INT32_MIN, count = 0;
					int64_t sum = 0;
					for (int ky = 0; ky < n->k_h; ky++)
						for (int kx = 0; kx < n->k_w; kx++) {
							int iy = oy * n->stride - n->pad_top + ky;
							int ix = ox * n->stride - n->pad_left + kx;
							if (iy < 0 || iy >= xt->h || ix < 0 || ix >= xt->w)
								continue;
							int32_t v = in[((int64_t)iy * xt->w + ix) * xt->c + c];
							best = v > best ? v : best;
							sum += v;
							count++;
						}
					int64_t v;
					if (n->op == QF_IOP_MAXPOOL) {
						v = best;
					} else {
						/* C division: to nearest, ties away from zero */
						v = sum >= 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
					}
					v = v < n->act_min ? n->act_min : v > n->act_max ? n->act_max : v;
					out[((int64_t)oy * yt->w + ox) * yt->c + c] = (int8_t)v;
				}
	}
}

static void add(qf_iexec *x, int ni, int nimg)
{
	const qf_igraph *ig = x->ig;
	const qf_inode *n = &ig->n[ni];
	const qf_itensor *at = &ig->t[n->in[0]], *bt = &ig->t[n->in[1]], *yt = &ig->t[n->out];
	int64_t e = nimg * qf_itensor_elems(yt);
	const int8_t *va = x->val[n->in[0]], *vb = x->val[n->in[1]];
	for (int64_t i = 0; i < e; i++) {
		int32_t a = shl_wrap(va[i] - at->zp, n->add_ls), b = shl_wrap(vb[i] - bt->zp, n->add_ls);
		int32_t s;
		if (ig->pow2)
			s = shift_round(a, n->add_shift[0]) + shift_round(b, n->add_shift[1]);
		else
			s = mul_qm(a, n->add_mult[0], n->add_shift[0]) + mul_qm(b, n->add_mult[1], n->add_shift[1]);
		x->val[n->out][i] = clamp_out(n, yt->zp, rescale(ig, n, 0, s));
	}
}

void qf_iexec_run(qf_iexec *x, const uint8_t *in, int n, int8_t *logits)
{
	const qf_igraph *ig = x->ig;
	QF_ASSERT(n >= 1 && n <= x->batch);
	int64_t ne = n * qf_itensor_elems(&ig->t[ig->input]);
	for (int64_t i = 0; i < ne; i++)
		x->val[ig->input][i] = (int8_t)((int32_t)in[i] - 128);
	qf_iexec_run_from(x, 0, n, logits);
}

int8_t *qf_iexec_tensor_buf(qf_iexec *x, int t)
{
	QF_ASSERT(t >= 0 && t < x->ig->nt);
	return x->val[t];
}

void qf_iexec_run_from(qf_iexec *x, int from, int n, int8_t *logits)
{
	const qf_igraph *ig = x->ig;
	QF_ASSERT(n >= 1 && n <= x->batch && from >= 0 && from <= ig->nn);
	for (int i = from; i < ig->nn; i++) {
		switch (ig->n[i].op) {
		case QF_IOP_CONV:
			conv(x, i, n);
			break;
		case QF_IOP_DWCONV:
			dwconv(x, i, n);
			break;
		case QF_IOP_FC:
			fc(x, i, n);
			break;
		case QF_IOP_MAXPOOL:
		case QF_IOP_AVGPOOL:
			pool(x, i, n);
			break;
		case QF_IOP_ADD:
			add(x, i, n);
			break;
		case QF_IOP_COUNT:
			qf_die("fxp_exec: bad op");
		}
	}
	memcpy(logits, x->val[ig->output], (size_t)n * (size_t)ig->classes);
}

const int8_t *qf_iexec_tensor(const qf_iexec *x, int t)
{
	QF_ASSERT(t >= 0 && t < x->ig->nt);
	return x->val[t];
}

const int64_t *qf_iexec_acc_sums(const qf_iexec *x, int node, int64_t *count)
{
	QF_ASSERT(node >= 0 && node < x->ig->nn && x->acc_sum[node]);
	if (count)
		*count = x->acc_count[node];
	return x->acc_sum[node];
}

void qf_iexec_clear_sums(qf_iexec *x)
{
	for (int i = 0; i < x->ig->nn; i++)
		if (x->acc_sum[i]) {
			memset(x->acc_sum[i], 0, (size_t)x->ig->t[x->ig->n[i].out].c * sizeof(int64_t));
			x->acc_count[i] = 0;
		}
}

double qf_iexec_evaluate(const qf_igraph *ig, const qf_dataset *ds, const qf_images *s, int n, int batch)
{
	QF_ASSERT(n >= 0 && n <= s->n && batch >= 1);
	int64_t e = qf_itensor_elems(&ig->t[ig->input]);
	qf_iexec *x = qf_iexec_new(ig, batch);
	uint8_t *img = qf_xmalloc((size_t)(batch * e));
	int8_t *z = qf_xmalloc((size_t)batch * (size_t)ig->classes);
	int64_t hits = 0;
	for (int i0 = 0; i0 < n; i0 += batch) {
		int m = n - i0 < batch ? n - i0 : batch;
		for (int j = 0; j < m; j++)
			qf_image_hwc(ds, s, i0 + j, img + j * e);
		qf_iexec_run(x, img, m, z);
		for (int j = 0; j < m; j++) {
			const int8_t *l = z + (int64_t)j * ig->classes;
			int best = 0;
			for (int k = 1; k < ig->classes; k++)
				if (l[k] > l[best])
					best = k;
			hits += best == s->label[i0 + j];
		}
	}
	free(img);
	free(z);
	qf_iexec_free(x);
	return n ? 100.0 * (double)hits / n : 0;
}
