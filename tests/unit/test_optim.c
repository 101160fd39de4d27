/* test_optim.c: optimiser steps and learning-rate schedules against values
 * computed by hand (the arithmetic is in the comments; the AdamW and
 * one-cycle constants were computed in double precision with Python from
 * the formulas of torch.optim.AdamW and torch.optim.lr_scheduler.OneCycleLR),
 * and optimiser state surviving a checkpoint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "interp/interp.h"

static void near(double got, double want, double tol)
{
	if (!(got >= want - tol && got <= want + tol))
		fail_msg("got %.9g, want %.9g (+- %g)", got, want, tol);
}

static qf_param param(float *w, float *g, int64_t n, bool decay)
{
	return (qf_param){.tensor = 0, .w = w, .grad = g, .n = n, .decay = decay};
}

/* lr 0.1, momentum 0.9, decay 0.1, gradient 0.5 twice, from w = 1:
 *   Nesterov, decayed: d = 0.5 + 0.1*1 = 0.6, b = 0.6, w = 1 - 0.1*(0.6 + 0.54) = 0.886
 *                      d = 0.5 + 0.0886 = 0.5886, b = 0.54 + 0.5886 = 1.1286,
 *                      w = 0.886 - 0.1*(0.5886 + 1.01574) = 0.725566
 *   Nesterov, no decay: b = 0.5, w = 1 - 0.095 = 0.905; b = 0.95, w = 0.905 - 0.1355 = 0.7695
 *   heavy ball, decayed: b = 0.6, w = 0.94; d = 0.594, b = 1.134, w = 0.8266
 *   no momentum, decayed: w = 1 - 0.06 = 0.94; w = 0.94 - 0.1*(0.5 + 0.094) = 0.8806 */
static void test_sgd(void **state)
{
	(void)state;
	static const struct {
		float mu;
		bool nesterov, decay;
		double w1, w2;
	} cases[] = {
		{0.9f, true, true, 0.886, 0.725566},
		{0.9f, true, false, 0.905, 0.7695},
		{0.9f, false, true, 0.94, 0.8266},
		{0.0f, false, true, 0.94, 0.8806},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		qf_opt_cfg c;
		qf_opt_defaults(&c, QF_OPT_SGD);
		c.momentum = cases[i].mu;
		c.nesterov = cases[i].nesterov;
		c.weight_decay = 0.1f;
		float w[3] = {1, 1, 1}, g[3] = {0.5f, 0.5f, 0.5f};
		qf_param p = param(w, g, 3, cases[i].decay);
		qf_optim *o = qf_optim_new(&c, &p, 1);
		qf_optim_step(o, 0.1f);
		for (int j = 0; j < 3; j++)
			near(w[j], cases[i].w1, 1e-6);
		qf_optim_step(o, 0.1f);
		for (int j = 0; j < 3; j++)
			near(w[j], cases[i].w2, 1e-6);
		assert_int_equal(qf_optim_steps(o), 2);
		qf_optim_free(o);
	}
}

/* lr 0.1, decay 0.01, betas 0.9 0.999, eps 1e-8, gradients 0.5, -0.25,
 * 0.125 from w = 1. Step 1 by hand: w = 0.999 (decay), m = 0.05,
 * v = 0.00025, step size 0.1/0.1 = 1, denominator sqrt(0.00025)/sqrt(0.001)
 * = 0.5, w = 0.999 - 0.05/0.5 = 0.899. Steps 2 and 3: 0.87146730,
 * 0.83655292. Without decay: 0.9, then 0.87336630, 0.83932338. */
static void test_adamw(void **state)
{
	(void)state;
	qf_opt_cfg c;
	qf_opt_defaults(&c, QF_OPT_ADAMW);
	assert_true(c.beta1 == 0.9f && c.beta2 == 0.999f && c.eps == 1e-8f);
	c.weight_decay = 0.01f;
	float w[2] = {1, 1}, g[2];
	qf_param p[2] = {param(&w[0], &g[0], 1, true), param(&w[1], &g[1], 1, false)};
	qf_optim *o = qf_optim_new(&c, p, 2);
	const float grads[3] = {0.5f, -0.25f, 0.125f};
	const double want[3][2] = {{0.899, 0.9}, {0.87146730, 0.87336630}, {0.83655292, 0.83932338}};
	for (int t = 0; t < 3; t++) {
		g[0] = g[1] = grads[t];
		qf_optim_step(o, 0.1f);
		near(w[0], want[t][0], 2e-6);
		near(w[1], want[t][1], 2e-6);
	}
	qf_optim_free(o);
}

/* A graph holding two parameter tensors, for the blobs a checkpoint keeps. */
static qf_graph *two_params(qf_param p[2], float *grads)
{
	qf_graph *g = qf_graph_new("opt");
	int a = qf_graph_add_tensor(g, "conv1.w", QF_ROLE_WEIGHT, 1, (const int32_t[]){5});
	int b = qf_graph_add_tensor(g, "bn1.gamma", QF_ROLE_GAMMA, 1, (const int32_t[]){3});
	float *wa = qf_tensor_data(g, a), *wb = qf_tensor_data(g, b);
	for (int i = 0; i < 5; i++)
		wa[i] = 0.1f * (float)i - 0.2f;
	for (int i = 0; i < 3; i++)
		wb[i] = 1.0f + 0.01f * (float)i;
	p[0] = (qf_param){.tensor = a, .w = wa, .grad = grads, .n = 5, .decay = true};
	p[1] = (qf_param){.tensor = b, .w = wb, .grad = grads + 5, .n = 3, .decay = false};
	return g;
}

static void fill_grads(float *grads, int step)
{
	for (int i = 0; i < 8; i++)
		grads[i] = (float)((i * 7 + step * 3) % 11) / 11.0f - 0.5f;
}

/* Two runs of six steps: one straight, one saved to blobs after three
 * steps and continued by a fresh optimiser loaded from them. The weights
 * must agree bit for bit, for both kinds. */
static void test_save_load(void **state)
{
	(void)state;
	for (int kind = 0; kind < QF_OPT_COUNT; kind++) {
		qf_opt_cfg c;
		qf_opt_defaults(&c, (qf_opt_kind)kind);
		float ga[8], gb[8];
		qf_param pa[2], pb[2];
		qf_graph *A = two_params(pa, ga), *B = two_params(pb, gb);
		qf_optim *oa = qf_optim_new(&c, pa, 2), *ob = qf_optim_new(&c, pb, 2);
		for (int s = 0; s < 3; s++) {
			fill_grads(ga, s);
			fill_grads(gb, s);
			qf_optim_step(oa, 0.05f);
			qf_optim_step(ob, 0.05f);
		}
		qf_optim_save(ob, B);
		qf_optim_free(ob);
		assert_non_null(qf_graph_blob(B, kind == QF_OPT_SGD ? "opt.momentum.conv1.w" : "opt.v.bn1.gamma"));
		assert_string_equal(qf_graph_meta(B, "opt.step"), "3");
		ob = qf_optim_new(&c, pb, 2);
		qf_diag *d = qf_diag_new(stderr);
		assert_int_equal(qf_optim_load(ob, B, "ckpt.qfm", d), 0);
		assert_int_equal(qf_optim_steps(ob), 3);
		for (int s = 3; s < 6; s++) {
			fill_grads(ga, s);
			fill_grads(gb, s);
			qf_optim_step(oa, 0.05f);
			qf_optim_step(ob, 0.05f);
		}
		assert_memory_equal(A->data, B->data, 8 * sizeof(float));
		/* and the state did something: a fresh optimiser from step 3
		 * lands elsewhere */
		float gc[8];
		qf_param pc[2];
		qf_graph *C = two_params(pc, gc);
		qf_optim *oc = qf_optim_new(&c, pc, 2);
		for (int s = 0; s < 3; s++) {
			fill_grads(gc, s);
			qf_optim_step(oc, 0.05f);
		}
		qf_optim_free(oc);
		oc = qf_optim_new(&c, pc, 2);
		for (int s = 3; s < 6; s++) {
			fill_grads(gc, s);
			qf_optim_step(oc, 0.05f);
		}
		assert_memory_not_equal(A->data, C->data, 8 * sizeof(float));
		qf_optim_free(oa);
		qf_optim_free(ob);
		qf_optim_free(oc);
		qf_diag_free(d);
		qf_graph_free(A);
		qf_graph_free(B);
		qf_graph_free(C);
	}
}

static void test_load_errors(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	qf_diag *d = qf_diag_new(f);
	float gr[8] = {0};
	qf_param p[2];
	qf_graph *g = two_params(p, gr);
	qf_opt_cfg sgd, adam;
	qf_opt_defaults(&sgd, QF_OPT_SGD);
	qf_opt_defaults(&adam, QF_OPT_ADAMW);
	qf_optim *o = qf_optim_new(&sgd, p, 2);
	/* nothing saved yet */
	assert_int_equal(qf_optim_load(o, g, "x.qfm", d), -1);
	qf_optim_save(o, g);
	qf_optim *a = qf_optim_new(&adam, p, 2);
	assert_int_equal(qf_optim_load(a, g, "x.qfm", d), -1);
	qf_graph_set_blob(g, "opt.momentum.bn1.gamma", 2);
	assert_int_equal(qf_optim_load(o, g, "x.qfm", d), -1);
	qf_optim_save(o, g);
	qf_graph_set_meta(g, "opt.step", "-4");
	assert_int_equal(qf_optim_load(o, g, "x.qfm", d), -1);
	fflush(f);
	assert_non_null(strstr(buf, "x.qfm: error: the checkpoint holds no optimiser state, not sgd"));
	assert_non_null(strstr(buf, "x.qfm: error: the checkpoint holds sgd optimiser state, not adamw"));
	assert_non_null(strstr(buf, "optimiser state 'opt.momentum.bn1.gamma' is the wrong size"));
	assert_non_null(strstr(buf, "step count is '-4', not a count"));
	qf_optim_free(o);
	qf_optim_free(a);
	qf_graph_free(g);
	qf_diag_free(d);
	fclose(f);
	free(buf);
}

/* OneCycleLR(max_lr=0.1, total_steps=100): starts at 0.1/25 = 0.004,
 * peaks at step 0.3*100 - 1 = 29, halfway down at step 29 + 70/2 = 64
 * (0.1 + 4e-7)/2, ends at step 99 at 0.004/1e4 = 4e-7. */
static void test_onecycle(void **state)
{
	(void)state;
	qf_sched s;
	qf_sched_init(&s, QF_SCHED_ONECYCLE, 0.1, 100);
	near(qf_sched_lr(&s, 0), 0.004, 1e-15);
	near(qf_sched_lr(&s, 10), 0.029516394846410082, 1e-15);
	near(qf_sched_lr(&s, 29), 0.1, 1e-15);
	near(qf_sched_lr(&s, 30), 0.09994965352845243, 1e-15);
	near(qf_sched_lr(&s, 64), 0.0500002, 1e-15);
	near(qf_sched_lr(&s, 99), 4e-7, 1e-18);
	near(qf_sched_lr(&s, 500), 4e-7, 1e-18);
	for (int64_t t = 1; t < 100; t++) {
		double a = qf_sched_lr(&s, t - 1), b = qf_sched_lr(&s, t);
		assert_true(t <= 29 ? b > a : b < a);
	}
}

/* Warm-up 5 of 15 steps to lr 1: 0.2, 0.4, ..., 1.0, then cosine over the
 * remaining 10 steps from 1 (step 5) to 0 (step 14); step 8 is a third of
 * the way: (1 + cos(pi/3))/2 = 0.75. Constant: the ramp, then flat. */
static void test_cosine_constant(void **state)
{
	(void)state;
	qf_sched s;
	qf_sched_init(&s, QF_SCHED_COSINE, 1.0, 15);
	s.warmup = 5;
	for (int t = 0; t < 5; t++)
		near(qf_sched_lr(&s, t), 0.2 * (t + 1), 1e-15);
	near(qf_sched_lr(&s, 5), 1.0, 1e-15);
	near(qf_sched_lr(&s, 8), 0.75, 1e-15);
	near(qf_sched_lr(&s, 14), 0.0, 1e-15);
	s.min_lr = 0.1;
	near(qf_sched_lr(&s, 8), 0.1 + 0.9 * 0.75, 1e-15);
	near(qf_sched_lr(&s, 14), 0.1, 1e-15);
	qf_sched_init(&s, QF_SCHED_CONSTANT, 0.5, 100);
	s.warmup = 4;
	near(qf_sched_lr(&s, 0), 0.125, 1e-15);
	near(qf_sched_lr(&s, 2), 0.375, 1e-15);
	near(qf_sched_lr(&s, 3), 0.5, 1e-15);
	near(qf_sched_lr(&s, 77), 0.5, 1e-15);
	qf_sched_init(&s, QF_SCHED_COSINE, 0.2, 3);
	near(qf_sched_lr(&s, 0), 0.2, 1e-15);
	near(qf_sched_lr(&s, 1), 0.1, 1e-15);
	near(qf_sched_lr(&s, 2), 0.0, 1e-15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sgd),
		cmocka_unit_test(test_adamw),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_onecycle),
		cmocka_unit_test(test_cosine_constant),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
