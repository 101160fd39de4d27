/* count.c: parameters, multiply-accumulates and memory of a Graph IR net.
 *
 * Requires shapes inferred (qf_graph_infer_shapes); works on graphs whose
 * parameters have no stored values (qf_choice_counts builds those), so
 * nothing here reads g->data except quant params.
 *
 * Conventions (docs/ir.md):
 *   - params: what training updates: conv/fc weights and biases, BN gamma
 *     and beta; BN running mean and variance are statistics, not params;
 *   - MACs: conv Cout*Hout*Wout*(Cin/groups)*k*k, fc Cout*Cin (Cin the
 *     flattened input); bn, activations, pools and add count 0;
 *   - weight_bytes: WEIGHT tensors at their bits, per slice when learned
 *     precision gave slices different widths; biases and BN params are
 *     left out (they fold into int32 biases and requant constants whose
 *     size the backend decides);
 *   - peak_act_bytes: nodes run in graph order; a tensor is live from its
 *     producer (the input from the start) through its last consumer (the
 *     output through the end); the peak is the largest sum of live
 *     tensors at their bits. A naive plan: passes/plan does better.
 */
#include <stdlib.h>

#include "ir.h"

static int64_t elems_of(const qf_graph *g, int t)
{
	return t >= 0 ? qf_tensor_elems(&g->t[t]) : 0;
}

int64_t qf_node_macs(const qf_graph *g, int node)
{
	QF_ASSERT(node >= 0 && node < g->nn);
	const qf_node *nd = &g->n[node];
	switch (nd->op) {
	case QF_OP_CONV2D: {
		const qf_tensor *w = &g->t[nd->in[1]];
		/* out elems * (Cin/groups)*k*k, each factor bounded by the limits */
		return elems_of(g, nd->out) * ((int64_t)w->dim[1] * w->dim[2] * w->dim[3]);
	}
	case QF_OP_FC:
		return elems_of(g, nd->in[1]);
	default:
		return 0;
	}
}

int64_t qf_node_params(const qf_graph *g, int node)
{
	QF_ASSERT(node >= 0 && node < g->nn);
	const qf_node *nd = &g->n[node];
	switch (nd->op) {
	case QF_OP_CONV2D:
	case QF_OP_FC:
		return elems_of(g, nd->in[1]) + elems_of(g, nd->in[2]);
	case QF_OP_BN:
		return elems_of(g, nd->in[1]) + elems_of(g, nd->in[2]);
	default:
		return 0;
	}
}

static const qf_qparam *qparam_of(const qf_graph *g, int t)
{
	int q = g->t[t].quant;
	if (q < 0 || q >= g->nq)
		return NULL;
	const qf_qparam *p = &g->q[q];
	if (p->n_slices < 1 || p->bits < 0 || p->bits > g->nints - p->n_slices)
		return NULL;
	return p;
}

int qf_tensor_bits(const qf_graph *g, int t)
{
	QF_ASSERT(t >= 0 && t < g->nt);
	const qf_qparam *q = qparam_of(g, t);
	if (!q)
		return 8;
	int bits = 0;
	for (int i = 0; i < q->n_slices; i++)
		if (g->ints[q->bits + i] > bits)
			bits = g->ints[q->bits + i];
	return bits;
}

static int64_t bytes_at(int64_t elems, int bits)
{
	return (elems * bits + 7) / 8;
}

/* A weight tensor's bytes, each slice of output channels at its width. */
static int64_t weight_bytes(const qf_graph *g, int t)
{
	const qf_tensor *w = &g->t[t];
	const qf_qparam *q = qparam_of(g, t);
	int64_t n = qf_tensor_elems(w);
	if (!q || q->n_slices == 1 || q->slice < 1 || w->rank < 1)
		return bytes_at(n, qf_tensor_bits(g, t));
	int64_t per_channel = n / w->dim[0], total_bits = 0;
	for (int i = 0; i < q->n_slices; i++) {
		int64_t first = (int64_t)i * q->slice, last = first + q->slice;
		if (last > w->dim[0])
			last = w->dim[0];
		if (first < last)
			total_bits += (last - first) * per_channel * g->ints[q->bits + i];
	}
	return (total_bits + 7) / 8;
}

static int64_t peak_act_bytes(const qf_graph *g)
{
	if (g->nn == 0)
		return g->input >= 0 ? bytes_at(elems_of(g, g->input), qf_tensor_bits(g, g->input)) : 0;
	/* last[t]: index of the last node reading activation t (-1 none). */
	int *last = qf_xmalloc((size_t)(g->nt ? g->nt : 1) * sizeof(int));
	for (int t = 0; t < g->nt; t++)
		last[t] = -1;
	for (int i = 0; i < g->nn; i++)
		for (int s = 0; s < QF_MAX_IN; s++) {
			int t = g->n[i].in[s];
			if (t >= 0 && t < g->nt)
				last[t] = i;
		}
	/* delta[i]: bytes that become live at step i minus those freed. */
	int64_t *delta = qf_xcalloc((size_t)g->nn + 1, sizeof(int64_t));
	for (int t = 0; t < g->nt; t++) {
		const qf_tensor *x = &g->t[t];
		if (x->role != QF_ROLE_INPUT && x->role != QF_ROLE_ACT)
			continue;
		int from = x->producer < 0 ? 0 : x->producer;
		int to = t == g->output ? g->nn - 1 : last[t] > from ? last[t] : from;
		int64_t b = bytes_at(qf_tensor_elems(x), qf_tensor_bits(g, t));
		delta[from] += b;
		delta[to + 1] -= b;
	}
	int64_t live = 0, peak = 0;
	for (int i = 0; i < g->nn; i++) {
		live += delta[i];
		if (live > peak)
			peak = live;
	}
	free(delta);
	free(last);
	return peak;
}

void qf_graph_counts(const qf_graph *g, qf_counts *c)
{
	c->params = c->macs = c->weight_bytes = 0;
	for (int i = 0; i < g->nn; i++) {
		c->params += qf_node_params(g, i);
		c->macs += qf_node_macs(g, i);
		const qf_node *nd = &g->n[i];
		if ((nd->op == QF_OP_CONV2D || nd->op == QF_OP_FC) && nd->in[1] >= 0)
			c->weight_bytes += weight_bytes(g, nd->in[1]);
	}
	c->peak_act_bytes = peak_act_bytes(g);
}
