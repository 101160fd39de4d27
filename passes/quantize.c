/* quantize: the integers of every layer, from the Graph IR's float weights
 * and quant params.
 *
 * Requires: a FUSED Int Graph and the (BN-folded) Graph IR it came from,
 * whose input, layer outputs and weights carry quant params (from
 * `qforge calibrate` or QAT): activations one scale and zero point per
 * tensor at 8 or 4 bits, weights symmetric per tensor or per output channel
 * at 8, 4 or 2 bits.
 * Guarantees: a verified QUANTIZED Int Graph where, for a layer with input
 * scale s_in, weight scales s_w[c] and output scale s_out:
 *   weights  q = clamp(round(w / s_w[c]), -(2^(b-1) - 1), 2^(b-1) - 1),
 *            packed low bits first, one row per output channel (conv: OHWI;
 *            fc: the input in NHWC order), one row per tap (depthwise);
 *   bias     round(b / (s_in * s_w[c])), int32, checked to leave the
 *            accumulator room (|bias| + K * 255 * 2^(b-1) < 2^31); or,
 *            when the bias tensor has 16-bit quant params of step
 *            s_b[c] = 2^k * s_in * s_w[c] (one k in [0, 16] per layer),
 *            clamp(round(b / s_b[c]), int16) * 2^k, stored as int16;
 *   requant  M = s_in * s_w[c] / s_out as (M0, n): M = M0 * 2^(n - 31), M0
 *            in [2^30, 2^31) (TFLite's QuantizeMultiplier), or, when every
 *            quant param is power-of-two, n = log2 M exactly (shift-only);
 *   clamp    the output type's range, raised to the zero point by relu and
 *            capped at zp + round(6 / s_out) by relu6;
 *   add      TFLite's scheme: inputs << 20, each rescaled by s / (2 max(s_a,
 *            s_b)), the sum by 2 max(s_a, s_b) / (2^20 s_out);
 *   scratch  what the runtime kernel asks for (qf_inode_scratch).
 * A conv or fc whose weight slices (learned precision) have different
 * widths becomes a split layer: one run of channels (qf_ipart) per maximal
 * run of slices at one width, each packed at its own width, so the layer
 * stores what the budget counted; the backends call one kernel per run.
 * Refused: a split depthwise conv (a channel range of it would need an
 * input stride too), a run starting at an odd channel of a 4-bit output
 * (kernel calls take a byte pointer).
 * All real arithmetic is double, from the float32 values in the graph, so
 * the integers are the same on every machine. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "passes/passes.h"
#include "runtime/qf_runtime.h"

typedef struct {
	const qf_graph *g;
	qf_igraph *ig;
	qf_diag *d;
	bool pow2;
} qctx;

static const qf_qparam *qparam_of(const qf_graph *g, int t)
{
	return g->t[t].quant >= 0 ? &g->q[g->t[t].quant] : NULL;
}

static double scale_of(const qf_graph *g, const qf_qparam *q, int i)
{
	return (double)g->data[q->scale + (q->n == 1 ? 0 : i)];
}

/* The one width of all slices of q, or 0 when they differ. */
static int uniform_bits(const qf_graph *g, const qf_qparam *q)
{
	int b = g->ints[q->bits];
	for (int i = 1; i < q->n_slices; i++)
		if (g->ints[q->bits + i] != b)
			return 0;
	return b;
}

/* Quant params that qforge sample puts on a fresh network (every scale 1,
 * every zero point 0) are not a quantization: refuse them with advice. */
static bool placeholders(const qf_igraph *ig, const qf_graph *g)
{
	int seen = 0;
	for (int i = 0; i < ig->nt; i++) {
		const qf_qparam *q = qparam_of(g, ig->t[i].src);
		if (!q)
			continue;
		if (scale_of(g, q, 0) != 1.0 || g->ints[q->zero] != 0)
			return false;
		seen++;
	}
	for (int i = 0; i < ig->nn; i++) {
		const qf_qparam *q = ig->n[i].wsrc >= 0 ? qparam_of(g, ig->n[i].wsrc) : NULL;
		if (!q)
			continue;
		for (int c = 0; c < q->n; c++)
			if (scale_of(g, q, c) != 1.0)
				return false;
		seen++;
	}
	return seen > 0;
}

/* ------------------------------------------------------------ activations */

static int quantize_tensor(qctx *c, int i)
{
	qf_itensor *t = &c->ig->t[i];
	const qf_tensor *gt = &c->g->t[t->src];
	const qf_qparam *q = qparam_of(c->g, t->src);
	if (!q) {
		qf_diag_error(c->d, (qf_loc){0, 0},
			      "tensor '%s' has no quant params: run 'qforge calibrate' on the model (or train it with QAT)",
			      gt->name);
		return -1;
	}
	if (q->n != 1) {
		qf_diag_error(c->d, (qf_loc){0, 0},
			      "activation '%s' has %d scales; the runtime takes one scale and zero point per tensor",
			      gt->name, q->n);
		return -1;
	}
	int bits = uniform_bits(c->g, q);
	if (bits != 8 && bits != 4) {
		qf_diag_error(c->d, (qf_loc){0, 0},
			      "activation '%s' is %d-bit; the runtime has kernels for 8- and 4-bit activations", gt->name,
			      bits);
		return -1;
	}
	if ((i == c->ig->input || i == c->ig->output) && bits != 8) {
		qf_diag_error(c->d, (qf_loc){0, 0}, "%s '%s' is %d-bit; it must be 8-bit",
			      i == c->ig->input ? "the network input" : "the output (logits)", gt->name, bits);
		return -1;
	}
	int32_t zp = c->g->ints[q->zero];
	int32_t lo = bits == 8 ? -128 : -8, hi = bits == 8 ? 127 : 7;
	if (zp < lo || zp > hi) {
		qf_diag_error(c->d, (qf_loc){0, 0}, "activation '%s': zero point %d is outside [%d, %d] at %d bits",
			      gt->name, zp, lo, hi, bits);
		return -1;
	}
	t->bits = bits;
	t->zp = zp;
	t->scale = scale_of(c->g, q, 0);
	t->bytes = qf_act_bytes(qf_itensor_elems(t), bits);
	if (!q->pow2)
		c->pow2 = false;
	return 0;
}

/* ------------------------------------------------------------ requant */

/* TFLite QuantizeMultiplier: m = m0 * 2^(shift - 31), m0 in [2^30, 2^31). */
static void quantize_multiplier(double m, int32_t *m0, int32_t *shift)
{
	int e;
	double f = frexp(m, &e);
	int64_t q = llround(f * 2147483648.0);
	if (q == (int64_t)1 << 31) {
		q /= 2;
		e++;
	}
	/* below 2^-32 every accumulator rescales to 0: the smallest
	 * multiplier and the largest right shift give exactly that */
	if (e < -31) {
		q = 1;
		e = -31;
	}
	*m0 = (int32_t)q;
	*shift = e;
}

/* Exact log2 of a power of two. */
static int exact_log2(double m)
{
	int e;
	double f = frexp(m, &e);
	QF_ASSERT(f == 0.5);
	return e - 1;
}

/* Requant of real factor m into (mult[k], shift[k]); -1 when the factor is
 * too large for a 32-bit accumulator to carry. */
static int requant(qctx *c, const qf_inode *n, double m, int64_t k)
{
	int32_t m0 = 0, s;
	if (c->pow2) {
		s = exact_log2(m);
		if (s < -31)
			s = -31; /* ties the accumulator to 0 or +-1: below any scale we meet */
	} else {
		quantize_multiplier(m, &m0, &s);
	}
	if (s > 30) {
		qf_diag_error(c->d, (qf_loc){0, 0},
			      "layer '%s': requant factor %g (input scale x weight scale / output scale) is too large "
			      "for an int32 rescale; the quant params are inconsistent",
			      n->name, m);
		return -1;
	}
	c->ig->i32[n->shift + k] = s;
	if (n->mult >= 0)
		c->ig->i32[n->mult + k] = m0;
	return 0;
}

static void clamp(qf_igraph *ig, qf_inode *n)
{
	const qf_itensor *y = &ig->t[n->out];
	int32_t lo = y->bits == 8 ? -128 : -8, hi = y->bits == 8 ? 127 : 7;
	if (n->act == QF_ACT_RELU || n->act == QF_ACT_RELU6)
		lo = y->zp > lo ? y->zp : lo;
	if (n->act == QF_ACT_RELU6) {
		double six = (double)y->zp + round(6.0 / y->scale);
		if (six < hi)
			hi = (int32_t)six;
	}
	n->act_min = lo;
	n->act_max = hi;
}

/* ------------------------------------------------------------ weights */

static void pack(uint8_t *row, int64_t i, int bits, int32_t v)
{
	int64_t bit = i * bits;
	uint32_t mask = ((1u << bits) - 1u) << (bit & 7);
	row[bit >> 3] = (uint8_t)((row[bit >> 3] & ~mask) | (((uint32_t)v << (bit & 7)) & mask));
}

/* Graph IR weight element of (row r, position i) of node n's packed
 * layout: conv OHWI from [Cout, Cin, k, k]; depthwise rows are taps of the
 * [C, 1, k, k] tensor; fc columns in NHWC order of a C-major [Cout, C*H*W]. */
static int64_t src_index(const qf_igraph *ig, const qf_inode *n, int64_t r, int64_t i, int *channel)
{
	const qf_itensor *x = &ig->t[n->in[0]];
	switch (n->op) {
	case QF_IOP_CONV: {
		int64_t cin = x->c, ic = i % cin, kx = (i / cin) % n->k_w, ky = i / cin / n->k_w;
		*channel = (int)r;
		return ((r * cin + ic) * n->k_h + ky) * n->k_w + kx;
	}
	case QF_IOP_DWCONV: {
		int64_t ky = r / n->k_w, kx = r % n->k_w;
		*channel = (int)i;
		return (i * n->k_h + ky) * n->k_w + kx;
	}
	case QF_IOP_FC: {
		int64_t cin = x->c, hw = (int64_t)x->h * x->w, ch = i % cin, p = i / cin;
		*channel = (int)r;
		return r * cin * hw + ch * hw + p;
	}
	default:
		qf_die("weights of a %s", qf_iop_name[n->op]);
	}
}

static int weight_params(qctx *c, qf_inode *n, const qf_tensor *wt, const qf_qparam *q, int cout, int bits);

/* A weight whose slices have different widths: one run per maximal run of
 * slices at one width (slice s covers channels [s * slice, (s+1) * slice)). */
static int split_runs(qctx *c, qf_inode *n, const qf_tensor *wt, const qf_qparam *q, int cout)
{
	const qf_graph *g = c->g;
	qf_igraph *ig = c->ig;
	if (n->op == QF_IOP_DWCONV) {
		qf_diag_error(c->d, (qf_loc){0, 0},
			      "weights '%s' of depthwise conv '%s' have slices of different widths; the runtime "
			      "splits only conv and fc layers into runs of channels (a depthwise run would need an "
			      "input channel stride too): give the layer one width",
			      wt->name, n->name);
		return -1;
	}
	if (q->slice < 1 || q->n_slices != (cout + q->slice - 1) / q->slice) {
		qf_diag_error(c->d, (qf_loc){0, 0}, "weights '%s': %d slices of %d channels for %d output channels",
			      wt->name, q->n_slices, q->slice, cout);
		return -1;
	}
	int widest = 0, first = ig->npart;
	for (int s = 0; s < q->n_slices; s++) {
		int b = g->ints[q->bits + s], c0 = s * q->slice;
		int c1 = c0 + q->slice < cout ? c0 + q->slice : cout;
		if (b != 8 && b != 4 && b != 2) {
			qf_diag_error(c->d, (qf_loc){0, 0},
				      "weights '%s' of layer '%s': slice %d is %d-bit; the runtime has kernels for 8, 4 "
				      "and 2 bits",
				      wt->name, n->name, s, b);
			return -1;
		}
		widest = b > widest ? b : widest;
		if (ig->npart > first && ig->part[ig->npart - 1].w_bits == b) {
			ig->part[ig->npart - 1].c1 = c1;
			continue;
		}
		if (ig->t[n->out].bits == 4 && (c0 & 1)) {
			qf_diag_error(c->d, (qf_loc){0, 0},
				      "layer '%s': a run of %d-bit weights starts at channel %d, odd, of a 4-bit output; "
				      "kernel calls write whole bytes' worth of channels from their first: use an even "
				      "slice size",
				      n->name, b, c0);
			return -1;
		}
		qf_igraph_add_part(ig, (qf_ipart){c0, c1, b, -1, 0});
	}
	n->part = first;
	n->nparts = ig->npart - first;
	return weight_params(c, n, wt, q, cout, widest);
}

static int quantize_weights(qctx *c, int ni)
{
	qf_igraph *ig = c->ig;
	qf_inode *n = &ig->n[ni];
	const qf_graph *g = c->g;
	const qf_tensor *wt = &g->t[n->wsrc];
	const qf_qparam *q = qparam_of(g, n->wsrc);
	int cout = ig->t[n->out].c;
	if (!q) {
		qf_diag_error(c->d, (qf_loc){0, 0},
			      "weights '%s' of layer '%s' have no quant params: run 'qforge calibrate' on the model "
			      "(or train it with QAT)",
			      wt->name, n->name);
		return -1;
	}
	int bits = uniform_bits(g, q);
	if (bits == 0)
		return split_runs(c, n, wt, q, cout);
	if (bits != 8 && bits != 4 && bits != 2) {
		qf_diag_error(c->d, (qf_loc){0, 0},
			      "weights '%s' of layer '%s' are %d-bit; the runtime has kernels for 8, 4 and 2 bits",
			      wt->name, n->name, bits);
		return -1;
	}
	return weight_params(c, n, wt, q, cout, bits);
}

/* The rest of quantize_weights, for one width or the widest run's. */
static int weight_params(qctx *c, qf_inode *n, const qf_tensor *wt, const qf_qparam *q, int cout, int bits)
{
	const qf_graph *g = c->g;
	if (q->n != 1 && q->n != cout) {
		qf_diag_error(c->d, (qf_loc){0, 0}, "weights '%s': %d scales for %d output channels", wt->name, q->n,
			      cout);
		return -1;
	}
	for (int i = 0; i < q->n; i++)
		if (g->ints[q->zero + i] != 0) {
			qf_diag_error(c->d, (qf_loc){0, 0},
				      "weights '%s' of layer '%s' are asymmetric (zero point %d); the runtime takes "
				      "symmetric weights",
				      wt->name, n->name, g->ints[q->zero + i]);
			return -1;
		}
	if (!q->pow2)
		c->pow2 = false;
	n->w_bits = bits;
	return 0;
}

/* How a layer's biases are stored: int32 in the accumulator's units, or,
 * when the bias tensor has 16-bit quant params (qforge ptq gives biases
 * their own word length), int16 at a step 2^k times the accumulator's, one
 * k for the layer. */
static int bias_format(qctx *c, qf_inode *n, const qf_qparam *bq, const qf_qparam *wq, double sin, int cout)
{
	n->bias_bits = n->bias >= 0 ? 32 : 0;
	n->bias_shift = 0;
	if (!bq)
		return 0;
	int bits = uniform_bits(c->g, bq);
	if (bits == 32)
		return 0;
	if (bits != 16) {
		qf_diag_error(c->d, (qf_loc){0, 0},
			      "layer '%s': %d-bit biases; the runtime stores biases at 32 or 16 bits", n->name, bits);
		return -1;
	}
	for (int oc = 0; oc < cout; oc++) {
		double r = scale_of(c->g, bq, oc) / (sin * scale_of(c->g, wq, oc));
		int e;
		double f = frexp(r, &e);
		if (f != 0.5 || e - 1 < 0 || e - 1 > 16 || (oc && e - 1 != n->bias_shift)) {
			qf_diag_error(c->d, (qf_loc){0, 0},
				      "layer '%s': the 16-bit bias step of channel %d is %g times the accumulator's; "
				      "it must be one power of two 2^0 .. 2^16 for the whole layer",
				      n->name, oc, r);
			return -1;
		}
		n->bias_shift = e - 1;
	}
	n->bias_bits = 16;
	return 0;
}

static int layer_integers(qctx *c, int ni)
{
	qf_igraph *ig = c->ig;
	const qf_graph *g = c->g;
	qf_inode *n = &ig->n[ni];
	const qf_itensor *x = &ig->t[n->in[0]], *y = &ig->t[n->out];
	const qf_qparam *q = qparam_of(g, n->wsrc);
	int bits = n->w_bits, cout = y->c;
	int64_t rows = qf_inode_rows(ig, n), len = qf_inode_row_len(ig, n), rb = qf_packed_row_bytes(len, bits);
	if (n->nparts) {
		/* each run's rows at its width, the runs one after the other */
		n->w_off = ig->nw;
		n->w_bytes = 0;
		for (int k = 0; k < n->nparts; k++) {
			qf_ipart *p = &ig->part[n->part + k];
			p->w_bytes = (p->c1 - p->c0) * qf_packed_row_bytes(len, p->w_bits);
			p->w_off = qf_igraph_alloc_w(ig, p->w_bytes);
			n->w_bytes += p->w_bytes;
		}
	} else {
		n->w_bytes = rows * rb;
		n->w_off = qf_igraph_alloc_w(ig, n->w_bytes);
	}
	const float *w = g->data + g->t[n->wsrc].data;
	for (int64_t r = 0; r < rows; r++) {
		int b = bits;
		int64_t at = n->nparts ? qf_inode_wrow(ig, n, (int)r, &b) : n->w_off + r * rb;
		int32_t qmax = (1 << (b - 1)) - 1;
		for (int64_t i = 0; i < len; i++) {
			int ch;
			int64_t s = src_index(ig, n, r, i, &ch);
			double v = round((double)w[s] / scale_of(g, q, ch));
			v = v > qmax ? qmax : v < -qmax ? -qmax : v;
			pack(ig->w + at, i, b, (int32_t)v);
		}
	}
	n->shift = qf_igraph_alloc_i32(ig, cout);
	n->mult = c->pow2 ? -1 : qf_igraph_alloc_i32(ig, cout);
	n->bias = n->bsrc >= 0 ? qf_igraph_alloc_i32(ig, cout) : -1;
	/* terms of one accumulator: K for conv/fc, the taps for depthwise */
	int64_t k = n->op == QF_IOP_DWCONV ? (int64_t)n->k_h * n->k_w : len;
	double room = 2147483647.0 - (double)k * ((1 << x->bits) - 1) * (double)(1 << (bits - 1));
	if (room < 1) {
		qf_diag_error(c->d, (qf_loc){0, 0},
			      "layer '%s' sums %lld products per output: too many for a 32-bit accumulator", n->name,
			      (long long)k);
		return -1;
	}
	const qf_qparam *bq = n->bias >= 0 ? qparam_of(g, n->bsrc) : NULL;
	if (bias_format(c, n, bq, q, x->scale, cout))
		return -1;
	for (int oc = 0; oc < cout; oc++) {
		double sw = scale_of(g, q, oc), sin = x->scale;
		if (n->bias >= 0) {
			/* 16-bit: rounded at the bias's own step, 2^k accumulator
			 * units, then held in the accumulator's units */
			double st = n->bias_bits == 16 ? ldexp(1.0, n->bias_shift) : 1.0;
			double b = round((double)g->data[g->t[n->bsrc].data + oc] / (sin * sw * st));
			if (n->bias_bits == 16)
				b = (b > 32767 ? 32767 : b < -32768 ? -32768 : b) * st;
			if (!(fabs(b) < room)) {
				qf_diag_error(c->d, (qf_loc){0, 0},
					      "layer '%s': bias of channel %d is %g in units of input scale x weight "
					      "scale (%g): it does not fit the int32 accumulator beside the products",
					      n->name, oc, b, sin * sw);
				return -1;
			}
			ig->i32[n->bias + oc] = (int32_t)b;
		}
		if (requant(c, n, sin * sw / y->scale, oc))
			return -1;
	}
	return 0;
}

static int pool_integers(qctx *c, qf_inode *n)
{
	const qf_itensor *x = &c->ig->t[n->in[0]], *y = &c->ig->t[n->out];
	if (x->bits != 8 || y->bits != 8) {
		qf_diag_error(c->d, (qf_loc){0, 0},
			      "pool '%s' on %d-bit input giving %d-bit output: the runtime's pools are 8-bit", n->name,
			      x->bits, y->bits);
		return -1;
	}
	if (x->zp != y->zp || x->scale != y->scale) {
		qf_diag_error(c->d, (qf_loc){0, 0},
			      "pool '%s' changes the quant params (scale %g zero point %d in, %g and %d out); the "
			      "runtime's pools keep them (qforge calibrate gives a pool its input's)",
			      n->name, x->scale, x->zp, y->scale, y->zp);
		return -1;
	}
	return 0;
}

static int add_integers(qctx *c, qf_inode *n)
{
	qf_igraph *ig = c->ig;
	const qf_itensor *a = &ig->t[n->in[0]], *b = &ig->t[n->in[1]], *y = &ig->t[n->out];
	if (a->bits != 8 || b->bits != 8 || y->bits != 8) {
		qf_diag_error(c->d, (qf_loc){0, 0}, "add '%s' of %d- and %d-bit tensors: the runtime's add is 8-bit",
			      n->name, a->bits, b->bits);
		return -1;
	}
	n->add_ls = 20;
	double twice = 2 * (a->scale > b->scale ? a->scale : b->scale);
	double in_m[2] = {a->scale / twice, b->scale / twice};
	for (int k = 0; k < 2; k++) {
		if (c->pow2) {
			n->add_mult[k] = 0;
			n->add_shift[k] = exact_log2(in_m[k]);
			if (n->add_shift[k] < -31)
				n->add_shift[k] = -31;
		} else {
			quantize_multiplier(in_m[k], &n->add_mult[k], &n->add_shift[k]);
		}
	}
	n->shift = qf_igraph_alloc_i32(ig, 1);
	n->mult = c->pow2 ? -1 : qf_igraph_alloc_i32(ig, 1);
	return requant(c, n, twice / ((double)(1 << n->add_ls) * y->scale), 0);
}

/* runtime/scratch.c, compiled in by rt_scratch.c */
int32_t qf_lower_conv_scratch_size(const qf_rt_conv *p);
int32_t qf_lower_fc_scratch_size(const qf_rt_fc *p);
int32_t qf_lower_dwconv_scratch_size(const qf_rt_conv *p);

int64_t qf_inode_scratch(const qf_igraph *ig, const qf_inode *n)
{
	const qf_itensor *x = &ig->t[n->in[0]], *y = &ig->t[n->out];
	if (n->op != QF_IOP_CONV && n->op != QF_IOP_DWCONV && n->op != QF_IOP_FC)
		return 0;
	/* a split layer's calls run one after the other: the largest of them */
	int32_t most = 0;
	for (int k = 0; k < (n->nparts ? n->nparts : 1); k++) {
		int c0 = 0, c1 = y->c, wb = n->w_bits;
		if (n->nparts) {
			const qf_ipart *r = &ig->part[n->part + k];
			c0 = r->c0;
			c1 = r->c1;
			wb = r->w_bits;
		}
		qf_rt_conv p = {x->h,	    x->w,	 x->c,	     y->h,    y->w,    c1 - c0, n->k_h, n->k_w, n->stride,
				n->stride, n->pad_top, n->pad_left, x->zp,   x->bits, y->bits, wb,     y->c, 0, 0};
		qf_rt_fc f = {(int32_t)qf_itensor_elems(x), c1 - c0, x->zp, x->bits, y->bits, wb, 0, 0};
		int32_t s = n->op == QF_IOP_CONV     ? qf_lower_conv_scratch_size(&p)
			    : n->op == QF_IOP_DWCONV ? qf_lower_dwconv_scratch_size(&p)
						     : qf_lower_fc_scratch_size(&f);
		QF_ASSERT(s >= 0);
		most = s > most ? s : most;
	}
	return (most + 3) & ~3;
}

int qf_quantize(qf_igraph *ig, const qf_graph *g, qf_diag *d)
{
	QF_ASSERT(ig->stage == QF_ISTAGE_FUSED);
	qctx c = {g, ig, d, true};
	if (placeholders(ig, g)) {
		qf_diag_error(d, (qf_loc){0, 0},
			      "model '%s' carries placeholder quant params (every scale 1, as qforge sample writes "
			      "them): run 'qforge calibrate' on it (or train it with QAT) first",
			      g->name);
		return -1;
	}
	int errors = 0;
	for (int i = 0; i < ig->nt && !qf_diag_full(d); i++)
		errors += quantize_tensor(&c, i) != 0;
	for (int i = 0; i < ig->nn && !qf_diag_full(d); i++)
		if (ig->n[i].wsrc >= 0)
			errors += quantize_weights(&c, i) != 0;
	if (errors)
		return -1;
	for (int i = 0; i < ig->nn; i++) {
		qf_inode *n = &ig->n[i];
		int rc = 0;
		switch (n->op) {
		case QF_IOP_CONV:
		case QF_IOP_DWCONV:
		case QF_IOP_FC:
			rc = layer_integers(&c, i);
			break;
		case QF_IOP_MAXPOOL:
		case QF_IOP_AVGPOOL:
			rc = pool_integers(&c, n);
			break;
		case QF_IOP_ADD:
			rc = add_integers(&c, n);
			break;
		case QF_IOP_COUNT:
			qf_die("bad op");
		}
		n = &ig->n[i];
		if (rc) {
			errors++;
			continue;
		}
		if (n->op == QF_IOP_DWCONV && (ig->t[n->in[0]].bits != 8 || ig->t[n->out].bits != 8)) {
			qf_diag_error(d, (qf_loc){0, 0},
				      "depthwise conv '%s' with %d-bit input and %d-bit output: the runtime's "
				      "depthwise kernels are 8-bit",
				      n->name, ig->t[n->in[0]].bits, ig->t[n->out].bits);
			errors++;
			continue;
		}
		clamp(ig, n);
		n->scratch = qf_inode_scratch(ig, n);
	}
	if (errors)
		return -1;
	ig->pow2 = c.pow2;
	ig->stage = QF_ISTAGE_QUANTIZED;
	QF_IVERIFY(ig);
	return 0;
}
