/* cgen_spec.c: loops generated for one layer's shape, where they beat the
 * generic runtime kernel (see cgen_internal.h for which layers).
 *
 * Convolution (int8 input and output, 8/4/2-bit weights, no groups): output pixels
 * two at a time, gathered as int8 patches (in_zp where the patch leaves
 * the input), times blocks of four output channels, eight accumulators in
 * registers. The weights are stored in the order the loop reads them:
 * per block of four channels, for each of the K = kh * kw * cin taps, the
 * four channels' weights next to each other at their width (4 bytes, 2
 * or 1; channels past the last are zero), so one pointer walks them. The input zero point is folded into
 * the bias at emit time (b' = b - zp * sum of the channel's weights): the
 * loop multiplies raw input bytes, and padded taps, which read zp, add
 * exactly what the fold took away. Sums are exact in int32 for the same
 * reason the runtime's are (quantize.c bounds |bias| + K * 255 * 128).
 * Requantisation is qf_requant1 of the runtime's requant.h: one contract.
 *
 * Max pool (no padding, every window inside the input, windows of at most
 * nine values): the window unrolled, one channel at a time; each output is
 * stored after its window is read, and later windows start after it, so it
 * may run in place like the runtime kernel (qf_inode_in_place).
 *
 * Where each is used (qf_cgen_spec): the convolution always when K <= 16
 * (first layers: the runtime's tiles are built for long rows, measured
 * 9.5 instructions per MAC on a 1-channel input), otherwise only without
 * DSP, where it replaces the runtime's portable C; the max pool only
 * without DSP (the runtime's DSP pool takes four channels at once). */
#include <stdlib.h>
#include <string.h>

#include "backends/c/cgen_internal.h"

enum { SPEC_FEW_TAPS = 16, SPEC_POOL_WINDOW = 9 };

static int64_t taps(const qf_igraph *ig, const qf_inode *n)
{
	return (int64_t)n->k_h * n->k_w * ig->t[n->in[0]].c;
}

qf_spec qf_cgen_spec(const qf_igraph *ig, const qf_inode *n)
{
	const qf_itensor *x = &ig->t[n->in[0]], *y = &ig->t[n->out];
	switch (n->op) {
	case QF_IOP_CONV:
		/* a split layer (runs at different widths) calls the kernels */
		if (x->bits != 8 || y->bits != 8 || taps(ig, n) > 4095 || n->nparts)
			return QF_SPEC_NONE;
		return taps(ig, n) <= SPEC_FEW_TAPS ? QF_SPEC_ALWAYS : QF_SPEC_NODSP;
	case QF_IOP_MAXPOOL:
		if (n->pad_top || n->pad_left || n->k_h * n->k_w > SPEC_POOL_WINDOW ||
		    (y->h - 1) * n->stride + n->k_h > x->h || (y->w - 1) * n->stride + n->k_w > x->w)
			return QF_SPEC_NONE;
		return QF_SPEC_NODSP;
	default:
		return QF_SPEC_NONE;
	}
}

/* Weight t of output channel o from the packed Int Graph row. */
static int32_t weight(const qf_igraph *ig, const qf_inode *n, int o, int64_t t)
{
	int b = n->w_bits;
	const uint8_t *row = ig->w + n->w_off + o * qf_packed_row_bytes(taps(ig, n), b);
	int64_t bit = t * b;
	int32_t v = (row[bit / 8] >> (bit % 8)) & ((1 << b) - 1);
	return v >= 1 << (b - 1) ? v - (1 << b) : v;
}

const char *qf_cgen_impl(const qf_igraph *ig, const qf_inode *n, bool dsp)
{
	qf_spec s = qf_cgen_spec(ig, n);
	return s == QF_SPEC_ALWAYS || (s == QF_SPEC_NODSP && !dsp) ? "generated" : qf_cgen_kernel(ig, n);
}

void qf_cgen_spec_weights(qf_sbuf *h, qf_sbuf *c, const qf_igraph *ig, const char *nm, int i)
{
	const qf_inode *n = &ig->n[i];
	if (n->op != QF_IOP_CONV)
		return;
	const qf_itensor *x = &ig->t[n->in[0]];
	int oc = ig->t[n->out].c, ocp = (oc + 3) / 4 * 4, wb = n->w_bits;
	int64_t k = taps(ig, n);
	/* per block of 4 channels, per tap: the 4 channels' weights at wb bits,
	 * channel q in bits [q*wb, q*wb + wb) of the tap's 4*wb/8 bytes */
	int64_t per_tap = 4 * wb / 8, bytes = ocp / 4 * k * per_tap;
	uint8_t *w = qf_xcalloc((size_t)bytes, 1);
	int32_t *b = qf_xcalloc((size_t)ocp, sizeof(int32_t));
	for (int o = 0; o < oc; o++) {
		int64_t sum = 0;
		for (int64_t t = 0; t < k; t++) {
			int32_t v = weight(ig, n, o, t);
			int64_t bit = (o % 4) * wb, at = (o / 4) * k * per_tap + t * per_tap + bit / 8;
			w[at] |= (uint8_t)(((uint32_t)v & ((1u << wb) - 1)) << (bit % 8));
			sum += v;
		}
		int64_t bias = (n->bias >= 0 ? ig->i32[n->bias + o] : 0) - (int64_t)x->zp * sum;
		QF_ASSERT(bias >= INT32_MIN && bias <= INT32_MAX);
		b[o] = (int32_t)bias;
	}
	char name[96];
	snprintf(name, sizeof name, "qf_%s_w%dg", nm, i);
	qf_sbuf_printf(h, "extern const int8_t %s[%lld];\n", name, (long long)bytes);
	qf_cgen_w_array(c, name, w, bytes);
	snprintf(name, sizeof name, "qf_%s_b%dg", nm, i);
	qf_sbuf_printf(h, "extern const int32_t %s[%d];\n", name, ocp);
	qf_cgen_i32_array(c, "int32_t", name, b, ocp, 0);
	free(w);
	free(b);
}

void qf_cgen_spec_helpers(qf_sbuf *b)
{
	qf_sbuf_printf(b,
		    "#include \"requant.h\"\n\n"
		    "/* Each generated layer is a function of its own: inlined into the run\n"
		    " * function, gcc allocates registers for all of them at once and spills\n"
		    " * in the inner loops. */\n"
		    "#if defined(__GNUC__)\n#define QF_GEN_INLINE static inline __attribute__((always_inline))\n"
		    "#define QF_GEN_NOINLINE static __attribute__((noinline))\n"
		    "#else\n#define QF_GEN_INLINE static inline\n#define QF_GEN_NOINLINE static\n#endif\n\n"
		    "/* The kh x kw x c patch of output pixel (oy, ox) as int8 in (ky, kx, ic)\n"
		    " * order, zp where it leaves the input. Inlined into each generated\n"
		    " * layer, whose constants it then runs on. */\n"
		    "QF_GEN_INLINE void qf_gen_patch(int8_t *d, const int8_t *in, int32_t oy, int32_t ox, int32_t h,\n"
		    "\tint32_t w, int32_t c, int32_t kh, int32_t kw, int32_t s, int32_t pt, int32_t pl, int32_t zp)\n{\n"
		    "\tint32_t ky, kx, i;\n"
		    "\tfor (ky = 0; ky < kh; ky++) {\n"
		    "\t\tint32_t iy = oy * s - pt + ky;\n"
		    "\t\tfor (kx = 0; kx < kw; kx++) {\n"
		    "\t\t\tint32_t ix = ox * s - pl + kx;\n"
		    "\t\t\tif (iy < 0 || iy >= h || ix < 0 || ix >= w) {\n"
		    "\t\t\t\tfor (i = 0; i < c; i++)\n\t\t\t\t\t*d++ = (int8_t)zp;\n"
		    "\t\t\t} else {\n"
		    "\t\t\t\tconst int8_t *src = in + (iy * w + ix) * c;\n"
		    "\t\t\t\tfor (i = 0; i < c; i++)\n\t\t\t\t\t*d++ = src[i];\n"
		    "\t\t\t}\n\t\t}\n\t}\n}\n\n");
}

/* The four channels' products of one tap whose weights start at wk[at]. */
static void tap(qf_sbuf *b, const char *ind, int wb, int at)
{
	for (int q = 0; q < 4; q++) {
		if (wb == 8) {
			qf_sbuf_printf(b, "%sv = wk[%d];", ind, at + q);
		} else {
			int bit = q * wb, lsl = 32 - wb - bit % 8;
			qf_sbuf_printf(b, "%sv = (int32_t)((uint32_t)(uint8_t)wk[%d] << %d) >> %d;", ind, at + bit / 8, lsl, 32 - wb);
		}
		qf_sbuf_printf(b, " a%d += v * x0; e%d += v * x1;\n", q, q);
	}
}

static void conv_layer(qf_sbuf *b, const qf_igraph *ig, const char *nm, int i)
{
	const qf_inode *n = &ig->n[i];
	const qf_itensor *x = &ig->t[n->in[0]], *y = &ig->t[n->out];
	int oc = y->c, ocp = (oc + 3) / 4 * 4;
	long long k = taps(ig, n), npix = (long long)y->h * y->w;
	char m[96];
	if (n->mult >= 0)
		snprintf(m, sizeof m, "qf_%s_m%d", nm, i);
	else
		snprintf(m, sizeof m, "0");
	qf_sbuf_printf(b,
		    "/* generated: 2 pixels x 4 channels per tile, weights in loop order */\n"
		    "QF_GEN_NOINLINE void qf_gen_%d(const int8_t *in, int8_t *out, int8_t *col)\n{\n"
		    "\tint32_t p, oy = 0, ox = 0, ob, k;\n"
		    "\tfor (p = 0; p < %lld; p += 2) {\n"
		    "\t\tint32_t two = p + 1 < %lld;\n"
		    "\t\tconst int8_t *w = qf_%s_w%dg;\n"
		    "\t\tqf_gen_patch(col, in, oy, ox, %d, %d, %d, %d, %d, %d, %d, %d, %d);\n"
		    "\t\tif (++ox == %d) {\n\t\t\tox = 0;\n\t\t\toy++;\n\t\t}\n"
		    "\t\tif (two) {\n"
		    "\t\t\tqf_gen_patch(col + %lld, in, oy, ox, %d, %d, %d, %d, %d, %d, %d, %d, %d);\n"
		    "\t\t\tif (++ox == %d) {\n\t\t\t\tox = 0;\n\t\t\t\toy++;\n\t\t\t}\n\t\t}\n"
		    "\t\tfor (ob = 0; ob < %d; ob += 4, w += %lld) {\n"
		    "\t\t\tconst int8_t *c = col, *wk = w;\n"
		    "\t\t\tint32_t a0 = qf_%s_b%dg[ob], a1 = qf_%s_b%dg[ob + 1], a2 = qf_%s_b%dg[ob + 2], a3 = qf_%s_b%dg[ob + 3];\n"
		    "\t\t\tint32_t e0 = a0, e1 = a1, e2 = a2, e3 = a3;\n",
		    i, npix, npix, nm, i, x->h, x->w, x->c, n->k_h, n->k_w, n->stride, n->pad_top, n->pad_left,
		    (int)x->zp, y->w, k, x->h, x->w, x->c, n->k_h, n->k_w, n->stride, n->pad_top, n->pad_left, (int)x->zp,
		    y->w, ocp, k * n->w_bits / 2, nm, i, nm, i, nm, i, nm, i);
	/* U taps per pass (the loop's own instructions spread over 8U
	 * multiply-accumulates), then the rest one at a time; the second
	 * pixel's patch is K bytes on. Sub-byte weights are sign-extended
	 * from their field with two shifts (one SBFX). */
	enum { U = 4 };
	int wb = n->w_bits, per_tap = 4 * wb / 8;
	qf_sbuf_printf(b, "\t\t\tfor (k = 0; k + %d <= %lld; k += %d, c += %d, wk += %d) {\n", U, k, U, U, U * per_tap);
	for (int t = 0; t < U; t++) {
		qf_sbuf_printf(b, "\t\t\t\t{\n\t\t\t\t\tint32_t x0 = c[%d], x1 = c[%lld + %d], v;\n", t, k, t);
		tap(b, "\t\t\t\t\t", wb, t * per_tap);
		qf_sbuf_printf(b, "\t\t\t\t}\n");
	}
	qf_sbuf_printf(b, "\t\t\t}\n");
	if (k % U) {
		qf_sbuf_printf(b, "\t\t\tfor (; k < %lld; k++, c++, wk += %d) {\n\t\t\t\tint32_t x0 = c[0], x1 = c[%lld], v;\n", k,
			    per_tap, k);
		tap(b, "\t\t\t\t", wb, 0);
		qf_sbuf_printf(b, "\t\t\t}\n");
	}
	/* requantise and store; channels past the last only when oc % 4 */
	qf_sbuf_printf(b, "\t\t\t{\n\t\t\t\tint8_t *o = out + p * %d + ob;\n", oc);
	for (int q = 0; q < 4; q++) {
		const char *ind = oc % 4 ? "\t\t\t\t\t" : "\t\t\t\t";
		if (oc % 4)
			qf_sbuf_printf(b, "\t\t\t\tif (ob + %d < %d) {\n", q, oc);
		qf_sbuf_printf(b, "%so[%d] = (int8_t)qf_requant1(a%d, %s, qf_%s_n%d, ob + %d, %d, %d, %d);\n", ind, q, q, m, nm,
			    i, q, (int)y->zp, (int)n->act_min, (int)n->act_max);
		qf_sbuf_printf(b, "%sif (two)\n%s\to[%d + %d] = (int8_t)qf_requant1(e%d, %s, qf_%s_n%d, ob + %d, %d, %d, %d);\n",
			    ind, ind, oc, q, q, m, nm, i, q, (int)y->zp, (int)n->act_min, (int)n->act_max);
		if (oc % 4)
			qf_sbuf_printf(b, "\t\t\t\t}\n");
	}
	qf_sbuf_printf(b, "\t\t\t}\n\t\t}\n\t}\n}\n");
}

static void pool_layer(qf_sbuf *b, const qf_igraph *ig, int i)
{
	const qf_inode *n = &ig->n[i];
	const qf_itensor *x = &ig->t[n->in[0]], *y = &ig->t[n->out];
	qf_sbuf_printf(b,
		    "/* generated: the %dx%d window unrolled, one channel at a time; in place is fine */\n"
		    "QF_GEN_NOINLINE void qf_gen_%d(const int8_t *in, int8_t *out)\n{\n"
		    "\tint32_t oy, ox, c;\n"
		    "\tfor (oy = 0; oy < %d; oy++)\n"
		    "\t\tfor (ox = 0; ox < %d; ox++) {\n"
		    "\t\t\tconst int8_t *s = in + (oy * %d + ox * %d) * %d;\n"
		    "\t\t\tint8_t *o = out + (oy * %d + ox) * %d;\n"
		    "\t\t\tfor (c = 0; c < %d; c++) {\n"
		    "\t\t\t\tint32_t m = s[c], v;\n",
		    n->k_h, n->k_w, i, y->h, y->w, n->stride * x->w, n->stride, x->c, y->w, y->c, y->c);
	for (int ky = 0; ky < n->k_h; ky++)
		for (int kx = 0; kx < n->k_w; kx++)
			if (ky || kx)
				qf_sbuf_printf(b, "\t\t\t\tv = s[%d + c];\n\t\t\t\tm = v > m ? v : m;\n", (ky * x->w + kx) * x->c);
	if (n->act_min > -128)
		qf_sbuf_printf(b, "\t\t\t\tm = m < %d ? %d : m;\n", (int)n->act_min, (int)n->act_min);
	if (n->act_max < 127)
		qf_sbuf_printf(b, "\t\t\t\tm = m > %d ? %d : m;\n", (int)n->act_max, (int)n->act_max);
	qf_sbuf_printf(b, "\t\t\t\to[c] = (int8_t)m;\n\t\t\t}\n\t\t}\n}\n");
}

void qf_cgen_spec_layer(qf_sbuf *b, const qf_igraph *ig, const char *nm, int i)
{
	if (ig->n[i].op == QF_IOP_CONV)
		conv_layer(b, ig, nm, i);
	else
		pool_layer(b, ig, i);
}

void qf_cgen_spec_call(qf_sbuf *b, const qf_igraph *ig, int i)
{
	const qf_inode *n = &ig->n[i];
	long long xo = ig->t[n->in[0]].offset, yo = ig->t[n->out].offset;
	if (n->op == QF_IOP_CONV)
		qf_sbuf_printf(b, "\tqf_gen_%d(a + %lld, a + %lld, a + %lld);\n", i, xo, yo, (long long)n->scratch_off);
	else
		qf_sbuf_printf(b, "\tqf_gen_%d(a + %lld, a + %lld);\n", i, xo, yo);
}
