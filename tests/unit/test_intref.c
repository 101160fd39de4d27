/* test_intref.c: the integer reference executor against the runtime's
 * reference kernels (runtime/ref, compiled in here; intref shares no code
 * with them), layer by layer on random chains of every op at every width:
 * 8/4-bit activations, 8/4/2-bit weights, odd shapes, strides, padding,
 * multiplier and power-of-two requant with edge multipliers and shifts,
 * clamps; then a calibrated network end to end against the float engine;
 * then the image bytes a model is fed. */
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
#include "runtime/ref/ref.h"

#include "runtime/ref/add_ref.c"
#include "runtime/ref/avgpool_ref.c"
#include "runtime/ref/conv_ref.c"
#include "runtime/ref/dwconv_ref.c"
#include "runtime/ref/fc_ref.c"
#include "runtime/ref/maxpool_ref.c"

/* ------------------------------------------------------------ random chains */

static int32_t rnd(qf_rng *r, int32_t lo, int32_t hi)
{
	return lo + (int32_t)qf_rng_below(r, (uint32_t)(hi - lo + 1));
}

static int tensor(qf_igraph *ig, int h, int w, int c, int bits, int32_t zp)
{
	char name[16];
	snprintf(name, sizeof name, "t%d", ig->nt);
	int t = qf_igraph_add_tensor(ig, name, h, w, c, -1);
	ig->t[t].bits = bits;
	ig->t[t].zp = zp;
	ig->t[t].scale = 1;
	ig->t[t].bytes = qf_act_bytes((int64_t)h * w * c, bits);
	return t;
}

/* A requant that keeps most outputs inside the type: M about 2^-sh. */
static void requant(qf_igraph *ig, qf_inode *n, int64_t ch, int sh, qf_rng *r)
{
	n->shift = qf_igraph_alloc_i32(ig, ch);
	n->mult = ig->pow2 ? -1 : qf_igraph_alloc_i32(ig, ch);
	for (int64_t c = 0; c < ch; c++) {
		int32_t s = -sh + rnd(r, -2, 2);
		/* now and then the edges of the contract's ranges */
		if (qf_rng_below(r, 16) == 0)
			s = qf_rng_below(r, 2) ? -31 : rnd(r, 0, 3);
		ig->i32[n->shift + c] = s < -31 ? -31 : s > 30 ? 30 : s;
		if (n->mult >= 0) {
			int32_t m = (int32_t)(0x40000000u + qf_rng_below(r, 0x40000000u));
			if (qf_rng_below(r, 16) == 0)
				m = qf_rng_below(r, 2) ? INT32_MAX : rnd(r, 1, 100);
			ig->i32[n->mult + c] = m;
		}
	}
}

static void clamp(qf_inode *n, int bits, int32_t zp, qf_rng *r)
{
	int32_t lo = bits == 8 ? -128 : -8, hi = bits == 8 ? 127 : 7;
	n->act_min = lo;
	n->act_max = hi;
	if (qf_rng_below(r, 3) == 0)
		n->act_min = zp; /* relu */
	if (qf_rng_below(r, 4) == 0)
		n->act_max = rnd(r, n->act_min, hi);
}

static int ilog2(int64_t v)
{
	int k = 0;
	while (((int64_t)1 << k) < v)
		k++;
	return k;
}

/* Appends one random layer reading tensor x; returns its output tensor. */
static int add_layer(qf_igraph *ig, int x, qf_rng *r)
{
	const qf_itensor xt = ig->t[x];
	int op;
	for (;;) {
		op = rnd(r, 0, QF_IOP_COUNT - 1);
		if (xt.bits == 4 && op != QF_IOP_CONV && op != QF_IOP_FC)
			continue;
		break;
	}
	int k = rnd(r, 1, 5), s = rnd(r, 1, 3), pad = rnd(r, 0, k - 1);
	if (xt.h + 2 * pad < k || xt.w + 2 * pad < k)
		k = 1, pad = 0;
	int oh = (xt.h + 2 * pad - k) / s + 1, ow = (xt.w + 2 * pad - k) / s + 1;
	/* no window wholly in the padding */
	while ((oh - 1) * s - pad >= xt.h || (ow - 1) * s - pad >= xt.w)
		pad--, oh = (xt.h + 2 * pad - k) / s + 1, ow = (xt.w + 2 * pad - k) / s + 1;
	int ob = (op == QF_IOP_CONV || op == QF_IOP_FC) && qf_rng_below(r, 3) == 0 ? 4 : 8;
	int32_t ozp = ob == 8 ? rnd(r, -128, 127) : rnd(r, -8, 7);
	int y, n;
	switch (op) {
	case QF_IOP_CONV:
	case QF_IOP_DWCONV:
	case QF_IOP_FC: {
		int oc = op == QF_IOP_DWCONV ? xt.c : rnd(r, 1, 9);
		if (op == QF_IOP_FC)
			y = tensor(ig, 1, 1, oc, ob, ozp);
		else
			y = tensor(ig, oh, ow, oc, op == QF_IOP_DWCONV ? 8 : ob, op == QF_IOP_DWCONV ? rnd(r, -128, 127) : ozp);
		n = qf_igraph_add_node(ig, (qf_iop)op, "l", x, -1, y, -1);
		qf_inode *nd = &ig->n[n];
		if (op != QF_IOP_FC) {
			nd->k_h = nd->k_w = k;
			nd->stride = s;
			nd->pad_top = nd->pad_left = pad;
		}
		static const int wb[] = {8, 4, 2};
		nd->w_bits = wb[rnd(r, 0, 2)];
		nd->wsrc = 0;
		nd->w_bytes = qf_inode_rows(ig, nd) * qf_packed_row_bytes(qf_inode_row_len(ig, nd), nd->w_bits);
		nd->w_off = qf_igraph_alloc_w(ig, nd->w_bytes);
		for (int64_t i = 0; i < nd->w_bytes; i++)
			ig->w[nd->w_off + i] = (uint8_t)qf_rng_below(r, 256);
		if (qf_rng_below(r, 4)) {
			nd->bias = qf_igraph_alloc_i32(ig, oc);
			for (int c = 0; c < oc; c++)
				ig->i32[nd->bias + c] = rnd(r, -40000, 40000);
			if (qf_rng_below(r, 3) == 0) { /* int16 at a step of 2^s, as qforge ptq stores them */
				nd->bias_bits = 16;
				nd->bias_shift = rnd(r, 0, 3);
				for (int c = 0; c < oc; c++)
					ig->i32[nd->bias + c] = rnd(r, -32768, 32767) * (1 << nd->bias_shift);
			}
		}
		int64_t terms = op == QF_IOP_DWCONV ? (int64_t)k * k : qf_inode_row_len(ig, nd);
		requant(ig, nd, oc, ilog2(terms) + 4 + nd->w_bits - 4 + (ob == 4 ? 4 : 0), r);
		clamp(nd, ig->t[y].bits, ig->t[y].zp, r);
		break;
	}
	case QF_IOP_MAXPOOL:
	case QF_IOP_AVGPOOL: {
		y = tensor(ig, oh, ow, xt.c, 8, xt.zp);
		n = qf_igraph_add_node(ig, (qf_iop)op, "p", x, -1, y, -1);
		qf_inode *nd = &ig->n[n];
		nd->k_h = nd->k_w = k;
		nd->stride = s;
		nd->pad_top = nd->pad_left = pad;
		clamp(nd, 8, xt.zp, r);
		break;
	}
	default: { /* add: of x and x, or of x and an earlier tensor of its shape */
		int b = x;
		for (int t = 0; t < ig->nt; t++)
			if (t != x && ig->t[t].h == xt.h && ig->t[t].w == xt.w && ig->t[t].c == xt.c && ig->t[t].bits == 8 &&
			    qf_rng_below(r, 2))
				b = t;
		y = tensor(ig, xt.h, xt.w, xt.c, 8, rnd(r, -128, 127));
		n = qf_igraph_add_node(ig, QF_IOP_ADD, "a", x, b, y, -1);
		qf_inode *nd = &ig->n[n];
		nd->add_ls = rnd(r, 0, 20);
		for (int i = 0; i < 2; i++) {
			nd->add_shift[i] = -rnd(r, 0, 3);
			nd->add_mult[i] = ig->pow2 ? 0 : (int32_t)(0x40000000u + qf_rng_below(r, 0x40000000u));
		}
		requant(ig, nd, 1, nd->add_ls - 1, r);
		clamp(nd, 8, ig->t[y].zp, r);
		break;
	}
	}
	return y;
}

static qf_igraph *random_chain(qf_rng *r)
{
	qf_igraph *ig = qf_igraph_new("chain");
	ig->pow2 = qf_rng_below(r, 3) == 0;
	ig->input = tensor(ig, rnd(r, 1, 9), rnd(r, 1, 9), rnd(r, 1, 6), 8, rnd(r, -128, 127));
	int x = ig->input, layers = rnd(r, 1, 5);
	for (int i = 0; i < layers; i++)
		x = add_layer(ig, x, r);
	/* logits must be 8-bit: end with an fc when the chain ended in 4 bits */
	if (ig->t[x].bits == 4)
		while ((x = add_layer(ig, x, r)) >= 0 && ig->t[x].bits != 8)
			;
	ig->output = x;
	ig->classes = (int)qf_itensor_elems(&ig->t[x]);
	ig->stage = QF_ISTAGE_QUANTIZED;
	return ig;
}

/* ------------------------------------------------------------ against the reference kernels */

static void pack(const int8_t *v, int64_t n, int bits, int8_t *out)
{
	memset(out, 0, (size_t)qf_act_bytes(n, bits));
	for (int64_t i = 0; i < n; i++)
		qf_packed_set(out, (int32_t)i, bits, v[i]);
}

static void check_node(const qf_igraph *ig, const qf_intref *ref, int i)
{
	const qf_inode *n = &ig->n[i];
	const qf_itensor *x = &ig->t[n->in[0]], *y = &ig->t[n->out];
	int64_t ny = qf_itensor_elems(y);
	int8_t *xin = qf_xcalloc((size_t)x->bytes + 4, 1), *x2 = NULL, *out = qf_xcalloc((size_t)y->bytes + 4, 1);
	int8_t *want = qf_xcalloc((size_t)y->bytes + 4, 1);
	pack(qf_intref_tensor(ref, n->in[0]), qf_itensor_elems(x), x->bits, xin);
	pack(qf_intref_tensor(ref, n->out), ny, y->bits, want);
	/* the arrays as the C backend emits them: int8 shifts, int32 or int16 biases */
	int nch = n->op == QF_IOP_ADD ? 1 : y->c;
	int8_t *sh = qf_xcalloc((size_t)nch, 1);
	int16_t *b16 = qf_xcalloc((size_t)nch, sizeof *b16);
	for (int c = 0; c < nch && n->shift >= 0; c++)
		sh[c] = (int8_t)ig->i32[n->shift + c];
	qf_rt_requant rq = {n->mult >= 0 ? ig->i32 + n->mult : NULL, n->shift >= 0 ? sh : NULL, y->zp, n->act_min,
			    n->act_max};
	const void *bias = n->bias >= 0 ? ig->i32 + n->bias : NULL;
	if (n->bias >= 0 && n->bias_bits == 16) {
		for (int c = 0; c < nch; c++)
			b16[c] = (int16_t)(ig->i32[n->bias + c] / (1 << n->bias_shift));
		bias = b16;
	}
	const int8_t *w = (const int8_t *)ig->w + n->w_off;
	qf_rt_status st = QF_RT_ERR_PARAM;
	qf_rt_conv cp = {x->h, x->w, x->c, y->h, y->w, y->c, n->k_h, n->k_w, n->stride, n->stride, n->pad_top,
			 n->pad_left, x->zp, x->bits, y->bits, n->w_bits, 0, n->bias_bits, n->bias_shift};
	qf_rt_fc fp = {(int32_t)qf_itensor_elems(x), y->c, x->zp, x->bits, y->bits, n->w_bits, n->bias_bits,
		       n->bias_shift};
	qf_rt_pool pp = {x->h, x->w, x->c, y->h, y->w, n->k_h, n->k_w, n->stride, n->stride, n->pad_top, n->pad_left,
			 n->act_min, n->act_max};
	switch (n->op) {
	case QF_IOP_CONV:
		st = qf_ref_conv(&cp, &rq, xin, w, bias, out);
		break;
	case QF_IOP_DWCONV:
		st = qf_ref_dwconv(&cp, &rq, xin, w, bias, out);
		break;
	case QF_IOP_FC:
		st = qf_ref_fc(&fp, &rq, xin, w, bias, out);
		break;
	case QF_IOP_MAXPOOL:
		st = qf_ref_maxpool(&pp, xin, out);
		break;
	case QF_IOP_AVGPOOL:
		st = qf_ref_avgpool(&pp, xin, out);
		break;
	case QF_IOP_ADD: {
		const qf_itensor *b = &ig->t[n->in[1]];
		x2 = qf_xcalloc((size_t)b->bytes + 4, 1);
		pack(qf_intref_tensor(ref, n->in[1]), qf_itensor_elems(b), 8, x2);
		qf_rt_add ap = {(int32_t)ny,
				x->zp,
				b->zp,
				n->add_ls,
				n->add_mult[0],
				n->add_shift[0],
				n->add_mult[1],
				n->add_shift[1],
				n->mult >= 0 ? ig->i32[n->mult] : 0,
				ig->i32[n->shift],
				y->zp,
				n->act_min,
				n->act_max,
				ig->pow2};
		st = qf_ref_add(&ap, xin, x2, out);
		break;
	}
	default:
		break;
	}
	assert_int_equal(st, QF_RT_OK);
	if (memcmp(out, want, (size_t)y->bytes) != 0) {
		int64_t e = 0;
		while (out[e] == want[e])
			e++;
		fail_msg("node %d (%s, %d-bit in, %d-bit out, %d-bit weights, %s): byte %lld is %d, intref %d", i,
			 qf_iop_name[n->op], x->bits, y->bits, n->w_bits, ig->pow2 ? "pow2" : "multiplier", (long long)e,
			 out[e], want[e]);
	}
	free(xin);
	free(x2);
	free(out);
	free(want);
	free(sh);
	free(b16);
}

static void matches_reference_kernels(void **state)
{
	(void)state;
	qf_rng r;
	qf_rng_seed(&r, 20240601);
	int seen[QF_IOP_COUNT] = {0}, four = 0, pow2 = 0, sub_byte = 0;
	for (int iter = 0; iter < 600; iter++) {
		qf_igraph *ig = random_chain(&r);
		const char *why = qf_igraph_verify(ig);
		if (why)
			fail_msg("chain %d: %s", iter, why);
		qf_intref *ref = qf_intref_new(ig);
		const qf_itensor *in = &ig->t[ig->input];
		uint8_t *img = qf_xmalloc((size_t)qf_itensor_elems(in));
		for (int64_t i = 0; i < qf_itensor_elems(in); i++)
			img[i] = (uint8_t)qf_rng_below(&r, 256);
		int8_t *z = qf_xmalloc((size_t)ig->classes);
		qf_intref_run(ref, img, z);
		/* the input is the raw bytes less 128 */
		assert_int_equal(qf_intref_tensor(ref, ig->input)[0], (int8_t)(img[0] - 128));
		assert_memory_equal(z, qf_intref_tensor(ref, ig->output), (size_t)ig->classes);
		for (int i = 0; i < ig->nn; i++) {
			check_node(ig, ref, i);
			seen[ig->n[i].op]++;
			four += ig->t[ig->n[i].in[0]].bits == 4;
			sub_byte += ig->n[i].w_bits == 2 || ig->n[i].w_bits == 4;
		}
		pow2 += ig->pow2;
		free(img);
		free(z);
		qf_intref_free(ref);
		qf_igraph_free(ig);
	}
	for (int op = 0; op < QF_IOP_COUNT; op++)
		if (seen[op] < 50)
			fail_msg("only %d %s layers were tried", seen[op], qf_iop_name[op]);
	assert_true(four >= 50 && pow2 >= 100 && sub_byte >= 100);
}

/* ------------------------------------------------------------ a calibrated network */

static qf_graph *sample_text(const char *text, uint64_t seed)
{
	qf_diag *d = qf_diag_new(stderr);
	qf_program *p = qf_parse("t.qf", text, strlen(text), d);
	assert_non_null(p);
	qf_choice ch;
	qf_choice_init(&ch, &p->spaces[p->sel_space]);
	qf_graph *g = qf_sample(p, &ch, seed, d);
	assert_non_null(g);
	qf_choice_free(&ch);
	qf_program_free(p);
	qf_diag_free(d);
	return g;
}

/* The integer network follows the float one: after calibration on the same
 * kind of images the dequantized logits are close and the classes mostly
 * agree (8-bit), and the int32 accumulators never overflow (intref dies). */
static void follows_the_float_model(void **state)
{
	(void)state;
	enum { N = 64 };
	for (int pow2 = 0; pow2 <= 1; pow2++) {
		qf_graph *g = sample_text("space a {\n"
					  "  input 1x12x12;\n"
					  "  conv c 8 k 3 relu;\n"
					  "  mbconv c 8 e 2 k 3;\n"
					  "  pool max k 2;\n"
					  "  conv c 16 k 3 s 2 relu;\n"
					  "  pool avg global;\n"
					  "  fc 10;\n"
					  "}\n",
					  4);
		/* images: smooth blobs, so activations have structure */
		qf_dataset ds;
		memset(&ds, 0, sizeof ds);
		ds.classes = 10;
		ds.in_c = ds.c = 1;
		ds.in_h = ds.h = ds.in_w = ds.w = 12;
		ds.train = (qf_images){N, 1, 12, 12, qf_xmalloc(N * 144), qf_xcalloc(N, 1)};
		qf_rng r;
		qf_rng_seed(&r, 77);
		for (int i = 0; i < N; i++) {
			double cx = 12 * qf_rng_uniform(&r), cy = 12 * qf_rng_uniform(&r), s = 1 + 4 * qf_rng_uniform(&r);
			for (int p = 0; p < 144; p++) {
				double dx = p % 12 - cx, dy = p / 12 - cy;
				ds.train.pix[i * 144 + p] = (uint8_t)lrint(255 * exp(-(dx * dx + dy * dy) / (2 * s * s)));
			}
		}
		qf_diag *d = qf_diag_new(stderr);
		qf_calib_cfg cc = {.pow2 = pow2, .batch = 32, .threads = 1};
		assert_int_equal(qf_calibrate(g, &ds, &ds.train, N, &cc, d), 0);
		/* float logits of the folded network */
		qf_graph *gf = qf_graph_clone(g);
		assert_true(qf_fold_bn(gf, d) >= 0);
		qf_engine *e = qf_engine_new(gf, N, 1, d);
		int32_t idx[N];
		uint8_t lab[N];
		for (int i = 0; i < N; i++)
			idx[i] = i;
		qf_batch(&ds, &ds.train, idx, N, false, NULL, qf_engine_input(e), lab);
		qf_engine_forward(e, N, false);
		const float *zf = qf_engine_logits(e);
		qf_igraph *ig = qf_lower(g, d);
		assert_non_null(ig);
		qf_intref *ref = qf_intref_new(ig);
		uint8_t img[144];
		int8_t z[10];
		int agree = 0;
		double err = 0, mag = 0;
		const qf_itensor *lo = &ig->t[ig->output];
		for (int i = 0; i < N; i++) {
			qf_image_hwc(&ds, &ds.train, i, img);
			assert_memory_equal(img, ds.train.pix + i * 144, 144);
			qf_intref_run(ref, img, z);
			int ki = 0, kf = 0;
			for (int c = 0; c < 10; c++) {
				double v = (z[c] - lo->zp) * lo->scale, f = zf[i * 10 + c];
				err += fabs(v - f);
				mag += fabs(f);
				ki = z[c] > z[ki] ? c : ki;
				kf = f > zf[i * 10 + kf] ? c : kf;
			}
			agree += ki == kf;
		}
		/* measured: mean |error| 1.7% of mean |logit| and 62/64 classes
		 * (multiplier), 2.3% and 62/64 (power-of-two) */
		if (err / mag > 0.05 || agree < 56)
			fail_msg("%s: relative logit error %.3f, %d of %d classes agree", pow2 ? "pow2" : "multiplier",
				 err / mag, agree, N);
		qf_intref_free(ref);
		qf_igraph_free(ig);
		qf_engine_free(e);
		qf_graph_free(gf);
		qf_diag_free(d);
		free(ds.train.pix);
		free(ds.train.label);
		qf_graph_free(g);
	}
}

/* ------------------------------------------------------------ image bytes */

static void image_bytes_follow_the_crop(void **state)
{
	(void)state;
	qf_dataset ds;
	memset(&ds, 0, sizeof ds);
	ds.classes = 10;
	ds.in_c = ds.c = 3;
	ds.in_h = ds.in_w = 6;
	ds.crop = 4;
	ds.pad = 1;
	ds.h = ds.w = 4;
	ds.test = (qf_images){2, 3, 6, 6, qf_xmalloc(2 * 108), qf_xcalloc(2, 1)};
	for (int i = 0; i < 2 * 108; i++)
		ds.test.pix[i] = (uint8_t)(i * 7 + 3);
	uint8_t hwc[48];
	float x[48];
	int32_t idx = 1;
	uint8_t lab;
	qf_image_hwc(&ds, &ds.test, 1, hwc);
	qf_batch(&ds, &ds.test, &idx, 1, false, NULL, x, &lab);
	for (int c = 0; c < 3; c++)
		for (int p = 0; p < 16; p++)
			assert_int_equal(hwc[p * 3 + c], (int)lrintf(x[c * 16 + p] * 255));
	/* the centre 4x4 of the 6x6 image padded by 1: rows and columns 1..4 */
	assert_int_equal(hwc[0], ds.test.pix[108 + 0 * 36 + 1 * 6 + 1]);
	assert_int_equal(hwc[5 * 3 + 2], ds.test.pix[108 + 2 * 36 + 2 * 6 + 2]);
	free(ds.test.pix);
	free(ds.test.label);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matches_reference_kernels),
		cmocka_unit_test(follows_the_float_model),
		cmocka_unit_test(image_bytes_follow_the_crop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
