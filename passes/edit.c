/* edit.c: removing nodes and tensors from a Graph IR, for the passes that
 * rewrite it (fold_bn). Not a pass: it keeps whatever invariants the
 * caller's edit kept, renumbering indices so they stay dense. */
#include <stdlib.h>
#include <string.h>

#include "passes/passes.h"

void qf_graph_remove(qf_graph *g, const bool *drop_node, const bool *drop_tensor)
{
	int *tmap = qf_xmalloc((size_t)(g->nt ? g->nt : 1) * sizeof(int));
	int *nmap = qf_xmalloc((size_t)(g->nn ? g->nn : 1) * sizeof(int));
	int nt = 0, nn = 0;
	for (int i = 0; i < g->nt; i++)
		tmap[i] = drop_tensor[i] ? -1 : nt++;
	for (int i = 0; i < g->nn; i++)
		nmap[i] = drop_node[i] ? -1 : nn++;
	for (int i = 0; i < g->nt; i++) {
		if (tmap[i] < 0)
			continue;
		qf_tensor t = g->t[i];
		if (t.producer >= 0) {
			QF_ASSERT(nmap[t.producer] >= 0);
			t.producer = nmap[t.producer];
		}
		g->t[tmap[i]] = t;
	}
	for (int i = 0; i < g->nn; i++) {
		if (nmap[i] < 0)
			continue;
		qf_node n = g->n[i];
		for (int k = 0; k < QF_MAX_IN; k++)
			if (n.in[k] >= 0) {
				QF_ASSERT(tmap[n.in[k]] >= 0);
				n.in[k] = tmap[n.in[k]];
			}
		QF_ASSERT(tmap[n.out] >= 0);
		n.out = tmap[n.out];
		g->n[nmap[i]] = n;
	}
	QF_ASSERT(g->input < 0 || tmap[g->input] >= 0);
	QF_ASSERT(g->output < 0 || tmap[g->output] >= 0);
	if (g->input >= 0)
		g->input = tmap[g->input];
	if (g->output >= 0)
		g->output = tmap[g->output];
	g->nt = nt;
	g->nn = nn;
	free(tmap);
	free(nmap);
}

static void *dup_array(const void *src, int64_t n, size_t elem, int64_t *cap)
{
	*cap = n;
	void *p = qf_xmalloc((size_t)(n ? n : 1) * elem);
	if (n)
		memcpy(p, src, (size_t)n * elem);
	return p;
}

qf_graph *qf_graph_clone(const qf_graph *g)
{
	qf_graph *c = qf_graph_new(g->name);
	c->t = dup_array(g->t, g->nt, sizeof(qf_tensor), &c->capt);
	c->nt = g->nt;
	c->n = dup_array(g->n, g->nn, sizeof(qf_node), &c->capn);
	c->nn = g->nn;
	c->data = dup_array(g->data, g->ndata, sizeof(float), &c->capdata);
	c->ndata = g->ndata;
	c->ints = dup_array(g->ints, g->nints, sizeof(int32_t), &c->capints);
	c->nints = g->nints;
	c->q = dup_array(g->q, g->nq, sizeof(qf_qparam), &c->capq);
	c->nq = g->nq;
	c->input = g->input;
	c->output = g->output;
	c->classes = g->classes;
	c->prov.source = g->prov.source ? qf_xstrdup(g->prov.source) : NULL;
	c->prov.accuracy = g->prov.accuracy;
	return c;
}
