/* engine_probe.c: the float values of inner tensors, for calibration.
 *
 * The engine returns only the output of its graph, so for each probed
 * tensor t the probe builds the network cut after t's producer (t becomes
 * the output) and runs an engine on it. Every cut repeats the layers before
 * it, which costs a few forwards per batch: calibration runs a few hundred
 * images once, and in exchange nothing here reaches into the engine
 * beyond interp.h. */
#include <stdlib.h>
#include <string.h>

#include "interp/interp.h"
#include "passes/passes.h"

struct qf_probe {
	int n;
	int batch;
	int64_t in_elems;
	float *input;
	qf_graph **cut;
	qf_engine **eng;
	int64_t *elems;
};

/* g cut after the node that writes t: later nodes and their outputs go. */
static qf_graph *cut_after(const qf_graph *g, int t)
{
	qf_graph *c = qf_graph_clone(g);
	int last = g->t[t].producer;
	bool *dn = qf_xcalloc((size_t)c->nn + 1, sizeof(bool));
	bool *dt = qf_xcalloc((size_t)c->nt + 1, sizeof(bool));
	for (int i = last + 1; i < c->nn; i++) {
		dn[i] = true;
		dt[c->n[i].out] = true;
	}
	c->output = t;
	qf_graph_remove(c, dn, dt);
	c->classes = (int)qf_tensor_elems(&c->t[c->output]);
	free(dn);
	free(dt);
	return c;
}

qf_probe *qf_probe_new(const qf_graph *g, const int *tensors, int n, int batch, int threads, qf_diag *d)
{
	qf_probe *p = qf_xcalloc(1, sizeof(*p));
	p->n = n;
	p->batch = batch;
	p->in_elems = qf_tensor_elems(&g->t[g->input]);
	p->input = qf_xcalloc((size_t)(batch * p->in_elems), sizeof(float));
	p->cut = qf_xcalloc((size_t)(n ? n : 1), sizeof(qf_graph *));
	p->eng = qf_xcalloc((size_t)(n ? n : 1), sizeof(qf_engine *));
	p->elems = qf_xcalloc((size_t)(n ? n : 1), sizeof(int64_t));
	for (int k = 0; k < n; k++) {
		QF_ASSERT(tensors[k] >= 0 && tensors[k] < g->nt && g->t[tensors[k]].producer >= 0);
		p->cut[k] = cut_after(g, tensors[k]);
		p->elems[k] = qf_tensor_elems(&p->cut[k]->t[p->cut[k]->output]);
		p->eng[k] = qf_engine_new(p->cut[k], batch, threads, d);
		if (!p->eng[k]) {
			qf_probe_free(p);
			return NULL;
		}
	}
	return p;
}

void qf_probe_free(qf_probe *p)
{
	if (!p)
		return;
	for (int k = 0; k < p->n; k++) {
		qf_engine_free(p->eng[k]);
		qf_graph_free(p->cut[k]);
	}
	free(p->eng);
	free(p->cut);
	free(p->elems);
	free(p->input);
	free(p);
}

float *qf_probe_input(qf_probe *p)
{
	return p->input;
}

void qf_probe_forward(qf_probe *p, int n)
{
	QF_ASSERT(n >= 1 && n <= p->batch);
	for (int k = 0; k < p->n; k++) {
		memcpy(qf_engine_input(p->eng[k]), p->input, (size_t)(n * p->in_elems) * sizeof(float));
		qf_engine_forward(p->eng[k], n, false);
	}
}

const float *qf_probe_values(const qf_probe *p, int k, int64_t *elems)
{
	QF_ASSERT(k >= 0 && k < p->n);
	if (elems)
		*elems = p->elems[k];
	return qf_engine_logits(p->eng[k]);
}
