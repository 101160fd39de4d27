/* qat.c: quantization-aware training of one graph under a .qf quant policy.
 *
 * Quantizers. Every conv/fc weight gets one, per output channel (or per
 * tensor, as the policy says), bits per slice of `slice` channels; a conv
 * whose output only a BN reads is quantized with that BN folded in, w
 * gamma / sqrt(var + eps) with the running variance, because those are the
 * weights the MCU will hold. Every activation the integer model stores
 * gets one, per tensor: the end of each fused chain (conv -> bn -> relu,
 * fc -> relu, add -> relu), add and concat outputs; the intermediate
 * tensors of a chain carry the chain's quant params, and pools share their
 * input's quantizer (the runtime pools keep scale and zero point), average
 * pools snapping their output back to its grid.
 *
 * Parameters. Each entry has a range width theta (its log2 under pow2),
 * asymmetric ones a low end lo, each slice a real bit-width; fakequant.c
 * turns them into steps. With LSQ they are learned, the gradient of theta
 * scaled by LSQ's g and preconditioned so that an SGD step moves the step
 * size exactly as LSQ's step on s would (docs/qat.md); without LSQ the
 * ranges come from min/max observers (weights: every step; activations: a
 * moving average, PyTorch's averaging constant 0.01).
 *
 * Weights are fake-quantized by swapping: qf_qat_begin_step saves the
 * float weights and writes the quantized ones (divided back by the fold
 * factor) where the engine reads them; qf_qat_end_step restores the float
 * weights and pushes the engine's gradients through the quantizer. The
 * weights are a few thousand floats, so this costs nothing next to the
 * convolutions. Activations are quantized by the engine calling
 * qf_qat_act_forward/backward on a step's output.
 *
 * The run (qf_qat_train): phases from the policy's schedule, StatAssist's
 * float warm-up first, the budget penalty in the precision phase, the hard
 * projection when bits freeze, quant params written into the graph after
 * every epoch and the phases and projections into its history. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "interp.h"

typedef struct {
	int tensor;                  /* weight, or the activation at the chain's end */
	int node;                    /* conv/fc, or the producer of tensor */
	bool weight, symmetric, pinned, fixed;
	int n;                       /* entries */
	int64_t per;                 /* elements per entry (activations: per image) */
	int slice, n_slices;
	float *theta, *lo, *bits;    /* n, n, n_slices: learned values */
	float *gtheta, *glo, *gbits; /* their gradients */
	int *ib;                     /* n_slices: bits in force */
	const int32_t *set;
	int n_set;
	bool learn_bits;
	bool init;                   /* steps set (weights: LSQ init; acts: first batch or stats) */
	qf_fq_grad *g;               /* n: sums of the current step */
	/* weights */
	int bn;                      /* BN node folded in, -1 none */
	float *master, *x, *dx, *k;  /* float weights, folded, their gradient; k: n fold factors */
	qf_param *ep;                /* the engine's parameter of tensor */
	/* activations: observer (moving averages), and the fixed step of the input */
	double mn, mx, m2;
	bool seen;
	bool relu;                   /* a ReLU's output: the range starts at 0, lo is not learned */
	float fixed_s, fixed_z;
} quantizer;

struct qf_qat {
	qf_graph *g;
	const qf_quant *pol;
	qf_qat_cfg c;
	quantizer *qz;
	int nq;
	int *act_of;                 /* per tensor */
	bool *apply;                 /* per tensor: the engine quantizes this output */
	qf_param *params;
	int n_params;
	qf_phase_kind phase;
	bool started;                /* left FLOAT once */
	/* liveness for the activation bytes */
	int *live_from, *live_to;
};

void qf_qat_cfg_from_policy(qf_qat_cfg *c, const qf_quant *q)
{
	memset(c, 0, sizeof(*c));
	uint32_t m = q ? q->methods : 0;
	c->lsq = m & (1u << QF_QM_LSQ);
	c->statassist = m & (1u << QF_QM_STATASSIST);
	c->gradboost = m & (1u << QF_QM_GRADBOOST);
	c->gradmod = m & (1u << QF_QM_GRADMOD);
	c->learned_precision = m & (1u << QF_QM_LEARNED_PRECISION);
	c->multiphase = true;
	c->fold_bn = true;
	c->delta = 0.2f;
	c->warmup_frac = 0.1;
	c->ema = 0.01;
	/* LSQ at the weights' rate (one-cycle to 0.1) cost 3 points on a
	 * Fashion-MNIST slice (docs/qat.md): the steps learn 100x slower */
	c->qlr = 0.01;
	c->bit_lr = 0.01;
	qf_gradboost_defaults(&c->gb);
}

/* ------------------------------------------------------------ building */

static int consumers(const qf_graph *g, int t, int *only)
{
	int n = t == g->output;
	*only = -1;
	for (int i = 0; i < g->nn; i++)
		for (int k = 0; k < QF_MAX_IN; k++)
			if (g->n[i].in[k] == t) {
				n++;
				*only = i;
			}
	if (n != 1 || t == g->output)
		*only = -1;
	return n;
}

static bool is_act_op(qf_op op)
{
	return op == QF_OP_RELU || op == QF_OP_RELU6 || op == QF_OP_HSWISH;
}

static bool is_pool(qf_op op)
{
	return op == QF_OP_MAXPOOL || op == QF_OP_AVGPOOL || op == QF_OP_GAVGPOOL;
}

/* The output of node i is inside a fused chain: the integer model never
 * stores it. */
static bool intermediate(const qf_graph *g, int i)
{
	int c;
	consumers(g, g->n[i].out, &c);
	if (c < 0)
		return false;
	qf_op op = g->n[i].op, next = g->n[c].op;
	if (op == QF_OP_CONV2D && next == QF_OP_BN)
		return true;
	return (op == QF_OP_CONV2D || op == QF_OP_BN || op == QF_OP_FC || op == QF_OP_ADD) && is_act_op(next);
}

static int tensor_bits(const qf_graph *g, int t, const qf_qtensor *pol)
{
	if (g->t[t].quant >= 0)
		return qf_tensor_bits(g, t);
	int b = 0;
	for (int i = 0; i < pol->n_bits; i++)
		b = pol->bits[i] > b ? pol->bits[i] : b;
	return b ? b : 8;
}

static bool in_set(int b, const int32_t *set, int n)
{
	for (int i = 0; i < n; i++)
		if (set[i] == b)
			return true;
	return false;
}

static quantizer *add_q(qf_qat *Q)
{
	Q->qz = qf_xrealloc(Q->qz, (size_t)(Q->nq + 1) * sizeof(quantizer));
	quantizer *z = &Q->qz[Q->nq++];
	memset(z, 0, sizeof(*z));
	z->bn = -1;
	return z;
}

static void alloc_q(quantizer *z, int bits)
{
	z->theta = qf_xcalloc((size_t)z->n, sizeof(float));
	z->lo = qf_xcalloc((size_t)z->n, sizeof(float));
	z->gtheta = qf_xcalloc((size_t)z->n, sizeof(float));
	z->glo = qf_xcalloc((size_t)z->n, sizeof(float));
	z->g = qf_xcalloc((size_t)z->n, sizeof(qf_fq_grad));
	z->bits = qf_xcalloc((size_t)z->n_slices, sizeof(float));
	z->gbits = qf_xcalloc((size_t)z->n_slices, sizeof(float));
	z->ib = qf_xcalloc((size_t)z->n_slices, sizeof(int));
	for (int i = 0; i < z->n_slices; i++) {
		z->bits[i] = (float)bits;
		z->ib[i] = bits;
	}
	for (int i = 0; i < z->n; i++)
		z->theta[i] = 1;
}

static qf_fq_param fparam(const qf_qat *Q, const quantizer *z, int i)
{
	qf_fq_param p = {z->symmetric, Q->pol->pow2, z->theta[i], z->lo[i]};
	return p;
}

static int slice_of(const quantizer *z, int i)
{
	return z->slice ? i / z->slice : 0;
}

/* Rewrites the quant param of tensor t to n entries and n_slices widths
 * (placeholders until qf_qat_write). */
static void reshape_qparam(qf_graph *g, int t, int n, int slice, int n_slices, bool symmetric, bool pow2)
{
	if (g->t[t].quant < 0) {
		qf_grow(&g->q, &g->capq, g->nq + 1, sizeof(qf_qparam));
		memset(&g->q[g->nq], 0, sizeof(qf_qparam));
		g->t[t].quant = g->nq++;
	}
	qf_qparam *q = &g->q[g->t[t].quant];
	int old_bits = q->n_slices > 0 && q->bits >= 0 ? g->ints[q->bits] : 8;
	if (q->n != n) {
		q->scale = qf_graph_alloc_data(g, n);
		q->zero = qf_graph_alloc_ints(g, n);
		q = &g->q[g->t[t].quant];
	}
	if (q->n_slices != n_slices) {
		q->bits = qf_graph_alloc_ints(g, n_slices);
		q = &g->q[g->t[t].quant];
	}
	q->n = n;
	q->slice = slice;
	q->n_slices = n_slices;
	q->symmetric = symmetric;
	q->pow2 = pow2;
	for (int i = 0; i < n; i++) {
		g->data[q->scale + i] = 1;
		g->ints[q->zero + i] = 0;
	}
	for (int i = 0; i < n_slices; i++)
		g->ints[q->bits + i] = old_bits;
}

/* What the frontend does not already refuse (bits outside 2..8, slices
 * that do not divide a block's width and budgets below the smallest
 * network are its errors, passes/feasible.c's and frontend/lower.c's). A
 * slice that does not divide a layer the frontend leaves unchecked (the
 * classifier, a block's inner layers) is a shorter last slice. */
static int check_policy(const qf_quant *pol, qf_diag *d)
{
	if (pol->a.per_channel) {
		qf_diag_error(d, pol->a.loc,
			      "activations of quant '%s' are per channel; the integer runtime keeps one scale "
			      "per activation tensor: use per tensor",
			      pol->name);
		return -1;
	}
	return 0;
}

static int64_t budget_bytes(qf_qat *Q);
static int set_min(const quantizer *z);

/* The budget against this graph at the narrowest widths the projection
 * may reach (pins kept), before any training: passes/feasible.c judges
 * the space's smallest network, but a .qfm, or a network picked from a
 * space, can be larger. */
static int narrowest_fits(qf_qat *Q, qf_diag *d)
{
	const qf_quant *pol = Q->pol;
	int **keep = qf_xcalloc((size_t)Q->nq, sizeof(int *));
	for (int i = 0; i < Q->nq; i++) {
		quantizer *z = &Q->qz[i];
		keep[i] = qf_xmalloc((size_t)z->n_slices * sizeof(int));
		memcpy(keep[i], z->ib, (size_t)z->n_slices * sizeof(int));
		if (!z->fixed && !z->pinned && (z->weight ? pol->budget_w : pol->budget_a))
			for (int k = 0; k < z->n_slices; k++)
				z->ib[k] = set_min(z) < z->ib[k] ? set_min(z) : z->ib[k];
	}
	int64_t w, a, wn, an, need;
	qf_qat_bytes(Q, &wn, &an);
	need = (pol->budget_w ? wn : 0) + (pol->budget_a ? an : 0);
	for (int i = 0; i < Q->nq; i++) {
		memcpy(Q->qz[i].ib, keep[i], (size_t)Q->qz[i].n_slices * sizeof(int));
		free(keep[i]);
	}
	free(keep);
	qf_qat_bytes(Q, &w, &a); /* the graph's widths back as they were */
	if (need <= pol->budget_bytes)
		return 0;
	char parts[96] = "";
	if (pol->budget_w && pol->budget_a)
		snprintf(parts, sizeof parts, " (weights %lld + activations %lld)", (long long)wn, (long long)an);
	qf_diag_error(d, pol->budget_loc,
		      "budget of %lld bytes cannot be met: '%s' needs %lld bytes at the narrowest widths quant '%s' "
		      "allows%s",
		      (long long)pol->budget_bytes, Q->g->name, (long long)need, pol->name, parts);
	return -1;
}

qf_qat *qf_qat_new(qf_graph *g, const qf_quant *pol, const qf_qat_cfg *c, qf_diag *d)
{
	if (check_policy(pol, d))
		return NULL;
	qf_qat *Q = qf_xcalloc(1, sizeof(*Q));
	Q->g = g;
	Q->pol = pol;
	Q->c = *c;
	Q->phase = QF_PHASE_FLOAT;
	Q->act_of = qf_xmalloc((size_t)g->nt * sizeof(int));
	Q->apply = qf_xcalloc((size_t)g->nt, sizeof(bool));
	for (int t = 0; t < g->nt; t++)
		Q->act_of[t] = -1;

	int n_layers = 0, layer = -1;
	for (int i = 0; i < g->nn; i++)
		n_layers += g->n[i].op == QF_OP_CONV2D || g->n[i].op == QF_OP_FC;

	/* the input: the MCU feeds bytes p, the network sees p / 255. A pow2
	 * model calls the step 2^-8 (as qf_calibrate does): the integer
	 * model sees its inputs 255/256 as large as training did. */
	quantizer *in = add_q(Q);
	in->tensor = g->input;
	in->node = -1;
	in->n = in->n_slices = 1;
	in->fixed = in->pinned = in->init = true;
	in->per = qf_tensor_elems(&g->t[g->input]);
	alloc_q(in, 8);
	in->fixed_s = pol->pow2 ? 1.0f / 256 : 1.0f / 255;
	in->fixed_z = -128;
	Q->act_of[g->input] = 0;

	for (int i = 0; i < g->nn; i++) {
		const qf_node *nd = &g->n[i];
		bool weighted = nd->op == QF_OP_CONV2D || nd->op == QF_OP_FC;
		if (weighted)
			layer++;
		bool pinned = (layer <= 0 && pol->pin_first) || (layer == n_layers - 1 && pol->pin_last);
		if (weighted) {
			int t = nd->in[1];
			quantizer *z = add_q(Q);
			z->tensor = t;
			z->node = i;
			z->weight = true;
			z->symmetric = pol->w.symmetric;
			z->pinned = pinned;
			int cout = g->t[t].dim[0];
			z->n = pol->w.per_channel ? cout : 1;
			z->per = qf_tensor_elems(&g->t[t]) / z->n;
			z->slice = pol->w.per_channel && pol->w.slice > 0 ? pol->w.slice : 0;
			z->n_slices = z->slice ? (cout + z->slice - 1) / z->slice : 1;
			int b = tensor_bits(g, t, &pol->w);
			alloc_q(z, b);
			z->set = pol->w.bits;
			z->n_set = pol->w.n_bits;
			z->learn_bits = c->learned_precision && !pinned && pol->w.n_bits > 1 && in_set(b, z->set, z->n_set);
			int64_t el = qf_tensor_elems(&g->t[t]);
			z->master = qf_xmalloc((size_t)el * sizeof(float));
			z->x = qf_xmalloc((size_t)el * sizeof(float));
			z->dx = qf_xmalloc((size_t)el * sizeof(float));
			z->k = qf_xmalloc((size_t)z->n * sizeof(float));
			int cb;
			consumers(g, nd->out, &cb);
			if (c->fold_bn && nd->op == QF_OP_CONV2D && cb >= 0 && g->n[cb].op == QF_OP_BN && z->n == cout)
				z->bn = cb;
			reshape_qparam(g, t, z->n, z->slice, z->n_slices, z->symmetric, pol->pow2);
		}
		if (is_pool(nd->op) || intermediate(g, i))
			continue;
		quantizer *z = add_q(Q);
		z->tensor = nd->out;
		z->node = i;
		z->symmetric = pol->a.symmetric;
		z->pinned = pinned;
		z->n = z->n_slices = 1;
		z->per = qf_tensor_elems(&g->t[nd->out]);
		int b = tensor_bits(g, nd->out, &pol->a);
		alloc_q(z, b);
		z->set = pol->a.bits;
		z->n_set = pol->a.n_bits;
		z->learn_bits = c->learned_precision && !pinned && pol->a.n_bits > 1 && in_set(b, z->set, z->n_set);
		z->relu = nd->op == QF_OP_RELU || nd->op == QF_OP_RELU6;
		Q->act_of[nd->out] = Q->nq - 1;
		Q->apply[nd->out] = true;
	}
	/* intermediates take their consumer's quantizer (reverse order: the
	 * consumer's is known), pools their input's (forward order) */
	for (int i = g->nn - 1; i >= 0; i--)
		if (!is_pool(g->n[i].op) && intermediate(g, i)) {
			int cn;
			consumers(g, g->n[i].out, &cn);
			Q->act_of[g->n[i].out] = Q->act_of[g->n[cn].out];
		}
	for (int i = 0; i < g->nn; i++)
		if (is_pool(g->n[i].op)) {
			Q->act_of[g->n[i].out] = Q->act_of[g->n[i].in[0]];
			Q->apply[g->n[i].out] = g->n[i].op != QF_OP_MAXPOOL && Q->act_of[g->n[i].out] >= 0;
		}
	for (int t = 0; t < g->nt; t++)
		if (Q->act_of[t] >= 0)
			reshape_qparam(g, t, 1, 0, 1, t == g->input ? false : pol->a.symmetric, pol->pow2);

	/* learned parameters for the optimiser */
	Q->params = qf_xcalloc((size_t)Q->nq * 3, sizeof(qf_param));
	for (int i = 0; i < Q->nq; i++) {
		quantizer *z = &Q->qz[i];
		if (z->fixed)
			continue;
		Q->params[Q->n_params++] = (qf_param){z->tensor, z->theta, z->gtheta, z->n, false};
		if (!z->symmetric)
			Q->params[Q->n_params++] = (qf_param){z->tensor, z->lo, z->glo, z->n, false};

	}
	/* activation liveness, as qf_graph_counts walks it */
	Q->live_from = qf_xmalloc((size_t)g->nt * sizeof(int));
	Q->live_to = qf_xmalloc((size_t)g->nt * sizeof(int));
	for (int t = 0; t < g->nt; t++) {
		int last = -1;
		for (int i = 0; i < g->nn; i++)
			for (int k = 0; k < QF_MAX_IN; k++)
				if (g->n[i].in[k] == t)
					last = i;
		int from = g->t[t].producer < 0 ? 0 : g->t[t].producer;
		Q->live_from[t] = from;
		Q->live_to[t] = t == g->output ? g->nn - 1 : last > from ? last : from;
	}
	if (pol->has_budget && narrowest_fits(Q, d) != 0) {
		qf_qat_free(Q);
		return NULL;
	}
	return Q;
}

void qf_qat_free(qf_qat *Q)
{
	if (!Q)
		return;
	for (int i = 0; i < Q->nq; i++) {
		quantizer *z = &Q->qz[i];
		free(z->theta);
		free(z->lo);
		free(z->gtheta);
		free(z->glo);
		free(z->g);
		free(z->bits);
		free(z->gbits);
		free(z->ib);
		free(z->master);
		free(z->x);
		free(z->dx);
		free(z->k);
	}
	free(Q->qz);
	free(Q->act_of);
	free(Q->apply);
	free(Q->params);
	free(Q->live_from);
	free(Q->live_to);
	free(Q);
}

int qf_qat_n_params(const qf_qat *Q)
{
	return Q->n_params;
}

qf_param *qf_qat_params(qf_qat *Q)
{
	return Q->params;
}

const float *qf_qat_bits(const qf_qat *Q, int t, int *n)
{
	for (int i = 0; i < Q->nq; i++)
		if (Q->qz[i].tensor == t && (Q->qz[i].weight || Q->act_of[t] == i)) {
			*n = Q->qz[i].n_slices;
			return Q->qz[i].bits;
		}
	*n = 0;
	return NULL;
}

qf_phase_kind qf_qat_phase(const qf_qat *Q)
{
	return Q->phase;
}

void qf_qat_bind(qf_qat *Q, qf_param *params, int n)
{
	for (int i = 0; i < Q->nq; i++) {
		quantizer *z = &Q->qz[i];
		if (!z->weight)
			continue;
		z->ep = NULL;
		for (int j = 0; j < n; j++)
			if (params[j].tensor == z->tensor)
				z->ep = &params[j];
	}
}

/* ------------------------------------------------------------ steps */

static qf_fq act_fq(const qf_qat *Q, const quantizer *z, float delta);

/* The integer bias of a layer shares the int32 accumulator with K
 * products (passes/quantize.c): |b / (s_in s_w)| < 2^31 - 1 - K (2^b_in -
 * 1) 2^(b-1). A channel BN has all but switched off (k near 0) keeps a
 * bias while its weights shrink to nothing, and LSQ follows them down;
 * its step is held where the bias still fits. */
static void floor_steps(qf_qat *Q, quantizer *z)
{
	const qf_graph *g = Q->g;
	const qf_node *nd = &g->n[z->node];
	int a = Q->act_of[nd->in[0]];
	if (a < 0)
		return;
	const quantizer *in = &Q->qz[a];
	double sin = act_fq(Q, in, 0).s;
	const float *bias = nd->in[2] >= 0 ? qf_tensor_data((qf_graph *)g, nd->in[2]) : NULL;
	const qf_node *bn = z->bn >= 0 ? &g->n[z->bn] : NULL;
	int cout = g->t[z->tensor].dim[0];
	for (int e = 0; e < z->n; e++) {
		int b = z->ib[slice_of(z, e)], qmin, qmax;
		qf_fq_range(b, true, &qmin, &qmax);
		double room = 2147483647.0 - (double)z->per * ((1 << in->ib[0]) - 1) * (double)(1 << (b - 1));
		double need = 0;
		for (int c = z->n == 1 ? 0 : e; c < (z->n == 1 ? cout : e + 1); c++) {
			double bc = bias ? bias[c] : 0;
			if (bn)
				bc = (bc - qf_tensor_data((qf_graph *)g, bn->in[3])[c]) * z->k[c] +
				     qf_tensor_data((qf_graph *)g, bn->in[2])[c];
			need = fmax(need, fabs(bc) / (sin * room) * 1.01);
		}
		qf_fq_param p = fparam(Q, z, e);
		if (need <= 0 || qf_fq_make(&p, b, 0).s >= need)
			continue;
		double L = qmax - qmin;
		z->theta[e] = (float)(Q->pol->pow2 ? log2(L) + ceil(log2(need)) : need * L * 1.000001);
	}
}

static bool learning_steps(const qf_qat *Q)
{
	return Q->c.lsq && Q->phase != QF_PHASE_FLOAT;
}

/* Folded weights of z into z->x and the fold factors into z->k. */
static void fold(qf_qat *Q, quantizer *z)
{
	qf_graph *g = Q->g;
	const float *w = qf_tensor_data(g, z->tensor);
	for (int c = 0; c < z->n; c++) {
		float k = 1;
		if (z->bn >= 0) {
			const qf_node *bn = &g->n[z->bn];
			float gamma = qf_tensor_data(g, bn->in[1])[c], var = qf_tensor_data(g, bn->in[4])[c];
			k = gamma / sqrtf(var + bn->eps);
			/* a channel BN has switched off keeps its own scale */
			if (!(fabsf(k) > 1e-12f) || !isfinite(k))
				k = 1;
		}
		z->k[c] = k;
		for (int64_t j = 0; j < z->per; j++)
			z->x[c * z->per + j] = w[c * z->per + j] * k;
	}
}

/* Observer range of weights: the largest magnitude of each entry. */
static void observe_weights(qf_qat *Q, quantizer *z)
{
	for (int c = 0; c < z->n; c++) {
		const float *x = z->x + c * z->per;
		float m = 0;
		float mn = 0, mx = 0;
		for (int64_t j = 0; j < z->per; j++) {
			m = fmaxf(m, fabsf(x[j]));
			mn = fminf(mn, x[j]);
			mx = fmaxf(mx, x[j]);
		}
		int b = z->ib[slice_of(z, c)], qmin, qmax;
		qf_fq_range(b, z->symmetric, &qmin, &qmax);
		double D = z->symmetric ? 2.0 * (m > 0 ? m : 1e-8) : (mx - mn > 0 ? mx - mn : 1e-8);
		if (Q->pol->pow2) {
			/* the power of two at or above the observed step: no clipping */
			double L = qmax - qmin, e = ceil(log2(D / L));
			z->theta[c] = (float)(e + log2(L));
		} else {
			z->theta[c] = (float)D;
		}
		z->lo[c] = z->symmetric ? 0 : mn;
	}
}

/* LSQ's initial step 2 mean|x| / sqrt(Qp), as a range, but never wider
 * than the values: at 8 bits LSQ's rule gives a range about 5 times the
 * largest weight (22 of 127 levels used), which its small gradient then
 * takes thousands of steps to shrink; at 2 bits it is the narrower. */
static void lsq_init_entry(qf_qat *Q, quantizer *z, int c, const float *x, int64_t n, double lo)
{
	double a = 0, m = 0, mn = 0, mx = 0;
	for (int64_t j = 0; j < n; j++) {
		a += fabs((double)x[j]);
		m = fmax(m, fabs((double)x[j]));
		mn = fmin(mn, (double)x[j]);
		mx = fmax(mx, (double)x[j]);
	}
	a /= (double)(n > 0 ? n : 1);
	int b = z->ib[slice_of(z, c)], qmin, qmax;
	qf_fq_range(b, z->symmetric, &qmin, &qmax);
	double qp = z->symmetric ? qmax : qmax - qmin, s = 2 * a / sqrt(qp);
	double span = z->symmetric ? m / qmax : (mx - mn) / (qmax - qmin);
	if (span > 0 && span < s)
		s = span;
	if (!(s > 0))
		s = 1e-6;
	double D = s * (qmax - qmin);
	z->theta[c] = (float)(Q->pol->pow2 ? log2(D) : D);
	z->lo[c] = z->symmetric || z->relu ? 0 : (float)fmax(fmin(lo, 0), -D);
}

/* An activation's range from the float phase's statistics. */
static void stats_init(qf_qat *Q, quantizer *z)
{
	double lo = z->relu ? 0 : fmin(z->mn, 0), hi = fmax(z->mx, 0);
	if (z->symmetric) {
		double m = fmax(-lo, hi);
		lo = -m;
		hi = m;
	}
	double D = hi - lo > 1e-8 ? hi - lo : 1e-8;
	z->theta[0] = (float)(Q->pol->pow2 ? log2(D) : D);
	z->lo[0] = z->symmetric ? 0 : (float)lo;
}

void qf_qat_set_phase(qf_qat *Q, qf_phase_kind k)
{
	Q->phase = k;
	if (k == QF_PHASE_FLOAT || Q->started)
		return;
	Q->started = true;
	/* Weights start from LSQ's rule on the (folded) weights as they are
	 * now; activations from the float phase's statistics when StatAssist
	 * gathered them, else from their first batch. */
	for (int i = 0; i < Q->nq; i++) {
		quantizer *z = &Q->qz[i];
		if (z->fixed)
			continue;
		if (z->weight) {
			fold(Q, z);
			if (Q->c.lsq)
				for (int c = 0; c < z->n; c++)
					lsq_init_entry(Q, z, c, z->x + c * z->per, z->per, 0);
			else
				observe_weights(Q, z);
			floor_steps(Q, z);
			z->init = true;
		} else if (Q->c.statassist && z->seen) {
			stats_init(Q, z);
			z->init = true;
		}
	}
}

void qf_qat_begin_step(qf_qat *Q, bool train)
{
	(void)train;
	if (Q->phase == QF_PHASE_FLOAT)
		return;
	qf_graph *g = Q->g;
	for (int i = 0; i < Q->nq; i++) {
		quantizer *z = &Q->qz[i];
		if (!z->weight)
			continue;
		float *w = qf_tensor_data(g, z->tensor);
		memcpy(z->master, w, (size_t)(z->n * z->per) * sizeof(float));
		fold(Q, z);
		if (!Q->c.lsq)
			observe_weights(Q, z);
		floor_steps(Q, z);
		for (int c = 0; c < z->n; c++) {
			qf_fq_param p = fparam(Q, z, c);
			qf_fq f = qf_fq_make(&p, z->ib[slice_of(z, c)], 0);
			float *wc = w + c * z->per;
			qf_fq_forward(&f, z->x + c * z->per, wc, z->per);
			const float k = z->k[c];
			if (k != 1)
				for (int64_t j = 0; j < z->per; j++)
					wc[j] /= k;
		}
	}
}

/* theta's gradient as it goes to the optimiser (see the file comment),
 * and the bits'. */
static void chain_entry(qf_qat *Q, quantizer *z, int c, int64_t n_elems)
{
	qf_fq_param p = fparam(Q, z, c);
	int b = z->ib[slice_of(z, c)];
	double dth, dlo, db;
	qf_fq_chain(&p, b, &z->g[c], &dth, &dlo, &db);
	double gs = qf_lsq_gscale(n_elems, b, z->symmetric), J = qf_fq_dstep(&p, b);
	if (learning_steps(Q)) {
		/* LSQ's update can move a small step by many times itself in
		 * one step (a logit quantizer did: a step of 1/128 to 8, every
		 * logit 0). The gradient is capped where an SGD step at lr 0.1
		 * would move the step by 10%: |dtheta| <= 0.14 (pow2, log2),
		 * |dD| <= D/10. */
		double fed = Q->c.qlr * gs * dth / (J * J), cap = Q->pol->pow2 ? 1.4 : z->theta[c];
		z->gtheta[c] += (float)(fed > cap ? cap : fed < -cap ? -cap : fed);
		if (!z->relu)
			z->glo[c] += (float)(Q->c.qlr * gs * dlo);
	}
	if (z->learn_bits && Q->phase == QF_PHASE_PRECISION)
		z->gbits[slice_of(z, c)] += (float)(gs * db);
	memset(&z->g[c], 0, sizeof(qf_fq_grad));
}

void qf_qat_end_step(qf_qat *Q, bool train)
{
	if (Q->phase == QF_PHASE_FLOAT)
		return;
	qf_graph *g = Q->g;
	for (int i = 0; i < Q->nq; i++) {
		quantizer *z = &Q->qz[i];
		if (!z->weight)
			continue;
		float *w = qf_tensor_data(g, z->tensor);
		memcpy(w, z->master, (size_t)(z->n * z->per) * sizeof(float));
		if (!train || !z->ep)
			continue;
		float *grad = z->ep->grad;
		const float delta = Q->c.gradmod ? Q->c.delta : 0;
		for (int c = 0; c < z->n; c++) {
			const float k = z->k[c];
			float *gc = grad + c * z->per, *dy = z->dx + c * z->per;
			/* the engine saw w_hat / k: its gradient is k dL/d(folded) ... */
			for (int64_t j = 0; j < z->per; j++)
				dy[j] = gc[j] / k;
			qf_fq_param p = fparam(Q, z, c);
			qf_fq f = qf_fq_make(&p, z->ib[slice_of(z, c)], delta);
			qf_fq_backward(&f, z->x + c * z->per, dy, dy, z->per, false, &z->g[c]);
			/* ... and the folded weights are w k */
			for (int64_t j = 0; j < z->per; j++)
				gc[j] = dy[j] * k;
			chain_entry(Q, z, c, z->per);
		}
	}
}

/* ------------------------------------------------------------ activations */

int qf_qat_act_of(const qf_qat *Q, int t)
{
	QF_ASSERT(t >= 0 && t < Q->g->nt);
	return Q->apply[t] ? Q->act_of[t] : -1;
}

int qf_qat_act_shared(const qf_qat *Q, int t)
{
	QF_ASSERT(t >= 0 && t < Q->g->nt);
	return Q->act_of[t];
}

static void observe(qf_qat *Q, quantizer *z, const float *y, int64_t n)
{
	/* StatAssist observes every activation at every step of the float
	 * phase: with fminf/fmaxf calls and the mean square's chain of
	 * dependent adds in one loop this was a third of that phase's time.
	 * Comparisons give the same min and max (NaN aside, which the loss
	 * check stops anyway) and vectorise; the mean square only weighs a
	 * width's harm in a budget's projection, so only runs with a budget
	 * sum it, in the same order as before. */
	float mn = y[0], mx = y[0];
	for (int64_t i = 0; i < n; i++) {
		mn = y[i] < mn ? y[i] : mn;
		mx = y[i] > mx ? y[i] : mx;
	}
	double m2 = 0;
	if (Q->pol->has_budget) {
		for (int64_t i = 0; i < n; i++)
			m2 += (double)y[i] * y[i];
		m2 /= (double)n;
	}
	double a = z->seen ? Q->c.ema : 1;
	z->mn += a * (mn - z->mn);
	z->mx += a * (mx - z->mx);
	z->m2 += a * (m2 - z->m2);
	z->seen = true;
}

static qf_fq act_fq(const qf_qat *Q, const quantizer *z, float delta)
{
	if (z->fixed) {
		qf_fq f = {z->fixed_s, z->fixed_z, -128, 127, 0};
		return f;
	}
	qf_fq_param p = fparam(Q, z, 0);
	return qf_fq_make(&p, z->ib[0], delta);
}

bool qf_qat_act_prepare(qf_qat *Q, int a, const float *y, int64_t n, int64_t per_image, bool train, qf_fq *fwd)
{
	QF_ASSERT(a >= 0 && a < Q->nq && n > 0);
	quantizer *z = &Q->qz[a];
	z->per = per_image;
	/* StatAssist's statistics come from the float phase; min/max
	 * observers need them at every step */
	if (train && !z->fixed && (Q->phase == QF_PHASE_FLOAT || !Q->c.lsq || !z->seen))
		observe(Q, z, y, n);
	if (Q->phase == QF_PHASE_FLOAT)
		return false;
	if (!z->fixed) {
		if (!Q->c.lsq) {
			stats_init(Q, z); /* the moving average is the range */
			z->init = true;
		} else if (!z->init) {
			double lo = y[0];
			for (int64_t i = 0; i < n; i++)
				lo = fmin(lo, y[i]);
			lsq_init_entry(Q, z, 0, y, n, lo);
			z->init = true;
		}
	}
	*fwd = act_fq(Q, z, 0);
	return true;
}

bool qf_qat_act_bwd(const qf_qat *Q, int a, qf_fq *bwd)
{
	QF_ASSERT(a >= 0 && a < Q->nq);
	if (Q->phase == QF_PHASE_FLOAT)
		return false;
	*bwd = act_fq(Q, &Q->qz[a], Q->c.gradmod ? Q->c.delta : 0);
	return true;
}

void qf_qat_act_grad(qf_qat *Q, int a, const qf_fq_grad *g)
{
	quantizer *z = &Q->qz[a];
	if (z->fixed || Q->phase == QF_PHASE_FLOAT)
		return;
	z->g[0].ds += g->ds;
	z->g[0].dz += g->dz;
	z->g[0].dqmin += g->dqmin;
	z->g[0].dqmax += g->dqmax;
	chain_entry(Q, z, 0, z->per);
}

void qf_qat_act_forward(qf_qat *Q, int a, float *y, float *save, int64_t n, int64_t per_image, bool train)
{
	qf_fq f;
	if (save)
		memcpy(save, y, (size_t)n * sizeof(float));
	if (qf_qat_act_prepare(Q, a, y, n, per_image, train, &f))
		qf_fq_forward(&f, y, y, n);
}

void qf_qat_act_backward(qf_qat *Q, int a, const float *save, float *dy, int64_t n)
{
	qf_fq f;
	if (!qf_qat_act_bwd(Q, a, &f))
		return;
	qf_fq_grad g = {0};
	qf_fq_backward(&f, save, dy, dy, n, false, &g);
	qf_qat_act_grad(Q, a, &g);
}

/* ------------------------------------------------------------ budget */

/* The graph's bit fields at the bits in force (the byte counts read them). */
static void write_bits(qf_qat *Q)
{
	qf_graph *g = Q->g;
	for (int t = 0; t < g->nt; t++) {
		int a = Q->act_of[t];
		if (a >= 0)
			g->ints[g->q[g->t[t].quant].bits] = Q->qz[a].ib[0];
	}
	for (int i = 0; i < Q->nq; i++) {
		const quantizer *z = &Q->qz[i];
		if (z->weight)
			memcpy(g->ints + g->q[g->t[z->tensor].quant].bits, z->ib, (size_t)z->n_slices * sizeof(int32_t));
	}
}

void qf_qat_bytes(qf_qat *Q, int64_t *weights, int64_t *acts)
{
	write_bits(Q);
	qf_counts c;
	qf_graph_counts(Q->g, &c);
	*weights = c.weight_bytes;
	*acts = c.peak_act_bytes;
}

static int64_t budget_bytes(qf_qat *Q)
{
	int64_t w, a;
	qf_qat_bytes(Q, &w, &a);
	return (Q->pol->budget_w ? w : 0) + (Q->pol->budget_a ? a : 0);
}

/* The step at which the naive activation peak happens. */
static int peak_step(const qf_qat *Q)
{
	const qf_graph *g = Q->g;
	int64_t *delta = qf_xcalloc((size_t)g->nn + 1, sizeof(int64_t));
	for (int t = 0; t < g->nt; t++) {
		const qf_tensor *x = &g->t[t];
		if (x->role != QF_ROLE_INPUT && x->role != QF_ROLE_ACT)
			continue;
		int64_t b = (qf_tensor_elems(x) * qf_tensor_bits(g, t) + 7) / 8;
		delta[Q->live_from[t]] += b;
		delta[Q->live_to[t] + 1] -= b;
	}
	int64_t live = 0, peak = -1;
	int at = 0;
	for (int i = 0; i < g->nn; i++) {
		live += delta[i];
		if (live > peak) {
			peak = live;
			at = i;
		}
	}
	free(delta);
	return at;
}

double qf_qat_penalty(qf_qat *Q)
{
	const qf_quant *pol = Q->pol;
	if (!pol->has_budget)
		return 0;
	int64_t over = budget_bytes(Q) - pol->budget_bytes;
	if (over <= 0)
		return 0;
	double lam = pol->penalty;
	if (Q->phase != QF_PHASE_PRECISION)
		return lam * (double)over;
	const qf_graph *g = Q->g;
	/* d bytes / d bits, straight through the rounding of the bits */
	if (pol->budget_w)
		for (int i = 0; i < Q->nq; i++) {
			quantizer *z = &Q->qz[i];
			if (!z->weight || !z->learn_bits)
				continue;
			int cout = g->t[z->tensor].dim[0];
			int64_t per_channel = qf_tensor_elems(&g->t[z->tensor]) / cout;
			for (int k = 0; k < z->n_slices; k++) {
				int first = z->slice ? k * z->slice : 0, last = z->slice ? first + z->slice : cout;
				last = last > cout ? cout : last;
				z->gbits[k] += (float)(lam * (double)((last - first) * per_channel) / 8);
			}
		}
	if (pol->budget_a) {
		int at = peak_step(Q);
		for (int t = 0; t < g->nt; t++) {
			int a = Q->act_of[t];
			if (a < 0 || !Q->qz[a].learn_bits || Q->live_from[t] > at || Q->live_to[t] < at)
				continue;
			Q->qz[a].gbits[0] += (float)(lam * (double)qf_tensor_elems(&g->t[t]) / 8);
		}
	}
	return lam * (double)over;
}

static int set_min(const quantizer *z)
{
	int m = 99;
	for (int i = 0; i < z->n_set; i++)
		m = z->set[i] < m ? z->set[i] : m;
	return m;
}

static int set_max(const quantizer *z)
{
	int m = 0;
	for (int i = 0; i < z->n_set; i++)
		m = z->set[i] > m ? z->set[i] : m;
	return m;
}

void qf_qat_after_update(qf_qat *Q)
{
	for (int i = 0; i < Q->nq; i++) {
		quantizer *z = &Q->qz[i];
		if (z->fixed)
			continue;
		for (int c = 0; c < z->n; c++) {
			if (!Q->pol->pow2 && !(z->theta[c] > 1e-8f))
				z->theta[c] = 1e-8f;
			if (!z->symmetric) {
				float D = Q->pol->pow2 ? exp2f(z->theta[c]) : z->theta[c];
				/* the range holds zero exactly (padding reads zero) */
				z->lo[c] = z->lo[c] > 0 ? 0 : z->lo[c] < -D ? -D : z->lo[c];
			}
		}
		/* Bits take plain gradient steps, outside the optimiser: with
		 * its momentum they kept falling long after the penalty had
		 * stopped (a 12 KB budget ended at the 8 KB one's 7,696 bytes). */
		if (z->learn_bits && Q->phase == QF_PHASE_PRECISION)
			for (int k = 0; k < z->n_slices; k++) {
				z->bits[k] -= (float)Q->c.bit_lr * z->gbits[k];
				z->gbits[k] = 0;
				float lo = (float)set_min(z) - 0.49f, hi = (float)set_max(z) + 0.49f;
				z->bits[k] = z->bits[k] < lo ? lo : z->bits[k] > hi ? hi : z->bits[k];
				z->ib[k] = qf_fq_round_bits(z->bits[k], z->set, z->n_set);
			}
	}
}

/* The next narrower allowed width below b, or 0. */
static int narrower(const quantizer *z, int b)
{
	int best = 0;
	for (int i = 0; i < z->n_set; i++)
		if (z->set[i] < b && z->set[i] > best)
			best = z->set[i];
	return best;
}

/* Noise-to-signal ratio of entries [c0, c1) of weight z at width b. */
static double weight_nsr(qf_qat *Q, quantizer *z, int c0, int c1, int b)
{
	double err = 0, sig = 0;
	float tmp[256];
	for (int c = c0; c < c1; c++) {
		qf_fq_param p = fparam(Q, z, c);
		qf_fq f = qf_fq_make(&p, b, 0);
		const float *x = z->x + c * z->per;
		for (int64_t j = 0; j < z->per; j += 256) {
			int64_t m = z->per - j < 256 ? z->per - j : 256;
			qf_fq_forward(&f, x + j, tmp, m);
			for (int64_t u = 0; u < m; u++) {
				err += ((double)tmp[u] - x[j + u]) * ((double)tmp[u] - x[j + u]);
				sig += (double)x[j + u] * x[j + u];
			}
		}
	}
	return sig > 0 ? err / sig : 0;
}

int qf_qat_project(qf_qat *Q, FILE *log, qf_diag *d)
{
	const qf_quant *pol = Q->pol;
	qf_graph *g = Q->g;
	for (int i = 0; i < Q->nq; i++)
		if (Q->qz[i].weight)
			fold(Q, &Q->qz[i]);
	int changes = 0;
	int64_t start = pol->has_budget ? budget_bytes(Q) : 0;
	while (pol->has_budget) {
		int64_t now = budget_bytes(Q);
		if (now <= pol->budget_bytes)
			break;
		int best_q = -1, best_k = -1, best_b = 0;
		double best_cost = INFINITY;
		int64_t best_save = 0;
		for (int i = 0; i < Q->nq; i++) {
			quantizer *z = &Q->qz[i];
			if (z->fixed || z->pinned || (z->weight ? !pol->budget_w : !pol->budget_a))
				continue;
			for (int k = 0; k < z->n_slices; k++) {
				int b = z->ib[k], nb = narrower(z, b);
				if (!nb)
					continue;
				z->ib[k] = nb;
				int64_t save = now - budget_bytes(Q);
				z->ib[k] = b;
				if (save <= 0)
					continue;
				double harm;
				if (z->weight) {
					int c0 = z->slice ? k * z->slice : 0, c1 = z->slice ? c0 + z->slice : z->n;
					c1 = c1 > z->n ? z->n : c1;
					harm = weight_nsr(Q, z, c0, c1, nb) - weight_nsr(Q, z, c0, c1, b);
				} else {
					qf_fq f0 = act_fq(Q, z, 0);
					z->ib[0] = nb;
					qf_fq f1 = act_fq(Q, z, 0);
					z->ib[0] = b;
					harm = ((double)f1.s * f1.s - (double)f0.s * f0.s) / 12 / (z->m2 > 0 ? z->m2 : 1);
				}
				double cost = harm / (double)save;
				if (cost < best_cost) {
					best_cost = cost;
					best_q = i;
					best_k = k;
					best_b = nb;
					best_save = save;
				}
			}
		}
		if (best_q < 0) {
			qf_diag_error(d, pol->budget_loc,
				      "budget of %lld bytes cannot be met: at the narrowest widths the policy allows "
				      "'%s' still needs %lld bytes",
				      (long long)pol->budget_bytes, g->name, (long long)now);
			return -1;
		}
		quantizer *z = &Q->qz[best_q];
		char line[200];
		snprintf(line, sizeof line, "project: %s slice %d: %d -> %d bits (%lld bytes saved)",
			 g->t[z->tensor].name, best_k, z->ib[best_k], best_b, (long long)best_save);
		z->ib[best_k] = best_b;
		z->bits[best_k] = (float)best_b;
		qf_prov_add_history(g, line);
		if (log)
			fprintf(log, "%s\n", line);
		changes++;
	}
	/* bits are frozen from here: the real values follow the rounded */
	for (int i = 0; i < Q->nq; i++)
		for (int k = 0; k < Q->qz[i].n_slices; k++)
			Q->qz[i].bits[k] = (float)Q->qz[i].ib[k];
	if (pol->has_budget) {
		int64_t w, a;
		qf_qat_bytes(Q, &w, &a);
		char line[200];
		snprintf(line, sizeof line,
			 "budget %lld bytes (%s): weights %lld + activations %lld bytes; %d width%s lowered by the "
			 "projection (from %lld bytes)",
			 (long long)pol->budget_bytes,
			 pol->budget_w && pol->budget_a ? "weights + acts" : pol->budget_w ? "weights" : "acts",
			 (long long)w, (long long)a, changes, changes == 1 ? "" : "s", (long long)start);
		qf_prov_add_history(g, line);
		if (log)
			fprintf(log, "%s\n", line);
	}
	return 0;
}

void qf_qat_write(qf_qat *Q)
{
	qf_graph *g = Q->g;
	write_bits(Q);
	for (int i = 0; i < Q->nq; i++) {
		quantizer *z = &Q->qz[i];
		if (!z->weight)
			continue;
		const qf_qparam *q = &g->q[g->t[z->tensor].quant];
		fold(Q, z);
		floor_steps(Q, z);
		for (int c = 0; c < z->n; c++) {
			qf_fq_param p = fparam(Q, z, c);
			qf_fq f = qf_fq_make(&p, z->ib[slice_of(z, c)], 0);
			g->data[q->scale + c] = f.s;
			g->ints[q->zero + c] = (int32_t)f.z;
		}
	}
	for (int t = 0; t < g->nt; t++) {
		int a = Q->act_of[t];
		if (a < 0)
			continue;
		const qf_qparam *q = &g->q[g->t[t].quant];
		qf_fq f = act_fq(Q, &Q->qz[a], 0);
		g->data[q->scale] = f.s;
		g->ints[q->zero] = (int32_t)f.z;
	}
}

/* ------------------------------------------------------------ checkpoints
 * A QAT checkpoint carries, besides the run's (qf_train_save_state) and
 * the network optimiser's state, every learned quantizer's values as
 * blobs (qat.<tensor>.theta, .lo, .bits: the real widths, .width: the
 * widths in force), its observer as meta (qat.<tensor>: init, seen, min,
 * max, mean square), the quantizers' optimiser state as
 * opt.<state>.qat.<tensor>.theta|lo, and the phase, whether QAT has
 * started and whether the projection has run. */

/* A graph that only names the quantizers' optimiser entries: the
 * optimiser names its state after g->t[p->tensor], and a weight's step
 * would otherwise share the weight's name. p gets the quantizer params
 * with their tensors renumbered into it. */
static qf_graph *opt_names(const qf_qat *Q, qf_param *p)
{
	qf_graph *n = qf_graph_new("qat");
	int j = 0;
	/* the order of qf_qat_new: each quantizer's theta, then its lo */
	for (int i = 0; i < Q->nq; i++) {
		const quantizer *z = &Q->qz[i];
		if (z->fixed)
			continue;
		for (int lo = 0; lo < (z->symmetric ? 1 : 2); lo++, j++) {
			QF_ASSERT(j < Q->n_params && Q->params[j].w == (lo ? z->lo : z->theta));
			char name[160];
			snprintf(name, sizeof name, "qat.%s.%s", Q->g->t[z->tensor].name, lo ? "lo" : "theta");
			int32_t dim[1] = {(int32_t)z->n};
			p[j] = Q->params[j];
			p[j].tensor = qf_graph_add_tensor(n, name, QF_ROLE_ACT, 1, dim);
		}
	}
	QF_ASSERT(j == Q->n_params);
	return n;
}

static void meta_put(qf_graph *g, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void meta_put(qf_graph *g, const char *key, const char *fmt, ...)
{
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	qf_graph_set_meta(g, key, buf);
}

static void blob_put(qf_graph *g, const char *t, const char *what, const float *v, int64_t n)
{
	char name[160];
	snprintf(name, sizeof name, "qat.%s.%s", t, what);
	memcpy(qf_graph_set_blob(g, name, n), v, (size_t)n * sizeof(float));
}

static void qat_save(qf_qat *Q, qf_optim *oq, qf_graph *names, bool projected)
{
	qf_graph *g = Q->g;
	for (int i = 0; i < Q->nq; i++) {
		const quantizer *z = &Q->qz[i];
		if (z->fixed)
			continue;
		const char *t = g->t[z->tensor].name;
		blob_put(g, t, "theta", z->theta, z->n);
		blob_put(g, t, "lo", z->lo, z->n);
		blob_put(g, t, "bits", z->bits, z->n_slices);
		float *w = qf_xmalloc((size_t)z->n_slices * sizeof(float));
		for (int k = 0; k < z->n_slices; k++)
			w[k] = (float)z->ib[k];
		blob_put(g, t, "width", w, z->n_slices);
		free(w);
		char key[160];
		snprintf(key, sizeof key, "qat.%s", t);
		meta_put(g, key, "%d %d %.17g %.17g %.17g", z->init, z->seen, z->mn, z->mx, z->m2);
	}
	qf_graph_set_meta(g, "qat.policy", Q->pol->name);
	qf_graph_set_meta(g, "qat.phase", qf_phase_name[Q->phase]);
	meta_put(g, "qat.started", "%d", Q->started);
	meta_put(g, "qat.projected", "%d", projected);
	qf_optim_save(oq, names);
	for (int i = 0; i < names->n_blobs; i++)
		memcpy(qf_graph_set_blob(g, names->blobs[i].name, names->blobs[i].n), names->blobs[i].f,
		       (size_t)names->blobs[i].n * sizeof(float));
}

static const float *blob_get(const qf_graph *g, const char *path, const char *t, const char *what, int64_t n,
			     qf_diag *d)
{
	char name[160];
	snprintf(name, sizeof name, "qat.%s.%s", t, what);
	const qf_blob *b = qf_graph_blob(g, name);
	if (!b || b->n != n) {
		qf_diag_file_error(d, path, 0, "QAT state '%s' is %s (the quantizer has %lld values)", name,
				   b ? "the wrong size" : "missing", (long long)n);
		return NULL;
	}
	return b->f;
}

static bool flag_of(const char *v, bool *out)
{
	if (!v || (strcmp(v, "0") != 0 && strcmp(v, "1") != 0))
		return false;
	*out = v[0] == '1';
	return true;
}

/* Restores what qat_save wrote into Q, oq and *projected; 0, or -1 after
 * reporting what is missing or malformed through d. */
static int qat_load(qf_qat *Q, qf_optim *oq, qf_graph *names, bool *projected, const char *path, qf_diag *d)
{
	const qf_graph *g = Q->g;
	const char *pol = qf_graph_meta(g, "qat.policy");
	if (!pol || strcmp(pol, Q->pol->name) != 0) {
		qf_diag_file_error(d, path, 0,
				   "the checkpoint was trained under quant policy '%s', not '%s' of the .qf: it cannot "
				   "continue under another policy",
				   pol ? pol : "(none)", Q->pol->name);
		return -1;
	}
	const char *ph = qf_graph_meta(g, "qat.phase");
	int k = -1;
	for (int i = 0; ph && i < QF_PHASE_COUNT; i++)
		if (strcmp(ph, qf_phase_name[i]) == 0)
			k = i;
	if (k < 0 || !flag_of(qf_graph_meta(g, "qat.started"), &Q->started) ||
	    !flag_of(qf_graph_meta(g, "qat.projected"), projected)) {
		qf_diag_file_error(d, path, 0, "QAT state entries 'qat.phase', 'qat.started', 'qat.projected' are "
				   "missing or malformed");
		return -1;
	}
	Q->phase = (qf_phase_kind)k;
	for (int i = 0; i < Q->nq; i++) {
		quantizer *z = &Q->qz[i];
		if (z->fixed)
			continue;
		const char *t = g->t[z->tensor].name;
		const float *th = blob_get(g, path, t, "theta", z->n, d), *lo = blob_get(g, path, t, "lo", z->n, d),
			    *bits = blob_get(g, path, t, "bits", z->n_slices, d),
			    *w = blob_get(g, path, t, "width", z->n_slices, d);
		if (!th || !lo || !bits || !w)
			return -1;
		memcpy(z->theta, th, (size_t)z->n * sizeof(float));
		memcpy(z->lo, lo, (size_t)z->n * sizeof(float));
		memcpy(z->bits, bits, (size_t)z->n_slices * sizeof(float));
		for (int s = 0; s < z->n_slices; s++) {
			z->ib[s] = (int)w[s];
			if ((float)z->ib[s] != w[s] || z->ib[s] < 2 || z->ib[s] > 8) {
				qf_diag_file_error(d, path, 0, "QAT state 'qat.%s.width' holds %g, not a width from 2 to 8",
						   t, (double)w[s]);
				return -1;
			}
		}
		char key[160];
		snprintf(key, sizeof key, "qat.%s", t);
		const char *v = qf_graph_meta(g, key);
		int init, seen, used = 0;
		if (!v || sscanf(v, "%d %d %lf %lf %lf%n", &init, &seen, &z->mn, &z->mx, &z->m2, &used) != 5 || v[used] ||
		    (init | seen) & ~1) {
			qf_diag_file_error(d, path, 0, "QAT state '%s' is %s%s%s", key, v ? "'" : "missing", v ? v : "",
					   v ? "', not: init seen min max mean-square" : "");
			return -1;
		}
		z->init = init;
		z->seen = seen;
	}
	/* the quantizers' optimiser state, under the names qat_save gave it */
	for (int i = 0; i < g->n_blobs; i++)
		if (strncmp(g->blobs[i].name, "opt.", 4) == 0)
			memcpy(qf_graph_set_blob(names, g->blobs[i].name, g->blobs[i].n), g->blobs[i].f,
			       (size_t)g->blobs[i].n * sizeof(float));
	const char *ok = qf_graph_meta(g, "opt.kind"), *os = qf_graph_meta(g, "opt.step");
	if (ok)
		qf_graph_set_meta(names, "opt.kind", ok);
	if (os)
		qf_graph_set_meta(names, "opt.step", os);
	int rc = qf_optim_load(oq, names, path, d);
	/* qat_save copies every blob of names into the checkpoint: none of
	 * the network's, read here, may go back over the newer ones */
	qf_train_drop_state(names, "opt.");
	return rc;
}

/* ------------------------------------------------------------ the run */

typedef struct {
	qf_phase_kind kind;
	int64_t first, steps;        /* global steps [first, first + steps) */
	qf_sched sched;              /* over the phase's own steps; unused when global */
} run_phase;

/* The policy's schedule, or StatAssist's warm-up and QAT over the run.
 * Without StatAssist float phases go, their steps to the phase after;
 * without the multi-phase schedule the QAT phases merge into one. */
static int build_phases(const qf_quant *pol, const qf_train_cfg *c, const qf_qat_cfg *qc, int64_t spe,
			run_phase *ph, bool *global)
{
	int n = 0;
	double lr[QF_MAX_PHASES + 4];
	if (pol->n_phases > 0) {
		*global = false;
		double last = c->lr;
		for (int i = 0; i < pol->n_phases; i++) {
			ph[n] = (run_phase){pol->phases[i].kind, 0, pol->phases[i].epochs * spe, {0}};
			last = pol->phases[i].lr > 0 ? pol->phases[i].lr : last;
			lr[n++] = last;
		}
	} else {
		*global = true;
		int64_t total = (int64_t)c->epochs * spe, fl = (int64_t)llround(qc->warmup_frac * (double)total);
		if (total > 1 && fl < 1)
			fl = 1;
		if (qc->learned_precision) {
			int64_t rest = total - fl, qa = rest * 3 / 9, pr = rest * 4 / 9;
			run_phase d[4] = {{QF_PHASE_FLOAT, 0, fl, {0}}, {QF_PHASE_QAT, 0, qa, {0}},
					  {QF_PHASE_PRECISION, 0, pr, {0}}, {QF_PHASE_FINETUNE, 0, rest - qa - pr, {0}}};
			for (int i = 0; i < 4; i++)
				ph[n++] = d[i];
		} else {
			ph[n++] = (run_phase){QF_PHASE_FLOAT, 0, fl, {0}};
			ph[n++] = (run_phase){QF_PHASE_QAT, 0, total - fl, {0}};
		}
		for (int i = 0; i < n; i++)
			lr[i] = c->lr;
	}
	if (!qc->statassist)
		for (int i = 0; i < n; i++)
			if (ph[i].kind == QF_PHASE_FLOAT) {
				int to = i + 1 < n ? i + 1 : i - 1;
				if (to >= 0)
					ph[to].steps += ph[i].steps;
				ph[i].steps = 0;
			}
	if (!qc->multiphase) {
		int first = -1;
		for (int i = 0; i < n; i++)
			if (ph[i].kind != QF_PHASE_FLOAT) {
				if (first < 0) {
					first = i;
					ph[i].kind = qc->learned_precision ? QF_PHASE_PRECISION : QF_PHASE_QAT;
				} else {
					ph[first].steps += ph[i].steps;
					ph[i].steps = 0;
				}
			}
	}
	int m = 0;
	int64_t at = 0;
	for (int i = 0; i < n; i++) {
		if (ph[i].steps <= 0)
			continue;
		ph[m] = ph[i];
		ph[m].first = at;
		at += ph[m].steps;
		qf_sched_init(&ph[m].sched, ph[m].kind == QF_PHASE_FLOAT ? QF_SCHED_ONECYCLE : QF_SCHED_COSINE, lr[i],
			      ph[m].steps);
		m++;
	}
	return m;
}

static double qat_eval(qf_engine *e, qf_qat *Q, const qf_dataset *ds, const qf_images *s, int batch, int classes,
		       int32_t *order, uint8_t *y)
{
	int64_t hits = 0;
	qf_qat_begin_step(Q, false);
	for (int i = 0; i < s->n; i += batch) {
		int n = s->n - i < batch ? s->n - i : batch;
		for (int b = 0; b < n; b++)
			order[b] = i + b;
		qf_batch(ds, s, order, n, false, NULL, qf_engine_input(e), y);
		qf_engine_forward(e, n, false);
		const float *z = qf_engine_logits(e);
		for (int b = 0; b < n; b++) {
			const float *row = z + (int64_t)b * classes;
			int best = 0;
			for (int k = 1; k < classes; k++)
				if (row[k] > row[best])
					best = k;
			hits += best == y[b];
		}
	}
	qf_qat_end_step(Q, false);
	return s->n ? 100.0 * (double)hits / s->n : -1.0;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void methods_line(qf_graph *g, const qf_quant *pol, const qf_qat_cfg *qc)
{
	char line[256];
	snprintf(line, sizeof line, "qat policy %s:%s%s%s%s%s%s%s%s", pol->name, qc->lsq ? " lsq" : " minmax",
		 qc->statassist ? " statassist" : "", qc->gradboost ? " gradboost" : "",
		 qc->gradmod ? " gradmod" : "", qc->learned_precision ? " learned_precision" : "",
		 qc->multiphase ? "" : " single-phase", qc->fold_bn ? " fold_bn" : "", pol->pow2 ? " pow2" : "");
	qf_prov_add_history(g, line);
}

static double cpu_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int qf_qat_train(qf_graph *g, const qf_quant *pol, const qf_dataset *ds, const qf_train_cfg *c,
		 const qf_qat_cfg *qc, qf_epoch_stats *last, qf_diag *d)
{
	return qf_qat_train_from(g, pol, ds, c, qc, NULL, last, d);
}

int qf_qat_train_from(qf_graph *g, const qf_quant *pol, const qf_dataset *ds, const qf_train_cfg *c,
		      const qf_qat_cfg *qc, const char *resume, qf_epoch_stats *last, qf_diag *d)
{
	QF_ASSERT(c->epochs >= 1 && c->batch >= 1 && c->threads >= 1);
	if (qf_dataset_check_input(ds, g, d) != 0)
		return -1;
	if (g->classes != ds->classes) {
		qf_diag_file_error(d, ds->train_path, 0, "the data has %d classes but the network '%s' gives %d",
				   ds->classes, g->name, g->classes);
		return -1;
	}
	if (!resume) {
		/* an earlier run's optimiser or quantizer state would ride
		 * along into the checkpoints */
		qf_train_drop_state(g, "opt.");
		qf_train_drop_state(g, "qat.");
	}
	qf_qat *Q = qf_qat_new(g, pol, qc, d);
	if (!Q)
		return -1;
	qf_engine *e = qf_engine_new(g, c->batch, c->threads, d);
	if (!e) {
		qf_qat_free(Q);
		return -1;
	}
	qf_engine_set_qat(e, Q);
	int ne = qf_engine_n_params(e), nq = qf_qat_n_params(Q);
	qf_param *all = qf_xcalloc((size_t)(ne + nq + 1), sizeof(qf_param));
	for (int i = 0; i < ne; i++)
		all[i] = *qf_engine_param(e, i);
	qf_qat_bind(Q, all, ne);
	/* The network's parameters and the quantizers' take the same update
	 * rule at the same learning rate and step count, each element on its
	 * own, so two optimisers compute what one over both would; apart,
	 * each checkpoints its state under its own names (opt_names). */
	qf_graph *names = opt_names(Q, all + ne);
	qf_optim *o = qf_optim_new(&c->opt, all, ne), *oq = qf_optim_new(&c->opt, all + ne, nq);
	const int64_t spe = (ds->train.n + c->batch - 1) / c->batch;
	run_phase ph[QF_MAX_PHASES + 4];
	bool global;
	int nph = build_phases(pol, c, qc, spe, ph, &global);
	int64_t total = nph ? ph[nph - 1].first + ph[nph - 1].steps : 0;
	qf_sched gs;
	qf_sched_init(&gs, QF_SCHED_ONECYCLE, c->lr, total);
	qf_rng rng;
	qf_rng_seed(&rng, c->seed);
	int32_t *perm = qf_xmalloc((size_t)(ds->train.n ? ds->train.n : 1) * sizeof(int32_t));
	int32_t *order = qf_xmalloc((size_t)c->batch * sizeof(int32_t));
	uint8_t *y = qf_xmalloc((size_t)c->batch);
	qf_gradboost *gb = NULL;
	int rc = -1, cur = -1, ep0 = 0;
	int64_t step = 0;
	int epochs = (int)((total + spe - 1) / (spe ? spe : 1));
	bool projected = false;
	if (resume) {
		if (qf_train_load_state(g, resume, spe, &ep0, &step, &rng, d) != 0 || qf_optim_load(o, g, resume, d) != 0 ||
		    qat_load(Q, oq, names, &projected, resume, d) != 0)
			goto out;
		if (qf_optim_steps(o) != step || qf_optim_steps(oq) != step) {
			qf_diag_file_error(d, resume, 0, "optimiser step %lld does not match training step %lld",
					   (long long)qf_optim_steps(o), (long long)step);
			goto out;
		}
		/* the phases whose switch this run has made: those that begin
		 * before the step it stopped at */
		while (cur + 1 < nph && step > ph[cur + 1].first)
			cur++;
		qf_phase_kind want = cur >= 0 ? ph[cur].kind : QF_PHASE_FLOAT;
		if (Q->phase != want) {
			qf_diag_file_error(d, resume, 0,
					   "the checkpoint is in QAT phase '%s' at step %lld, where this run's schedule "
					   "has '%s': it was trained with other epochs or schedule",
					   qf_phase_name[Q->phase], (long long)step, qf_phase_name[want]);
			goto out;
		}
	} else {
		methods_line(g, pol, qc);
	}
	/* GradBoost's warm-up is the float phase; a resumed run takes its
	 * statistics, step count and draws from the checkpoint */
	qf_gradboost_cfg gbc = qc->gb;
	gbc.warmup = nph && ph[0].kind == QF_PHASE_FLOAT ? ph[0].steps : 0;
	if (qc->gradboost) {
		gb = qf_gradboost_new(&gbc, all, ne, c->seed ^ 0x9e3779b97f4a7c15ull);
		if (resume && qf_gradboost_load(gb, g, resume, d) != 0)
			goto out;
	}
	int stop = c->stop_after > 0 && c->stop_after < epochs ? c->stop_after : epochs;
	qf_epoch_stats st = {.epoch = ep0, .val_acc = -1, .test_acc = -1};
	if (ep0 >= stop && c->log)
		fprintf(c->log, "already trained %d of %d epochs\n", ep0, epochs);
	for (int ep = ep0; ep < stop; ep++) {
		double t0 = now_s(), cpu0 = cpu_s(), loss_sum = 0;
		int64_t hits = 0, seen = 0;
		const qf_images *s = &ds->train;
		qf_shuffle(perm, s->n, &rng);
		for (int i = 0; i < s->n && step < total; i += c->batch, step++) {
			if (c->stop && *c->stop) {
				if (c->out && ep > 0)
					qf_diag_error(d, (qf_loc){0, 0}, "interrupted in epoch %d; %s holds epoch %d", ep + 1,
						      c->out, ep);
				else
					qf_diag_error(d, (qf_loc){0, 0}, "interrupted in epoch %d", ep + 1);
				goto out;
			}
			while (cur + 1 < nph && step >= ph[cur + 1].first) {
				cur++;
				if (ph[cur].kind == QF_PHASE_FINETUNE && !projected) {
					if (qf_qat_project(Q, c->log, d) != 0)
						goto out;
					projected = true;
				}
				qf_qat_set_phase(Q, ph[cur].kind);
				char line[160];
				snprintf(line, sizeof line, "qat phase %s: steps %lld-%lld (epochs %.2f), %s lr %g",
					 qf_phase_name[ph[cur].kind], (long long)ph[cur].first,
					 (long long)(ph[cur].first + ph[cur].steps), (double)ph[cur].steps / (double)spe,
					 global ? "one-cycle over the run," : ph[cur].kind == QF_PHASE_FLOAT ? "one-cycle" : "cosine",
					 global ? c->lr : ph[cur].sched.lr);
				qf_prov_add_history(g, line);
				if (c->log)
					fprintf(c->log, "%s\n", line);
			}
			int n = s->n - i < c->batch ? s->n - i : c->batch;
			qf_batch(ds, s, perm + i, n, true, &rng, qf_engine_input(e), y);
			qf_engine_zero_grad(e);
			for (int k = ne; k < ne + nq; k++)
				memset(all[k].grad, 0, (size_t)all[k].n * sizeof(float));
			qf_qat_begin_step(Q, true);
			qf_engine_forward(e, n, true);
			int correct = 0;
			float loss = qf_engine_loss(e, y, n, c->smoothing, &correct);
			if (!isfinite(loss)) {
				qf_qat_end_step(Q, false);
				qf_diag_error(d, (qf_loc){0, 0}, "QAT diverged in epoch %d at step %lld (loss %g); a lower --lr may help",
					      ep + 1, (long long)step, (double)loss);
				goto out;
			}
			qf_engine_backward(e, n);
			qf_qat_end_step(Q, true);
			double pen = qf_qat_penalty(Q);
			if (gb)
				qf_gradboost_step(gb);
			double lr = global ? qf_sched_lr(&gs, step) : qf_sched_lr(&ph[cur].sched, step - ph[cur].first);
			qf_optim_step(o, (float)lr);
			qf_optim_step(oq, (float)lr);
			qf_qat_after_update(Q);
			loss_sum += ((double)loss + pen) * n;
			hits += correct;
			seen += n;
		}
		double t1 = now_s();
		if (step >= total && !projected && pol->has_budget) {
			if (qf_qat_project(Q, c->log, d) != 0)
				goto out;
			projected = true;
		}
		st = (qf_epoch_stats){
			.epoch = ep + 1,
			.loss = seen ? loss_sum / (double)seen : 0,
			.train_acc = seen ? 100.0 * (double)hits / (double)seen : 0,
			.seconds = t1 - t0,
			.images_per_s = seen ? (double)seen / (t1 - t0) : 0,
			.cpu_seconds = cpu_s() - cpu0,
		};
		st.val_acc = ds->val.n ? qat_eval(e, Q, ds, &ds->val, c->batch, ds->classes, order, y) : -1;
		st.test_acc = qat_eval(e, Q, ds, &ds->test, c->batch, ds->classes, order, y);
		qf_qat_write(Q);
		g->prov.accuracy = st.test_acc;
		qf_train_save_state(g, c, ep + 1, step, &rng);
		qf_optim_save(o, g);
		qat_save(Q, oq, names, projected);
		if (gb)
			qf_gradboost_save(gb, g);
		char line[200];
		snprintf(line, sizeof line, "qat epoch %d/%d (%s): loss %.4f, test %.2f%% (fake-quantized, batch %d, seed %llu)",
			 ep + 1, epochs, qf_phase_name[qf_qat_phase(Q)], st.loss, st.test_acc, c->batch,
			 (unsigned long long)c->seed);
		qf_prov_add_history(g, line);
		if (c->out && qf_qfm_write(g, c->out, d) != 0)
			goto out;
		if (c->log) {
			fprintf(c->log, "epoch %d/%d: loss %.4f, train %.2f%%", st.epoch, epochs, st.loss, st.train_acc);
			if (st.val_acc >= 0)
				fprintf(c->log, ", val %.2f%%", st.val_acc);
			fprintf(c->log, ", test %.2f%% (%.0f img/s, %.1f s)\n", st.test_acc, st.images_per_s, st.seconds);
			fflush(c->log);
		}
		if (c->on_epoch)
			c->on_epoch(c->ctx, &st);
	}
	if (last)
		*last = st;
	rc = 0;
out:
	free(perm);
	free(order);
	free(y);
	qf_gradboost_free(gb);
	qf_optim_free(o);
	qf_optim_free(oq);
	qf_graph_free(names);
	free(all);
	qf_engine_free(e);
	qf_qat_free(Q);
	return rc;
}
