/* optim.c: SGD with Nesterov momentum and AdamW.
 *
 * The update rules are PyTorch's (torch.optim.SGD, torch.optim.AdamW), in
 * the same order of float operations, so a qforge run and the PyTorch peer
 * of the benchmark run the same algorithm. Weight decay applies only to
 * parameters the engine marks for it (conv and fc weights), not to biases
 * and batch-norm scales; the peer groups its parameters the same way.
 *
 * State is one float array per parameter and kind (momentum buffer; Adam's
 * m and v), saved in a checkpoint as graph blobs named after the tensor,
 * so a resumed run continues with exactly the numbers it stopped with.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"

const char *const qf_opt_name[QF_OPT_COUNT] = {"sgd", "adamw"};

/* The state arrays of each kind, in blob order. */
static const char *const state_name[QF_OPT_COUNT][2] = {{"momentum", NULL}, {"m", "v"}};

struct qf_optim {
	qf_opt_cfg cfg;
	qf_param *p;
	int n;
	float **s[2];                /* s[k][i]: state k of param i */
	int64_t step;
};

void qf_opt_defaults(qf_opt_cfg *c, qf_opt_kind kind)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	if (kind == QF_OPT_SGD) {
		c->momentum = 0.9f;
		c->nesterov = true;
		c->weight_decay = 5e-4f;
	} else {
		c->weight_decay = 0.01f;
	}
	c->beta1 = 0.9f;
	c->beta2 = 0.999f;
	c->eps = 1e-8f;
}

static int n_states(const qf_optim *o)
{
	return o->cfg.kind == QF_OPT_ADAMW ? 2 : o->cfg.momentum != 0.0f;
}

qf_optim *qf_optim_new(const qf_opt_cfg *cfg, qf_param *params, int n)
{
	QF_ASSERT(cfg->kind >= 0 && cfg->kind < QF_OPT_COUNT && n >= 0);
	qf_optim *o = qf_xcalloc(1, sizeof(*o));
	o->cfg = *cfg;
	o->p = params;
	o->n = n;
	for (int k = 0; k < n_states(o); k++) {
		o->s[k] = qf_xcalloc((size_t)(n ? n : 1), sizeof(float *));
		for (int i = 0; i < n; i++)
			o->s[k][i] = qf_xcalloc((size_t)(params[i].n ? params[i].n : 1), sizeof(float));
	}
	return o;
}

void qf_optim_free(qf_optim *o)
{
	if (!o)
		return;
	for (int k = 0; k < 2; k++) {
		if (!o->s[k])
			continue;
		for (int i = 0; i < o->n; i++)
			free(o->s[k][i]);
		free(o->s[k]);
	}
	free(o);
}

int64_t qf_optim_steps(const qf_optim *o)
{
	return o->step;
}

static void sgd(const qf_opt_cfg *c, qf_param *p, float *buf, float lr)
{
	const float mu = c->momentum, wd = p->decay ? c->weight_decay : 0.0f;
	float *w = p->w;
	const float *g = p->grad;
	for (int64_t j = 0; j < p->n; j++) {
		float d = g[j];
		if (wd != 0.0f)
			d += wd * w[j];
		if (buf) {
			buf[j] = mu * buf[j] + d;
			d = c->nesterov ? d + mu * buf[j] : buf[j];
		}
		w[j] -= lr * d;
	}
}

static void adamw(const qf_opt_cfg *c, qf_param *p, float *m, float *v, int64_t t, float lr)
{
	const float b1 = c->beta1, b2 = c->beta2, wd = p->decay ? c->weight_decay : 0.0f;
	/* PyTorch computes the bias corrections in double and folds the
	 * first into the step size. */
	const double bc1 = 1.0 - pow(b1, (double)t), bc2 = 1.0 - pow(b2, (double)t);
	const float step = (float)(lr / bc1), bc2s = (float)sqrt(bc2);
	float *w = p->w;
	const float *g = p->grad;
	for (int64_t j = 0; j < p->n; j++) {
		if (wd != 0.0f)
			w[j] *= 1.0f - lr * wd;
		m[j] = b1 * m[j] + (1.0f - b1) * g[j];
		v[j] = b2 * v[j] + (1.0f - b2) * g[j] * g[j];
		float denom = sqrtf(v[j]) / bc2s + c->eps;
		w[j] -= step * (m[j] / denom);
	}
}

void qf_optim_step(qf_optim *o, float lr)
{
	o->step++;
	for (int i = 0; i < o->n; i++) {
		if (o->cfg.kind == QF_OPT_SGD)
			sgd(&o->cfg, &o->p[i], o->s[0] ? o->s[0][i] : NULL, lr);
		else
			adamw(&o->cfg, &o->p[i], o->s[0][i], o->s[1][i], o->step, lr);
	}
}

static void blob_name(char *buf, size_t size, const char *state, const qf_graph *g, const qf_param *p)
{
	QF_ASSERT(p->tensor >= 0 && p->tensor < g->nt);
	snprintf(buf, size, "opt.%s.%s", state, g->t[p->tensor].name);
}

void qf_optim_save(const qf_optim *o, qf_graph *g)
{
	char name[96], num[32];
	for (int k = 0; k < n_states(o); k++)
		for (int i = 0; i < o->n; i++) {
			blob_name(name, sizeof name, state_name[o->cfg.kind][k], g, &o->p[i]);
			float *f = qf_graph_set_blob(g, name, o->p[i].n);
			memcpy(f, o->s[k][i], (size_t)o->p[i].n * sizeof(float));
		}
	qf_graph_set_meta(g, "opt.kind", qf_opt_name[o->cfg.kind]);
	snprintf(num, sizeof num, "%lld", (long long)o->step);
	qf_graph_set_meta(g, "opt.step", num);
}

int qf_optim_load(qf_optim *o, const qf_graph *g, const char *path, qf_diag *d)
{
	const char *kind = qf_graph_meta(g, "opt.kind"), *step = qf_graph_meta(g, "opt.step");
	if (!kind || strcmp(kind, qf_opt_name[o->cfg.kind]) != 0) {
		qf_diag_file_error(d, path, 0, "the checkpoint holds %s optimiser state, not %s", kind ? kind : "no",
				   qf_opt_name[o->cfg.kind]);
		return -1;
	}
	char *end;
	long long t = step ? strtoll(step, &end, 10) : -1;
	if (!step || *end || t < 0) {
		qf_diag_file_error(d, path, 0, "the checkpoint's optimiser step count is %s%s%s",
				   step ? "'" : "missing", step ? step : "", step ? "', not a count" : "");
		return -1;
	}
	char name[96];
	for (int k = 0; k < n_states(o); k++)
		for (int i = 0; i < o->n; i++) {
			blob_name(name, sizeof name, state_name[o->cfg.kind][k], g, &o->p[i]);
			const qf_blob *b = qf_graph_blob(g, name);
			if (!b || b->n != o->p[i].n) {
				qf_diag_file_error(d, path, 0, "optimiser state '%s' is %s (the parameter has %lld values)",
						   name, b ? "the wrong size" : "missing", (long long)o->p[i].n);
				return -1;
			}
			memcpy(o->s[k][i], b->f, (size_t)b->n * sizeof(float));
		}
	o->step = t;
	return 0;
}
