/* test_passes_int.c: the integer lowering passes: fold_bn (float outputs
 * kept), fuse (layers, refusals), calibrate + quantize (the integers follow
 * from the scales as the contract says, errors name the layer), plan (no
 * two buffers live together overlap, peak <= naive sum) and the Int Graph
 * verifier catching broken plans. Networks come from .qf text through the
 * parser and qf_sample; images are seeded noise. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frontend/frontend.h"
#include "interp/interp.h"
#include "passes/passes.h"

/* ------------------------------------------------------------ helpers */

typedef struct {
	FILE *f;
	qf_diag *d;
	char text[8192];
} diag_cap;

static void cap_open(diag_cap *c)
{
	c->f = tmpfile();
	assert_non_null(c->f);
	c->d = qf_diag_new(c->f);
}

static const char *cap_text(diag_cap *c)
{
	fflush(c->f);
	rewind(c->f);
	size_t n = fread(c->text, 1, sizeof c->text - 1, c->f);
	c->text[n] = 0;
	return c->text;
}

static void cap_close(diag_cap *c)
{
	qf_diag_free(c->d);
	fclose(c->f);
}

/* Network 0 of the space in text (one network per space here), seeded. */
static qf_graph *sample_text(const char *text, uint64_t seed)
{
	diag_cap cap;
	cap_open(&cap);
	qf_diag_set_source(cap.d, "t.qf", text, strlen(text));
	qf_program *p = qf_parse("t.qf", text, strlen(text), cap.d);
	if (!p || qf_diag_errors(cap.d))
		fail_msg("parse failed: %s", cap_text(&cap));
	qf_choice ch;
	qf_choice_init(&ch, &p->spaces[p->sel_space]);
	qf_rng r;
	qf_rng_seed(&r, seed);
	qf_choice_pick(&ch, &p->spaces[p->sel_space], QF_PICK_RANDOM, &r);
	qf_graph *g = qf_sample(p, &ch, seed, cap.d);
	if (!g)
		fail_msg("sample failed: %s", cap_text(&cap));
	qf_choice_free(&ch);
	qf_program_free(p);
	cap_close(&cap);
	return g;
}

/* Trained-looking BN statistics and biases instead of sample's 1/0/0/1. */
static void randomize_bn(qf_graph *g, uint64_t seed)
{
	qf_rng r;
	qf_rng_seed(&r, seed);
	for (int i = 0; i < g->nt; i++) {
		qf_tensor *t = &g->t[i];
		float *v = t->data >= 0 ? g->data + t->data : NULL;
		int64_t n = qf_tensor_elems(t);
		for (int64_t k = 0; v && k < n; k++) {
			double u = qf_rng_uniform(&r);
			switch (t->role) {
			case QF_ROLE_GAMMA:
				v[k] = (float)(0.5 + u);
				break;
			case QF_ROLE_BETA:
			case QF_ROLE_BIAS:
				v[k] = (float)(u - 0.5);
				break;
			case QF_ROLE_MEAN:
				v[k] = (float)(0.6 * u - 0.3);
				break;
			case QF_ROLE_VAR:
				v[k] = (float)(0.5 + 1.5 * u);
				break;
			default:
				break;
			}
		}
	}
}

/* n noise images of c x h x w as a train split. */
static void fake_data(qf_dataset *ds, int n, int c, int h, int w, uint64_t seed)
{
	memset(ds, 0, sizeof(*ds));
	ds->classes = 10;
	ds->in_c = ds->c = c;
	ds->in_h = ds->h = h;
	ds->in_w = ds->w = w;
	qf_images *s = &ds->train;
	s->n = n;
	s->c = c;
	s->h = h;
	s->w = w;
	s->pix = qf_xmalloc((size_t)n * c * h * w);
	s->label = qf_xmalloc((size_t)n);
	qf_rng r;
	qf_rng_seed(&r, seed);
	for (int64_t i = 0; i < (int64_t)n * c * h * w; i++)
		s->pix[i] = (uint8_t)qf_rng_below(&r, 256);
	for (int i = 0; i < n; i++)
		s->label[i] = (uint8_t)qf_rng_below(&r, 10);
}

static void free_data(qf_dataset *ds)
{
	free(ds->train.pix);
	free(ds->train.label);
}

/* Logits of g in eval mode for n seeded noise images. */
static float *forward(qf_graph *g, int n, uint64_t seed)
{
	diag_cap cap;
	cap_open(&cap);
	qf_engine *e = qf_engine_new(g, n, 1, cap.d);
	if (!e)
		fail_msg("engine: %s", cap_text(&cap));
	int64_t in = qf_tensor_elems(&g->t[g->input]);
	float *x = qf_engine_input(e);
	qf_rng r;
	qf_rng_seed(&r, seed);
	for (int64_t i = 0; i < n * in; i++)
		x[i] = (float)qf_rng_uniform(&r);
	qf_engine_forward(e, n, false);
	float *z = qf_xmalloc((size_t)n * (size_t)g->classes * sizeof(float));
	memcpy(z, qf_engine_logits(e), (size_t)n * (size_t)g->classes * sizeof(float));
	qf_engine_free(e);
	cap_close(&cap);
	return z;
}

static int count_op(const qf_graph *g, qf_op op)
{
	int n = 0;
	for (int i = 0; i < g->nn; i++)
		n += g->n[i].op == op;
	return n;
}

/* A network with every kind of layer the integer path takes: conv + BN +
 * relu, mbconv (expand, depthwise, relu6, linear project with BN, residual
 * add), max pool, strided conv, global average pool, fc. */
static const char net_a[] = "space a {\n"
			    "  input 1x12x12;\n"
			    "  conv c 8 k 3 relu;\n"
			    "  mbconv c 8 e 2 k 3;\n"
			    "  pool max k 2;\n"
			    "  conv c 12 k 3 s 2 relu6;\n"
			    "  pool avg global;\n"
			    "  fc 10;\n"
			    "}\n";

static qf_igraph *calibrated_lowering(qf_graph *g, const qf_calib_cfg *cc, diag_cap *cap)
{
	qf_dataset ds;
	const qf_tensor *in = &g->t[g->input];
	fake_data(&ds, 96, in->dim[0], in->dim[1], in->dim[2], 7);
	if (qf_calibrate(g, &ds, &ds.train, ds.train.n, cc, cap->d) != 0)
		fail_msg("calibrate: %s", cap_text(cap));
	free_data(&ds);
	QF_VERIFY(g);
	qf_igraph *ig = qf_lower(g, cap->d);
	if (!ig)
		fail_msg("lower: %s", cap_text(cap));
	return ig;
}

/* ------------------------------------------------------------ fold_bn */

static void fold_bn_keeps_outputs(void **state)
{
	(void)state;
	qf_graph *g = sample_text(net_a, 3);
	randomize_bn(g, 11);
	int bns = count_op(g, QF_OP_BN), nodes = g->nn;
	assert_true(bns >= 4);
	float *before = forward(g, 16, 5);
	diag_cap cap;
	cap_open(&cap);
	assert_int_equal(qf_fold_bn(g, cap.d), bns);
	cap_close(&cap);
	assert_null(qf_graph_verify(g));
	assert_int_equal(count_op(g, QF_OP_BN), 0);
	assert_int_equal(g->nn, nodes - bns);
	float *after = forward(g, 16, 5);
	double scale = 0, err = 0;
	for (int i = 0; i < 16 * g->classes; i++) {
		scale = fmax(scale, fabs(before[i]));
		err = fmax(err, fabs(before[i] - after[i]));
	}
	assert_true(scale > 1e-3);
	if (err > 1e-5 * scale)
		fail_msg("folding moved the logits by %g (largest %g)", err, scale);
	free(before);
	free(after);
	qf_graph_free(g);
}

static void fold_bn_refuses_bad_variance(void **state)
{
	(void)state;
	qf_graph *g = sample_text(net_a, 3);
	for (int i = 0; i < g->nt; i++)
		if (g->t[i].role == QF_ROLE_VAR) {
			g->data[g->t[i].data + 1] = -2.0f;
			break;
		}
	int nodes = g->nn;
	diag_cap cap;
	cap_open(&cap);
	assert_int_equal(qf_fold_bn(g, cap.d), -1);
	assert_non_null(strstr(cap_text(&cap), "cannot be folded"));
	assert_non_null(strstr(cap_text(&cap), "channel 1"));
	cap_close(&cap);
	/* refused before anything was folded */
	assert_int_equal(g->nn, nodes);
	assert_null(qf_graph_verify(g));
	qf_graph_free(g);
}

/* ------------------------------------------------------------ fuse */

static void fuse_layers(void **state)
{
	(void)state;
	qf_graph *g = sample_text(net_a, 3);
	diag_cap cap;
	cap_open(&cap);
	assert_true(qf_fold_bn(g, cap.d) > 0);
	qf_igraph *ig = qf_fuse(g, cap.d);
	assert_non_null(ig);
	cap_close(&cap);
	assert_null(qf_igraph_verify(ig));
	/* conv, expand, dw, project, add, maxpool, conv, gavgpool, fc */
	static const qf_iop want[] = {QF_IOP_CONV,    QF_IOP_CONV, QF_IOP_DWCONV,  QF_IOP_CONV, QF_IOP_ADD,
				      QF_IOP_MAXPOOL, QF_IOP_CONV, QF_IOP_AVGPOOL, QF_IOP_FC};
	assert_int_equal(ig->nn, sizeof want / sizeof want[0]);
	int relus = 0, relu6s = 0;
	for (int i = 0; i < ig->nn; i++) {
		assert_int_equal(ig->n[i].op, want[i]);
		relus += ig->n[i].act == QF_ACT_RELU;
		relu6s += ig->n[i].act == QF_ACT_RELU6;
		/* a fused layer takes the activation's tensor and its params */
		const qf_itensor *t = &ig->t[ig->n[i].out];
		assert_string_equal(t->name, g->t[t->src].name);
	}
	/* conv, mbconv's expand and dw, the strided conv (relu6): every
	 * activation of the Graph IR became a clamp */
	assert_int_equal(relus + relu6s, 4);
	assert_true(relu6s >= 1);
	assert_int_equal(count_op(g, QF_OP_RELU) + count_op(g, QF_OP_RELU6), 4);
	/* the global pool is a window over the whole map */
	assert_int_equal(ig->n[7].k_h, 3);
	assert_int_equal(ig->t[ig->output].c, 10);
	qf_igraph_free(ig);
	qf_graph_free(g);
}

static void fuse_refuses(void **state)
{
	(void)state;
	static const char *const nets[][2] = {
		{"space h { input 1x8x8; conv c 4 k 3 hswish; pool avg global; fc 10; }", "hswish"},
		{"space f { input 16x8x8; frost c 16 e 2 r 2 k 3; pool avg global; fc 10; }", "concat"},
	};
	for (size_t k = 0; k < sizeof nets / sizeof nets[0]; k++) {
		qf_graph *g = sample_text(nets[k][0], 1);
		diag_cap cap;
		cap_open(&cap);
		assert_true(qf_fold_bn(g, cap.d) >= 0);
		assert_null(qf_fuse(g, cap.d));
		if (!strstr(cap_text(&cap), nets[k][1]))
			fail_msg("no '%s' in: %s", nets[k][1], cap_text(&cap));
		assert_non_null(strstr(cap_text(&cap), "no integer kernel"));
		cap_close(&cap);
		qf_graph_free(g);
	}
}

/* ------------------------------------------------------------ quantize */

static double qscale(const qf_graph *g, int t, int c)
{
	const qf_qparam *q = &g->q[g->t[t].quant];
	return g->data[q->scale + (q->n == 1 ? 0 : c)];
}

static int32_t unpack(const uint8_t *row, int64_t i, int b)
{
	int32_t v = 0;
	for (int k = 0; k < b; k++)
		v |= ((row[(i * b + k) / 8] >> ((i * b + k) % 8)) & 1) << k;
	return v >= 1 << (b - 1) ? v - (1 << b) : v;
}

/* Every integer of every weighted layer against its definition from the
 * float values and scales of the folded graph. */
static void check_integers(const qf_igraph *ig, const qf_graph *g)
{
	for (int i = 0; i < ig->nn; i++) {
		const qf_inode *n = &ig->n[i];
		if (n->wsrc < 0)
			continue;
		const qf_itensor *x = &ig->t[n->in[0]], *y = &ig->t[n->out];
		const qf_tensor *wt = &g->t[n->wsrc];
		int b = n->w_bits, cout = y->c;
		int64_t len = qf_inode_row_len(ig, n), rb = qf_packed_row_bytes(len, b);
		int32_t qmax = (1 << (b - 1)) - 1;
		for (int oc = 0; oc < cout; oc++) {
			double sw = qscale(g, n->wsrc, oc), sin = x->scale, m = sin * sw / y->scale;
			/* weights: OHWI for conv, taps for depthwise, NHWC columns for fc */
			int64_t per = qf_tensor_elems(wt) / cout;
			for (int64_t k = 0; k < per; k++) {
				double w = g->data[wt->data + oc * per + k];
				double q = fmax(-qmax, fmin(qmax, round(w / sw)));
				int64_t row, col;
				if (n->op == QF_IOP_CONV) {
					int64_t ic = k / (n->k_h * n->k_w), tap = k % (n->k_h * n->k_w);
					row = oc;
					col = tap * x->c + ic;
				} else if (n->op == QF_IOP_DWCONV) {
					row = k;
					col = oc;
				} else {
					int64_t hw = (int64_t)x->h * x->w;
					row = oc;
					col = (k % hw) * x->c + k / hw;
				}
				if (unpack(ig->w + n->w_off + row * rb, col, b) != (int32_t)q)
					fail_msg("layer %s channel %d weight %lld: packed %d, expected %g", n->name, oc,
						 (long long)k, unpack(ig->w + n->w_off + row * rb, col, b), q);
			}
			if (n->bias >= 0) {
				double want = round(g->data[g->t[n->bsrc].data + oc] / (sin * sw));
				assert_true(ig->i32[n->bias + oc] == (int32_t)want);
			}
			int32_t s = ig->i32[n->shift + oc];
			if (ig->pow2) {
				assert_int_equal(n->mult, -1);
				assert_true(ldexp(1.0, s) == m);
			} else {
				int32_t m0 = ig->i32[n->mult + oc];
				assert_true(m0 >= (1 << 30));
				double back = ldexp((double)m0, s - 31);
				if (fabs(back - m) > m * 1e-9)
					fail_msg("layer %s channel %d: %d * 2^(%d-31) = %.12g, want %.12g", n->name, oc, m0, s,
						 back, m);
			}
		}
		/* the activation as a clamp */
		int32_t lo = y->bits == 8 ? -128 : -8;
		if (n->act == QF_ACT_NONE)
			assert_int_equal(n->act_min, lo);
		else
			assert_int_equal(n->act_min, y->zp > lo ? y->zp : lo);
		if (n->act == QF_ACT_RELU6) {
			int32_t six = y->zp + (int32_t)round(6.0 / y->scale);
			assert_int_equal(n->act_max, six < (y->bits == 8 ? 127 : 7) ? six : (y->bits == 8 ? 127 : 7));
		}
	}
}

static void quantize_multiplier_mode(void **state)
{
	(void)state;
	qf_graph *g = sample_text(net_a, 5);
	randomize_bn(g, 2);
	diag_cap cap;
	cap_open(&cap);
	qf_calib_cfg cc = {.pow2 = false, .wbits = 0, .batch = 32, .threads = 1};
	qf_igraph *ig = calibrated_lowering(g, &cc, &cap);
	cap_close(&cap);
	assert_false(ig->pow2);
	assert_int_equal(ig->stage, QF_ISTAGE_PLANNED);
	check_integers(ig, g);
	/* the input is raw bytes: byte b is real b / 255 */
	assert_int_equal(ig->t[ig->input].zp, -128);
	assert_true(fabs(ig->t[ig->input].scale * 255 - 1) < 1e-6);
	/* pools keep their input's params */
	for (int i = 0; i < ig->nn; i++)
		if (ig->n[i].op == QF_IOP_MAXPOOL || ig->n[i].op == QF_IOP_AVGPOOL) {
			assert_int_equal(ig->t[ig->n[i].in[0]].zp, ig->t[ig->n[i].out].zp);
			assert_true(ig->t[ig->n[i].in[0]].scale == ig->t[ig->n[i].out].scale);
		}
	qf_igraph_free(ig);
	qf_graph_free(g);
}

static void quantize_pow2_and_sub_byte(void **state)
{
	(void)state;
	for (int wb = 8; wb >= 2; wb /= 2) {
		qf_graph *g = sample_text(net_a, 6);
		randomize_bn(g, 4);
		diag_cap cap;
		cap_open(&cap);
		qf_calib_cfg cc = {.pow2 = true, .wbits = wb, .batch = 32, .threads = 1};
		qf_igraph *ig = calibrated_lowering(g, &cc, &cap);
		cap_close(&cap);
		assert_true(ig->pow2);
		for (int i = 0; i < ig->nt; i++) {
			int e;
			assert_true(frexp(ig->t[i].scale, &e) == 0.5);
		}
		for (int i = 0; i < ig->nn; i++)
			if (ig->n[i].wsrc >= 0)
				assert_int_equal(ig->n[i].w_bits, wb);
		check_integers(ig, g);
		qf_igraph_free(ig);
		qf_graph_free(g);
	}
}

/* Biases with 16-bit quant params (qforge ptq's): stored as int16 at 2^k
 * times the accumulator's step, k from the params; refused when k is not
 * one power of two for the layer, or the width not 16 or 32. */
static void add_bias_params(qf_graph *g, const qf_igraph *ig, int k, int bits, bool skew)
{
	for (int i = 0; i < ig->nn; i++) {
		const qf_inode *n = &ig->n[i];
		if (n->bsrc < 0)
			continue;
		int cout = ig->t[n->out].c;
		double *s = malloc((size_t)cout * sizeof *s);
		for (int c = 0; c < cout; c++)
			s[c] = ig->t[n->in[0]].scale * qscale(g, n->wsrc, c) * ldexp(1.0, skew && c == 1 ? k + 1 : k);
		qf_graph_add_qparam(g, n->bsrc, cout, s, NULL, bits, true, true);
		free(s);
	}
}

static void quantize_bias16(void **state)
{
	(void)state;
	qf_graph *g = sample_text(net_a, 6);
	randomize_bn(g, 4);
	diag_cap cap;
	cap_open(&cap);
	qf_calib_cfg cc = {.pow2 = true, .wbits = 4, .batch = 32, .threads = 1};
	qf_igraph *ig0 = calibrated_lowering(g, &cc, &cap);
	cap_close(&cap);
	add_bias_params(g, ig0, 3, 16, false);
	cap_open(&cap);
	qf_igraph *ig = qf_lower(g, cap.d);
	if (!ig)
		fail_msg("lower: %s", cap_text(&cap));
	cap_close(&cap);
	int n16 = 0;
	for (int i = 0; i < ig->nn; i++) {
		const qf_inode *n = &ig->n[i];
		if (n->bias < 0)
			continue;
		n16++;
		assert_int_equal(n->bias_bits, 16);
		assert_int_equal(n->bias_shift, 3);
		for (int c = 0; c < ig->t[n->out].c; c++) {
			double st = ig->t[n->in[0]].scale * qscale(g, n->wsrc, c) * 8;
			double q = fmax(-32768, fmin(32767, round(g->data[g->t[n->bsrc].data + c] / st)));
			assert_true(ig->i32[n->bias + c] == (int32_t)q * 8);
		}
	}
	assert_true(n16 >= 4);
	/* 2 bytes fewer per biased channel than int32 biases */
	int64_t ch = 0;
	for (int i = 0; i < ig->nn; i++)
		if (ig->n[i].bias >= 0)
			ch += ig->t[ig->n[i].out].c;
	assert_int_equal(qf_igraph_const_bytes(ig0) - qf_igraph_const_bytes(ig), 2 * ch);
	/* the verifier: a value that is no int16 times 2^3 */
	for (int i = 0; i < ig->nn; i++)
		if (ig->n[i].bias >= 0) {
			assert_null(qf_igraph_verify(ig));
			ig->i32[ig->n[i].bias] += 1;
			const char *why = qf_igraph_verify(ig);
			assert_non_null(why);
			assert_non_null(strstr(why, "is no int16 times 2^3"));
			break;
		}
	qf_igraph_free(ig);
	static const struct {
		int k, bits;
		bool skew;
		const char *err;
	} bad[] = {
		{3, 8, false, "8-bit biases; the runtime stores biases at 32 or 16 bits"},
		{3, 16, true, "one power of two 2^0 .. 2^16 for the whole layer"},
		{17, 16, false, "one power of two 2^0 .. 2^16 for the whole layer"},
		{-1, 16, false, "one power of two 2^0 .. 2^16 for the whole layer"},
	};
	for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
		add_bias_params(g, ig0, bad[b].k, bad[b].bits, bad[b].skew);
		cap_open(&cap);
		assert_null(qf_lower(g, cap.d));
		if (!strstr(cap_text(&cap), bad[b].err))
			fail_msg("case %zu: %s", b, cap_text(&cap));
		cap_close(&cap);
	}
	qf_igraph_free(ig0);
	qf_graph_free(g);
}

static const char net_q[] = "quant q {\n"
			    "  weights { bits {2, 4, 8}; per channel; symmetric; }\n"
			    "  acts { bits {4, 8}; per tensor; asymmetric; }\n"
			    "}\n"
			    "space b {\n"
			    "  input 1x10x10;\n"
			    "  conv c 8 k 3 relu wbits 4 abits 8;\n"
			    "  conv c 8 k 3 relu wbits 2 abits %d;\n"
			    "  pool max k 2;\n"
			    "  fc 10 wbits 8 abits 8;\n"
			    "}\n";

/* Lowers the net_q network with pool input bits pb after calibration (or
 * not), edited by edit; returns the diagnostics (NULL: lowered). */
static const char *lower_error(int pb, bool calibrate, void (*edit)(qf_graph *), diag_cap *cap)
{
	char text[sizeof net_q + 8];
	snprintf(text, sizeof text, net_q, pb);
	qf_graph *g = sample_text(text, 9);
	if (calibrate) {
		qf_dataset ds;
		fake_data(&ds, 32, 1, 10, 10, 1);
		qf_calib_cfg cc = {.batch = 32, .threads = 1};
		if (qf_calibrate(g, &ds, &ds.train, 32, &cc, cap->d) != 0)
			fail_msg("calibrate: %s", cap_text(cap));
		free_data(&ds);
	}
	if (edit)
		edit(g);
	qf_igraph *ig = qf_lower(g, cap->d);
	const char *r = ig ? NULL : cap_text(cap);
	qf_igraph_free(ig);
	qf_graph_free(g);
	return r;
}

static void three_bit_weights(qf_graph *g)
{
	for (int i = 0; i < g->nt; i++)
		if (g->t[i].role == QF_ROLE_WEIGHT && g->t[i].quant >= 0) {
			g->ints[g->q[g->t[i].quant].bits] = 3;
			return;
		}
}

static void drop_weight_params(qf_graph *g)
{
	for (int i = 0; i < g->nt; i++)
		if (g->t[i].role == QF_ROLE_WEIGHT && g->t[i].dim[0] == 10)
			g->t[i].quant = -1;
}

static void quantize_errors(void **state)
{
	(void)state;
	diag_cap cap;
	const char *e;
	/* calibrated, 8-bit pool input: fine; the widths of the policy kept */
	cap_open(&cap);
	assert_null(lower_error(8, true, NULL, &cap));
	cap_close(&cap);
	/* sample's placeholders */
	cap_open(&cap);
	e = lower_error(8, false, NULL, &cap);
	assert_non_null(e);
	assert_non_null(strstr(e, "placeholder quant params"));
	cap_close(&cap);
	/* 4-bit activations into a pool */
	cap_open(&cap);
	e = lower_error(4, true, NULL, &cap);
	assert_non_null(e);
	assert_non_null(strstr(e, "the runtime's pools are 8-bit"));
	cap_close(&cap);
	/* a width no kernel takes */
	cap_open(&cap);
	e = lower_error(8, true, three_bit_weights, &cap);
	assert_non_null(e);
	assert_non_null(strstr(e, "3-bit; the runtime has kernels for 8, 4 and 2 bits"));
	cap_close(&cap);
	/* missing params name the tensor and the way out */
	cap_open(&cap);
	e = lower_error(8, true, drop_weight_params, &cap);
	assert_non_null(e);
	assert_non_null(strstr(e, "s3.b0.fc.w"));
	assert_non_null(strstr(e, "qforge calibrate"));
	cap_close(&cap);
	/* a float model */
	qf_graph *g = sample_text(net_a, 1);
	cap_open(&cap);
	assert_null(qf_lower(g, cap.d));
	assert_non_null(strstr(cap_text(&cap), "has no quant params"));
	cap_close(&cap);
	qf_graph_free(g);
}

/* ------------------------------------------------------------ plan */

static const char net_big[] = "space m {\n"
			      "  input 3x16x16;\n"
			      "  conv c {8, 16} k 3 s {1, 2} relu;\n"
			      "  stage depth {1, 2, 3} { mbconv c {8, 16} e {1, 3} k {3, 5} s {1, 2}; }\n"
			      "  pool max k 2;\n"
			      "  stage depth {1, 2} { mbconv c 16 e 2 k 3; }\n"
			      "  pool avg global;\n"
			      "  fc 10;\n"
			      "}\n";

/* The plan checked from scratch, not by the verifier's code: any two
 * buffers live at a common node are disjoint, unless one is a pool's or
 * add's output over an input dying there, at the same offset. */
static void check_plan(const qf_igraph *ig)
{
	int nb = ig->nt + ig->nn;
	int64_t *lo = qf_xcalloc((size_t)nb, sizeof(int64_t)), *hi = qf_xcalloc((size_t)nb, sizeof(int64_t));
	int *first = qf_xcalloc((size_t)nb, sizeof(int)), *last = qf_xcalloc((size_t)nb, sizeof(int));
	int n = 0;
	int64_t live_sum_max = 0;
	for (int i = 0; i < ig->nt; i++, n++) {
		lo[n] = ig->t[i].offset;
		hi[n] = lo[n] + ig->t[i].bytes;
		first[n] = i == ig->input ? -1 : ig->t[i].producer;
		last[n] = i == ig->output ? ig->nn : first[n];
		for (int j = 0; j < ig->nn; j++)
			if (ig->n[j].in[0] == i || ig->n[j].in[1] == i)
				last[n] = j;
		assert_true(lo[n] % 4 == 0 && hi[n] <= ig->arena_bytes);
	}
	for (int j = 0; j < ig->nn; j++) {
		if (!ig->n[j].scratch)
			continue;
		lo[n] = ig->n[j].scratch_off;
		hi[n] = lo[n] + ig->n[j].scratch;
		first[n] = last[n] = j;
		assert_true(lo[n] % 4 == 0 && hi[n] <= ig->arena_bytes);
		n++;
	}
	for (int a = 0; a < n; a++)
		for (int b = a + 1; b < n; b++) {
			if (last[a] < first[b] || last[b] < first[a] || hi[a] <= lo[b] || hi[b] <= lo[a])
				continue;
			/* sharing: a tensor a dying at the node producing b, both at one offset */
			bool ok = false;
			for (int k = 0; k < 2 && !ok; k++) {
				int x = k ? b : a, y = k ? a : b;
				if (x >= ig->nt || y >= ig->nt || lo[x] != lo[y])
					continue;
				int node = ig->t[y].producer;
				const qf_inode *nd = &ig->n[node];
				ok = last[x] == node && (nd->op == QF_IOP_MAXPOOL || nd->op == QF_IOP_AVGPOOL || nd->op == QF_IOP_ADD) &&
				     (nd->in[0] == x || nd->in[1] == x) && nd->pad_top == 0;
			}
			if (!ok)
				fail_msg("buffers %d [%lld, %lld) and %d [%lld, %lld) overlap while both live", a,
					 (long long)lo[a], (long long)hi[a], b, (long long)lo[b], (long long)hi[b]);
		}
	for (int j = -1; j <= ig->nn; j++) {
		int64_t s = 0;
		for (int a = 0; a < n; a++)
			if (first[a] <= j && last[a] >= j)
				s += hi[a] - lo[a];
		live_sum_max = s > live_sum_max ? s : live_sum_max;
	}
	/* in place can beat the naive live sum; nothing beats the plan's floor */
	assert_true(ig->arena_bytes >= ig->live_peak_bytes);
	assert_true(ig->arena_bytes <= ig->naive_bytes);
	assert_true(ig->live_peak_bytes <= live_sum_max);
	free(lo);
	free(hi);
	free(first);
	free(last);
}

static void plan_random_networks(void **state)
{
	(void)state;
	int in_place = 0;
	for (uint64_t seed = 1; seed <= 12; seed++) {
		qf_graph *g = sample_text(net_big, seed);
		diag_cap cap;
		cap_open(&cap);
		qf_calib_cfg cc = {.pow2 = seed % 2 == 0, .batch = 32, .threads = 1};
		qf_igraph *ig = calibrated_lowering(g, &cc, &cap);
		cap_close(&cap);
		check_plan(ig);
		for (int i = 0; i < ig->nt; i++)
			for (int k = 0; k < 2 && ig->t[i].producer >= 0; k++) {
				int x = ig->n[ig->t[i].producer].in[k];
				in_place += x >= 0 && ig->t[x].offset == ig->t[i].offset && ig->t[x].last == ig->t[i].producer;
			}
		qf_igraph_free(ig);
		qf_graph_free(g);
	}
	/* the pools and adds of these nets do go in place */
	assert_true(in_place >= 12);
}

static void plan_fmnist_small(void **state)
{
	(void)state;
	qf_graph *g = sample_text("space s {\n"
				  "  input 1x28x28;\n"
				  "  conv c 16 k 3 relu; pool max k 2;\n"
				  "  conv c 32 k 3 relu; pool max k 2;\n"
				  "  conv c 64 k 3 relu;\n"
				  "  pool avg global;\n"
				  "  fc 10;\n"
				  "}\n",
				  1);
	diag_cap cap;
	cap_open(&cap);
	qf_calib_cfg cc = {.batch = 32, .threads = 1};
	qf_igraph *ig = calibrated_lowering(g, &cc, &cap);
	cap_close(&cap);
	check_plan(ig);
	/* conv1's output and the input are live together: the floor */
	int64_t floor = 28 * 28 + 28 * 28 * 16 + ig->n[0].scratch;
	assert_int_equal(ig->live_peak_bytes, floor);
	assert_int_equal(ig->arena_bytes, floor);
	assert_true(ig->arena_bytes * 10 <= ig->naive_bytes * 7);
	/* both max pools in place */
	assert_int_equal(ig->t[ig->n[1].out].offset, ig->t[ig->n[1].in[0]].offset);
	assert_int_equal(ig->t[ig->n[3].out].offset, ig->t[ig->n[3].in[0]].offset);
	qf_igraph_free(ig);
	qf_graph_free(g);
}

static void verifier_catches_bad_plans(void **state)
{
	(void)state;
	qf_graph *g = sample_text(net_a, 3);
	diag_cap cap;
	cap_open(&cap);
	qf_calib_cfg cc = {.batch = 32, .threads = 1};
	qf_igraph *ig = calibrated_lowering(g, &cc, &cap);
	cap_close(&cap);
	assert_null(qf_igraph_verify(ig));
	/* the output of conv 0 onto its live input */
	qf_itensor *y = &ig->t[ig->n[0].out];
	int64_t saved = y->offset;
	y->offset = ig->t[ig->input].offset;
	const char *why = qf_igraph_verify(ig);
	assert_non_null(why);
	assert_non_null(strstr(why, "overlap"));
	y->offset = saved;
	/* scratch misaligned */
	ig->n[0].scratch_off += 2;
	assert_non_null(qf_igraph_verify(ig));
	ig->n[0].scratch_off -= 2;
	/* a multiplier missing in multiplier mode, a shift out of range */
	int64_t m = ig->n[0].mult;
	ig->n[0].mult = -1;
	assert_non_null(strstr(qf_igraph_verify(ig), "multipliers"));
	ig->n[0].mult = m;
	ig->i32[ig->n[0].shift] = 31;
	assert_non_null(strstr(qf_igraph_verify(ig), "shift 31"));
	qf_igraph_free(ig);
	qf_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fold_bn_keeps_outputs),
		cmocka_unit_test(fold_bn_refuses_bad_variance),
		cmocka_unit_test(fuse_layers),
		cmocka_unit_test(fuse_refuses),
		cmocka_unit_test(quantize_multiplier_mode),
		cmocka_unit_test(quantize_pow2_and_sub_byte),
		cmocka_unit_test(quantize_errors),
		cmocka_unit_test(quantize_bias16),
		cmocka_unit_test(plan_random_networks),
		cmocka_unit_test(plan_fmnist_small),
		cmocka_unit_test(verifier_catches_bad_plans),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
