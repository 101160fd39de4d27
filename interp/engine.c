/* engine.c: Graph IR -> execution plan, the arena, forward and backward
 * drivers, and the loss.
 *
 * The plan is one qf_step per node that runs (a relu or relu6 whose only
 * input is a bn output that feeds nothing else is folded into the bn).
 * Every buffer a step reads or writes is a slice of one arena, laid out
 * once for (graph, batch): activations and their gradients for the whole
 * batch, per-op saved state, reduction partials, and the GEMM packing
 * buffers of each thread. Nothing is allocated per step.
 *
 * Parameters stay in g->data; their gradients are one contiguous block of
 * the arena, so zeroing them is one memset. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "interp/engine_internal.h"

struct qf_engine {
	qf_graph *g;
	int batch, threads;
	unsigned flags;              /* QF_ENG_* */
	qf_qat *qat;                 /* activation quantizers, or NULL */
	struct {
		qf_wxform_fn fn;
		const void *ctx;
		float *buf;          /* the transformed weights */
	} *wx;                       /* per node, NULL until the first qf_engine_set_wxform */
	qf_pool *pool;
	qf_step *steps;
	int n_steps;
	qf_param *params;
	int n_params;
	float *arena;
	int64_t arena_floats;
	float *input;                /* the caller's NCHW batch */
	float *in_nhwc;              /* the same in NHWC when C > 1, else == input */
	qf_shape in_shape;
	float *logits, *dlogits;
	int classes;
	int last_n;
	bool last_train;
	float *in_grad;              /* NHWC, only with input_grad */
	float *grad_block;
	int64_t grad_floats;
	qf_run run;
	double *prof;                /* per step: forward, backward seconds; NULL off */
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ------------------------------------------------------------ helpers */

static qf_shape shape_of(const qf_tensor *t)
{
	qf_shape s = {t->dim[0], t->dim[1], t->dim[2]};
	return s;
}

typedef struct {
	qf_range_fn fn;
	void *ctx;
	int64_t units, align, total;
	int parts;
} range_ctx;

static void range_task(void *ctx, int task, int thread)
{
	range_ctx *rc = ctx;
	int64_t b = rc->units * task / rc->parts * rc->align, e = rc->units * (task + 1) / rc->parts * rc->align;
	if (e > rc->total)
		e = rc->total;
	if (b < e)
		rc->fn(rc->ctx, b, e, thread);
}

void qf_par_range_aligned(qf_run *r, int64_t total, int64_t align, int64_t cost, qf_range_fn fn, void *ctx)
{
	if (total <= 0)
		return;
	int64_t units = (total + align - 1) / align;
	/* A few tasks per thread: when the machine is busy, threads that run
	 * take the share of one that does not (the pool hands tasks out to
	 * whoever claims them). */
	int parts = total * cost < r->par_min ? 1 : r->threads * QF_TASKS_PER_THREAD;
	if (parts > units)
		parts = (int)units;
	if (parts <= 1) {
		fn(ctx, 0, total, 0);
		return;
	}
	range_ctx rc = {fn, ctx, units, align, total, parts};
	qf_pool_run(r->pool, parts, range_task, &rc);
}

void qf_par_range(qf_run *r, int64_t total, int64_t cost, qf_range_fn fn, void *ctx)
{
	qf_par_range_aligned(r, total, 1, cost, fn, ctx);
}

/* ------------------------------------------------------------ planning */

/* Checks what the engine relies on beyond what the verifier checks. */
static int check_graph(const qf_graph *g, qf_diag *d)
{
	if (g->input < 0 || g->input >= g->nt || g->output < 0 || g->output >= g->nt) {
		qf_diag_error(d, (qf_loc){0, 0}, "network '%s' has no input or output tensor", g->name);
		return -1;
	}
	for (int i = 0; i < g->nt; i++) {
		const qf_tensor *t = &g->t[i];
		if ((t->role == QF_ROLE_ACT || t->role == QF_ROLE_INPUT) &&
		    (t->rank != 3 || t->dim[0] < 1 || t->dim[1] < 1 || t->dim[2] < 1)) {
			qf_diag_error(d, (qf_loc){0, 0}, "network '%s': tensor '%s' has no C x H x W shape",
				      g->name, t->name);
			return -1;
		}
		if (t->role >= QF_ROLE_WEIGHT && t->dtype != QF_DT_F32) {
			qf_diag_error(d, (qf_loc){0, 0}, "network '%s': parameter '%s' is not float", g->name,
				      t->name);
			return -1;
		}
	}
	const char *why = qf_graph_verify(g);
	if (why) {
		qf_diag_error(d, (qf_loc){0, 0}, "network '%s' cannot be trained: %s", g->name, why);
		return -1;
	}
	return 0;
}

/* Bump allocation inside the arena; sizes in floats, 64-byte aligned. In
 * the sizing pass base is NULL and only the offset moves. */
typedef struct {
	float *base;
	int64_t off;
} bump;

static float *take(bump *b, int64_t n)
{
	float *p = b->base ? b->base + b->off : NULL;
	b->off += (n + 15) & ~(int64_t)15;
	return p;
}

/* An activation quantizer's gradient sums (4 doubles, 8 floats) are kept
 * per image and added in image order, so they do not depend on the thread
 * count, nor on whether the quantizer runs as its own pass or in its
 * consumer (the same kernel over the same images either way). */
#define QF_FQ_PART 8

typedef struct {
	int *consumers;              /* per tensor */
	bool *needs_grad;            /* per tensor */
	int *fused_into;             /* per node: bn node a relu or pool is folded into, else -1 */
	int *param_of;               /* per tensor: index in params, -1 */
} plan_info;

static void plan(qf_engine *e, plan_info *pi, unsigned flags)
{
	const bool input_grad = flags & QF_ENG_INPUT_GRAD, fuse = !(flags & QF_ENG_NO_FUSE);
	qf_graph *g = e->g;
	pi->consumers = qf_xcalloc((size_t)g->nt, sizeof(int));
	pi->needs_grad = qf_xcalloc((size_t)g->nt, sizeof(bool));
	pi->fused_into = qf_xcalloc((size_t)g->nn, sizeof(int));
	pi->param_of = qf_xcalloc((size_t)g->nt, sizeof(int));
	for (int i = 0; i < g->nt; i++)
		pi->param_of[i] = -1;
	pi->needs_grad[g->input] = input_grad;
	for (int i = 0; i < g->nn; i++) {
		pi->fused_into[i] = -1;
		for (int k = 0; k < QF_MAX_IN; k++)
			if (g->n[i].in[k] >= 0)
				pi->consumers[g->n[i].in[k]]++;
	}
	for (int i = 0; i < g->nn; i++) {
		const qf_node *nd = &g->n[i];
		bool ng = qf_op_weighted[nd->op];
		for (int k = 0; k < QF_MAX_IN; k++)
			if (nd->in[k] >= 0 && pi->needs_grad[nd->in[k]])
				ng = true;
		pi->needs_grad[nd->out] = ng;
		if (!fuse || nd->in[0] < 0)
			continue;
		int t = nd->in[0], p = g->t[t].producer;
		bool single = p >= 0 && pi->consumers[t] == 1 && t != g->output;
		/* bn -> relu|relu6: the bn applies the activation. */
		if ((nd->op == QF_OP_RELU || nd->op == QF_OP_RELU6) && single && g->n[p].op == QF_OP_BN)
			pi->fused_into[i] = p;
		/* bn -> relu|relu6 -> maxpool with windows that tile the map
		 * (k == s, no padding): the bn pools too, so the full-size
		 * activation is never written (see ops_bn.c). */
		if (nd->op == QF_OP_MAXPOOL && single && pi->fused_into[p] >= 0 && nd->k == nd->s && nd->pad == 0 &&
		    nd->k >= 1 && nd->k <= 15 && !(e->qat && qf_qat_act_of(e->qat, t) >= 0))
			pi->fused_into[i] = pi->fused_into[p];
	}
	/* Parameters in node order: weight then bias; gamma then beta. */
	e->params = qf_xcalloc((size_t)g->nt, sizeof(qf_param));
	e->n_params = 0;
	for (int i = 0; i < g->nn; i++) {
		const qf_node *nd = &g->n[i];
		if (!qf_op_weighted[nd->op])
			continue;
		for (int k = 1; k <= 2; k++) {
			int t = nd->in[k];
			if (t < 0 || pi->param_of[t] >= 0)
				continue;
			qf_param *p = &e->params[e->n_params];
			p->tensor = t;
			p->w = qf_tensor_data(g, t);
			p->n = qf_tensor_elems(&g->t[t]);
			p->decay = g->t[t].role == QF_ROLE_WEIGHT;
			pi->param_of[t] = e->n_params++;
		}
	}
	e->n_steps = 0;
	e->steps = qf_xcalloc((size_t)g->nn, sizeof(qf_step));
	for (int i = 0; i < g->nn; i++) {
		if (pi->fused_into[i] >= 0)
			continue;
		qf_step *s = &e->steps[e->n_steps++];
		const qf_node *nd = &g->n[i];
		s->node = i;
		s->op = nd->op;
		s->n_act = nd->op == QF_OP_ADD || nd->op == QF_OP_CONCAT ? 2 : 1;
		for (int k = 0; k < s->n_act; k++)
			s->xs[k] = shape_of(&g->t[nd->in[k]]);
		s->ys = shape_of(&g->t[nd->out]);
		s->out_t = nd->out;
		s->k = nd->k;
		s->s = nd->s;
		s->pad = nd->pad;
		s->groups = nd->groups;
		s->eps = nd->eps;
		s->momentum = nd->momentum;
		if (qf_op_weighted[nd->op]) {
			s->w = qf_tensor_data(g, nd->in[1]);
			if (e->wx && e->wx[i].fn) {
				s->wsrc = s->w;
				s->w = e->wx[i].buf;
				s->wx = e->wx[i].fn;
				s->wx_ctx = e->wx[i].ctx;
			}
			s->b = nd->in[2] >= 0 ? qf_tensor_data(g, nd->in[2]) : NULL;
		}
		if (nd->op == QF_OP_BN) {
			s->rmean = qf_tensor_data(g, nd->in[3]);
			s->rvar = qf_tensor_data(g, nd->in[4]);
		}
	}
	/* Fused nodes: the bn step takes over the relu's output, then the
	 * pool's (nodes are in topological order). */
	for (int i = 0; i < g->nn; i++)
		if (pi->fused_into[i] >= 0)
			for (int j = 0; j < e->n_steps; j++) {
				qf_step *s = &e->steps[j];
				if (s->node != pi->fused_into[i])
					continue;
				const qf_node *nd = &g->n[i];
				if (nd->op == QF_OP_MAXPOOL)
					s->pool_k = nd->k;
				else
					s->fuse = nd->op == QF_OP_RELU ? QF_FUSE_RELU : QF_FUSE_RELU6;
				s->out_t = nd->out;
				s->ys = shape_of(&g->t[nd->out]);
			}
	for (int j = 0; j < e->n_steps; j++)
		e->steps[j].qa = e->qat ? qf_qat_act_of(e->qat, e->steps[j].out_t) : -1;
	/* A quantized output read only by a pool: the pool applies the
	 * quantizer (see qf_step.xq). */
	for (int j = 0; fuse && !(flags & QF_ENG_NO_FQ_FUSE) && j < e->n_steps; j++) {
		qf_step *p = &e->steps[j];
		if (p->qa < 0 || pi->consumers[p->out_t] != 1 || p->out_t == g->output)
			continue;
		for (int k = j + 1; k < e->n_steps; k++) {
			qf_step *c = &e->steps[k];
			if (g->n[c->node].in[0] == p->out_t && (c->op == QF_OP_MAXPOOL || c->op == QF_OP_AVGPOOL ||
								 c->op == QF_OP_GAVGPOOL)) {
				c->xq = p;
				p->fq_fused = true;
			}
		}
	}
	/* Lazy dy: a direct convolution without an input gradient feeding only
	 * a fused bn+pool step (see qf_step.dy_bn). */
	for (int j = 1; fuse && j < e->n_steps; j++) {
		qf_step *bn = &e->steps[j], *cv = &e->steps[j - 1];
		int y = g->n[bn->node].in[0];
		if (bn->op != QF_OP_BN || !bn->pool_k || cv->out_t != y || pi->consumers[y] != 1 ||
		    !qf_conv_is_direct(cv) || pi->needs_grad[g->n[cv->node].in[0]] || cv->qa >= 0)
			continue;
		bn->lazy_dx = true;
		cv->dy_bn = bn;
	}
}

/* The tensor a step writes: the relu's or pool's output for a fused bn. */
static int step_out(const qf_engine *e, const plan_info *pi, const qf_step *s)
{
	(void)e;
	(void)pi;
	return s->out_t;
}

/* Lays out the arena (sizing pass when b->base is NULL) and points every
 * step at its buffers. */
static void layout(qf_engine *e, const plan_info *pi, bump *b)
{
	qf_graph *g = e->g;
	const int B = e->batch;
	float **val = qf_xcalloc((size_t)g->nt, sizeof(float *));
	float **grad = qf_xcalloc((size_t)g->nt, sizeof(float *));
	/* Parameter gradients first, one block. */
	float *gb = take(b, 0);
	int64_t gfl = 0;
	for (int i = 0; i < e->n_params; i++) {
		e->params[i].grad = take(b, e->params[i].n);
		gfl += (e->params[i].n + 15) & ~(int64_t)15;
	}
	e->grad_block = gb;
	e->grad_floats = gfl;

	int in = g->input;
	e->in_shape = shape_of(&g->t[in]);
	int64_t in_elems = (int64_t)B * qf_shape_elems(e->in_shape);
	e->input = take(b, in_elems);
	e->in_nhwc = e->in_shape.c > 1 ? take(b, in_elems) : e->input;
	val[in] = e->in_nhwc;
	if (pi->needs_grad[in])
		grad[in] = take(b, in_elems);
	e->in_grad = grad[in];

	int64_t part = 0;
	for (int j = 0; j < e->n_steps; j++) {
		qf_step *s = &e->steps[j];
		int out = step_out(e, pi, s);
		int64_t n = (int64_t)B * qf_shape_elems(s->ys);
		val[out] = take(b, n);
		if (pi->needs_grad[out])
			grad[out] = take(b, n);
		int64_t p = 0;
		/* Fused, the consumer reads the one buffer the step writes. */
		if (s->qa >= 0)
			s->yraw = s->fq_fused ? val[out] : take(b, n);
		switch (s->op) {
		case QF_OP_CONV2D:
			p = qf_conv_part_floats(s, B);
			s->zero = take(b, (s->xs[0].c > s->ys.c ? s->xs[0].c : s->ys.c) / s->groups);
			break;
		case QF_OP_BN:
			s->save = take(b, qf_bn_save_floats(s));
			p = qf_bn_part_floats(s, B);
			if (s->pool_k)
			{
				s->parg = (uint8_t *)(void *)take(b, (n + 3) / 4);
				s->pmax = take(b, n);
			}
			break;
		case QF_OP_MAXPOOL:
			s->arg = (int32_t *)(void *)take(b, n);
			if (s->xq) {
				s->pmax = take(b, n);
				s->qbuf = take(b, e->threads * qf_shape_elems(s->xs[0]));
			}
			break;
		case QF_OP_FC:
			if (s->xs[0].h * s->xs[0].w > 1)
				s->xt = take(b, (int64_t)B * qf_shape_elems(s->xs[0]));
			break;
		default:
			break;
		}
		if (p > part)
			part = p;
		if ((s->qa >= 0 || s->xq) && QF_FQ_PART * (int64_t)B > part)
			part = QF_FQ_PART * (int64_t)B;
	}
	e->run.part = take(b, part);
	e->run.part_floats = part;
	size_t wsf = qf_gemm_ws_floats();
	float *ws[64];
	QF_ASSERT(e->threads <= 64);
	for (int t = 0; t < e->threads; t++)
		ws[t] = take(b, (int64_t)wsf);
	if (b->base)
		for (int t = 0; t < e->threads; t++)
			qf_gemm_ws_init(&e->run.ws[t], ws[t]);

	/* Point the steps at their buffers. A reverse walk finds the steps
	 * whose output reaches the loss (the others skip backward: nothing
	 * would ever write their dy) and, for each input gradient, whether an
	 * earlier-running backward already wrote it (acc: add, do not store). */
	bool *written = qf_xcalloc((size_t)g->nt, sizeof(bool));
	bool *reached = qf_xcalloc((size_t)g->nt, sizeof(bool));
	reached[g->output] = true;
	for (int j = e->n_steps - 1; j >= 0; j--) {
		qf_step *s = &e->steps[j];
		const qf_node *nd = &g->n[s->node];
		int out = step_out(e, pi, s);
		bool live = reached[out];
		s->yq = val[out];
		s->y = s->yraw ? s->yraw : val[out];
		s->dy = live ? grad[out] : NULL;
		for (int k = 0; k < s->n_act; k++) {
			int t = nd->in[k];
			s->x[k] = val[t];
			s->dx[k] = live ? grad[t] : NULL;
			if (live && pi->needs_grad[t]) {
				s->acc[k] = written[t];
				written[t] = true;
				reached[t] = true;
			}
		}
		if (qf_op_weighted[nd->op]) {
			s->gw = e->params[pi->param_of[nd->in[1]]].grad;
			s->gb = nd->in[2] >= 0 ? e->params[pi->param_of[nd->in[2]]].grad : NULL;
		}
	}
	free(reached);
	e->logits = val[g->output];
	e->dlogits = grad[g->output];
	free(written);
	free(val);
	free(grad);
}

qf_engine *qf_engine_new(qf_graph *g, int batch, int threads, qf_diag *d)
{
	return qf_engine_new_opts(g, batch, threads, 0, d);
}

static void free_plan(plan_info *pi)
{
	free(pi->consumers);
	free(pi->needs_grad);
	free(pi->fused_into);
	free(pi->param_of);
}

/* Plans e->g and lays out a fresh arena (parameter gradients start at
 * zero). -1 when the arena would be too large. */
static int build(qf_engine *e, qf_diag *d)
{
	plan_info pi;
	plan(e, &pi, e->flags);
	bump sz = {NULL, 0};
	layout(e, &pi, &sz);
	/* 16 GiB of floats: far past anything this engine should train, and
	 * an error message rather than a failed allocation. */
	if (sz.off > (4LL << 30)) {
		qf_diag_error(d, (qf_loc){0, 0},
			      "network '%s' needs %.1f GiB of activations at batch %d; use a smaller batch",
			      e->g->name, (double)sz.off * 4 / (1 << 30), e->batch);
		free_plan(&pi);
		return -1;
	}
	e->arena_floats = sz.off;
	e->arena = aligned_alloc(64, (size_t)sz.off * sizeof(float) + 64);
	if (!e->arena)
		qf_die("out of memory for a %lld-byte engine arena", (long long)sz.off * 4);
	memset(e->arena, 0, (size_t)sz.off * sizeof(float));
	bump real = {e->arena, 0};
	layout(e, &pi, &real);
	QF_ASSERT(real.off == sz.off);
	free_plan(&pi);
	return 0;
}

static void unbuild(qf_engine *e)
{
	free(e->arena);
	free(e->steps);
	free(e->params);
	free(e->prof);
	e->arena = NULL;
	e->steps = NULL;
	e->params = NULL;
	e->prof = NULL;
}

qf_engine *qf_engine_new_opts(qf_graph *g, int batch, int threads, unsigned flags, qf_diag *d)
{
	QF_ASSERT(batch >= 1 && threads >= 1);
	if (check_graph(g, d))
		return NULL;
	if (threads > 64)
		threads = 64;
	qf_engine *e = qf_xcalloc(1, sizeof(*e));
	e->g = g;
	e->batch = batch;
	e->threads = threads;
	e->flags = flags;
	e->run.ws = qf_xcalloc((size_t)threads, sizeof(qf_gemm_ws));
	if (build(e, d)) {
		unbuild(e);
		free(e->run.ws);
		free(e);
		return NULL;
	}
	e->classes = (int)qf_tensor_elems(&g->t[g->output]);
	e->pool = qf_pool_new(threads);
	e->run.pool = e->pool;
	e->run.threads = threads;
	e->run.par_min = flags & QF_ENG_PAR_ALWAYS ? 0 : QF_PAR_MIN;
	e->run.par_min_macs = flags & QF_ENG_PAR_ALWAYS ? 0 : QF_PAR_MIN_MACS;
	e->run.kern = qf_gemm_kernel();
	return e;
}

/* Attaching or detaching quantizers re-plans: a quantized step gets a
 * buffer of its own for the values before the quantizer (its backward
 * reads them) while its consumers read the quantized copy, and a bn ->
 * relu -> max pool chain whose relu output is quantized is not fused,
 * so that the quantizer observes that output at full size as the
 * integer model stores it. Gradients start again from zero. */
void qf_engine_set_qat(qf_engine *e, qf_qat *q)
{
	if (e->qat == q)
		return;
	e->qat = q;
	unbuild(e);
	qf_diag *d = qf_diag_new(stderr);
	/* The arena was this size or smaller before; a quantizer's copies
	 * cannot take it past the limit that matters, but say so if so. */
	if (build(e, d))
		qf_die("engine arena too large after attaching quantizers");
	qf_diag_free(d);
}

void qf_engine_set_wxform(qf_engine *e, int node, qf_wxform_fn fn, const void *ctx)
{
	qf_graph *g = e->g;
	QF_ASSERT(node >= 0 && node < g->nn);
	QF_ASSERT(g->n[node].op == QF_OP_CONV2D || g->n[node].op == QF_OP_FC);
	if (!e->wx)
		e->wx = qf_xcalloc((size_t)g->nn, sizeof(*e->wx));
	e->wx[node].fn = fn;
	e->wx[node].ctx = ctx;
	if (fn && !e->wx[node].buf)
		e->wx[node].buf = qf_xmalloc((size_t)qf_tensor_elems(&g->t[g->n[node].in[1]]) * sizeof(float));
	for (int j = 0; j < e->n_steps; j++) {
		qf_step *s = &e->steps[j];
		if (s->node != node)
			continue;
		if (!s->wsrc)
			s->wsrc = s->w;
		s->w = fn ? e->wx[node].buf : (float *)s->wsrc;
		s->wx = fn;
		s->wx_ctx = ctx;
		if (!fn)
			s->wsrc = NULL;
	}
}

/* The transformed weights of step s, from the graph's current values. */
static void apply_wxform(qf_step *s)
{
	int64_t n = (int64_t)s->ys.c * (s->op == QF_OP_FC ? qf_shape_elems(s->xs[0])
							  : (int64_t)s->xs[0].c / s->groups * s->k * s->k);
	int64_t per = n / s->ys.c;
	for (int64_t i = 0; i < n; i++)
		s->w[i] = s->wx(s->wx_ctx, (int)(i / per), s->wsrc[i]);
}

void qf_engine_free(qf_engine *e)
{
	if (!e)
		return;
	if (e->wx) {
		for (int i = 0; i < e->g->nn; i++)
			free(e->wx[i].buf);
		free(e->wx);
	}
	qf_pool_free(e->pool);
	unbuild(e);
	free(e->run.ws);
	free(e);
}

float *qf_engine_input(qf_engine *e)
{
	return e->input;
}

int64_t qf_engine_arena_bytes(const qf_engine *e)
{
	return e->arena_floats * (int64_t)sizeof(float);
}

int qf_engine_n_params(const qf_engine *e)
{
	return e->n_params;
}

qf_param *qf_engine_param(qf_engine *e, int i)
{
	QF_ASSERT(i >= 0 && i < e->n_params);
	return &e->params[i];
}

void qf_engine_zero_grad(qf_engine *e)
{
	memset(e->grad_block, 0, (size_t)e->grad_floats * sizeof(float));
}

const float *qf_engine_logits(const qf_engine *e)
{
	return e->logits;
}

const qf_step *qf_engine_steps(const qf_engine *e, int *n)
{
	*n = e->n_steps;
	return e->steps;
}

float *qf_engine_output_grad(qf_engine *e)
{
	return e->dlogits;
}

float *qf_engine_input_grad(qf_engine *e)
{
	return e->in_grad;
}

/* ------------------------------------------------------------ passes */

static void nchw_to_nhwc(qf_engine *e, int n)
{
	const int C = e->in_shape.c;
	const int64_t hw = (int64_t)e->in_shape.h * e->in_shape.w;
	for (int i = 0; i < n; i++) {
		const float *src = e->input + i * hw * C;
		float *dst = e->in_nhwc + i * hw * C;
		for (int c = 0; c < C; c++)
			for (int64_t p = 0; p < hw; p++)
				dst[p * C + c] = src[c * hw + p];
	}
}

/* ------------------------------------------------------------ activation quantizers */

typedef struct {
	const qf_step *s;
	qf_fq f;
	bool quant;
	int64_t per;                 /* values per image */
	double *part;
} fq_ctx;

static void fq_fwd_task(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	fq_ctx *c = ctx;
	int64_t i = b * c->per, n = (e - b) * c->per;
	if (c->quant)
		qf_fq_forward(&c->f, c->s->yraw + i, c->s->yq + i, n);
	else
		memcpy(c->s->yq + i, c->s->yraw + i, (size_t)n * sizeof(float));
}

static void fq_bwd_task(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	fq_ctx *c = ctx;
	for (int64_t i = b; i < e; i++)
		qf_fq_bwd_block(&c->f, c->s->yraw + i * c->per, c->s->dy + i * c->per, c->per, c->part + 4 * i);
}

/* The step wrote yraw; its consumers read yq, or, fused, quantize yraw
 * as they read it with s->fq. The quantizer's observers see the whole
 * batch (prepare) before anything is quantized. */
static void quantize_out(qf_engine *e, qf_step *s, int n, bool train)
{
	int64_t per = qf_shape_elems(s->ys);
	fq_ctx c = {.s = s, .per = per};
	c.quant = qf_qat_act_prepare(e->qat, s->qa, s->yraw, per * n, per, train, &c.f);
	s->fq = c.f;
	s->fq_on = c.quant;
	if (!s->fq_fused)
		qf_par_range(&e->run, n, 2 * per, fq_fwd_task, &c);
}

/* The per-image sums the quantizer's backward left in part, in image
 * order, to the quantizer. */
static void quantize_sums(qf_engine *e, const qf_step *s, int n)
{
	const double *part = (const double *)(void *)e->run.part;
	qf_fq_grad g = {0};
	for (int i = 0; i < n; i++) {
		g.ds += part[4 * i];
		g.dz += part[4 * i + 1];
		g.dqmin += part[4 * i + 2];
		g.dqmax += part[4 * i + 3];
	}
	qf_qat_act_grad(e->qat, s->qa, &g);
}

/* dy (the gradient at yq) becomes the gradient at yraw, in place. */
static void quantize_grad(qf_engine *e, qf_step *s, int n)
{
	fq_ctx c = {.s = s, .per = qf_shape_elems(s->ys), .part = (double *)(void *)e->run.part};
	if (!qf_qat_act_bwd(e->qat, s->qa, &c.f))
		return;
	qf_par_range(&e->run, n, 3 * c.per, fq_bwd_task, &c);
	quantize_sums(e, s, n);
}

void qf_engine_forward(qf_engine *e, int n, bool train)
{
	QF_ASSERT(n >= 1 && n <= e->batch);
	e->run.n = n;
	e->run.train = train;
	e->run.kern = qf_gemm_kernel();
	if (e->in_nhwc != e->input)
		nchw_to_nhwc(e, n);
	for (int j = 0; j < e->n_steps; j++) {
		qf_step *s = &e->steps[j];
		double t0 = e->prof ? now() : 0;
		if (s->wx)
			apply_wxform(s);
		switch (s->op) {
		case QF_OP_CONV2D:
			qf_conv_forward(&e->run, s);
			break;
		case QF_OP_FC:
			qf_fc_forward(&e->run, s);
			break;
		case QF_OP_BN:
			qf_bn_forward(&e->run, s);
			break;
		case QF_OP_RELU:
		case QF_OP_RELU6:
		case QF_OP_HSWISH:
			qf_act_forward(&e->run, s);
			break;
		case QF_OP_MAXPOOL:
		case QF_OP_AVGPOOL:
			qf_pool_forward(&e->run, s);
			break;
		case QF_OP_GAVGPOOL:
			qf_gap_forward(&e->run, s);
			break;
		case QF_OP_ADD:
			qf_add_forward(&e->run, s);
			break;
		case QF_OP_CONCAT:
			qf_concat_forward(&e->run, s);
			break;
		case QF_OP_COUNT:
			qf_die("bad op in plan");
		}
		if (s->qa >= 0)
			quantize_out(e, s, n, train);
		if (e->prof)
			e->prof[2 * j] += now() - t0;
	}
	e->last_n = n;
	e->last_train = train;
}

float qf_engine_loss(qf_engine *e, const uint8_t *labels, int n, float smoothing, int *correct)
{
	QF_ASSERT(n >= 1 && n <= e->last_n);
	const int K = e->classes;
	double total = 0;
	int hits = 0;
	for (int i = 0; i < n; i++) {
		const float *z = e->logits + (int64_t)i * K;
		int y = labels[i];
		QF_ASSERT(y < K);
		int best = 0;
		float mx = z[0];
		for (int c = 1; c < K; c++)
			if (z[c] > mx) {
				mx = z[c];
				best = c;
			}
		hits += best == y;
		double se = 0;
		for (int c = 0; c < K; c++)
			se += exp((double)z[c] - mx);
		double lse = mx + log(se);
		/* Target q = (1 - eps) onehot + eps / K; loss = -sum q log p. */
		double l = 0;
		for (int c = 0; c < K; c++) {
			double q = (c == y ? 1.0 - smoothing : 0.0) + smoothing / K;
			double lp = z[c] - lse;
			l -= q * lp;
			if (e->dlogits)
				e->dlogits[(int64_t)i * K + c] = (float)((exp(lp) - q) / n);
		}
		total += l;
	}
	if (correct)
		*correct = hits;
	e->last_n = n;
	return (float)(total / n);
}

void qf_engine_backward(qf_engine *e, int n)
{
	QF_ASSERT(e->last_train && n == e->last_n);
	e->run.n = n;
	e->run.train = true;
	for (int j = e->n_steps - 1; j >= 0; j--) {
		qf_step *s = &e->steps[j];
		if (!s->dy)
			continue;
		double t0 = e->prof ? now() : 0;
		if (s->qa >= 0 && !s->fq_fused)
			quantize_grad(e, s, n);
		/* A pool with the quantizer of its input: its backward applies
		 * the quantizer's (ops_pool.c) and leaves the sums in part. */
		if (s->xq)
			s->xq->fq_on = qf_qat_act_bwd(e->qat, s->xq->qa, &s->xq->fq);
		switch (s->op) {
		case QF_OP_CONV2D:
			qf_conv_backward(&e->run, s);
			break;
		case QF_OP_FC:
			qf_fc_backward(&e->run, s);
			break;
		case QF_OP_BN:
			qf_bn_backward(&e->run, s);
			break;
		case QF_OP_RELU:
		case QF_OP_RELU6:
		case QF_OP_HSWISH:
			qf_act_backward(&e->run, s);
			break;
		case QF_OP_MAXPOOL:
		case QF_OP_AVGPOOL:
			qf_pool_backward(&e->run, s);
			break;
		case QF_OP_GAVGPOOL:
			qf_gap_backward(&e->run, s);
			break;
		case QF_OP_ADD:
			qf_add_backward(&e->run, s);
			break;
		case QF_OP_CONCAT:
			qf_concat_backward(&e->run, s);
			break;
		case QF_OP_COUNT:
			qf_die("bad op in plan");
		}
		if (s->xq && s->xq->fq_on && s->dx[0])
			quantize_sums(e, s->xq, n);
		if (e->prof)
			e->prof[2 * j + 1] += now() - t0;
	}
}

/* ------------------------------------------------------------ profile */

void qf_engine_profile(qf_engine *e, bool on)
{
	free(e->prof);
	e->prof = on ? qf_xcalloc((size_t)e->n_steps * 2, sizeof(double)) : NULL;
}

void qf_engine_profile_print(const qf_engine *e, FILE *f, int passes)
{
	if (!e->prof || passes < 1)
		return;
	double tf = 0, tb = 0;
	for (int j = 0; j < e->n_steps; j++) {
		tf += e->prof[2 * j];
		tb += e->prof[2 * j + 1];
	}
	fprintf(f, "%-16s %-9s %-10s %10s %10s\n", "node", "op", "fused", "fwd us", "bwd us");
	for (int j = 0; j < e->n_steps; j++) {
		const qf_step *s = &e->steps[j];
		fprintf(f, "%-16s %-9s %-10s %10.1f %10.1f\n", e->g->n[s->node].name, qf_op_name[s->op],
			s->pool_k       ? (s->fuse == QF_FUSE_RELU ? "relu+pool" : "relu6+pool")
			: s->fuse == QF_FUSE_RELU ? "relu"
			: s->fuse == QF_FUSE_RELU6 ? "relu6" : "",
			1e6 * e->prof[2 * j] / passes, 1e6 * e->prof[2 * j + 1] / passes);
	}
	fprintf(f, "%-37s %10.1f %10.1f\n", "total", 1e6 * tf / passes, 1e6 * tb / passes);
}
