/* test_engine_fq.c: activation quantizers fused into the pools that read
 * them (engine.c, ops_pool.c) against the same quantizers run as their own
 * passes (QF_ENG_NO_FQ_FUSE), on a small QAT net with a max pool and a
 * global average pool after quantized ReLUs: the plan fuses both, the
 * logits, the loss and every parameter gradient are bit-identical over two
 * training steps (the second with updated weights and steps), with and
 * without the targeted gradient modification, and the quantizers'
 * gradients agree to the last bits of their double sums (the fused max
 * pool adds the same terms in another order). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frontend/frontend.h"
#include "interp/engine_internal.h"
#include "passes/passes.h"

static const char *const text =
	"data syn { format idx; train images \"t.gz\" labels \"l.gz\"; test images \"t.gz\" labels \"l.gz\";\n"
	"  input 1x10x10 uint8; classes 3; validate 0; }\n"
	"space tiny {\n"
	"  input 1x10x10;\n"
	"  conv c 16 k 3 s 1 relu;\n"
	"  pool max k 2 s 2;\n"
	"  conv c 12 k 3 s 1 relu;\n"
	"  pool avg global;\n"
	"  fc 3;\n"
	"}\n"
	"quant q8 { weights { bits {8}; per channel; symmetric; } acts { bits {8}; per tensor; asymmetric; }\n"
	"  method lsq; }\n";

enum { BATCH = 5, STEPS = 2 };

typedef struct {
	qf_graph *g;
	qf_qat *Q;
	qf_engine *e;
	qf_param *all;
	int ne, nq;
} net;

static void net_new(net *t, const qf_program *p, unsigned flags, bool gradmod)
{
	qf_choice ch;
	qf_choice_init(&ch, &p->spaces[p->sel_space]);
	qf_choice_pick(&ch, &p->spaces[p->sel_space], QF_PICK_LARGEST, NULL);
	qf_diag *d = qf_diag_new(stderr);
	t->g = qf_sample(p, &ch, 1, d);
	qf_choice_free(&ch);
	assert_non_null(t->g);
	const qf_quant *pol = &p->quants[p->sel_quant];
	qf_qat_cfg c;
	qf_qat_cfg_from_policy(&c, pol);
	c.gradmod = gradmod;
	t->Q = qf_qat_new(t->g, pol, &c, d);
	assert_non_null(t->Q);
	t->e = qf_engine_new_opts(t->g, BATCH, 2, flags | QF_ENG_PAR_ALWAYS, d);
	assert_non_null(t->e);
	qf_diag_free(d);
	qf_engine_set_qat(t->e, t->Q);
	t->ne = qf_engine_n_params(t->e);
	t->nq = qf_qat_n_params(t->Q);
	t->all = calloc((size_t)(t->ne + t->nq), sizeof(qf_param));
	for (int i = 0; i < t->ne; i++)
		t->all[i] = *qf_engine_param(t->e, i);
	memcpy(t->all + t->ne, qf_qat_params(t->Q), (size_t)t->nq * sizeof(qf_param));
	qf_qat_bind(t->Q, t->all, t->ne);
	qf_qat_set_phase(t->Q, QF_PHASE_QAT);
}

static void net_free(net *t)
{
	qf_engine_free(t->e);
	qf_qat_free(t->Q);
	qf_graph_free(t->g);
	free(t->all);
}

static int fused_pools(const net *t)
{
	int n, k = 0;
	const qf_step *s = qf_engine_steps(t->e, &n);
	for (int j = 0; j < n; j++)
		k += s[j].xq != NULL;
	return k;
}

/* One training step on a fixed batch; then a plain SGD update of every
 * parameter, so the next step runs with other weights and steps. */
static float step(net *t, int k)
{
	float *x = qf_engine_input(t->e);
	for (int i = 0; i < BATCH * 100; i++)
		x[i] = (float)((i * 37 + k * 11) % 256) / 255.0f;
	uint8_t y[BATCH];
	for (int i = 0; i < BATCH; i++)
		y[i] = (uint8_t)((i + k) % 3);
	qf_engine_zero_grad(t->e);
	for (int i = t->ne; i < t->ne + t->nq; i++)
		memset(t->all[i].grad, 0, (size_t)t->all[i].n * sizeof(float));
	qf_qat_begin_step(t->Q, true);
	qf_engine_forward(t->e, BATCH, true);
	float loss = qf_engine_loss(t->e, y, BATCH, 0.1f, NULL);
	qf_engine_backward(t->e, BATCH);
	qf_qat_end_step(t->Q, true);
	return loss;
}

static void update(net *t)
{
	for (int i = 0; i < t->ne + t->nq; i++)
		for (int64_t j = 0; j < t->all[i].n; j++)
			t->all[i].w[j] -= 0.5f * t->all[i].grad[j];
	qf_qat_after_update(t->Q);
}

static void compare(bool gradmod)
{
	qf_diag *d = qf_diag_new(stderr);
	qf_program *p = qf_parse("t.qf", text, strlen(text), d);
	assert_non_null(p);
	assert_int_equal(qf_diag_errors(d), 0);
	qf_diag_free(d);
	net a, b;
	net_new(&a, p, 0, gradmod);
	net_new(&b, p, QF_ENG_NO_FQ_FUSE, gradmod);
	assert_int_equal(fused_pools(&a), 2); /* the max pool and the global pool */
	assert_int_equal(fused_pools(&b), 0);
	assert_int_equal(a.ne, b.ne);
	assert_int_equal(a.nq, b.nq);
	for (int k = 0; k < STEPS; k++) {
		float la = step(&a, k), lb = step(&b, k);
		assert_memory_equal(&la, &lb, sizeof la);
		assert_memory_equal(qf_engine_logits(a.e), qf_engine_logits(b.e), BATCH * 3 * sizeof(float));
		int nz = 0;
		for (int i = 0; i < a.ne; i++) {
			assert_memory_equal(a.all[i].grad, b.all[i].grad, (size_t)a.all[i].n * sizeof(float));
			for (int64_t j = 0; j < a.all[i].n; j++)
				nz += a.all[i].grad[j] != 0;
		}
		assert_true(nz > 100);
		for (int i = a.ne; i < a.ne + a.nq; i++)
			for (int64_t j = 0; j < a.all[i].n; j++) {
				float u = a.all[i].grad[j], v = b.all[i].grad[j];
				assert_true(fabsf(u - v) <= 1e-6f * fabsf(v) + 1e-30f);
			}
		/* the updates must stay equal for the next step to compare */
		for (int i = a.ne; i < a.ne + a.nq; i++)
			memcpy(a.all[i].grad, b.all[i].grad, (size_t)a.all[i].n * sizeof(float));
		update(&a);
		update(&b);
	}
	/* evaluation: the same quantized logits */
	qf_qat_begin_step(a.Q, false);
	qf_qat_begin_step(b.Q, false);
	qf_engine_forward(a.e, BATCH, false);
	qf_engine_forward(b.e, BATCH, false);
	assert_memory_equal(qf_engine_logits(a.e), qf_engine_logits(b.e), BATCH * 3 * sizeof(float));
	qf_qat_end_step(a.Q, false);
	qf_qat_end_step(b.Q, false);
	net_free(&a);
	net_free(&b);
	qf_program_free(p);
}

static void test_fused_equals_passes(void **state)
{
	(void)state;
	compare(false);
}

static void test_fused_equals_passes_gradmod(void **state)
{
	(void)state;
	compare(true);
}

/* The vector kernel against qf_fq_backward: every dx bit for bit, the
 * sums to double rounding; ties, clamps on both sides, zeros, -0, a tail
 * shorter than a vector. */
static void test_bwd_block(void **state)
{
	(void)state;
	enum { N = 203 };
	float x[N], dy[N], ref[N];
	for (int delta = 0; delta < 2; delta++) {
		qf_fq q = {0.01f, -20, -128, 127, delta ? 0.2f : 0};
		for (int i = 0; i < N; i++) {
			x[i] = (float)(i - 60) * 0.025f; /* x/s near ties; below the range up to 16, above from 120 */
			dy[i] = i % 4 == 0 ? 0.0f : i % 9 == 0 ? -0.0f : (float)((i * 7) % 13 - 6) / 8;
		}
		qf_fq_grad g = {0};
		qf_fq_backward(&q, x, dy, ref, N, false, &g);
		double sums[4];
		qf_fq_bwd_block(&q, x, dy, N, sums);
		assert_memory_equal(dy, ref, sizeof ref);
		double want[4] = {g.ds, g.dz, g.dqmin, g.dqmax};
		for (int k = 0; k < 4; k++)
			assert_true(fabs(sums[k] - want[k]) <= 1e-12 * fabs(want[k]) + 1e-15);
		assert_true(g.dqmin != 0 && g.dqmax != 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bwd_block),
		cmocka_unit_test(test_fused_equals_passes),
		cmocka_unit_test(test_fused_equals_passes_gradmod),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
