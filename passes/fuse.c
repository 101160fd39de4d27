/* fuse: the layers of a BN-folded Graph IR as an Int Graph.
 *
 * Requires: a verified Graph IR in which qf_fold_bn has run.
 * Guarantees: a verified Int Graph at stage FUSED (see ir.h) with
 *   - one node per conv2d (dwconv when groups == in channels == out
 *     channels), fc, maxpool, avgpool, gavgpool (an avgpool whose window is
 *     the whole map) and add, in Graph IR order;
 *   - a relu or relu6 folded into the clamp of the layer before it when
 *     that layer's output feeds the activation alone: the integer layer
 *     then writes the activation's tensor, and takes its quant params;
 *   - tensors H x W x C, each naming the Graph IR tensor (src) whose quant
 *     params it takes; src of a node is its Graph IR node, wsrc/bsrc its
 *     weight and bias tensors.
 * Every activation is fused: an integer layer's requant clamps for free,
 * while a stand-alone relu would cost a pass over the tensor and a buffer.
 * Pools are not fused into the conv before them: the runtime has no such
 * kernel, and the planner already runs pools in place.
 * Refused (reported naming the node): hswish, concat, a BN that was not
 * folded, grouped convolutions other than depthwise, an activation that
 * cannot be fused (its input also feeds something else, or is the input).
 */
#include <stdlib.h>

#include "passes/passes.h"

static int graph_consumers(const qf_graph *g, int t)
{
	int n = t == g->output;
	for (int i = 0; i < g->nn; i++)
		for (int k = 0; k < QF_MAX_IN; k++)
			n += g->n[i].in[k] == t;
	return n;
}

static int add_tensor(qf_igraph *ig, const qf_graph *g, int t)
{
	const qf_tensor *gt = &g->t[t];
	return qf_igraph_add_tensor(ig, gt->name, gt->dim[1], gt->dim[2], gt->dim[0], t);
}

static int no_kernel(const qf_node *n, const char *why, qf_diag *d)
{
	qf_diag_error(d, (qf_loc){0, 0}, "layer '%s' (%s): %s", n->name, qf_op_name[n->op], why);
	return -1;
}

static int fuse_act(qf_igraph *ig, const qf_graph *g, int i, int *tmap, qf_diag *d)
{
	const qf_node *n = &g->n[i];
	int x = n->in[0], it = tmap[x];
	int p = it >= 0 ? ig->t[it].producer : -1;
	if (p < 0)
		return no_kernel(n, "an activation on the network input has no integer kernel", d);
	if (ig->n[p].act != QF_ACT_NONE || graph_consumers(g, x) != 1)
		return no_kernel(n,
				 "its input also feeds another layer (or is the network output), so it cannot be "
				 "folded into the clamp of the layer before it, and no kernel runs it alone",
				 d);
	ig->n[p].act = n->op == QF_OP_RELU ? QF_ACT_RELU : QF_ACT_RELU6;
	qf_itensor *t = &ig->t[it];
	snprintf(t->name, sizeof t->name, "%s", g->t[n->out].name);
	t->src = n->out;
	tmap[n->out] = it;
	return 0;
}

static int lower_node(qf_igraph *ig, const qf_graph *g, int i, int *tmap, qf_diag *d)
{
	const qf_node *n = &g->n[i];
	int x = n->in[0] >= 0 ? tmap[n->in[0]] : -1;
	switch (n->op) {
	case QF_OP_RELU:
	case QF_OP_RELU6:
		return fuse_act(ig, g, i, tmap, d);
	case QF_OP_HSWISH:
		return no_kernel(n, "hswish has no integer kernel in the runtime", d);
	case QF_OP_CONCAT:
		return no_kernel(n, "concat has no integer kernel in the runtime", d);
	case QF_OP_BN:
		return no_kernel(n,
				 "batch norm that does not follow a convolution (used by it alone) cannot be folded, "
				 "and has no integer kernel",
				 d);
	default:
		break;
	}
	QF_ASSERT(x >= 0);
	qf_iop op;
	const qf_tensor *in = &g->t[n->in[0]];
	switch (n->op) {
	case QF_OP_CONV2D:
		if (n->groups == 1)
			op = QF_IOP_CONV;
		else if (n->groups == in->dim[0] && g->t[n->out].dim[0] == in->dim[0])
			op = QF_IOP_DWCONV;
		else
			return no_kernel(n, "grouped convolution other than depthwise has no integer kernel", d);
		break;
	case QF_OP_FC:
		op = QF_IOP_FC;
		break;
	case QF_OP_MAXPOOL:
		op = QF_IOP_MAXPOOL;
		break;
	case QF_OP_AVGPOOL:
	case QF_OP_GAVGPOOL:
		op = QF_IOP_AVGPOOL;
		break;
	case QF_OP_ADD:
		op = QF_IOP_ADD;
		break;
	default:
		qf_die("fuse: op %s", qf_op_name[n->op]);
	}
	int y = add_tensor(ig, g, n->out);
	tmap[n->out] = y;
	int x1 = op == QF_IOP_ADD ? tmap[n->in[1]] : -1;
	if (op == QF_IOP_ADD)
		QF_ASSERT(x1 >= 0);
	int k = qf_igraph_add_node(ig, op, n->name, x, x1, y, i);
	qf_inode *in_ = &ig->n[k];
	if (n->op == QF_OP_GAVGPOOL) {
		in_->k_h = in->dim[1];
		in_->k_w = in->dim[2];
	} else if (op != QF_IOP_FC && op != QF_IOP_ADD) {
		in_->k_h = in_->k_w = n->k;
		in_->stride = n->s;
		in_->pad_top = in_->pad_left = n->pad;
	}
	if (op == QF_IOP_CONV || op == QF_IOP_DWCONV || op == QF_IOP_FC) {
		in_->wsrc = n->in[1];
		in_->bsrc = n->in[2];
		in_->macs = qf_node_macs(g, i);
	}
	return 0;
}

qf_igraph *qf_fuse(const qf_graph *g, qf_diag *d)
{
	qf_igraph *ig = qf_igraph_new(g->name);
	int *tmap = qf_xmalloc((size_t)g->nt * sizeof(int));
	for (int i = 0; i < g->nt; i++)
		tmap[i] = -1;
	ig->input = tmap[g->input] = add_tensor(ig, g, g->input);
	int rc = 0;
	for (int i = 0; i < g->nn && !rc; i++)
		rc = lower_node(ig, g, i, tmap, d);
	if (!rc) {
		ig->output = tmap[g->output];
		ig->classes = g->classes;
		QF_ASSERT(ig->output >= 0);
		QF_IVERIFY(ig);
	}
	free(tmap);
	if (rc) {
		qf_igraph_free(ig);
		return NULL;
	}
	return ig;
}
