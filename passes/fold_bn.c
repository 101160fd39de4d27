/* fold_bn: batch norm folded into the convolution before it.
 *
 * Requires: a verified Graph IR (shapes inferred).
 * Guarantees: a verified Graph IR computing the same function in eval mode
 * (running statistics), up to float rounding, where each BN that follows a
 * conv2d whose output feeds that BN alone is gone:
 *     s[c] = gamma[c] / sqrt(var[c] + eps)
 *     w'[c] = w[c] * s[c]          (every weight of output channel c)
 *     b'[c] = (b[c] - mean[c]) * s[c] + beta[c]     (b = 0 without a bias)
 * and the conv writes what the BN wrote (its tensor, name and quant params).
 * The arithmetic is in double, rounded once to float. BNs anywhere else
 * stay; qf_fuse reports them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "passes/passes.h"

static int consumers(const qf_graph *g, int t)
{
	int n = t == g->output;
	for (int i = 0; i < g->nn; i++)
		for (int k = 0; k < QF_MAX_IN; k++)
			n += g->n[i].in[k] == t;
	return n;
}

/* A bias name for conv node c that no tensor has yet. */
static void bias_name(const qf_graph *g, const char *node, char *buf, size_t size)
{
	for (int k = 0;; k++) {
		if (k == 0)
			snprintf(buf, size, "%.44s.b", node);
		else
			snprintf(buf, size, "%.30s.bfold%d", node, k % 1000000);
		bool taken = false;
		for (int i = 0; i < g->nt && !taken; i++)
			taken = strcmp(g->t[i].name, buf) == 0;
		if (!taken)
			return;
	}
}

/* The conv2d whose output only BN node b reads, else -1. */
static int foldable(const qf_graph *g, int b)
{
	const qf_node *bn = &g->n[b];
	if (bn->op != QF_OP_BN)
		return -1;
	int x = bn->in[0], p = g->t[x].producer;
	if (p < 0 || g->n[p].op != QF_OP_CONV2D || consumers(g, x) != 1)
		return -1;
	return p;
}

/* Statistics that give a finite scale; checked for every BN before the
 * first is folded, so a refused graph is left as it was. */
static int check_stats(const qf_graph *g, int b, int p, qf_diag *d)
{
	const qf_node *bn = &g->n[b];
	int cout = g->t[bn->in[0]].dim[0];
	const float *gamma = g->data + g->t[bn->in[1]].data, *beta = g->data + g->t[bn->in[2]].data;
	const float *mean = g->data + g->t[bn->in[3]].data, *var = g->data + g->t[bn->in[4]].data;
	for (int c = 0; c < cout; c++) {
		double v = (double)var[c] + (double)bn->eps;
		if (!(v > 0) || !isfinite(v) || !isfinite(gamma[c]) || !isfinite(beta[c]) || !isfinite(mean[c])) {
			qf_diag_error(d, (qf_loc){0, 0},
				      "batch norm '%s': channel %d has variance %g + eps %g, gamma %g, mean %g: "
				      "it cannot be folded into '%s'",
				      bn->name, c, (double)var[c], (double)bn->eps, (double)gamma[c], (double)mean[c],
				      g->n[p].name);
			return -1;
		}
	}
	return 0;
}

static void fold(qf_graph *g, int b, int p)
{
	qf_node bn = g->n[b];
	int cout = g->t[bn.in[0]].dim[0];
	if (g->n[p].in[2] < 0) {
		char name[48];
		bias_name(g, g->n[p].name, name, sizeof name);
		int32_t dim[1] = {cout};
		g->n[p].in[2] = qf_graph_add_tensor(g, name, QF_ROLE_BIAS, 1, dim);
	}
	/* pointers only now: adding the bias may have moved g->data */
	const float *gamma = qf_tensor_data(g, bn.in[1]), *beta = qf_tensor_data(g, bn.in[2]);
	const float *mean = qf_tensor_data(g, bn.in[3]), *var = qf_tensor_data(g, bn.in[4]);
	float *w = qf_tensor_data(g, g->n[p].in[1]), *bias = qf_tensor_data(g, g->n[p].in[2]);
	int64_t per = qf_tensor_elems(&g->t[g->n[p].in[1]]) / cout;
	for (int c = 0; c < cout; c++) {
		double s = (double)gamma[c] / sqrt((double)var[c] + (double)bn.eps);
		for (int64_t i = 0; i < per; i++)
			w[c * per + i] = (float)((double)w[c * per + i] * s);
		bias[c] = (float)(((double)bias[c] - (double)mean[c]) * s + (double)beta[c]);
	}
	g->n[p].out = bn.out;
	g->t[bn.out].producer = p;
}

int qf_fold_bn(qf_graph *g, qf_diag *d)
{
	int nn = g->nn, nt0 = g->nt, folded = 0;
	for (int b = 0; b < nn; b++) {
		int p = foldable(g, b);
		if (p >= 0 && check_stats(g, b, p, d))
			return -1;
	}
	bool *drop_node = qf_xcalloc((size_t)nn + 1, sizeof(bool));
	/* the old conv outputs and BN parameters, by index before biases are
	 * added (added tensors are never dropped) */
	bool *drop_t = qf_xcalloc((size_t)nt0 + (size_t)nn + 1, sizeof(bool));
	for (int b = 0; b < nn; b++) {
		int p = foldable(g, b);
		if (p < 0)
			continue;
		drop_t[g->n[b].in[0]] = true;
		for (int k = 1; k <= 4; k++)
			drop_t[g->n[b].in[k]] = true;
		fold(g, b, p);
		drop_node[b] = true;
		folded++;
	}
	QF_ASSERT(g->nt <= nt0 + nn);
	if (folded) {
		/* a BN parameter shared with anything that stays must stay */
		for (int i = 0; i < nn; i++)
			if (!drop_node[i]) {
				for (int k = 0; k < QF_MAX_IN; k++)
					if (g->n[i].in[k] >= 0)
						drop_t[g->n[i].in[k]] = false;
				drop_t[g->n[i].out] = false;
			}
		qf_graph_remove(g, drop_node, drop_t);
		QF_VERIFY(g);
	}
	free(drop_node);
	free(drop_t);
	return folded;
}
