/* test_grad.c: every backward of the training engine against central
 * finite differences, per op and on a whole small network; the loss; batch
 * norm running statistics and eval mode; determinism across thread counts.
 *
 * The engine computes in float, so the objective L = sum r_i y_i (r fixed
 * random) is accumulated in double and the step h is chosen per test:
 * piecewise-linear ops are exact under any h that does not cross a kink,
 * so inputs are built well away from kinks and from ties. Where a
 * parameter perturbation may move an activation across a kink (whole
 * networks), an element whose difference quotient changes between h and
 * h/2 is counted as a kink crossing and skipped; the tests bound how many
 * are skipped. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "interp/engine_internal.h"
#include "graph_builders.h"

/* ------------------------------------------------------------ builders */

static int unary(qf_graph *g, qf_op op, const char *name, int x, int k, int s, int pad)
{
	int nd = qf_graph_add_node(g, op, name, &x, 1);
	g->n[nd].k = k;
	g->n[nd].s = s;
	g->n[nd].pad = pad;
	return g->n[nd].out;
}

static int binary(qf_graph *g, qf_op op, const char *name, int a, int b)
{
	int in[2] = {a, b};
	int nd = qf_graph_add_node(g, op, name, in, 2);
	return g->n[nd].out;
}

static int fc(qf_graph *g, const char *name, int x, int cin, int cout, bool bias)
{
	char n[48];
	int32_t wd[2] = {cout, cin};
	snprintf(n, sizeof n, "%s.w", name);
	int in[3] = {x, qf_graph_add_tensor(g, n, QF_ROLE_WEIGHT, 2, wd), -1};
	if (bias) {
		snprintf(n, sizeof n, "%s.b", name);
		in[2] = qf_graph_add_tensor(g, n, QF_ROLE_BIAS, 1, &wd[0]);
	}
	int nd = qf_graph_add_node(g, QF_OP_FC, name, in, 3);
	return g->n[nd].out;
}

/* Shapes, then random parameters: weights N(0, 1/fan_in-ish), gamma near
 * 1, beta and biases small, running var 1. */
static void finish(qf_graph *g, int out, uint64_t seed)
{
	g->output = out;
	g->classes = (int)qf_tensor_elems(&g->t[out]);
	FILE *f = tmpfile();
	qf_diag *d = qf_diag_new(f);
	int rc = qf_graph_infer_shapes(g, d);
	if (rc) {
		rewind(f);
		char buf[512] = "";
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		buf[n] = 0;
		fail_msg("shapes: %s", buf);
	}
	qf_diag_free(d);
	fclose(f);
	qf_rng r;
	qf_rng_seed(&r, seed);
	for (int i = 0; i < g->nt; i++) {
		qf_tensor *t = &g->t[i];
		if (t->role < QF_ROLE_WEIGHT)
			continue;
		float *v = qf_tensor_data(g, i);
		int64_t n = qf_tensor_elems(t);
		double fan = t->rank > 1 ? (double)n / t->dim[0] : 1;
		for (int64_t j = 0; j < n; j++) {
			double z = qf_rng_normal(&r);
			switch (t->role) {
			case QF_ROLE_WEIGHT:
				v[j] = (float)(z / sqrt(fan));
				break;
			case QF_ROLE_GAMMA:
				v[j] = (float)(1 + 0.3 * z);
				break;
			case QF_ROLE_VAR:
				v[j] = (float)(1 + 0.5 * fabs(z));
				break;
			default:
				v[j] = (float)(0.3 * z);
				break;
			}
		}
	}
}

/* Input values: a shuffled even grid over [-span, span] (distinct, so no
 * ties in a pooling window), nudged off the kinks of relu, relu6 and
 * hswish. */
static void grid_input(float *x, int64_t n, double span, uint64_t seed)
{
	qf_rng r;
	qf_rng_seed(&r, seed);
	static const double kinks[] = {-3, 0, 3, 6};
	for (int64_t i = 0; i < n; i++) {
		double v = -span + 2 * span * ((double)i + 0.5) / (double)n;
		for (int k = 0; k < 4; k++)
			if (fabs(v - kinks[k]) < 0.02)
				v = kinks[k] + (v < kinks[k] ? -0.02 : 0.02);
		x[i] = (float)v;
	}
	for (int64_t i = n - 1; i > 0; i--) {
		int64_t j = (int64_t)qf_rng_below(&r, (uint32_t)(i + 1));
		float t = x[i];
		x[i] = x[j];
		x[j] = t;
	}
}

/* ------------------------------------------------------------ checking */

typedef struct {
	float h;                     /* finite-difference step */
	double rtol, atol;
	int max_samples;             /* per tensor; 0 = every element */
	double max_skip;             /* fraction of kink crossings allowed */
	int threads;
	unsigned flags;              /* QF_ENG_NO_FUSE to check the unfused steps */
} fd_cfg;

static double objective(qf_engine *e, const float *r, int64_t n)
{
	const float *y = qf_engine_logits(e);
	double s = 0;
	for (int64_t i = 0; i < n; i++)
		s += (double)r[i] * y[i];
	return s;
}

typedef struct {
	qf_engine *e;
	const float *x;              /* NCHW input */
	int64_t in_n, out_n;
	int batch;
	const float *r;
	double l0;                   /* the objective at the unperturbed point */
	int checked, skipped;
} fd_state;

static double eval_at(fd_state *st)
{
	memcpy(qf_engine_input(st->e), st->x, (size_t)st->in_n * sizeof(float));
	qf_engine_forward(st->e, st->batch, true);
	return objective(st->e, st->r, st->out_n);
}

/* Compares an analytic derivative with the central difference quotient
 * of *v. A kink between v - h and v + h shows as one-sided quotients that
 * disagree (by the jump in slope, where a smooth function moves them only
 * by about h f''); such elements are counted, not checked. */
static void check_one(fd_state *st, const fd_cfg *c, float *v, double analytic, const char *what, int64_t idx)
{
	float v0 = *v;
	*v = v0 + c->h;
	double lp = eval_at(st);
	*v = v0 - c->h;
	double lm = eval_at(st);
	*v = v0;
	/* The steps actually taken in float. */
	double hp = (double)(v0 + c->h) - v0, hm = v0 - (double)(v0 - c->h);
	double qp = (lp - st->l0) / hp, qm = (st->l0 - lm) / hm, q = (lp - lm) / (hp + hm);
	double tol = c->atol + c->rtol * fmax(fabs(q), fabs(analytic));
	if (fabs(qp - qm) > 2 * tol) {
		st->skipped++;
		return;
	}
	st->checked++;
	if (fabs(analytic - q) > tol)
		fail_msg("%s[%lld]: analytic %.6g, finite difference %.6g (one-sided %.6g, %.6g)", what,
			 (long long)idx, analytic, q, qp, qm);
}

static int64_t pick(qf_rng *r, int64_t n, int s, int max)
{
	if (max == 0 || n <= max)
		return s;
	return (int64_t)qf_rng_below(r, (uint32_t)n);
}

/* Runs forward + backward from objective gradient r, then checks every
 * parameter gradient and the input gradient (NHWC in the engine, NCHW
 * for the caller) against finite differences. */
static void check_grads(qf_graph *g, int batch, const float *x, const fd_cfg *c)
{
	FILE *f = tmpfile();
	qf_diag *d = qf_diag_new(f);
	qf_engine *e = qf_engine_new_opts(g, batch, c->threads, QF_ENG_INPUT_GRAD | c->flags, d);
	assert_non_null(e);
	const qf_tensor *ti = &g->t[g->input];
	const int C = ti->dim[0], H = ti->dim[1], W = ti->dim[2];
	fd_state st = {.e = e, .x = x, .batch = batch};
	st.in_n = (int64_t)batch * C * H * W;
	st.out_n = (int64_t)batch * qf_tensor_elems(&g->t[g->output]);
	float *r = malloc((size_t)st.out_n * sizeof(float));
	qf_rng rng;
	qf_rng_seed(&rng, 99);
	for (int64_t i = 0; i < st.out_n; i++)
		r[i] = (float)qf_rng_normal(&rng);
	st.r = r;

	st.l0 = eval_at(&st);
	memcpy(qf_engine_output_grad(e), r, (size_t)st.out_n * sizeof(float));
	qf_engine_zero_grad(e);
	qf_engine_backward(e, batch);

	int np = qf_engine_n_params(e);
	assert_true(np >= 0);
	float **an = calloc((size_t)np + 1, sizeof(float *));
	for (int i = 0; i < np; i++) {
		qf_param *p = qf_engine_param(e, i);
		an[i] = malloc((size_t)p->n * sizeof(float));
		memcpy(an[i], p->grad, (size_t)p->n * sizeof(float));
	}
	float *gin = malloc((size_t)st.in_n * sizeof(float));
	memcpy(gin, qf_engine_input_grad(e), (size_t)st.in_n * sizeof(float));

	for (int i = 0; i < np; i++) {
		qf_param *p = qf_engine_param(e, i);
		int m = c->max_samples && p->n > c->max_samples ? c->max_samples : (int)p->n;
		for (int s = 0; s < m; s++) {
			int64_t j = pick(&rng, p->n, s, c->max_samples);
			check_one(&st, c, &p->w[j], an[i][j], g->t[p->tensor].name, j);
		}
	}
	float *xm = malloc((size_t)st.in_n * sizeof(float));
	memcpy(xm, x, (size_t)st.in_n * sizeof(float));
	st.x = xm;
	int m = c->max_samples && st.in_n > c->max_samples ? c->max_samples : (int)st.in_n;
	for (int s = 0; s < m; s++) {
		int64_t j = pick(&rng, st.in_n, s, c->max_samples);
		int64_t n = j / ((int64_t)C * H * W), rem = j % ((int64_t)C * H * W);
		int ch = (int)(rem / (H * W)), px = (int)(rem % (H * W));
		int64_t nhwc = (n * H * W + px) * C + ch;
		check_one(&st, c, &xm[j], gin[nhwc], "input", j);
	}
	int total = st.checked + st.skipped;
	if (st.skipped > c->max_skip * total)
		fail_msg("%d of %d elements crossed a kink (allowed %.0f%%)", st.skipped, total, c->max_skip * 100);
	assert_true(st.checked > 0);

	for (int i = 0; i < np; i++)
		free(an[i]);
	free(an);
	free(gin);
	free(xm);
	free(r);
	qf_engine_free(e);
	qf_diag_free(d);
	fclose(f);
}

static const fd_cfg exact = {.h = 1e-3f, .rtol = 2e-3, .atol = 2e-3, .threads = 1};

static float *make_input(const qf_graph *g, int batch, double span, uint64_t seed)
{
	int64_t n = batch * qf_tensor_elems(&g->t[g->input]);
	float *x = malloc((size_t)n * sizeof(float));
	grid_input(x, n, span, seed);
	return x;
}

static void run_case(qf_graph *g, int batch, double span, const fd_cfg *c)
{
	float *x = make_input(g, batch, span, 7);
	check_grads(g, batch, x, c);
	free(x);
	qf_graph_free(g);
}

/* ------------------------------------------------------------ per op */

static void conv_plain(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 3, 6, 5);
	finish(g, conv(g, "c", x, 3, 4, 3, 1, 1, 1, true), 1);
	run_case(g, 2, 1, &exact);
}

static void conv_stride2_pad(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 2, 7, 9);
	finish(g, conv(g, "c", x, 2, 5, 3, 2, 1, 1, false), 2);
	run_case(g, 2, 1, &exact);
}

static void conv_groups(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 4, 5, 5);
	finish(g, conv(g, "c", x, 4, 6, 3, 2, 1, 2, true), 3);
	run_case(g, 2, 1, &exact);
}

static void conv_depthwise(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 5, 7, 6);
	finish(g, conv(g, "c", x, 5, 5, 3, 2, 1, 5, true), 4);
	run_case(g, 2, 1, &exact);
}

static void conv_depthwise_k5(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 3, 6, 6);
	finish(g, conv(g, "c", x, 3, 3, 5, 1, 2, 3, false), 5);
	run_case(g, 2, 1, &exact);
}

static void conv_1x1_stride2(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 3, 5, 4);
	finish(g, conv(g, "c", x, 3, 4, 1, 2, 0, 1, true), 6);
	run_case(g, 2, 1, &exact);
}

static void conv_k5_nopad(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 1, 8, 7);
	finish(g, conv(g, "c", x, 1, 3, 5, 1, 0, 1, false), 7);
	run_case(g, 3, 1, &exact);
}

/* Small depth and 16 or 32 output channels: the direct path (forward and
 * weight gradient); the input gradient still goes through the GEMM. */
static void conv_direct(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 1, 7, 6);
	finish(g, conv(g, "c", x, 1, 16, 3, 2, 1, 1, true), 30);
	run_case(g, 2, 1, &exact);
	g = qf_graph_new("t");
	x = input(g, 2, 5, 5);
	finish(g, conv(g, "c", x, 2, 32, 3, 1, 1, 1, false), 31);
	fd_cfg c = exact;
	c.max_samples = 80;
	run_case(g, 2, 1, &c);
}

/* Depth 20*9 = 180 and 33 output channels: several packed panels of
 * every kernel, edge tiles in both directions. Sampled. */
static void conv_wide(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 36, 5, 5);
	finish(g, conv(g, "c", x, 36, 33, 3, 1, 1, 1, true), 8);
	fd_cfg c = exact;
	c.max_samples = 60;
	c.atol = 5e-3;
	run_case(g, 2, 1, &c);
}

static void fc_flatten(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 3, 2, 3);
	finish(g, fc(g, "f", x, 18, 5, true), 9);
	run_case(g, 3, 1, &exact);
}

static void fc_vector(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 7, 1, 1);
	finish(g, fc(g, "f", x, 7, 4, false), 10);
	run_case(g, 4, 1, &exact);
}

/* Batch norm is smooth, not piecewise linear: a larger step keeps float
 * noise below the O(h^2) truncation error. */
static const fd_cfg smooth = {.h = 1e-2f, .rtol = 1e-2, .atol = 5e-3, .threads = 1};

static void bn_train(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 3, 3, 4);
	finish(g, bn(g, "b", x, 3), 11);
	run_case(g, 3, 1.5, &smooth);
}

static void bn_relu_fused(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 3, 3, 3);
	x = bn(g, "b", x, 3);
	finish(g, unary(g, QF_OP_RELU, "r", x, 0, 1, 0), 12);
	fd_cfg c = smooth;
	c.max_skip = 0.1;
	run_case(g, 4, 1.5, &c);
}

static void bn_relu6_fused(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 2, 3, 3);
	x = bn(g, "b", x, 2);
	finish(g, unary(g, QF_OP_RELU6, "r", x, 0, 1, 0), 13);
	fd_cfg c = smooth;
	c.max_skip = 0.1;
	run_case(g, 4, 1.5, &c);
}

/* bn -> relu|relu6 -> max pool k, stride k: fused into one step. Odd
 * sizes leave rows and columns outside every window; 8 channels take the
 * vector path, 3 the scalar one. */
static qf_graph *bn_act_pool(int c, int h, int w, qf_op act, int k, uint64_t seed)
{
	qf_graph *g = qf_graph_new("t");
	int x = input(g, c, h, w);
	x = bn(g, "b", x, c);
	x = unary(g, act, "a", x, 0, 1, 0);
	finish(g, unary(g, QF_OP_MAXPOOL, "p", x, k, k, 0), seed);
	return g;
}

static void bn_relu_pool_fused(void **state)
{
	(void)state;
	fd_cfg c = smooth;
	c.max_skip = 0.15;
	run_case(bn_act_pool(8, 5, 7, QF_OP_RELU, 2, 32), 3, 1.5, &c);
	run_case(bn_act_pool(3, 7, 6, QF_OP_RELU6, 3, 33), 3, 1.5, &c);
	c.flags = QF_ENG_NO_FUSE;
	run_case(bn_act_pool(8, 5, 7, QF_OP_RELU, 2, 32), 3, 1.5, &c);
}

/* The fused step computes what the three unfused steps do: the same
 * pooled values bit for bit (max and relu commute exactly), gradients to
 * rounding (the sums run in another order). */
static void fused_matches_unfused(void **state)
{
	(void)state;
	const int B = 4;
	float *out[2], *grads[2];
	int64_t nout = 0, ngrad = 0, arena[2];
	for (int f = 0; f < 2; f++) {
		qf_graph *g = bn_act_pool(16, 9, 8, QF_OP_RELU, 2, 34);
		qf_diag *d = qf_diag_new(stderr);
		qf_engine *e = qf_engine_new_opts(g, B, 2, QF_ENG_INPUT_GRAD | (f ? QF_ENG_NO_FUSE : 0), d);
		arena[f] = qf_engine_arena_bytes(e);
		float *in = make_input(g, B, 2, 11);
		memcpy(qf_engine_input(e), in, (size_t)B * 16 * 72 * sizeof(float));
		qf_engine_forward(e, B, true);
		nout = (int64_t)B * qf_tensor_elems(&g->t[g->output]);
		out[f] = malloc((size_t)nout * sizeof(float));
		memcpy(out[f], qf_engine_logits(e), (size_t)nout * sizeof(float));
		qf_rng r;
		qf_rng_seed(&r, 5);
		float *og = qf_engine_output_grad(e);
		for (int64_t i = 0; i < nout; i++)
			og[i] = (float)qf_rng_normal(&r);
		qf_engine_zero_grad(e);
		qf_engine_backward(e, B);
		ngrad = (int64_t)B * 16 * 72 + 32;
		grads[f] = malloc((size_t)ngrad * sizeof(float));
		memcpy(grads[f], qf_engine_input_grad(e), (size_t)B * 16 * 72 * sizeof(float));
		memcpy(grads[f] + B * 16 * 72, qf_engine_param(e, 0)->grad, 16 * sizeof(float));
		memcpy(grads[f] + B * 16 * 72 + 16, qf_engine_param(e, 1)->grad, 16 * sizeof(float));
		free(in);
		qf_engine_free(e);
		qf_diag_free(d);
		qf_graph_free(g);
	}
	/* Fused, the relu output and its gradient are never stored. */
	assert_true(arena[0] < arena[1]);
	assert_memory_equal(out[0], out[1], (size_t)nout * sizeof(float));
	for (int64_t i = 0; i < ngrad; i++)
		if (fabsf(grads[0][i] - grads[1][i]) > 1e-5f * (1 + fabsf(grads[1][i])))
			fail_msg("gradient %lld: fused %.8g, unfused %.8g", (long long)i, grads[0][i], grads[1][i]);
	for (int f = 0; f < 2; f++) {
		free(out[f]);
		free(grads[f]);
	}
}

/* A first layer: direct conv -> bn -> relu -> pool, no input gradient.
 * The fused bn leaves its input gradient to the convolution's weight
 * gradient (lazy dy); parameter gradients must match the unfused steps.
 * 9 x 7 leaves a row and a column outside the pool windows. */
static void lazy_dy_matches_unfused(void **state)
{
	(void)state;
	const int B = 3;
	float *grads[2];
	int64_t ng = 0;
	for (int f = 0; f < 2; f++) {
		qf_graph *g = qf_graph_new("t");
		int x = input(g, 1, 9, 7);
		x = conv(g, "c", x, 1, 16, 3, 1, 1, 1, false);
		x = bn(g, "b", x, 16);
		x = unary(g, QF_OP_RELU, "r", x, 0, 1, 0);
		x = unary(g, QF_OP_MAXPOOL, "p", x, 2, 2, 0);
		x = unary(g, QF_OP_GAVGPOOL, "gap", x, 0, 1, 0);
		finish(g, fc(g, "fc", x, 16, 4, true), 40);
		qf_diag *d = qf_diag_new(stderr);
		qf_engine *e = qf_engine_new_opts(g, B, 2, f ? QF_ENG_NO_FUSE : 0, d);
		int ns;
		const qf_step *st = qf_engine_steps(e, &ns);
		bool lazy = false;
		for (int j = 0; j < ns; j++)
			lazy |= st[j].lazy_dx;
		assert_true(lazy == (f == 0));
		float *in = make_input(g, B, 1, 12);
		memcpy(qf_engine_input(e), in, (size_t)B * 63 * sizeof(float));
		qf_engine_forward(e, B, true);
		const uint8_t lab[3] = {2, 0, 3};
		qf_engine_loss(e, lab, B, 0.1f, NULL);
		qf_engine_zero_grad(e);
		qf_engine_backward(e, B);
		ng = 0;
		for (int i = 0; i < qf_engine_n_params(e); i++)
			ng += qf_engine_param(e, i)->n;
		grads[f] = malloc((size_t)ng * sizeof(float));
		for (int i = 0, o = 0; i < qf_engine_n_params(e); i++) {
			qf_param *p = qf_engine_param(e, i);
			memcpy(grads[f] + o, p->grad, (size_t)p->n * sizeof(float));
			o += (int)p->n;
		}
		free(in);
		qf_engine_free(e);
		qf_diag_free(d);
		qf_graph_free(g);
	}
	for (int64_t i = 0; i < ng; i++)
		if (fabsf(grads[0][i] - grads[1][i]) > 1e-5f * (1 + fabsf(grads[1][i])))
			fail_msg("gradient %lld: lazy %.8g, unfused %.8g", (long long)i, grads[0][i], grads[1][i]);
	free(grads[0]);
	free(grads[1]);
}

static void act(qf_op op, double span)
{
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 3, 4, 5);
	finish(g, unary(g, op, "a", x, 0, 1, 0), 14);
	run_case(g, 2, span, &exact);
}

static void relu(void **state)
{
	(void)state;
	act(QF_OP_RELU, 1);
}

static void relu6(void **state)
{
	(void)state;
	act(QF_OP_RELU6, 8);
}

static void hswish(void **state)
{
	(void)state;
	fd_cfg c = exact;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 3, 4, 5);
	finish(g, unary(g, QF_OP_HSWISH, "a", x, 0, 1, 0), 15);
	c.atol = 5e-3; /* quadratic piece: O(h^2) truncation */
	run_case(g, 2, 5, &c);
}

static void pool(qf_op op, int k, int s, int pad, int h, int w)
{
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 3, h, w);
	finish(g, unary(g, op, "p", x, k, s, pad), 16);
	run_case(g, 2, 1, &exact);
}

static void maxpool_2x2(void **state)
{
	(void)state;
	pool(QF_OP_MAXPOOL, 2, 2, 0, 6, 5);
}

static void maxpool_3x3_pad(void **state)
{
	(void)state;
	pool(QF_OP_MAXPOOL, 3, 2, 1, 7, 6);
}

static void avgpool_3x3_pad(void **state)
{
	(void)state;
	pool(QF_OP_AVGPOOL, 3, 2, 1, 7, 6);
}

static void avgpool_overlap(void **state)
{
	(void)state;
	pool(QF_OP_AVGPOOL, 3, 1, 1, 5, 4);
}

static void gavgpool(void **state)
{
	(void)state;
	pool(QF_OP_GAVGPOOL, 0, 1, 0, 4, 3);
}

/* add(x, conv(x)): two gradients into the same tensor (the input). */
static void add_residual(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 3, 4, 4);
	int y = conv(g, "c", x, 3, 3, 3, 1, 1, 1, false);
	finish(g, binary(g, QF_OP_ADD, "add", x, y), 17);
	run_case(g, 2, 1, &exact);
}

static void add_same(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 2, 3, 3);
	finish(g, binary(g, QF_OP_ADD, "add", x, x), 18);
	run_case(g, 2, 1, &exact);
}

static void concat(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 2, 4, 3);
	int y = conv(g, "c", x, 2, 3, 3, 1, 1, 1, true);
	finish(g, binary(g, QF_OP_CONCAT, "cat", y, x), 19);
	run_case(g, 2, 1, &exact);
}

/* ------------------------------------------------------------ loss */

/* Mean softmax cross-entropy with smoothing, against a direct evaluation
 * in double, and its gradient through an fc layer by finite differences
 * of the loss itself. */
static void loss_smoothing(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 6, 1, 1);
	finish(g, fc(g, "f", x, 6, 5, true), 20);
	const int B = 4;
	qf_diag *d = qf_diag_new(stderr);
	qf_engine *e = qf_engine_new(g, B, 1, d);
	assert_non_null(e);
	float *in = make_input(g, B, 2, 3);
	const uint8_t lab[4] = {0, 3, 4, 3};
	const float eps = 0.1f;
	memcpy(qf_engine_input(e), in, B * 6 * sizeof(float));
	qf_engine_forward(e, B, true);
	int hits = -1;
	float l = qf_engine_loss(e, lab, B, eps, &hits);
	const float *z = qf_engine_logits(e);
	double want = 0;
	int want_hits = 0;
	for (int i = 0; i < B; i++) {
		double mx = -1e30, se = 0;
		int best = 0;
		for (int c = 0; c < 5; c++)
			if (z[i * 5 + c] > mx) {
				mx = z[i * 5 + c];
				best = c;
			}
		want_hits += best == lab[i];
		for (int c = 0; c < 5; c++)
			se += exp(z[i * 5 + c] - mx);
		for (int c = 0; c < 5; c++) {
			double q = (c == lab[i] ? 1 - eps : 0) + eps / 5;
			want -= q * (z[i * 5 + c] - mx - log(se));
		}
	}
	want /= B;
	assert_true(fabs(l - want) < 1e-5 * fmax(1, fabs(want)));
	assert_int_equal(hits, want_hits);

	qf_engine_zero_grad(e);
	qf_engine_backward(e, B);
	qf_param *w = qf_engine_param(e, 0);
	assert_int_equal(w->n, 30);
	for (int j = 0; j < 30; j++) {
		float v0 = w->w[j], h = 1e-2f;
		w->w[j] = v0 + h;
		qf_engine_forward(e, B, true);
		double lp = qf_engine_loss(e, lab, B, eps, NULL);
		w->w[j] = v0 - h;
		qf_engine_forward(e, B, true);
		double lm = qf_engine_loss(e, lab, B, eps, NULL);
		w->w[j] = v0;
		double fd = (lp - lm) / (2 * h);
		if (fabs(fd - w->grad[j]) > 1e-3 + 1e-2 * fabs(fd))
			fail_msg("fc.w[%d]: analytic %g, finite difference %g", j, w->grad[j], fd);
	}
	free(in);
	qf_engine_free(e);
	qf_diag_free(d);
	qf_graph_free(g);
}

/* ------------------------------------------------------------ whole net */

/* conv -> bn -> relu -> maxpool -> grouped conv s2 -> bn -> relu6 ->
 * depthwise -> hswish -> (+ residual) -> concat -> avgpool -> gap -> fc,
 * every parameter kind, checked through the cross-entropy-free objective
 * on the logits. */
static qf_graph *small_net(uint64_t seed)
{
	qf_graph *g = qf_graph_new("small");
	int x = input(g, 2, 9, 8);
	x = conv(g, "c1", x, 2, 6, 3, 1, 1, 1, false);
	x = bn(g, "b1", x, 6);
	x = unary(g, QF_OP_RELU, "r1", x, 0, 1, 0);
	x = unary(g, QF_OP_MAXPOOL, "p1", x, 2, 2, 0);
	x = conv(g, "c2", x, 6, 8, 3, 2, 1, 2, true);
	x = bn(g, "b2", x, 8);
	int r = unary(g, QF_OP_RELU6, "r2", x, 0, 1, 0);
	x = conv(g, "dw", r, 8, 8, 3, 1, 1, 8, true);
	x = unary(g, QF_OP_HSWISH, "hs", x, 0, 1, 0);
	x = binary(g, QF_OP_ADD, "res", x, r);
	x = binary(g, QF_OP_CONCAT, "cat", x, r);
	x = unary(g, QF_OP_AVGPOOL, "ap", x, 3, 1, 1);
	x = unary(g, QF_OP_GAVGPOOL, "gap", x, 0, 1, 0);
	finish(g, fc(g, "fc", x, 16, 5, true), seed);
	return g;
}

static void whole_net(void **state)
{
	(void)state;
	qf_graph *g = small_net(21);
	fd_cfg c = {.h = 2e-3f, .rtol = 2e-2, .atol = 2e-3, .max_samples = 24, .max_skip = 0.1, .threads = 2};
	run_case(g, 3, 1, &c);
}

/* ------------------------------------------------------------ bn statistics */

static void bn_running_and_eval(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 2, 3, 2);
	int out = bn(g, "b", x, 2);
	finish(g, out, 22);
	const int B = 3, HW = 6;
	float *gamma = qf_tensor_data(g, g->n[0].in[1]), *beta = qf_tensor_data(g, g->n[0].in[2]);
	float *rm = qf_tensor_data(g, g->n[0].in[3]), *rv = qf_tensor_data(g, g->n[0].in[4]);
	float rm0[2] = {rm[0], rm[1]}, rv0[2] = {rv[0], rv[1]};
	qf_diag *d = qf_diag_new(stderr);
	qf_engine *e = qf_engine_new(g, B, 1, d);
	float *in = make_input(g, B, 3, 5);
	for (int i = 0; i < B * 2 * HW; i++)
		in[i] += (i / HW) % 2 ? 4.0f : 0; /* channel 1 off-centre */
	memcpy(qf_engine_input(e), in, sizeof(float) * B * 2 * HW);
	qf_engine_forward(e, B, true);
	for (int c = 0; c < 2; c++) {
		double s = 0, ss = 0;
		for (int n = 0; n < B; n++)
			for (int p = 0; p < HW; p++)
				s += in[(n * 2 + c) * HW + p];
		double mean = s / (B * HW);
		for (int n = 0; n < B; n++)
			for (int p = 0; p < HW; p++) {
				double v = in[(n * 2 + c) * HW + p] - mean;
				ss += v * v;
			}
		double var = ss / (B * HW), unb = ss / (B * HW - 1);
		assert_true(fabs(rm[c] - (0.9 * rm0[c] + 0.1 * mean)) < 1e-5);
		assert_true(fabs(rv[c] - (0.9 * rv0[c] + 0.1 * unb)) < 1e-5);
		/* Train-mode output uses the batch statistics (biased variance). */
		const float *y = qf_engine_logits(e);
		for (int n = 0; n < B; n++)
			for (int p = 0; p < HW; p++) {
				double want = (in[(n * 2 + c) * HW + p] - mean) / sqrt(var + 1e-5) * gamma[c] + beta[c];
				assert_true(fabs(y[(n * HW + p) * 2 + c] - want) < 1e-4);
			}
	}
	/* Eval mode: running statistics, and they do not move. */
	float rm1 = rm[1], rv1 = rv[1];
	qf_engine_forward(e, B, false);
	assert_true(rm[1] == rm1 && rv[1] == rv1);
	const float *y = qf_engine_logits(e);
	for (int n = 0; n < B; n++)
		for (int p = 0; p < HW; p++) {
			double want = (in[(n * 2 + 1) * HW + p] - rm1) / sqrt(rv1 + 1e-5) * gamma[1] + beta[1];
			assert_true(fabs(y[(n * HW + p) * 2 + 1] - want) < 1e-4);
		}
	free(in);
	qf_engine_free(e);
	qf_diag_free(d);
	qf_graph_free(g);
}

/* ------------------------------------------------------------ determinism */

/* The same step with 1, 2 and 3 threads gives bit-identical logits,
 * gradients and running statistics: every reduction has a fixed order.
 * Every loop is split here, however small. */
static void same_bits_any_threads(void **state)
{
	(void)state;
	const int B = 5;
	float *ref = NULL;
	int64_t nref = 0;
	for (int t = 1; t <= 3; t++) {
		qf_graph *g = small_net(23);
		qf_diag *d = qf_diag_new(stderr);
		qf_engine *e = qf_engine_new_opts(g, B, t, QF_ENG_PAR_ALWAYS, d);
		float *in = make_input(g, B, 1, 9);
		memcpy(qf_engine_input(e), in, (size_t)B * qf_tensor_elems(&g->t[g->input]) * sizeof(float));
		qf_engine_forward(e, B, true);
		const uint8_t lab[5] = {1, 0, 4, 2, 2};
		qf_engine_loss(e, lab, B, 0.1f, NULL);
		qf_engine_zero_grad(e);
		qf_engine_backward(e, B);
		int64_t n = B * 5 + g->ndata;
		for (int i = 0; i < qf_engine_n_params(e); i++)
			n += qf_engine_param(e, i)->n;
		float *got = malloc((size_t)n * sizeof(float)), *p = got;
		memcpy(p, qf_engine_logits(e), B * 5 * sizeof(float));
		p += B * 5;
		memcpy(p, g->data, (size_t)g->ndata * sizeof(float));
		p += g->ndata;
		for (int i = 0; i < qf_engine_n_params(e); i++) {
			qf_param *q = qf_engine_param(e, i);
			memcpy(p, q->grad, (size_t)q->n * sizeof(float));
			p += q->n;
		}
		if (!ref) {
			ref = got;
			nref = n;
		} else {
			assert_int_equal(n, nref);
			assert_memory_equal(got, ref, (size_t)n * sizeof(float));
			free(got);
		}
		free(in);
		qf_engine_free(e);
		qf_diag_free(d);
		qf_graph_free(g);
	}
	free(ref);
}

/* ------------------------------------------------------------ weight transform */

/* Rounds to multiples of 1/8 and doubles channel 1: a stand-in for a fake
 * quantizer. */
static float xform(const void *ctx, int co, float w)
{
	(void)ctx;
	float q = roundf(w * 8) / 8;
	return co == 1 ? 2 * q : q;
}

/* An engine with a weight transform computes what an engine on a graph
 * holding the transformed weights computes, forward and backward, on the
 * GEMM, direct and fc paths; the graph's own weights are untouched. */
static void weight_transform(void **state)
{
	(void)state;
	const int B = 2;
	float *out[2], *gr[2];
	int64_t no = 0, ng = 0;
	for (int v = 0; v < 2; v++) {
		qf_graph *g = qf_graph_new("t");
		int x = input(g, 1, 6, 5);
		x = conv(g, "c1", x, 1, 16, 3, 1, 1, 1, false); /* direct */
		x = conv(g, "c2", x, 16, 5, 3, 2, 1, 1, true);  /* GEMM */
		x = unary(g, QF_OP_GAVGPOOL, "gap", x, 0, 1, 0);
		finish(g, fc(g, "fc", x, 5, 3, true), 50);
		int wt[3] = {g->n[0].in[1], g->n[1].in[1], g->n[3].in[1]};
		float *before = malloc((size_t)g->ndata * sizeof(float));
		if (v == 1) /* the transform applied to the graph itself */
			for (int k = 0; k < 3; k++) {
				const qf_tensor *t = &g->t[wt[k]];
				float *w = qf_tensor_data(g, wt[k]);
				int64_t n = qf_tensor_elems(t), per = n / t->dim[0];
				for (int64_t i = 0; i < n; i++)
					w[i] = xform(NULL, (int)(i / per), w[i]);
			}
		memcpy(before, g->data, (size_t)g->ndata * sizeof(float));
		qf_diag *d = qf_diag_new(stderr);
		qf_engine *e = qf_engine_new(g, B, 2, d);
		if (v == 0)
			for (int k = 0; k < 4; k++)
				if (k != 2)
					qf_engine_set_wxform(e, k, xform, NULL);
		float *in = make_input(g, B, 1, 13);
		memcpy(qf_engine_input(e), in, (size_t)B * 30 * sizeof(float));
		qf_engine_forward(e, B, true);
		no = B * 3;
		out[v] = malloc((size_t)no * sizeof(float));
		memcpy(out[v], qf_engine_logits(e), (size_t)no * sizeof(float));
		const uint8_t lab[2] = {1, 2};
		qf_engine_loss(e, lab, B, 0, NULL);
		qf_engine_zero_grad(e);
		qf_engine_backward(e, B);
		ng = 0;
		for (int i = 0; i < qf_engine_n_params(e); i++)
			ng += qf_engine_param(e, i)->n;
		gr[v] = malloc((size_t)ng * sizeof(float));
		for (int i = 0, o = 0; i < qf_engine_n_params(e); i++) {
			memcpy(gr[v] + o, qf_engine_param(e, i)->grad, (size_t)qf_engine_param(e, i)->n * sizeof(float));
			o += (int)qf_engine_param(e, i)->n;
		}
		assert_memory_equal(before, g->data, (size_t)g->ndata * sizeof(float));
		free(before);
		free(in);
		qf_engine_free(e);
		qf_diag_free(d);
		qf_graph_free(g);
	}
	assert_memory_equal(out[0], out[1], (size_t)no * sizeof(float));
	assert_memory_equal(gr[0], gr[1], (size_t)ng * sizeof(float));
	for (int v = 0; v < 2; v++) {
		free(out[v]);
		free(gr[v]);
	}
}

/* ------------------------------------------------------------ bad graphs */

static void rejects_unshaped(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("bad");
	int x = input(g, 1, 4, 4);
	g->output = unary(g, QF_OP_RELU, "r", x, 0, 1, 0); /* shapes never inferred */
	FILE *f = tmpfile();
	qf_diag *d = qf_diag_new(f);
	assert_null(qf_engine_new(g, 2, 1, d));
	assert_int_equal(qf_diag_errors(d), 1);
	rewind(f);
	char buf[256] = "";
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	assert_non_null(strstr(buf, "'r'"));
	qf_diag_free(d);
	fclose(f);
	qf_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(conv_plain),
		cmocka_unit_test(conv_stride2_pad),
		cmocka_unit_test(conv_groups),
		cmocka_unit_test(conv_depthwise),
		cmocka_unit_test(conv_depthwise_k5),
		cmocka_unit_test(conv_1x1_stride2),
		cmocka_unit_test(conv_k5_nopad),
		cmocka_unit_test(conv_wide),
		cmocka_unit_test(conv_direct),
		cmocka_unit_test(fc_flatten),
		cmocka_unit_test(fc_vector),
		cmocka_unit_test(bn_train),
		cmocka_unit_test(bn_relu_fused),
		cmocka_unit_test(bn_relu6_fused),
		cmocka_unit_test(bn_relu_pool_fused),
		cmocka_unit_test(fused_matches_unfused),
		cmocka_unit_test(lazy_dy_matches_unfused),
		cmocka_unit_test(relu),
		cmocka_unit_test(relu6),
		cmocka_unit_test(hswish),
		cmocka_unit_test(maxpool_2x2),
		cmocka_unit_test(maxpool_3x3_pad),
		cmocka_unit_test(avgpool_3x3_pad),
		cmocka_unit_test(avgpool_overlap),
		cmocka_unit_test(gavgpool),
		cmocka_unit_test(add_residual),
		cmocka_unit_test(add_same),
		cmocka_unit_test(concat),
		cmocka_unit_test(loss_smoothing),
		cmocka_unit_test(whole_net),
		cmocka_unit_test(bn_running_and_eval),
		cmocka_unit_test(same_bits_any_threads),
		cmocka_unit_test(weight_transform),
		cmocka_unit_test(rejects_unshaped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
