/* calibrate.c: post-training quant params from the float model's ranges.
 *
 * What qf_calibrate writes (interp.h has the contract):
 *   input        raw bytes: scale 1/255 (2^-8 in pow2 mode), zero point -128,
 *                so q = byte - 128 is exactly the engine's byte / 255;
 *   activations  [lo, hi] = [min(min, 0), max(max, 0)] over the images of
 *                the BN-folded network, s = (hi - lo) / (2^b - 1) (rounded up
 *                to a power of two in pow2 mode), zp = round(-2^(b-1) - lo / s)
 *                clamped into the type: real 0 is exactly representable, so
 *                zero padding and relu clamps are exact;
 *   pools        their input's params (as do relu/relu6 right after a pool):
 *                the integer pools keep scale and zero point;
 *   weights      per output channel, symmetric: max |w| / (2^(b-1) - 1) of the
 *                folded weights, raised to |b| / (s_in 2^28) where a large bias
 *                would crowd the int32 accumulator, rounded up to a power of
 *                two in pow2 mode; an all-zero channel gets scale 1.
 * Tensor names tie the folded copy to g: folding keeps them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "interp/interp.h"
#include "passes/passes.h"

typedef struct {
	float lo, hi;
	bool set;
} range;

static int find_tensor(const qf_graph *g, const char *name)
{
	for (int i = 0; i < g->nt; i++)
		if (strcmp(g->t[i].name, name) == 0)
			return i;
	return -1;
}

/* The width the model asks for tensor t: its quant param's widest slice,
 * 8 when it has none. */
double qf_pow2_up(double s)
{
	return exp2(ceil(log2(s)));
}

static int model_bits(const qf_graph *g, int t)
{
	return g->t[t].quant >= 0 ? qf_tensor_bits(g, t) : 8;
}

static void act_params(range r, int bits, bool pow2, double *s, int32_t *zp)
{
	double lo = r.lo < 0 ? r.lo : 0, hi = r.hi > 0 ? r.hi : 0;
	int32_t qmin = -(1 << (bits - 1)), qmax = (1 << (bits - 1)) - 1;
	double span = hi - lo;
	*s = span > 0 ? span / (double)((1 << bits) - 1) : 1.0;
	/* the float32 the scale is stored as, so the zero point matches it */
	*s = (double)(float)*s;
	if (pow2)
		*s = qf_pow2_up(*s);
	double z = round((double)qmin - lo / *s);
	*zp = z < qmin ? qmin : z > qmax ? qmax : (int32_t)z;
}

/* Runs images [0, n) of s through gf and widens r[k] over tensors[k]. */
static int ranges(const qf_graph *gf, const qf_dataset *ds, const qf_images *s, int n, const int *tensors, int nk,
		  const qf_calib_cfg *c, range *r, qf_diag *d)
{
	int batch = c->batch > 0 ? c->batch : 64;
	qf_probe *p = qf_probe_new(gf, tensors, nk, batch, c->threads > 0 ? c->threads : 1, d);
	if (!p)
		return -1;
	int32_t *idx = qf_xmalloc((size_t)batch * sizeof(int32_t));
	uint8_t *lab = qf_xmalloc((size_t)batch);
	for (int i0 = 0; i0 < n; i0 += batch) {
		int m = n - i0 < batch ? n - i0 : batch;
		for (int j = 0; j < m; j++)
			idx[j] = i0 + j;
		qf_batch(ds, s, idx, m, false, NULL, qf_probe_input(p), lab);
		qf_probe_forward(p, m);
		for (int k = 0; k < nk; k++) {
			int64_t e;
			const float *v = qf_probe_values(p, k, &e);
			for (int64_t i = 0; i < e * m; i++) {
				if (!r[k].set) {
					r[k].lo = r[k].hi = v[i];
					r[k].set = true;
				}
				r[k].lo = v[i] < r[k].lo ? v[i] : r[k].lo;
				r[k].hi = v[i] > r[k].hi ? v[i] : r[k].hi;
			}
		}
	}
	free(idx);
	free(lab);
	qf_probe_free(p);
	for (int k = 0; k < nk; k++)
		if (!isfinite(r[k].lo) || !isfinite(r[k].hi)) {
			qf_diag_error(d, (qf_loc){0, 0},
				      "tensor '%s' of model '%s' takes non-finite values on the calibration images: the "
				      "float model is broken",
				      gf->t[tensors[k]].name, gf->name);
			return -1;
		}
	return 0;
}

static bool keeps_scale(qf_op op)
{
	return op == QF_OP_MAXPOOL || op == QF_OP_AVGPOOL || op == QF_OP_GAVGPOOL;
}

int qf_calibrate(qf_graph *g, const qf_dataset *ds, const qf_images *s, int n, const qf_calib_cfg *c, qf_diag *d)
{
	QF_ASSERT(n >= 1 && n <= s->n);
	int rc = -1;
	int weighted = 0;
	for (int i = 0; i < g->nn; i++)
		weighted += g->n[i].op == QF_OP_CONV2D || g->n[i].op == QF_OP_FC;
	if (c->n_layer_wbits && c->n_layer_wbits != weighted) {
		qf_diag_error(d, (qf_loc){0, 0}, "%d weight widths given; model '%s' has %d conv and fc layers",
			      c->n_layer_wbits, g->name, weighted);
		return -1;
	}
	qf_graph *gf = qf_graph_clone(g);
	int *probe = NULL, *slot = NULL;
	range *r = NULL;
	if (qf_fold_bn(gf, d) < 0)
		goto done;
	/* which tensors get their own range: the rest copy their input's */
	int nk = 0;
	probe = qf_xmalloc((size_t)gf->nt * sizeof(int));
	slot = qf_xmalloc((size_t)gf->nt * sizeof(int));
	for (int i = 0; i < gf->nt; i++)
		slot[i] = -1;
	bool *copies = qf_xcalloc((size_t)gf->nt, sizeof(bool));
	copies[gf->input] = true;
	for (int i = 0; i < gf->nn; i++) {
		const qf_node *nd = &gf->n[i];
		bool act = nd->op == QF_OP_RELU || nd->op == QF_OP_RELU6;
		int src = gf->t[nd->in[0]].producer;
		if (keeps_scale(nd->op) || (act && src >= 0 && keeps_scale(gf->n[src].op))) {
			copies[nd->out] = true;
			continue;
		}
		slot[nd->out] = nk;
		probe[nk++] = nd->out;
	}
	r = qf_xcalloc((size_t)(nk ? nk : 1), sizeof(range));
	if (ranges(gf, ds, s, n, probe, nk, c, r, d)) {
		free(copies);
		goto done;
	}
	/* the new params, worked out before g's old ones (whose widths they
	 * keep) are dropped */
	double *sc = qf_xmalloc((size_t)gf->nt * sizeof(double));
	int32_t *zp = qf_xmalloc((size_t)gf->nt * sizeof(int32_t));
	int *bits = qf_xmalloc((size_t)gf->nt * sizeof(int));
	int gin = find_tensor(g, gf->t[gf->input].name);
	QF_ASSERT(gin == g->input);
	sc[gf->input] = c->pow2 ? 1.0 / 256 : (double)(float)(1.0 / 255);
	zp[gf->input] = -128;
	bits[gf->input] = 8;
	for (int i = 0; i < gf->nn; i++) {
		int t = gf->n[i].out, gt = find_tensor(g, gf->t[t].name);
		QF_ASSERT(gt >= 0);
		if (copies[t]) {
			int from = gf->n[i].in[0];
			sc[t] = sc[from];
			zp[t] = zp[from];
			bits[t] = bits[from];
		} else {
			bits[t] = model_bits(g, gt);
			/* the logits are the API's int8 values */
			if (bits[t] > 8 || t == gf->output)
				bits[t] = 8;
			act_params(r[slot[t]], bits[t], c->pow2, &sc[t], &zp[t]);
		}
	}
	free(copies);
	/* weights of the folded layers; their values are gf's, folded */
	int64_t maxc = 1;
	for (int i = 0; i < gf->nn; i++)
		if (gf->n[i].op == QF_OP_CONV2D || gf->n[i].op == QF_OP_FC)
			maxc = gf->t[gf->n[i].out].dim[0] > maxc ? gf->t[gf->n[i].out].dim[0] : maxc;
	double *ws = qf_xmalloc((size_t)maxc * sizeof(double));
	int32_t *wz = qf_xcalloc((size_t)maxc, sizeof(int32_t));
	int *wbits = qf_xmalloc((size_t)gf->nn * sizeof(int));
	int layer = 0;
	for (int i = 0; i < gf->nn; i++) {
		const qf_node *nd = &gf->n[i];
		wbits[i] = 0;
		if (nd->op != QF_OP_CONV2D && nd->op != QF_OP_FC)
			continue;
		int gw = find_tensor(g, gf->t[nd->in[1]].name);
		QF_ASSERT(gw >= 0);
		wbits[i] = c->wbits ? c->wbits : model_bits(g, gw);
		if (layer < c->n_layer_wbits)
			wbits[i] = c->layer_wbits[layer];
		layer++;
	}
	/* every tensor starts without params (activations that folding
	 * removed keep none); then the new ones */
	for (int i = 0; i < g->nt; i++)
		g->t[i].quant = -1;
	g->nq = 0;
	qf_graph_add_qparam(g, g->input, 1, &sc[gf->input], &zp[gf->input], 8, false, c->pow2);
	for (int i = 0; i < gf->nn; i++) {
		const qf_node *nd = &gf->n[i];
		int t = nd->out, gt = find_tensor(g, gf->t[t].name);
		qf_graph_add_qparam(g, gt, 1, &sc[t], &zp[t], bits[t], false, c->pow2);
		if (!wbits[i])
			continue;
		int cout = gf->t[t].dim[0], b = wbits[i];
		const qf_tensor *wt = &gf->t[nd->in[1]];
		int64_t per = qf_tensor_elems(wt) / cout;
		const float *w = gf->data + wt->data;
		const float *bias = nd->in[2] >= 0 ? gf->data + gf->t[nd->in[2]].data : NULL;
		double qmax = (double)((1 << (b - 1)) - 1), sin = sc[nd->in[0]];
		for (int oc = 0; oc < cout; oc++) {
			double m = 0;
			for (int64_t k = 0; k < per; k++)
				m = fabs((double)w[oc * per + k]) > m ? fabs((double)w[oc * per + k]) : m;
			double sw = m > 0 ? m / qmax : 1.0;
			/* keep |bias| / (s_in s_w) below 2^28: room for the products */
			if (bias && fabs((double)bias[oc]) / (sin * sw) > (double)(1 << 28))
				sw = fabs((double)bias[oc]) / (sin * (double)(1 << 28));
			sw = (double)(float)sw;
			ws[oc] = c->pow2 ? qf_pow2_up(sw) : sw;
		}
		qf_graph_add_qparam(g, find_tensor(g, wt->name), cout, ws, wz, b, true, c->pow2);
	}
	free(ws);
	free(wz);
	free(wbits);
	free(sc);
	free(zp);
	free(bits);
	rc = 0;
done:
	free(probe);
	free(slot);
	free(r);
	qf_graph_free(gf);
	return rc;
}
