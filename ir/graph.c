/* graph.c: building and freeing Graph IR. */
#include <stdlib.h>
#include <string.h>

#include "ir.h"

/* Bounded copy of a name; snprintf was most of `qforge check` on large
 * spaces, which build many graphs only to count them. */
static void copy_name(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = 0;
}

qf_graph *qf_graph_new(const char *name)
{
	qf_graph *g = qf_xcalloc(1, sizeof(*g));
	g->name = qf_xstrdup(name ? name : "net");
	g->input = g->output = -1;
	g->prov.accuracy = -1;
	return g;
}

void qf_graph_free(qf_graph *g)
{
	if (!g)
		return;
	free(g->name);
	free(g->t);
	free(g->n);
	free(g->data);
	free(g->ints);
	free(g->q);
	free(g->prov.source);
	free(g->prov.space);
	qf_choice_free(&g->prov.choice);
	for (int i = 0; i < g->prov.n_history; i++)
		free(g->prov.history[i]);
	free(g->prov.history);
	for (int i = 0; i < g->n_blobs; i++) {
		free(g->blobs[i].name);
		free(g->blobs[i].f);
	}
	free(g->blobs);
	for (int i = 0; i < g->n_meta; i++) {
		free(g->meta[i].key);
		free(g->meta[i].value);
	}
	free(g->meta);
	free(g);
}

int64_t qf_tensor_elems(const qf_tensor *t)
{
	int64_t n = 1;
	for (int i = 0; i < t->rank; i++)
		n *= t->dim[i];
	return n;
}

int64_t qf_graph_alloc_data(qf_graph *g, int64_t n)
{
	int64_t off = g->ndata;
	qf_grow(&g->data, &g->capdata, off + n, sizeof(float));
	g->ndata += n;
	return off;
}

int64_t qf_graph_alloc_ints(qf_graph *g, int64_t n)
{
	int64_t off = g->nints;
	qf_grow(&g->ints, &g->capints, off + n, sizeof(int32_t));
	g->nints += n;
	return off;
}

void qf_graph_add_qparam(qf_graph *g, int t, int n, const double *scale, const int32_t *zero, int bits,
			 bool symmetric, bool pow2)
{
	qf_grow(&g->q, &g->capq, g->nq + 1, sizeof(qf_qparam));
	qf_qparam q;
	memset(&q, 0, sizeof q);
	q.n = n;
	q.symmetric = symmetric;
	q.pow2 = pow2;
	q.n_slices = 1;
	q.scale = qf_graph_alloc_data(g, n);
	q.zero = qf_graph_alloc_ints(g, n);
	q.bits = qf_graph_alloc_ints(g, 1);
	for (int i = 0; i < n; i++) {
		g->data[q.scale + i] = scale ? (float)scale[i] : 1.0f;
		g->ints[q.zero + i] = zero ? zero[i] : 0;
	}
	g->ints[q.bits] = bits;
	g->q[g->nq] = q;
	g->t[t].quant = g->nq++;
}

void qf_graph_slice_bits(qf_graph *g, int t, int slice, int n_slices, const int32_t *bits)
{
	qf_qparam *q = &g->q[g->t[t].quant];
	QF_ASSERT(slice > 0 && n_slices >= 1);
	q->slice = slice;
	q->n_slices = n_slices;
	q->bits = qf_graph_alloc_ints(g, n_slices);
	for (int i = 0; i < n_slices; i++)
		g->ints[q->bits + i] = bits[i];
}

int qf_graph_add_tensor(qf_graph *g, const char *name, qf_role role, int rank, const int32_t *dim)
{
	QF_ASSERT(rank >= 0 && rank <= QF_MAX_RANK);
	qf_grow(&g->t, &g->capt, g->nt + 1, sizeof(qf_tensor));
	qf_tensor *t = &g->t[g->nt];
	memset(t, 0, sizeof(*t));
	copy_name(t->name, sizeof t->name, name);
	t->role = role;
	t->dtype = QF_DT_F32;
	t->rank = rank;
	for (int i = 0; i < rank; i++)
		t->dim[i] = dim[i];
	t->producer = -1;
	t->quant = -1;
	t->data = -1;
	if (role >= QF_ROLE_WEIGHT) {
		int64_t n = qf_tensor_elems(t);
		QF_ASSERT(n >= 0 && n <= QF_LIMIT_TENSOR_ELEMS);
		t->data = qf_graph_alloc_data(g, n);
	}
	return g->nt++;
}

int qf_graph_add_node(qf_graph *g, qf_op op, const char *name, const int *in, int n_in)
{
	QF_ASSERT(n_in <= QF_MAX_IN);
	int out = qf_graph_add_tensor(g, name, QF_ROLE_ACT, 0, NULL);
	qf_grow(&g->n, &g->capn, g->nn + 1, sizeof(qf_node));
	qf_node *nd = &g->n[g->nn];
	memset(nd, 0, sizeof(*nd));
	copy_name(nd->name, sizeof nd->name, name);
	nd->op = op;
	for (int i = 0; i < QF_MAX_IN; i++)
		nd->in[i] = i < n_in ? in[i] : -1;
	nd->out = out;
	nd->groups = 1;
	nd->s = 1;
	nd->block = -1;
	g->t[out].producer = g->nn;
	return g->nn++;
}

float *qf_graph_set_blob(qf_graph *g, const char *name, int64_t n)
{
	qf_blob *b = qf_graph_blob(g, name);
	if (!b) {
		int64_t cap = g->n_blobs;
		qf_grow(&g->blobs, &cap, g->n_blobs + 1, sizeof(qf_blob));
		b = &g->blobs[g->n_blobs++];
		b->name = qf_xstrdup(name);
	} else {
		free(b->f);
	}
	b->f = qf_xcalloc((size_t)(n ? n : 1), sizeof(float));
	b->n = n;
	return b->f;
}

qf_blob *qf_graph_blob(const qf_graph *g, const char *name)
{
	for (int i = 0; i < g->n_blobs; i++)
		if (strcmp(g->blobs[i].name, name) == 0)
			return &g->blobs[i];
	return NULL;
}

void qf_graph_set_meta(qf_graph *g, const char *key, const char *value)
{
	for (int i = 0; i < g->n_meta; i++)
		if (strcmp(g->meta[i].key, key) == 0) {
			free(g->meta[i].value);
			g->meta[i].value = qf_xstrdup(value);
			return;
		}
	int64_t cap = g->n_meta;
	qf_grow(&g->meta, &cap, g->n_meta + 1, sizeof(qf_meta));
	g->meta[g->n_meta].key = qf_xstrdup(key);
	g->meta[g->n_meta].value = qf_xstrdup(value);
	g->n_meta++;
}

const char *qf_graph_meta(const qf_graph *g, const char *key)
{
	for (int i = 0; i < g->n_meta; i++)
		if (strcmp(g->meta[i].key, key) == 0)
			return g->meta[i].value;
	return NULL;
}

void qf_prov_add_history(qf_graph *g, const char *line)
{
	int64_t cap = g->prov.n_history;
	qf_grow(&g->prov.history, &cap, g->prov.n_history + 1, sizeof(char *));
	g->prov.history[g->prov.n_history++] = qf_xstrdup(line);
}
