/* shape.c: shape inference over the Graph IR.
 *
 * Activations are C x H x W (the batch is not part of the IR). A node's
 * output shape follows from its activation inputs, its attributes and the
 * shapes of its parameter tensors, which must agree with each other: the
 * parameters are what a trained .qfm carries, so a mismatch there is a
 * corrupt file, reported like any other bad input.
 *
 * Sizes come from files and from user-written spaces, so every dimension
 * is range-checked before it is multiplied, and products are int64: a
 * 10^9-channel request is an error message, never an overflow.
 */
#include <stdarg.h>
#include <string.h>

#include "ir.h"

typedef struct {
	char *buf;
	size_t len;
} why_buf;

__attribute__((format(printf, 2, 3))) static int fail(why_buf *w, const char *fmt, ...)
{
	if (w->buf && w->len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(w->buf, w->len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool tensor_ok(const qf_graph *g, int t)
{
	return t >= 0 && t < g->nt;
}

/* An activation input: rank 3 with every dim within the limits. */
static int act_in(const qf_graph *g, const qf_node *nd, int slot, int32_t s[3], why_buf *w)
{
	int t = nd->in[slot];
	if (!tensor_ok(g, t))
		return fail(w, "input %d is not a tensor (%d)", slot, t);
	const qf_tensor *x = &g->t[t];
	if (x->role != QF_ROLE_INPUT && x->role != QF_ROLE_ACT)
		return fail(w, "input %d '%s' is a %s, not an activation", slot, x->name,
			    x->role >= 0 && x->role < QF_ROLE_COUNT ? qf_role_name[x->role] : "?");
	if (x->rank != 3)
		return fail(w, "input '%s' has no C x H x W shape (rank %d)", x->name, x->rank);
	if (x->dim[0] < 1 || x->dim[1] < 1 || x->dim[2] < 1)
		return fail(w, "input '%s' has an empty shape %dx%dx%d", x->name, x->dim[0], x->dim[1],
			    x->dim[2]);
	if (x->dim[0] > QF_LIMIT_CHANNELS || x->dim[1] > QF_LIMIT_SPATIAL || x->dim[2] > QF_LIMIT_SPATIAL)
		return fail(w, "input '%s' shape %dx%dx%d is over the limits (%d channels, %d pixels)",
			    x->name, x->dim[0], x->dim[1], x->dim[2], QF_LIMIT_CHANNELS, QF_LIMIT_SPATIAL);
	memcpy(s, x->dim, 3 * sizeof(int32_t));
	return 0;
}

/* What each dimension of a parameter means, for messages. */
static const char *const conv_dims[4] = {"output channels", "input channels per group", "kernel rows",
					 "kernel columns"};
static const char *const fc_dims[2] = {"outputs", "inputs"};
static const char *const vec_dims[1] = {"channels"};

/* A parameter input of the given role and rank; want[] = -1 accepts any
 * value in that position (checked by the caller). */
static int param_in(const qf_graph *g, const qf_node *nd, int slot, qf_role role, int rank,
		    const int32_t *want, why_buf *w)
{
	const char *const *what = rank == 4 ? conv_dims : rank == 2 ? fc_dims : vec_dims;
	int t = nd->in[slot];
	if (!tensor_ok(g, t))
		return fail(w, "%s input is not a tensor (%d)", qf_role_name[role], t);
	const qf_tensor *p = &g->t[t];
	if (p->role != role)
		return fail(w, "input %d '%s' should be a %s", slot, p->name, qf_role_name[role]);
	if (p->rank != rank)
		return fail(w, "%s '%s' has rank %d, expected %d", qf_role_name[role], p->name, p->rank, rank);
	for (int i = 0; i < rank; i++) {
		if (p->dim[i] < 1)
			return fail(w, "%s '%s' has an empty dimension", qf_role_name[role], p->name);
		if (want[i] >= 0 && p->dim[i] != want[i])
			return fail(w, "%s '%s' has %d %s, expected %d", qf_role_name[role], p->name, p->dim[i],
				    what[i], want[i]);
	}
	/* step by step: four dims near 2^31 would overflow the product */
	int64_t n = 1;
	for (int i = 0; i < rank; i++) {
		n *= p->dim[i];
		if (n > QF_LIMIT_TENSOR_ELEMS)
			return fail(w, "%s '%s' has more than %lld elements", qf_role_name[role], p->name,
				    (long long)QF_LIMIT_TENSOR_ELEMS);
	}
	return 0;
}

/* The output size of a k x k window with stride s and padding pad over n
 * pixels; reports windows that do not fit (the map collapses below 1). */
static int window(int32_t n, int k, int s, int pad, int32_t *out, const char *axis, why_buf *w)
{
	if (k < 1 || k > QF_LIMIT_KERNEL)
		return fail(w, "kernel %d is outside 1..%d", k, QF_LIMIT_KERNEL);
	if (s < 1 || s > QF_LIMIT_SPATIAL)
		return fail(w, "stride %d is outside 1..%d", s, QF_LIMIT_SPATIAL);
	if (pad < 0 || pad > QF_LIMIT_KERNEL)
		return fail(w, "padding %d is outside 0..%d", pad, QF_LIMIT_KERNEL);
	int64_t span = (int64_t)n + 2 * pad - k;
	if (span < 0)
		return fail(w, "%s of %d (padding %d) is smaller than the kernel %d: the map collapses below 1x1",
			    axis, n, pad, k);
	*out = (int32_t)(span / s + 1);
	return 0;
}

static int out_limit(const int32_t o[3], why_buf *w)
{
	if (o[0] > QF_LIMIT_CHANNELS)
		return fail(w, "output has %d channels, over the limit of %d", o[0], QF_LIMIT_CHANNELS);
	int64_t n = (int64_t)o[0] * o[1] * o[2];
	if (n > QF_LIMIT_TENSOR_ELEMS)
		return fail(w, "output %dx%dx%d has %lld elements, over the limit of %lld", o[0], o[1], o[2],
			    (long long)n, (long long)QF_LIMIT_TENSOR_ELEMS);
	return 0;
}

static int conv_shape(const qf_graph *g, const qf_node *nd, const int32_t x[3], int32_t o[3], why_buf *w)
{
	if (nd->groups < 1 || x[0] % nd->groups)
		return fail(w, "groups %d do not divide the %d input channels", nd->groups, x[0]);
	int32_t want[4] = {-1, x[0] / nd->groups, nd->k, nd->k};
	if (param_in(g, nd, 1, QF_ROLE_WEIGHT, 4, want, w))
		return -1;
	int32_t cout = g->t[nd->in[1]].dim[0];
	if (cout % nd->groups)
		return fail(w, "groups %d do not divide the %d output channels", nd->groups, cout);
	if (nd->in[2] >= 0 && param_in(g, nd, 2, QF_ROLE_BIAS, 1, &cout, w))
		return -1;
	o[0] = cout;
	if (window(x[1], nd->k, nd->s, nd->pad, &o[1], "height", w) ||
	    window(x[2], nd->k, nd->s, nd->pad, &o[2], "width", w))
		return -1;
	return 0;
}

static int fc_shape(const qf_graph *g, const qf_node *nd, const int32_t x[3], int32_t o[3], why_buf *w)
{
	/* Bounded by the limits act_in checked: at most 2^44, no overflow. */
	int64_t flat = (int64_t)x[0] * x[1] * x[2];
	if (flat > QF_LIMIT_TENSOR_ELEMS)
		return fail(w, "flattened input of %lld values is over the limit", (long long)flat);
	int32_t want[2] = {-1, (int32_t)flat};
	if (param_in(g, nd, 1, QF_ROLE_WEIGHT, 2, want, w))
		return -1;
	int32_t cout = g->t[nd->in[1]].dim[0];
	if (nd->in[2] >= 0 && param_in(g, nd, 2, QF_ROLE_BIAS, 1, &cout, w))
		return -1;
	o[0] = cout;
	o[1] = o[2] = 1;
	return 0;
}

int qf_node_shape(const qf_graph *g, int node, int32_t o[3], char *why, size_t whylen)
{
	why_buf w = {why, whylen};
	if (why && whylen)
		why[0] = 0;
	if (node < 0 || node >= g->nn)
		return fail(&w, "node %d does not exist", node);
	const qf_node *nd = &g->n[node];
	if ((int)nd->op < 0 || nd->op >= QF_OP_COUNT)
		return fail(&w, "unknown op %d", (int)nd->op);
	int32_t x[3];
	if (act_in(g, nd, 0, x, &w))
		return -1;
	switch (nd->op) {
	case QF_OP_CONV2D:
		if (conv_shape(g, nd, x, o, &w))
			return -1;
		break;
	case QF_OP_FC:
		if (fc_shape(g, nd, x, o, &w))
			return -1;
		break;
	case QF_OP_BN:
		for (int i = 1; i <= 4; i++)
			if (param_in(g, nd, i, (qf_role)(QF_ROLE_GAMMA + i - 1), 1, &x[0], &w))
				return -1;
		memcpy(o, x, sizeof x);
		break;
	case QF_OP_RELU:
	case QF_OP_RELU6:
	case QF_OP_HSWISH:
		memcpy(o, x, sizeof x);
		break;
	case QF_OP_MAXPOOL:
	case QF_OP_AVGPOOL:
		/* A window wholly in the padding has nothing to take the max or
		 * mean of. */
		if (nd->pad >= nd->k)
			return fail(&w, "padding %d is not smaller than the window %d", nd->pad, nd->k);
		o[0] = x[0];
		if (window(x[1], nd->k, nd->s, nd->pad, &o[1], "height", &w) ||
		    window(x[2], nd->k, nd->s, nd->pad, &o[2], "width", &w))
			return -1;
		break;
	case QF_OP_GAVGPOOL:
		o[0] = x[0];
		o[1] = o[2] = 1;
		break;
	case QF_OP_ADD:
	case QF_OP_CONCAT: {
		int32_t y[3];
		if (act_in(g, nd, 1, y, &w))
			return -1;
		if (nd->op == QF_OP_ADD && (x[0] != y[0] || x[1] != y[1] || x[2] != y[2]))
			return fail(&w, "adds %dx%dx%d to %dx%dx%d: shapes differ", x[0], x[1], x[2], y[0],
				    y[1], y[2]);
		if (nd->op == QF_OP_CONCAT && (x[1] != y[1] || x[2] != y[2]))
			return fail(&w, "concatenates %dx%dx%d with %dx%dx%d: maps differ", x[0], x[1], x[2],
				    y[0], y[1], y[2]);
		memcpy(o, x, sizeof x);
		if (nd->op == QF_OP_CONCAT)
			o[0] = x[0] + y[0]; /* each at most QF_LIMIT_CHANNELS */
		break;
	}
	case QF_OP_COUNT:
		return fail(&w, "unknown op");
	}
	return out_limit(o, &w);
}

int qf_graph_infer_shapes(qf_graph *g, qf_diag *d)
{
	char why[256];
	for (int i = 0; i < g->nn; i++) {
		int32_t o[3];
		const qf_node *nd = &g->n[i];
		if (qf_node_shape(g, i, o, why, sizeof why)) {
			qf_diag_error(d, (qf_loc){0, 0}, "node '%s' (%s): %s", nd->name,
				      (int)nd->op >= 0 && nd->op < QF_OP_COUNT ? qf_op_name[nd->op] : "?", why);
			return -1;
		}
		if (!tensor_ok(g, nd->out) || g->t[nd->out].role != QF_ROLE_ACT) {
			qf_diag_error(d, (qf_loc){0, 0}, "node '%s': output %d is not an activation tensor",
				      nd->name, nd->out);
			return -1;
		}
		qf_tensor *t = &g->t[nd->out];
		t->rank = 3;
		memcpy(t->dim, o, sizeof o);
		t->dim[3] = 0;
	}
	return 0;
}
