/* test_qat.c: QAT of whole graphs: which tensors get quantizers and which
 * share them, the fake-quantized (BN-folded) weights the engine sees and
 * their gradients, the budget penalty's gradient, the hard projection
 * meeting the budget, policy errors naming the .qf line, and short runs
 * on a synthetic data set (two classes: a bright square top-left or
 * bottom-right) whose .qfm holds power-of-two scales and fits the budget. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "frontend/frontend.h"
#include "interp/interp.h"
#include "passes/passes.h"

static const char *const space_text =
	"data syn { format idx; train images \"t.gz\" labels \"l.gz\"; test images \"t.gz\" labels \"l.gz\";\n"
	"  input 1x8x8 uint8; classes 2; validate 0; }\n"
	"space tiny {\n"
	"  input 1x8x8;\n"
	"  conv c 8 k 3 s 1 relu;\n"
	"  pool max k 2 s 2;\n"
	"  conv c 16 k 3 s 1 relu;\n"
	"  conv c 16 k 3 s 1 relu;\n"
	"  pool avg global;\n"
	"  fc 2;\n"
	"}\n";

/* A program of space_text plus quant_text; fails the test on errors
 * unless want_errors, when the diagnostics go to *msgs. */
static qf_program *program(const char *quant_text, bool want_errors, char *msgs, size_t cap)
{
	char text[4096];
	snprintf(text, sizeof text, "%s%s", space_text, quant_text);
	FILE *f = tmpfile();
	qf_diag *d = qf_diag_new(f);
	qf_diag_set_source(d, "t.qf", text, strlen(text));
	qf_program *p = qf_parse("t.qf", text, strlen(text), d);
	if (p && !qf_diag_errors(d))
		qf_check_feasible(p, d);
	int errs = qf_diag_errors(d);
	rewind(f);
	char buf[4096] = "";
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	if (msgs)
		snprintf(msgs, cap, "%s", buf);
	qf_diag_free(d);
	fclose(f);
	if (!want_errors && errs)
		fail_msg("unexpected errors:\n%s", buf);
	return p;
}

static qf_graph *sample(const qf_program *p)
{
	qf_choice ch;
	qf_choice_init(&ch, &p->spaces[p->sel_space]);
	qf_choice_pick(&ch, &p->spaces[p->sel_space], QF_PICK_LARGEST, NULL);
	qf_diag *d = qf_diag_new(stderr);
	qf_graph *g = qf_sample(p, &ch, 1, d);
	qf_diag_free(d);
	qf_choice_free(&ch);
	assert_non_null(g);
	return g;
}

static int tensor(const qf_graph *g, const char *name)
{
	for (int i = 0; i < g->nt; i++)
		if (strcmp(g->t[i].name, name) == 0)
			return i;
	fail_msg("no tensor %s", name);
	return -1;
}

static const qf_qparam *qp(const qf_graph *g, int t)
{
	assert_true(g->t[t].quant >= 0);
	return &g->q[g->t[t].quant];
}

static const char *const q8 =
	"quant q8 { weights { bits {8}; per channel; symmetric; } acts { bits {8}; per tensor; asymmetric; }\n"
	"  method lsq, statassist, gradboost; }\n";

/* ------------------------------------------------------------ structure */

static void test_quantizers_and_sharing(void **state)
{
	(void)state;
	qf_program *p = program(q8, false, NULL, 0);
	qf_graph *g = sample(p);
	qf_qat_cfg c;
	qf_qat_cfg_from_policy(&c, &p->quants[p->sel_quant]);
	assert_true(c.lsq && c.statassist && c.gradboost && !c.gradmod && !c.learned_precision);
	qf_diag *d = qf_diag_new(stderr);
	qf_qat *Q = qf_qat_new(g, &p->quants[p->sel_quant], &c, d);
	qf_diag_free(d);
	assert_non_null(Q);
	/* fused chain ends are quantized, their insides are not; pools: avg
	 * snaps to its input's grid, max needs nothing */
	const char *applied[] = {"s0.b0.conv.relu", "s2.b0.conv.relu", "s3.b0.conv.relu", "s4.b0.gavgpool", "s5.b0.fc"};
	const char *skipped[] = {"s0.b0.conv", "s0.b0.conv.bn", "s1.b0.maxpool", "s2.b0.conv", "input"};
	for (size_t i = 0; i < sizeof applied / sizeof *applied; i++)
		assert_true(qf_qat_act_of(Q, tensor(g, applied[i])) >= 0);
	for (size_t i = 0; i < sizeof skipped / sizeof *skipped; i++)
		assert_int_equal(qf_qat_act_of(Q, tensor(g, skipped[i])), -1);
	/* gap shares the quantizer of the relu before it */
	assert_int_equal(qf_qat_act_of(Q, tensor(g, "s4.b0.gavgpool")), qf_qat_act_of(Q, tensor(g, "s3.b0.conv.relu")));
	/* weights: one entry per output channel */
	const qf_qparam *w = qp(g, tensor(g, "s2.b0.conv.w"));
	assert_int_equal(w->n, 16);
	assert_int_equal(w->n_slices, 1);
	assert_true(w->symmetric);

	/* every stored tensor of a chain carries the chain's params, a max
	 * pool its input's */
	qf_qat_set_phase(Q, QF_PHASE_QAT);
	float y[64];
	for (int i = 0; i < 64; i++)
		y[i] = (float)i / 16;
	qf_qat_act_forward(Q, qf_qat_act_of(Q, tensor(g, "s0.b0.conv.relu")), y, NULL, 64, 64, true);
	qf_qat_write(Q);
	int r = tensor(g, "s0.b0.conv.relu");
	const char *same[] = {"s0.b0.conv", "s0.b0.conv.bn", "s1.b0.maxpool"};
	for (size_t i = 0; i < 3; i++) {
		int t = tensor(g, same[i]);
		assert_true(g->data[qp(g, t)->scale] == g->data[qp(g, r)->scale]);
		assert_int_equal(g->ints[qp(g, t)->zero], g->ints[qp(g, r)->zero]);
	}
	assert_true(g->data[qp(g, r)->scale] != 1.0f);
	assert_int_equal(g->ints[qp(g, r)->zero], -128); /* a ReLU range starts at zero */
	/* the input: raw bytes */
	assert_float_equal(g->data[qp(g, g->input)->scale], 1.0 / 255, 1e-9);
	assert_int_equal(g->ints[qp(g, g->input)->zero], -128);
	assert_null(qf_graph_verify(g));
	qf_qat_free(Q);
	qf_graph_free(g);
	qf_program_free(p);
}

/* ------------------------------------------------------------ weights */

static double ref_fq(double x, double s, int qmax)
{
	double q = rint(x / s);
	q = q < -qmax ? -qmax : q > qmax ? qmax : q;
	return q * s;
}

static void test_folded_weights_and_gradients(void **state)
{
	(void)state;
	qf_program *p = program("quant q2 { weights { bits {2}; per channel; symmetric; } acts { bits {8}; }\n"
				"  method lsq; }\n",
				false, NULL, 0);
	qf_graph *g = sample(p);
	const qf_quant *pol = &p->quants[p->sel_quant];
	int w = tensor(g, "s2.b0.conv.w"), gamma = tensor(g, "s2.b0.conv.bn.gamma"), var = tensor(g, "s2.b0.conv.bn.var");
	qf_rng r;
	qf_rng_seed(&r, 4);
	for (int c = 0; c < 16; c++) {
		qf_tensor_data(g, gamma)[c] = (float)(0.5 + qf_rng_uniform(&r));
		qf_tensor_data(g, var)[c] = (float)(0.2 + 2 * qf_rng_uniform(&r));
	}
	int64_t n = qf_tensor_elems(&g->t[w]), per = n / 16;
	float *before = malloc((size_t)n * sizeof(float)), *grad = malloc((size_t)n * sizeof(float));
	memcpy(before, qf_tensor_data(g, w), (size_t)n * sizeof(float));
	qf_qat_cfg c;
	qf_qat_cfg_from_policy(&c, pol);
	qf_diag *d = qf_diag_new(stderr);
	qf_qat *Q = qf_qat_new(g, pol, &c, d);
	qf_diag_free(d);
	qf_param ep = {w, qf_tensor_data(g, w), grad, n, true};
	qf_qat_bind(Q, &ep, 1);
	qf_qat_set_phase(Q, QF_PHASE_QAT);
	qf_qat_write(Q);
	const float *scale = g->data + qp(g, w)->scale;

	qf_qat_begin_step(Q, true);
	const float *wq = qf_tensor_data(g, w);
	int clamped = 0;
	for (int ch = 0; ch < 16; ch++) {
		double k = qf_tensor_data(g, gamma)[ch] / sqrt(qf_tensor_data(g, var)[ch] + 1e-5);
		for (int64_t j = 0; j < per; j++) {
			double x = before[ch * per + j] * k, want = ref_fq(x, scale[ch], 1) / k;
			assert_float_equal(wq[ch * per + j], want, 1e-5 * fabs(want) + 1e-7);
			clamped += fabs(x / scale[ch]) > 1.5;
		}
	}
	assert_true(clamped > 0);
	for (int64_t j = 0; j < n; j++)
		grad[j] = (float)qf_rng_normal(&r);
	float *g0 = malloc((size_t)n * sizeof(float));
	memcpy(g0, grad, (size_t)n * sizeof(float));
	qf_qat_end_step(Q, true);
	/* the float weights are back, bit for bit */
	assert_memory_equal(qf_tensor_data(g, w), before, (size_t)n * sizeof(float));
	/* straight through inside the range, nothing past it */
	for (int ch = 0; ch < 16; ch++) {
		double k = qf_tensor_data(g, gamma)[ch] / sqrt(qf_tensor_data(g, var)[ch] + 1e-5);
		for (int64_t j = 0; j < per; j++) {
			double u = before[ch * per + j] * k / scale[ch];
			if (fabs(u) > 1.5)
				assert_true(grad[ch * per + j] == 0);
			else
				assert_float_equal(grad[ch * per + j], g0[ch * per + j], 1e-5 * fabs(g0[ch * per + j]));
		}
	}
	/* the steps got a gradient (LSQ, phase QAT) */
	int nz = 0;
	qf_param *qpar = qf_qat_params(Q);
	for (int i = 0; i < qf_qat_n_params(Q); i++)
		if (qpar[i].tensor == w)
			for (int64_t j = 0; j < qpar[i].n; j++)
				nz += qpar[i].grad[j] != 0;
	assert_int_equal(nz, 16);
	/* an eval step leaves gradients alone */
	memcpy(g0, grad, (size_t)n * sizeof(float));
	qf_qat_begin_step(Q, false);
	qf_qat_end_step(Q, false);
	assert_memory_equal(grad, g0, (size_t)n * sizeof(float));
	assert_memory_equal(qf_tensor_data(g, w), before, (size_t)n * sizeof(float));
	free(before);
	free(grad);
	free(g0);
	qf_qat_free(Q);
	qf_graph_free(g);
	qf_program_free(p);
}

/* ------------------------------------------------------------ budget */

/* weights 2/4/8 per slice of 4, acts 4/8, first and last layer pinned */
static char *mixed(int budget, const char *extra)
{
	static char buf[1024];
	snprintf(buf, sizeof buf,
		 "quant mix { weights { bits {2, 4, 8}; per channel; symmetric; slice 4; }\n"
		 "  acts { bits {4, 8}; per tensor; asymmetric; }\n"
		 "  scales pow2; pin first, last bits 8;\n"
		 "  method lsq, learned_precision, statassist;\n"
		 "  budget weights + acts <= %d penalty 1e-3;\n%s}\n",
		 budget, extra);
	return buf;
}

static void bytes_of(const qf_graph *g, int64_t *total)
{
	qf_counts c;
	qf_graph_counts(g, &c);
	*total = c.weight_bytes + c.peak_act_bytes;
}

static void test_projection_meets_budget(void **state)
{
	(void)state;
	/* at full width: weights 8*72+16*9*8*... let the graph say */
	qf_program *p0 = program(mixed(1 << 20, ""), false, NULL, 0);
	qf_graph *g0 = sample(p0);
	int64_t full;
	bytes_of(g0, &full);
	qf_graph_free(g0);
	qf_program_free(p0);

	/* the smallest network (weights at 2 bits, activations at 4, pins
	 * kept) needs 1992 bytes (feasible.c says so when asked for less) */
	const int smallest = 1992;
	assert_true(full > smallest + 100);
	int budgets[3] = {(int)(full - (full - smallest) / 4), (int)((full + smallest) / 2), smallest + 8};
	for (int bi = 0; bi < 3; bi++) {
		qf_program *p = program(mixed(budgets[bi], ""), false, NULL, 0);
		qf_graph *g = sample(p);
		const qf_quant *pol = &p->quants[p->sel_quant];
		qf_qat_cfg c;
		qf_qat_cfg_from_policy(&c, pol);
		qf_diag *d = qf_diag_new(stderr);
		qf_qat *Q = qf_qat_new(g, pol, &c, d);
		qf_qat_set_phase(Q, QF_PHASE_QAT);
		int64_t w, a;
		qf_qat_bytes(Q, &w, &a);
		assert_true(w + a == full);
		assert_int_equal(qf_qat_project(Q, NULL, d), 0);
		qf_diag_free(d);
		qf_qat_write(Q);
		int64_t after;
		bytes_of(g, &after);
		assert_true(after <= budgets[bi]);
		/* pinned layers kept their 8 bits */
		assert_int_equal(qf_tensor_bits(g, tensor(g, "s0.b0.conv.w")), 8);
		assert_int_equal(qf_tensor_bits(g, tensor(g, "s5.b0.fc.w")), 8);
		assert_int_equal(qf_tensor_bits(g, tensor(g, "s5.b0.fc")), 8);
		/* every width is in its set; the history says what changed */
		const qf_qparam *q = qp(g, tensor(g, "s3.b0.conv.w"));
		assert_int_equal(q->n_slices, 4);
		for (int k = 0; k < q->n_slices; k++) {
			int b = g->ints[q->bits + k];
			assert_true(b == 2 || b == 4 || b == 8);
		}
		int proj = 0, summary = 0;
		for (int i = 0; i < g->prov.n_history; i++) {
			proj += strncmp(g->prov.history[i], "project: ", 9) == 0;
			summary += strncmp(g->prov.history[i], "budget ", 7) == 0;
		}
		assert_true(proj > 0);
		assert_int_equal(summary, 1);
		assert_null(qf_graph_verify(g));
		qf_qat_free(Q);
		qf_graph_free(g);
		qf_program_free(p);
	}
}

static void test_penalty_gradient(void **state)
{
	(void)state;
	qf_program *p = program(mixed(2000, ""), false, NULL, 0);
	qf_graph *g = sample(p);
	const qf_quant *pol = &p->quants[p->sel_quant];
	qf_qat_cfg c;
	qf_qat_cfg_from_policy(&c, pol);
	qf_diag *d = qf_diag_new(stderr);
	qf_qat *Q = qf_qat_new(g, pol, &c, d);
	qf_diag_free(d);
	qf_qat_set_phase(Q, QF_PHASE_PRECISION);
	int64_t w, a;
	qf_qat_bytes(Q, &w, &a);
	double pen = qf_qat_penalty(Q);
	assert_float_equal(pen, 1e-3 * (double)(w + a - 2000), 1e-9);
	/* a 4-channel slice of s2's 16 x 8 x 3 x 3 weights: 288 values,
	 * 36 bytes per bit; one plain step of bit_lr (no momentum) */
	int ws = tensor(g, "s2.b0.conv.w"), nb;
	const float *bits = qf_qat_bits(Q, ws, &nb);
	assert_int_equal(nb, 4);
	for (int k = 0; k < 4; k++)
		assert_true(bits[k] == 8.0f);
	qf_qat_after_update(Q);
	for (int k = 0; k < 4; k++)
		assert_float_equal(bits[k], 8.0 - c.bit_lr * 1e-3 * 36, 1e-6);
	/* the pinned first layer has no learned bits; its width stays */
	int w0 = tensor(g, "s0.b0.conv.w");
	const float *b0 = qf_qat_bits(Q, w0, &nb);
	assert_int_equal(nb, 2);
	assert_true(b0[0] == 8.0f && b0[1] == 8.0f);
	/* while the budget is exceeded the bits keep falling, and round into
	 * the set: 8 -> 4 once below 6 */
	for (int i = 0; i < 20000 && qf_qat_penalty(Q) > 0; i++)
		qf_qat_after_update(Q);
	qf_qat_write(Q);
	qf_qat_bytes(Q, &w, &a);
	assert_true(w + a <= 2000);
	const qf_qparam *q = qp(g, ws);
	for (int k = 0; k < 4; k++) {
		int b = g->ints[q->bits + k];
		assert_true(b == 2 || b == 4 || b == 8);
	}
	/* and stop once it is met: no width lower than the set's next step
	 * below what the budget needed */
	assert_true(w + a > 2000 - 400);
	qf_qat_free(Q);
	qf_graph_free(g);
	qf_program_free(p);
}

static void test_policy_errors(void **state)
{
	(void)state;
	char msgs[4096];
	/* a budget below the smallest 2-bit model: feasible.c, at the line */
	qf_program *p = program(mixed(100, ""), true, msgs, sizeof msgs);
	assert_non_null(strstr(msgs, "t.qf:16:"));
	assert_non_null(strstr(msgs, "budget of 100 bytes cannot be met"));
	qf_program_free(p);
	/* bits outside 2..8: the frontend */
	p = program("quant b { weights { bits {1, 4}; } }\n", true, msgs, sizeof msgs);
	assert_non_null(strstr(msgs, "t.qf:12:"));
	qf_program_free(p);
	/* a slice that does not divide a block's width: the frontend */
	p = program("quant s { weights { bits {4, 8}; per channel; slice 3; } method learned_precision; }\n", true, msgs,
		    sizeof msgs);
	assert_non_null(strstr(msgs, "does not divide width"));
	qf_program_free(p);
	/* a budget the network met by the frontend's smallest pick, not by
	 * this one (a wider network of the space): refused before training,
	 * at the budget's line */
	{
		const char *wide = "quant w { weights { bits {2, 8}; per channel; symmetric; }\n"
				   "  method lsq, learned_precision;\n"
				   "  budget weights <= 900 penalty 1e-3; }\n";
		qf_program *pw = program(wide, false, NULL, 0);
		qf_graph *gw = sample(pw);
		qf_qat_cfg cw;
		qf_qat_cfg_from_policy(&cw, &pw->quants[pw->sel_quant]);
		/* make the sampled network wider than any the budget allows */
		qf_quant tight = pw->quants[pw->sel_quant];
		tight.budget_bytes = 200;
		FILE *fw = tmpfile();
		qf_diag *dw = qf_diag_new(fw);
		qf_diag_set_source(dw, "t.qf", "", 0);
		assert_null(qf_qat_new(gw, &tight, &cw, dw));
		rewind(fw);
		size_t nw = fread(msgs, 1, sizeof msgs - 1, fw);
		msgs[nw] = 0;
		assert_non_null(strstr(msgs, "t.qf:14:"));
		assert_non_null(strstr(msgs, "budget of 200 bytes cannot be met"));
		qf_diag_free(dw);
		fclose(fw);
		qf_graph_free(gw);
		qf_program_free(pw);
	}
	/* activations per channel: here */
	p = program("quant a { acts { bits {8}; per channel; } }\n", false, NULL, 0);
	qf_graph *g = sample(p);
	qf_qat_cfg c;
	qf_qat_cfg_from_policy(&c, &p->quants[p->sel_quant]);
	FILE *f = tmpfile();
	qf_diag *d = qf_diag_new(f);
	qf_diag_set_source(d, "t.qf", "", 0);
	assert_null(qf_qat_new(g, &p->quants[p->sel_quant], &c, d));
	assert_int_equal(qf_diag_errors(d), 1);
	rewind(f);
	size_t n = fread(msgs, 1, sizeof msgs - 1, f);
	msgs[n] = 0;
	assert_non_null(strstr(msgs, "t.qf:12:"));
	assert_non_null(strstr(msgs, "per channel"));
	qf_diag_free(d);
	fclose(f);
	qf_graph_free(g);
	qf_program_free(p);
}

/* ------------------------------------------------------------ runs */

static void synth(qf_images *s, int n, uint64_t seed)
{
	qf_rng r;
	qf_rng_seed(&r, seed);
	s->n = n;
	s->c = 1;
	s->h = s->w = 8;
	s->pix = malloc((size_t)n * 64);
	s->label = malloc((size_t)n);
	for (int i = 0; i < n; i++) {
		int y = (int)qf_rng_below(&r, 2);
		s->label[i] = (uint8_t)y;
		for (int p = 0; p < 64; p++) {
			int row = p / 8, col = p % 8;
			bool on = y ? row >= 4 && col >= 4 : row < 4 && col < 4;
			int v = (on ? 160 : 40) + (int)qf_rng_below(&r, 80);
			s->pix[i * 64 + p] = (uint8_t)v;
		}
	}
}

static void dataset(qf_dataset *ds)
{
	memset(ds, 0, sizeof *ds);
	synth(&ds->train, 512, 1);
	synth(&ds->test, 256, 2);
	ds->classes = 2;
	ds->in_c = ds->c = 1;
	ds->in_h = ds->in_w = ds->h = ds->w = 8;
	ds->train_path = ds->test_path = "synthetic";
}

static void free_dataset(qf_dataset *ds)
{
	free(ds->train.pix);
	free(ds->train.label);
	free(ds->test.pix);
	free(ds->test.label);
}

static bool is_pow2(float s)
{
	int e;
	return s > 0 && frexpf(s, &e) == 0.5f;
}

static void test_run_pow2_mixed(void **state)
{
	(void)state;
	qf_program *p = program(mixed(2100, "  schedule { float 2 epochs lr 0.1; qat 2 epochs lr 0.05; precision 2 epochs; "
					    "finetune 1 epoch lr 0.01; }\n"),
				false, NULL, 0);
	qf_graph *g = sample(p);
	const qf_quant *pol = &p->quants[p->sel_quant];
	qf_dataset ds;
	dataset(&ds);
	qf_train_cfg c;
	qf_train_defaults(&c);
	c.batch = 32;
	c.threads = 1;
	char path[] = "/tmp/test_qat_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	c.out = path;
	c.log = getenv("QAT_LOG") ? stderr : NULL;
	qf_qat_cfg qc;
	qf_qat_cfg_from_policy(&qc, pol);
	qf_epoch_stats st;
	qf_diag *d = qf_diag_new(stderr);
	assert_int_equal(qf_qat_train(g, pol, &ds, &c, &qc, &st, d), 0);
	assert_int_equal(st.epoch, 7);
	assert_true(st.test_acc > 70); /* 2-bit layers after one short finetune epoch */
	qf_graph *r = qf_qfm_read(path, d);
	qf_diag_free(d);
	unlink(path);
	assert_non_null(r);
	/* only powers of two, in every quant param */
	int checked = 0;
	for (int i = 0; i < r->nq; i++) {
		const qf_qparam *q = &r->q[i];
		assert_true(q->pow2);
		for (int k = 0; k < q->n; k++, checked++)
			if (!is_pow2(r->data[q->scale + k]))
				fail_msg("qparam %d entry %d: scale %g", i, k, (double)r->data[q->scale + k]);
	}
	assert_true(checked > 40);
	int64_t bytes;
	bytes_of(r, &bytes);
	assert_true(bytes <= 2100);
	const char *want[] = {"qat phase float", "qat phase qat", "qat phase precision", "qat phase finetune", "budget 2100"};
	for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
		bool found = false;
		for (int i = 0; i < r->prov.n_history; i++)
			found |= strncmp(r->prov.history[i], want[k], strlen(want[k])) == 0;
		if (!found)
			fail_msg("no history line '%s'", want[k]);
	}
	qf_graph_free(r);
	free_dataset(&ds);
	qf_graph_free(g);
	qf_program_free(p);
}

static void test_run_int8(void **state)
{
	(void)state;
	qf_program *p = program(q8, false, NULL, 0);
	qf_graph *g = sample(p);
	const qf_quant *pol = &p->quants[p->sel_quant];
	qf_dataset ds;
	dataset(&ds);
	qf_train_cfg c;
	qf_train_defaults(&c);
	c.epochs = 4;
	c.batch = 32;
	c.threads = 2;
	qf_qat_cfg qc;
	qf_qat_cfg_from_policy(&qc, pol);
	qc.gradmod = true;
	qf_epoch_stats st;
	qf_diag *d = qf_diag_new(stderr);
	assert_int_equal(qf_qat_train(g, pol, &ds, &c, &qc, &st, d), 0);
	qf_diag_free(d);
	assert_true(st.test_acc > 95);
	/* 8-bit everywhere, weight scales per channel and no placeholder left */
	for (int t = 0; t < g->nt; t++) {
		if (g->t[t].quant < 0)
			continue;
		const qf_qparam *q = qp(g, t);
		assert_int_equal(qf_tensor_bits(g, t), 8);
		for (int k = 0; k < q->n; k++)
			assert_true(g->data[q->scale + k] != 1.0f);
	}
	assert_null(qf_graph_verify(g));
	free_dataset(&ds);
	qf_graph_free(g);
	qf_program_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantizers_and_sharing),
		cmocka_unit_test(test_folded_weights_and_gradients),
		cmocka_unit_test(test_projection_meets_budget),
		cmocka_unit_test(test_penalty_gradient),
		cmocka_unit_test(test_policy_errors),
		cmocka_unit_test(test_run_pow2_mixed),
		cmocka_unit_test(test_run_int8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
