/* intref.c: the integer reference executor.
 *
 * Runs an Int Graph by the arithmetic contract of runtime/qf_runtime.h,
 * written here from the contract's definitions (gemmlowp's
 * SaturatingRoundingDoublingHighMul with its nudge and truncating division,
 * RoundingDivideByPOT as a rounding of the magnitude, exact int64
 * accumulation checked to fit int32), not from runtime/'s code, so emitted
 * firmware agreeing with it bit for bit is evidence, not a tautology. One
 * buffer per tensor, values unpacked (4-bit ones one per byte); weights are
 * read from the packed rows the backends emit, so the packing is checked
 * too: once, when the executor is made, into one int8 per weight (reading
 * them bit by bit at every multiply made `qforge eval --int` take 17 ms of
 * CPU per fmnist-small image). Otherwise nothing here is fast: it is the
 * definition. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "interp/interp.h"

struct qf_intref {
	const qf_igraph *ig;
	int8_t **val;
	int8_t **wu;                 /* per node: its weights unpacked (conv, fc: row o at o * len;
				      * dwconv: tap t at t * channels), else NULL */
};

static int32_t wget(const uint8_t *row, int64_t i, int b);

static int8_t *unpack_weights(const qf_igraph *ig, const qf_inode *n)
{
	int64_t len = qf_inode_row_len(ig, n);
	if (n->op == QF_IOP_DWCONV) {
		int64_t taps = (int64_t)n->k_h * n->k_w, rb = qf_packed_row_bytes(len, n->w_bits);
		int8_t *u = qf_xmalloc((size_t)(taps * len));
		for (int64_t k = 0; k < taps; k++)
			for (int64_t c = 0; c < len; c++)
				u[k * len + c] = (int8_t)wget(ig->w + n->w_off + k * rb, c, n->w_bits);
		return u;
	}
	int rows = ig->t[n->out].c;
	int8_t *u = qf_xmalloc((size_t)(rows * len));
	for (int o = 0; o < rows; o++) {
		/* channel o's row at its width (a split layer's runs have their own) */
		int wb;
		const uint8_t *row = ig->w + qf_inode_wrow(ig, n, o, &wb);
		for (int64_t i = 0; i < len; i++)
			u[o * len + i] = (int8_t)wget(row, i, wb);
	}
	return u;
}

qf_intref *qf_intref_new(const qf_igraph *ig)
{
	QF_ASSERT(ig->stage >= QF_ISTAGE_QUANTIZED);
	qf_intref *r = qf_xcalloc(1, sizeof(*r));
	r->ig = ig;
	r->val = qf_xcalloc((size_t)ig->nt, sizeof(int8_t *));
	for (int i = 0; i < ig->nt; i++)
		r->val[i] = qf_xcalloc((size_t)qf_itensor_elems(&ig->t[i]), 1);
	r->wu = qf_xcalloc((size_t)ig->nn, sizeof(int8_t *));
	for (int i = 0; i < ig->nn; i++) {
		qf_iop op = ig->n[i].op;
		if (op == QF_IOP_CONV || op == QF_IOP_DWCONV || op == QF_IOP_FC)
			r->wu[i] = unpack_weights(ig, &ig->n[i]);
	}
	return r;
}

void qf_intref_free(qf_intref *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->ig->nt; i++)
		free(r->val[i]);
	for (int i = 0; i < r->ig->nn; i++)
		free(r->wu[i]);
	free(r->wu);
	free(r->val);
	free(r);
}

const int8_t *qf_intref_tensor(const qf_intref *r, int t)
{
	QF_ASSERT(t >= 0 && t < r->ig->nt);
	return r->val[t];
}

/* ------------------------------------------------------------ the contract */

/* gemmlowp SaturatingRoundingDoublingHighMul, as gemmlowp writes it. */
static int32_t srdhm(int32_t a, int32_t b)
{
	if (a == INT32_MIN && b == INT32_MIN)
		return INT32_MAX;
	int64_t ab = (int64_t)a * (int64_t)b;
	int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
	return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/* gemmlowp RoundingDivideByPOT: x / 2^e, ties away from zero. */
static int32_t rdpot(int32_t x, int e)
{
	if (e == 0)
		return x;
	int64_t m = x < 0 ? -(int64_t)x : x;
	int64_t q = (m + ((int64_t)1 << (e - 1))) >> e;
	return (int32_t)(x < 0 ? -q : q);
}

/* x * 2^s modulo 2^32 (TFLite's x * (1 << s) on a two's complement machine). */
static int32_t shl_wrap(int32_t x, int s)
{
	return (int32_t)(uint32_t)((uint64_t)(uint32_t)x << s);
}

/* TFLite MultiplyByQuantizedMultiplier. */
static int32_t mul_qm(int32_t x, int32_t m, int shift)
{
	return rdpot(srdhm(shl_wrap(x, shift > 0 ? shift : 0), m), shift > 0 ? 0 : -shift);
}

/* Power-of-two mode: x * 2^s; a right shift rounds half up (floor(x / 2^n + 1/2)). */
static int32_t pow2_shift(int32_t x, int s)
{
	if (s >= 0)
		return shl_wrap(x, s);
	int64_t d = (int64_t)1 << -s;
	int64_t v = (int64_t)x + d / 2;
	int64_t q = v / d;
	if (v % d != 0 && v < 0)
		q--; /* floor, not truncation */
	return (int32_t)q;
}

static int32_t rescale(const qf_igraph *ig, const qf_inode *n, int64_t c, int32_t acc)
{
	int s = ig->i32[n->shift + c];
	return ig->pow2 ? pow2_shift(acc, s) : mul_qm(acc, ig->i32[n->mult + c], s);
}

static int8_t out_value(const qf_inode *n, int32_t zp, int32_t v)
{
	int64_t y = (int64_t)v + zp;
	y = y < n->act_min ? n->act_min : y > n->act_max ? n->act_max : y;
	return (int8_t)y;
}

/* Element i of a packed row of b-bit two's complement values. */
static int32_t wget(const uint8_t *row, int64_t i, int b)
{
	int32_t v = 0;
	for (int k = 0; k < b; k++) {
		int64_t bit = i * b + k;
		v |= ((row[bit / 8] >> (bit % 8)) & 1) << k;
	}
	return v >= 1 << (b - 1) ? v - (1 << b) : v;
}

static int32_t acc32(const qf_inode *n, int64_t acc)
{
	if (acc < INT32_MIN || acc > INT32_MAX)
		qf_die("intref: layer '%s' overflows its int32 accumulator (%lld)", n->name, (long long)acc);
	return (int32_t)acc;
}

/* ------------------------------------------------------------ layers */

static void conv(qf_intref *r, const qf_inode *n)
{
	const qf_igraph *ig = r->ig;
	const qf_itensor *xt = &ig->t[n->in[0]], *yt = &ig->t[n->out];
	const int8_t *x = r->val[n->in[0]];
	int8_t *y = r->val[n->out];
	bool dw = n->op == QF_IOP_DWCONV;
	int64_t len = qf_inode_row_len(ig, n);
	const int8_t *w = r->wu[n - ig->n];
	for (int oy = 0; oy < yt->h; oy++)
		for (int ox = 0; ox < yt->w; ox++)
			for (int oc = 0; oc < yt->c; oc++) {
				int64_t acc = n->bias >= 0 ? ig->i32[n->bias + oc] : 0;
				for (int ky = 0; ky < n->k_h; ky++)
					for (int kx = 0; kx < n->k_w; kx++) {
						int iy = oy * n->stride - n->pad_top + ky, ix = ox * n->stride - n->pad_left + kx;
						bool inside = iy >= 0 && iy < xt->h && ix >= 0 && ix < xt->w;
						int64_t tap = (int64_t)ky * n->k_w + kx;
						if (dw) {
							int32_t v = inside ? x[((int64_t)iy * xt->w + ix) * xt->c + oc] : xt->zp;
							acc += (int64_t)(v - xt->zp) * w[tap * len + oc];
							continue;
						}
						const int8_t *row = w + oc * len + tap * xt->c;
						for (int ic = 0; ic < xt->c; ic++) {
							int32_t v = inside ? x[((int64_t)iy * xt->w + ix) * xt->c + ic] : xt->zp;
							acc += (int64_t)(v - xt->zp) * row[ic];
						}
					}
				y[((int64_t)oy * yt->w + ox) * yt->c + oc] =
					out_value(n, yt->zp, rescale(ig, n, oc, acc32(n, acc)));
			}
}

static void fc(qf_intref *r, const qf_inode *n)
{
	const qf_igraph *ig = r->ig;
	const qf_itensor *xt = &ig->t[n->in[0]], *yt = &ig->t[n->out];
	const int8_t *x = r->val[n->in[0]];
	int64_t len = qf_itensor_elems(xt);
	const int8_t *w = r->wu[n - ig->n];
	QF_ASSERT(len == qf_inode_row_len(ig, n));
	for (int o = 0; o < yt->c; o++) {
		int64_t acc = n->bias >= 0 ? ig->i32[n->bias + o] : 0;
		for (int64_t i = 0; i < len; i++)
			acc += (int64_t)(x[i] - xt->zp) * w[o * len + i];
		r->val[n->out][o] = out_value(n, yt->zp, rescale(ig, n, o, acc32(n, acc)));
	}
}

static void pool(qf_intref *r, const qf_inode *n)
{
	const qf_igraph *ig = r->ig;
	const qf_itensor *xt = &ig->t[n->in[0]], *yt = &ig->t[n->out];
	const int8_t *x = r->val[n->in[0]];
	for (int oy = 0; oy < yt->h; oy++)
		for (int ox = 0; ox < yt->w; ox++)
			for (int c = 0; c < yt->c; c++) {
				int32_t best = INT32_MIN, count = 0;
				int64_t sum = 0;
				for (int ky = 0; ky < n->k_h; ky++)
					for (int kx = 0; kx < n->k_w; kx++) {
						int iy = oy * n->stride - n->pad_top + ky, ix = ox * n->stride - n->pad_left + kx;
						if (iy < 0 || iy >= xt->h || ix < 0 || ix >= xt->w)
							continue; /* padding is left out of both pools */
						int32_t v = x[((int64_t)iy * xt->w + ix) * xt->c + c];
						best = v > best ? v : best;
						sum += v;
						count++;
					}
				QF_ASSERT(count > 0);
				int64_t v;
				if (n->op == QF_IOP_MAXPOOL) {
					v = best;
				} else {
					/* the mean rounded half away from zero */
					int64_t m = sum < 0 ? -sum : sum, q = (2 * m + count) / (2 * (int64_t)count);
					v = sum < 0 ? -q : q;
				}
				v = v < n->act_min ? n->act_min : v > n->act_max ? n->act_max : v;
				r->val[n->out][((int64_t)oy * yt->w + ox) * yt->c + c] = (int8_t)v;
			}
}

static void add(qf_intref *r, const qf_inode *n)
{
	const qf_igraph *ig = r->ig;
	const qf_itensor *at = &ig->t[n->in[0]], *bt = &ig->t[n->in[1]], *yt = &ig->t[n->out];
	int64_t e = qf_itensor_elems(yt);
	for (int64_t i = 0; i < e; i++) {
		int32_t a = (r->val[n->in[0]][i] - at->zp) * (1 << n->add_ls);
		int32_t b = (r->val[n->in[1]][i] - bt->zp) * (1 << n->add_ls);
		int32_t s;
		if (ig->pow2)
			s = pow2_shift(a, n->add_shift[0]) + pow2_shift(b, n->add_shift[1]);
		else
			s = mul_qm(a, n->add_mult[0], n->add_shift[0]) + mul_qm(b, n->add_mult[1], n->add_shift[1]);
		r->val[n->out][i] = out_value(n, yt->zp, rescale(ig, n, 0, s));
	}
}

void qf_intref_run(qf_intref *r, const uint8_t *in, int8_t *logits)
{
	const qf_igraph *ig = r->ig;
	int64_t ne = qf_itensor_elems(&ig->t[ig->input]);
	/* the raw byte b is the int8 value b - 128 */
	for (int64_t i = 0; i < ne; i++)
		r->val[ig->input][i] = (int8_t)((int32_t)in[i] - 128);
	for (int i = 0; i < ig->nn; i++) {
		const qf_inode *n = &ig->n[i];
		switch (n->op) {
		case QF_IOP_CONV:
		case QF_IOP_DWCONV:
			conv(r, n);
			break;
		case QF_IOP_FC:
			fc(r, n);
			break;
		case QF_IOP_MAXPOOL:
		case QF_IOP_AVGPOOL:
			pool(r, n);
			break;
		case QF_IOP_ADD:
			add(r, n);
			break;
		case QF_IOP_COUNT:
			qf_die("intref: bad op");
		}
	}
	memcpy(logits, r->val[ig->output], (size_t)ig->classes);
}

/* ------------------------------------------------------------ data */

void qf_image_hwc(const qf_dataset *ds, const qf_images *s, int i, uint8_t *out)
{
	const int C = ds->c, H = ds->h, W = ds->w;
	float *x = qf_xmalloc((size_t)C * H * W * sizeof(float));
	int32_t idx = i;
	uint8_t label;
	qf_batch(ds, s, &idx, 1, false, NULL, x, &label);
	/* qf_batch gives byte / 255 in float; * 255 rounds back to the byte */
	for (int c = 0; c < C; c++)
		for (int p = 0; p < H * W; p++)
			out[(int64_t)p * C + c] = (uint8_t)lrintf(x[(int64_t)c * H * W + p] * 255.0f);
	free(x);
}

double qf_intref_evaluate(const qf_igraph *ig, const qf_dataset *ds, const qf_images *s, int64_t *confusion)
{
	qf_intref *r = qf_intref_new(ig);
	const qf_itensor *in = &ig->t[ig->input];
	uint8_t *img = qf_xmalloc((size_t)qf_itensor_elems(in));
	int8_t *z = qf_xmalloc((size_t)ig->classes);
	int64_t hits = 0;
	for (int i = 0; i < s->n; i++) {
		qf_image_hwc(ds, s, i, img);
		qf_intref_run(r, img, z);
		int best = 0;
		for (int k = 1; k < ig->classes; k++)
			if (z[k] > z[best])
				best = k;
		hits += best == s->label[i];
		if (confusion)
			confusion[s->label[i] * ig->classes + best]++;
	}
	free(img);
	free(z);
	qf_intref_free(r);
	return s->n ? 100.0 * (double)hits / s->n : 0;
}
