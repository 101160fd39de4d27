/* verify.c: the Graph IR invariants, checked between passes.
 *
 * What a valid graph promises every pass and backend:
 *   - every index (tensor, node, qparam, data and int offsets) is in range;
 *   - nodes are in topological order: an input is the graph input, a
 *     parameter, or the output of an earlier node; each node's output is
 *     an activation that names it as producer, and no activation has two;
 *   - arity follows ops.def: exactly qf_op_n_in inputs, activations first,
 *     parameters in their role order; -1 only for the optional bias of
 *     conv2d and fc; the slots past n_in are -1;
 *   - parameter tensors have all their values inside g->data; activations
 *     have none;
 *   - quant params are well formed (entries per tensor or per channel,
 *     slices covering the channels, bits 1..32, positive finite scales,
 *     exact powers of two under pow2, zero points 0 when symmetric);
 *   - the input is set and is the one INPUT tensor, the output is set;
 *   - tensor names are unique and node names are unique;
 *   - every output shape is the one shape inference gives.
 * The first violation is described in a static buffer (not reentrant:
 * only for messages).
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

static _Thread_local char msg[320];

__attribute__((format(printf, 1, 2))) static const char *bad(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return msg;
}

/* The role each parameter slot must have (slot 0 is the activation). */
static qf_role slot_role(qf_op op, int slot)
{
	static const qf_role conv_fc[] = {QF_ROLE_ACT, QF_ROLE_WEIGHT, QF_ROLE_BIAS};
	static const qf_role bn[] = {QF_ROLE_ACT, QF_ROLE_GAMMA, QF_ROLE_BETA, QF_ROLE_MEAN, QF_ROLE_VAR};
	if (op == QF_OP_CONV2D || op == QF_OP_FC)
		return conv_fc[slot];
	if (op == QF_OP_BN)
		return bn[slot];
	return QF_ROLE_ACT;
}

static bool is_act(qf_role r)
{
	return r == QF_ROLE_INPUT || r == QF_ROLE_ACT;
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* Finds a repeated name among n fixed-size records; the hash table keeps
 * this linear for graphs of tens of thousands of tensors. */
static const char *dup_name(const void *array, size_t offset, int n, size_t stride)
{
	if (n < 2)
		return NULL;
	const char *base = (const char *)array + offset;
	int64_t cap = 1;
	while (cap < 2 * (int64_t)n)
		cap <<= 1;
	int *slot = qf_xmalloc((size_t)cap * sizeof(int));
	memset(slot, 0xff, (size_t)cap * sizeof(int));
	const char *found = NULL;
	for (int i = 0; i < n && !found; i++) {
		const char *s = base + (size_t)i * stride;
		for (int64_t h = (int64_t)(hash(s) & (uint64_t)(cap - 1));; h = (h + 1) & (cap - 1)) {
			if (slot[h] < 0) {
				slot[h] = i;
				break;
			}
			if (strcmp(base + (size_t)slot[h] * stride, s) == 0) {
				found = s;
				break;
			}
		}
	}
	free(slot);
	return found;
}

static const char *check_qparam(const qf_graph *g, int ti)
{
	const qf_tensor *t = &g->t[ti];
	if (t->quant < 0 || t->quant >= g->nq)
		return bad("tensor '%s': quant %d out of range (%d qparams)", t->name, t->quant, g->nq);
	const qf_qparam *q = &g->q[t->quant];
	int32_t c = t->rank > 0 ? t->dim[0] : 1;
	if (q->n != 1 && q->n != c)
		return bad("tensor '%s': %d quant entries, expected 1 or %d", t->name, q->n, c);
	if (q->slice < 0)
		return bad("tensor '%s': negative slice %d", t->name, q->slice);
	int want = q->slice ? (int)(((int64_t)c + q->slice - 1) / q->slice) : 1;
	if (q->n_slices != want)
		return bad("tensor '%s': %d bit slices, expected %d", t->name, q->n_slices, want);
	if (q->scale < 0 || q->scale > g->ndata - q->n)
		return bad("tensor '%s': scales [%lld, +%d) outside the data", t->name, (long long)q->scale, q->n);
	if (q->zero < 0 || q->zero > g->nints - q->n)
		return bad("tensor '%s': zero points outside the ints", t->name);
	if (q->bits < 0 || q->bits > g->nints - q->n_slices)
		return bad("tensor '%s': bits outside the ints", t->name);
	for (int i = 0; i < q->n_slices; i++) {
		int32_t b = g->ints[q->bits + i];
		if (b < 1 || b > 32)
			return bad("tensor '%s': slice %d has %d bits", t->name, i, b);
	}
	for (int i = 0; i < q->n; i++) {
		float s = g->data[q->scale + i];
		int e;
		if (!isfinite(s) || s <= 0)
			return bad("tensor '%s': scale %d is %g", t->name, i, s);
		if (q->pow2 && frexpf(s, &e) != 0.5f)
			return bad("tensor '%s': scale %d (%g) is not a power of two", t->name, i, s);
		if (q->symmetric && g->ints[q->zero + i] != 0)
			return bad("tensor '%s': symmetric but zero point %d is %d", t->name, i,
				   g->ints[q->zero + i]);
	}
	return NULL;
}

static const char *check_tensor(const qf_graph *g, int i)
{
	const qf_tensor *t = &g->t[i];
	if (memchr(t->name, 0, sizeof t->name) == NULL)
		return bad("tensor %d: name not terminated", i);
	if ((int)t->role < 0 || t->role >= QF_ROLE_COUNT)
		return bad("tensor '%s': role %d out of range", t->name, (int)t->role);
	if ((int)t->dtype < 0 || t->dtype >= QF_DT_COUNT)
		return bad("tensor '%s': dtype %d out of range", t->name, (int)t->dtype);
	if (t->rank < 0 || t->rank > QF_MAX_RANK)
		return bad("tensor '%s': rank %d out of range", t->name, t->rank);
	for (int k = 0; k < t->rank; k++)
		if (t->dim[k] < 1)
			return bad("tensor '%s': dimension %d is %d", t->name, k, t->dim[k]);
	if (is_act(t->role)) {
		if (t->data != -1)
			return bad("tensor '%s': activation with stored data", t->name);
		if (t->rank != 3)
			return bad("tensor '%s': activation of rank %d, expected C x H x W", t->name, t->rank);
		if (t->role == QF_ROLE_INPUT && t->producer != -1)
			return bad("tensor '%s': the input has a producer", t->name);
		if (t->role == QF_ROLE_ACT && (t->producer < 0 || t->producer >= g->nn))
			return bad("tensor '%s': activation without a producer node", t->name);
		if (t->role == QF_ROLE_ACT && g->n[t->producer].out != i)
			return bad("tensor '%s': producer node '%s' does not output it", t->name,
				   g->n[t->producer].name);
	} else {
		if (t->producer != -1)
			return bad("tensor '%s': parameter with a producer", t->name);
		/* dims are each below 2^31 and rank <= 4; check step by step so a
		 * corrupt shape cannot overflow the product. */
		int64_t n = 1;
		for (int k = 0; k < t->rank; k++) {
			n *= t->dim[k];
			if (n > QF_LIMIT_TENSOR_ELEMS)
				return bad("tensor '%s': more than %lld elements", t->name,
					   (long long)QF_LIMIT_TENSOR_ELEMS);
		}
		if (t->data < 0 || t->data > g->ndata - n)
			return bad("tensor '%s': %lld values at %lld outside the %lld of data", t->name,
				   (long long)n, (long long)t->data, (long long)g->ndata);
	}
	if (t->quant != -1)
		return check_qparam(g, i);
	return NULL;
}

static const char *check_node(const qf_graph *g, int i)
{
	const qf_node *nd = &g->n[i];
	if (memchr(nd->name, 0, sizeof nd->name) == NULL)
		return bad("node %d: name not terminated", i);
	if ((int)nd->op < 0 || nd->op >= QF_OP_COUNT)
		return bad("node '%s': op %d out of range", nd->name, (int)nd->op);
	int n_in = qf_op_n_in[nd->op];
	for (int s = 0; s < QF_MAX_IN; s++) {
		int t = nd->in[s];
		if (s >= n_in) {
			if (t != -1)
				return bad("node '%s' (%s): input %d set past the op's %d inputs", nd->name,
					   qf_op_name[nd->op], s, n_in);
			continue;
		}
		if (t == -1) {
			if (s == 2 && (nd->op == QF_OP_CONV2D || nd->op == QF_OP_FC))
				continue; /* no bias */
			return bad("node '%s' (%s): input %d missing", nd->name, qf_op_name[nd->op], s);
		}
		if (t < 0 || t >= g->nt)
			return bad("node '%s': input %d is tensor %d, out of range", nd->name, s, t);
		const qf_tensor *x = &g->t[t];
		qf_role want = slot_role(nd->op, s);
		if (want == QF_ROLE_ACT ? !is_act(x->role) : x->role != want)
			return bad("node '%s' (%s): input %d '%s' is a %s, expected %s", nd->name,
				   qf_op_name[nd->op], s, x->name, qf_role_name[x->role],
				   want == QF_ROLE_ACT ? "an activation" : qf_role_name[want]);
		if (x->role == QF_ROLE_ACT && x->producer >= i)
			return bad("node '%s': input '%s' is produced later, by node %d (not topological)",
				   nd->name, x->name, x->producer);
	}
	if (nd->out < 0 || nd->out >= g->nt)
		return bad("node '%s': output %d out of range", nd->name, nd->out);
	if (g->t[nd->out].role != QF_ROLE_ACT || g->t[nd->out].producer != i)
		return bad("node '%s': output '%s' is not an activation produced by it", nd->name,
			   g->t[nd->out].name);
	if (nd->block < -1)
		return bad("node '%s': block %d", nd->name, nd->block);
	int32_t o[3];
	char why[256];
	if (qf_node_shape(g, i, o, why, sizeof why))
		return bad("node '%s' (%s): %s", nd->name, qf_op_name[nd->op], why);
	const qf_tensor *y = &g->t[nd->out];
	if (y->dim[0] != o[0] || y->dim[1] != o[1] || y->dim[2] != o[2])
		return bad("node '%s': output shape %dx%dx%d, inference gives %dx%dx%d", nd->name, y->dim[0],
			   y->dim[1], y->dim[2], o[0], o[1], o[2]);
	return NULL;
}

const char *qf_graph_verify(const qf_graph *g)
{
	const char *e;
	if (g->nt < 0 || g->nn < 0 || g->nq < 0 || g->ndata < 0 || g->nints < 0)
		return bad("negative counts");
	if (g->input < 0 || g->input >= g->nt)
		return bad("input tensor %d not set or out of range", g->input);
	if (g->output < 0 || g->output >= g->nt)
		return bad("output tensor %d not set or out of range", g->output);
	for (int i = 0; i < g->nt; i++) {
		if ((e = check_tensor(g, i)))
			return e;
		if (g->t[i].role == QF_ROLE_INPUT && i != g->input)
			return bad("tensor '%s': a second input", g->t[i].name);
	}
	if (g->t[g->input].role != QF_ROLE_INPUT)
		return bad("input '%s' is not an INPUT tensor", g->t[g->input].name);
	if (!is_act(g->t[g->output].role))
		return bad("output '%s' is not an activation", g->t[g->output].name);
	/* The nodes after the check of every tensor: producers are in range. */
	for (int i = 0; i < g->nn; i++)
		if ((e = check_node(g, i)))
			return e;
	const char *d = dup_name(g->t, offsetof(qf_tensor, name), g->nt, sizeof(qf_tensor));
	if (d)
		return bad("tensor name '%s' used twice", d);
	if ((d = dup_name(g->n, offsetof(qf_node, name), g->nn, sizeof(qf_node))))
		return bad("node name '%s' used twice", d);
	return NULL;
}

void qf_graph_verify_or_die(const qf_graph *g, const char *file, int line)
{
	const char *e = qf_graph_verify(g);
	if (e)
		qf_die("%s:%d: invalid graph '%s': %s", file, line, g->name ? g->name : "?", e);
}
