/* cgen.c: the C99 backend: a PLANNED Int Graph as C sources that call the
 * runtime kernels (see cgen.h for the files and their contents).
 *
 * model.c holds one kernel call per Int Graph node with its parameters as
 * static const structs, arena offsets as constants; weights.c the packed
 * weights and per-channel integers, named qf_<name>_w<i>, _b<i>, _m<i>,
 * _n<i> for node i. Between layers model.c calls QF_LAYER_HOOK(i) (empty
 * unless the includer defines it), which the firmware harness uses to count
 * instructions per layer. Output is deterministic: the same Int Graph gives
 * the same bytes. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/c/cgen_internal.h"

#ifndef QF_VERSION
#define QF_VERSION "0.1.0"
#endif

/* Text sizes of the runtime kernels, bytes, measured on the runtime of
 * 2024-xx with
 *   arm-none-eabi-gcc -std=c99 -O2 -ffreestanding -ffunction-sections -mthumb -mcpu=cortex-m4 -c runtime/K.c
 *   arm-none-eabi-size K.o
 * (the M3 builds are smaller). Only for the estimate emit prints; qforge
 * bench measures the linked image. */
static const struct {
	const char *kernel;
	int bytes;
} kernel_text[] = {
	{"qf_conv_s8", 3800},      {"qf_conv_s8_s4w", 4912}, {"qf_conv_s8_s2w", 6280}, {"qf_conv_s4", 9160},
	{"qf_dwconv_s8", 2388},    {"qf_dwconv_s8_s4w", 2528}, {"qf_dwconv_s8_s2w", 2528}, {"qf_fc_s8", 1244},
	{"qf_fc_s8_s4w", 1604},    {"qf_fc_s8_s2w", 1956},   {"qf_fc_s4", 4436},       {"qf_maxpool_s8", 704},
	{"qf_avgpool_s8", 512},    {"qf_add_s8", 764},
};
/* scratch.c (300), plus model.c: per layer a call and its structs (about
 * 120 bytes of code and const data measured on fmnist-small), and the
 * function around them. */
enum { SCRATCH_TEXT = 300, PER_LAYER_TEXT = 120, RUN_TEXT = 200 };
/* A convolution generated for every core (cgen_spec.c): fmnist-small's
 * first layer added 1,578 bytes of text on Cortex-M4 (qforge bench, code
 * 7,288 -> 8,866). */
enum { GEN_CONV_TEXT = 1600 };
/* Stack of one inference: the deepest kernel frame plus the run function;
 * measured with a painted stack on mps2-an386 (tests/fw/model_main.c
 * prints it): 232 bytes for fmnist-small. Rounded up for the estimate. */
enum { STACK_ESTIMATE = 512 };

/* The runtime kernel of node n with weights at wb bits. */
static const char *kernel_at(const qf_igraph *ig, const qf_inode *n, int wb)
{
	const qf_itensor *x = &ig->t[n->in[0]];
	switch (n->op) {
	case QF_IOP_CONV:
		if (x->bits == 4)
			return "qf_conv_s4";
		return wb == 8 ? "qf_conv_s8" : wb == 4 ? "qf_conv_s8_s4w" : "qf_conv_s8_s2w";
	case QF_IOP_DWCONV:
		return wb == 8 ? "qf_dwconv_s8" : wb == 4 ? "qf_dwconv_s8_s4w" : "qf_dwconv_s8_s2w";
	case QF_IOP_FC:
		if (x->bits == 4)
			return "qf_fc_s4";
		return wb == 8 ? "qf_fc_s8" : wb == 4 ? "qf_fc_s8_s4w" : "qf_fc_s8_s2w";
	case QF_IOP_MAXPOOL:
		return "qf_maxpool_s8";
	case QF_IOP_AVGPOOL:
		return "qf_avgpool_s8";
	case QF_IOP_ADD:
		return "qf_add_s8";
	case QF_IOP_COUNT:
		break;
	}
	qf_die("cgen: op %d", (int)n->op);
}

const char *qf_cgen_kernel(const qf_igraph *ig, const qf_inode *n)
{
	return kernel_at(ig, n, n->w_bits);
}

/* The plain reference kernel of runtime/ref for node n. */
static const char *ref_kernel(const qf_inode *n)
{
	static const char *const names[QF_IOP_COUNT] = {
		[QF_IOP_CONV] = "qf_ref_conv",       [QF_IOP_DWCONV] = "qf_ref_dwconv",
		[QF_IOP_FC] = "qf_ref_fc",           [QF_IOP_MAXPOOL] = "qf_ref_maxpool",
		[QF_IOP_AVGPOOL] = "qf_ref_avgpool", [QF_IOP_ADD] = "qf_ref_add",
	};
	return names[n->op];
}

static const char *kernel_of(const qf_igraph *ig, const qf_inode *n, bool ref)
{
	return ref ? ref_kernel(n) : qf_cgen_kernel(ig, n);
}

static bool weighted(const qf_inode *n)
{
	return n->op == QF_IOP_CONV || n->op == QF_IOP_DWCONV || n->op == QF_IOP_FC;
}

/* The distinct kernels of ig in first-use order (k holds QF_CGEN_MAX_KERNELS);
 * returns how many. A split layer calls one kernel per width of its runs. */
static int kernels(const qf_igraph *ig, const char **k, bool ref)
{
	int nk = 0;
	for (int i = 0; i < ig->nn; i++) {
		const qf_inode *n = &ig->n[i];
		if (!ref && qf_cgen_spec(ig, n) == QF_SPEC_ALWAYS)
			continue;
		for (int r = 0; r < (n->nparts ? n->nparts : 1); r++) {
			const char *s = ref	    ? ref_kernel(n)
					: n->nparts ? kernel_at(ig, n, ig->part[n->part + r].w_bits)
						    : qf_cgen_kernel(ig, n);
			bool seen = false;
			for (int j = 0; j < nk && !seen; j++)
				seen = strcmp(k[j], s) == 0;
			if (!seen) {
				QF_ASSERT(nk < QF_CGEN_MAX_KERNELS);
				k[nk++] = s;
			}
		}
	}
	return nk;
}

static void c_name(const char *want, const char *model, char *out, size_t size)
{
	const char *s = want ? want : model;
	size_t o = 0;
	if (!isalpha((unsigned char)s[0]))
		out[o++] = 'm';
	for (; *s && o + 1 < size; s++)
		out[o++] = isalnum((unsigned char)*s) ? (char)tolower((unsigned char)*s) : '_';
	out[o] = 0;
}

/* Bytes of const data of node n: packed weights, per-channel arrays, the
 * parameter structs (about 64 bytes each for conv, less for the rest). */
static int64_t node_const(const qf_igraph *ig, const qf_inode *n)
{
	return qf_inode_const_bytes(ig, n) + (n->op == QF_IOP_ADD ? 56 : n->op == QF_IOP_FC ? 44 : 84);
}

void qf_cgen_measure(const qf_igraph *ig, const char *name, qf_cgen_summary *s)
{
	QF_ASSERT(ig->stage == QF_ISTAGE_PLANNED);
	memset(s, 0, sizeof(*s));
	c_name(name, ig->name, s->name, sizeof s->name);
	const char *k[QF_CGEN_MAX_KERNELS];
	s->n_kernels = kernels(ig, k, false);
	bool scratch = false;
	s->code_bytes = RUN_TEXT + (int64_t)PER_LAYER_TEXT * ig->nn;
	for (int i = 0; i < s->n_kernels; i++)
		for (size_t j = 0; j < sizeof kernel_text / sizeof kernel_text[0]; j++)
			if (strcmp(kernel_text[j].kernel, k[i]) == 0)
				s->code_bytes += kernel_text[j].bytes;
	for (int i = 0; i < ig->nn; i++) {
		s->const_bytes += node_const(ig, &ig->n[i]);
		scratch |= weighted(&ig->n[i]);
		if (qf_cgen_spec(ig, &ig->n[i]) == QF_SPEC_ALWAYS)
			s->code_bytes += GEN_CONV_TEXT;
	}
	if (scratch)
		s->code_bytes += SCRATCH_TEXT;
	s->arena_bytes = ig->arena_bytes;
	s->stack_bytes = STACK_ESTIMATE;
	/* model.h, model.c, weights.h, weights.c, model.mk, 6 headers, kernels */
	s->n_files = 5 + 6 + s->n_kernels + (scratch ? 1 : 0);
}

/* ------------------------------------------------------------ text buffers */

void qf_cgen_upper(const char *s, char *o, size_t size)
{
	size_t i = 0;
	for (; s[i] && i + 1 < size; i++)
		o[i] = (char)toupper((unsigned char)s[i]);
	o[i] = 0;
}

/* A const array of integers of C type `type`, ten to a line: the values v
 * divided by 2^rshift (exactly: the caller's values are multiples). */
void qf_cgen_i32_array(qf_sbuf *b, const char *type, const char *name, const int32_t *v, int64_t n, int rshift)
{
	qf_sbuf_printf(b, "const %s %s[%lld] = {", type, name, (long long)n);
	for (int64_t i = 0; i < n; i++)
		qf_sbuf_printf(b, "%s%ld", i % 10 ? ", " : i ? ",\n\t" : "\n\t", (long)(v[i] / (1L << rshift)));
	qf_sbuf_printf(b, "\n};\n");
}

void qf_cgen_w_array(qf_sbuf *b, const char *name, const uint8_t *v, int64_t n)
{
	qf_sbuf_printf(b, "const int8_t %s[%lld] = {", name, (long long)n);
	for (int64_t i = 0; i < n; i++)
		qf_sbuf_printf(b, "%s%d", i % 16 ? ", " : i ? ",\n\t" : "\n\t", (int)(int8_t)v[i]);
	qf_sbuf_printf(b, "\n};\n");
}

/* ------------------------------------------------------------ the files */

static void model_h(qf_sbuf *b, const qf_igraph *ig, const char *nm, const char *source)
{
	char up[64];
	qf_cgen_upper(nm, up, sizeof up);
	const qf_itensor *in = &ig->t[ig->input], *lo = &ig->t[ig->output];
	qf_sbuf_printf(b,
	    "/* model.h: %s, an integer-only classifier generated by qforge %s%s%s.\n"
	    " * Do not edit: regenerate with qforge emit.\n"
	    " *\n"
	    " *   int qf_%s_run(const uint8_t *in, int8_t *out_logits, void *arena);\n"
	    " *\n"
	    " * in          the image, QF_%s_IN_H x QF_%s_IN_W x QF_%s_IN_C raw bytes,\n"
	    " *             channels interleaved (H x W x C); the network reads byte b as\n"
	    " *             the real value (b - 128 - (%d)) * %.9g\n"
	    " * out_logits  QF_%s_CLASSES int8 logits: real = (q - QF_%s_OUT_ZP) * %.9g;\n"
	    " *             the class is the index of the largest (the first on ties)\n"
	    " * arena       QF_%s_ARENA_BYTES bytes of RAM, 4-byte aligned: every\n"
	    " *             activation and kernel scratch buffer; nothing is kept in it\n"
	    " *             between calls\n"
	    " * returns     0, or a negative qf_rt_status from a kernel (NULL pointers, a\n"
	    " *             misaligned arena)\n"
	    " * All state is in the arena: calls on different arenas may run at once.\n"
	    " * No malloc, no floating point, nothing from libc.\n"
	    " * %s requantisation; %d layers (see model.c). */\n"
	    "#ifndef QF_%s_MODEL_H\n#define QF_%s_MODEL_H\n\n#include <stdint.h>\n\n",
	    nm, QF_VERSION, source ? " from " : "", source ? source : "", nm, up, up, up, (int)in->zp, in->scale, up,
	    up, lo->scale, up, ig->pow2 ? "Power-of-two (shift-only)" : "Q31 multiplier and shift", ig->nn, up, up);
	qf_sbuf_printf(b, "#define QF_%s_IN_H %d\n#define QF_%s_IN_W %d\n#define QF_%s_IN_C %d\n", up, in->h, up, in->w, up,
	    in->c);
	qf_sbuf_printf(b, "#define QF_%s_IN_BYTES %lld\n", up, (long long)qf_itensor_elems(in));
	qf_sbuf_printf(b, "#define QF_%s_CLASSES %d\n#define QF_%s_OUT_ZP (%d)\n", up, ig->classes, up, (int)lo->zp);
	qf_sbuf_printf(b, "#define QF_%s_ARENA_BYTES %lld\n", up, (long long)ig->arena_bytes);
	qf_sbuf_printf(b, "#define QF_%s_LAYERS %d\n\n", up, ig->nn);
	qf_sbuf_printf(b, "int qf_%s_run(const uint8_t *in, int8_t *out_logits, void *arena);\n\n#endif\n", nm);
}

static void weights_files(qf_sbuf *h, qf_sbuf *c, const qf_igraph *ig, const char *nm, bool ref)
{
	char up[64], name[96];
	qf_cgen_upper(nm, up, sizeof up);
	qf_sbuf_printf(h,
	    "/* weights.h: the constants of model %s (generated by qforge; do not edit).\n"
	    " * Per layer i: w<i> packed weights, b<i> int32 biases, m<i> requant\n"
	    " * multipliers (none in power-of-two mode), n<i> shifts. */\n"
	    "#ifndef QF_%s_WEIGHTS_H\n#define QF_%s_WEIGHTS_H\n\n#include <stdint.h>\n\n",
	    nm, up, up);
	qf_sbuf_printf(c, "/* weights.c: the constants of model %s (generated by qforge; do not edit). */\n"
	       "#include \"weights.h\"\n\n",
	    nm);
	for (int i = 0; i < ig->nn; i++) {
		const qf_inode *n = &ig->n[i];
		int64_t ch = n->op == QF_IOP_ADD ? 1 : ig->t[n->out].c;
		qf_spec sp = ref ? QF_SPEC_NONE : qf_cgen_spec(ig, n);
		bool gen_w = sp != QF_SPEC_NONE && n->op == QF_IOP_CONV;
		qf_sbuf_printf(c, "/* %d %s */\n", i, n->name);
		if (gen_w && sp == QF_SPEC_NODSP) {
			qf_sbuf_printf(h, "#if defined(__ARM_FEATURE_DSP)\n");
			qf_sbuf_printf(c, "#if defined(__ARM_FEATURE_DSP)\n");
		}
		if (n->w_bytes && sp != QF_SPEC_ALWAYS) {
			snprintf(name, sizeof name, "qf_%s_w%d", nm, i);
			qf_sbuf_printf(h, "extern const int8_t %s[%lld];\n", name, (long long)n->w_bytes);
			qf_cgen_w_array(c, name, ig->w + n->w_off, n->w_bytes);
		}
		if (n->bias >= 0 && sp != QF_SPEC_ALWAYS) {
			snprintf(name, sizeof name, "qf_%s_b%d", nm, i);
			const char *bt = n->bias_bits == 16 ? "int16_t" : "int32_t";
			qf_sbuf_printf(h, "extern const %s %s[%lld];\n", bt, name, (long long)ch);
			qf_cgen_i32_array(c, bt, name, ig->i32 + n->bias, ch, n->bias_bits == 16 ? n->bias_shift : 0);
		}
		if (gen_w) {
			if (sp == QF_SPEC_NODSP) {
				qf_sbuf_printf(h, "#else\n");
				qf_sbuf_printf(c, "#else\n");
			}
			qf_cgen_spec_weights(h, c, ig, nm, i);
			if (sp == QF_SPEC_NODSP) {
				qf_sbuf_printf(h, "#endif\n");
				qf_sbuf_printf(c, "#endif\n");
			}
		}
		if (n->mult >= 0 && n->op != QF_IOP_ADD) {
			snprintf(name, sizeof name, "qf_%s_m%d", nm, i);
			qf_sbuf_printf(h, "extern const int32_t %s[%lld];\n", name, (long long)ch);
			qf_cgen_i32_array(c, "int32_t", name, ig->i32 + n->mult, ch, 0);
		}
		if (n->shift >= 0 && n->op != QF_IOP_ADD) {
			snprintf(name, sizeof name, "qf_%s_n%d", nm, i);
			qf_sbuf_printf(h, "extern const int8_t %s[%lld];\n", name, (long long)ch);
			qf_cgen_i32_array(c, "int8_t", name, ig->i32 + n->shift, ch, 0);
		}
	}
	qf_sbuf_printf(h, "\n#endif\n");
}

/* The bias format fields of a layer's parameters: none for int32 biases
 * (the default), so models without 16-bit biases emit what they did. */
static const char *bias_fields(const qf_inode *n, char buf[64])
{
	buf[0] = 0;
	if (n->bias >= 0 && n->bias_bits == 16)
		snprintf(buf, 64, ", .bias_bits = 16, .bias_shift = %d", n->bias_shift);
	return buf;
}

/* A split layer (runs of channels at different weight widths): per run k
 * its parameters L<i>_<k>, writing channels [c0, c1) of the full output
 * (out_stride; fc: one pixel, no stride needed), and its requant L<i>_rq<k>
 * from channel c0 of the layer's arrays. */
static void split_structs(qf_sbuf *b, const qf_igraph *ig, const char *nm, int i)
{
	const qf_inode *n = &ig->n[i];
	const qf_itensor *x = &ig->t[n->in[0]], *y = &ig->t[n->out];
	char bf[64];
	for (int r = 0; r < n->nparts; r++) {
		const qf_ipart *p = &ig->part[n->part + r];
		if (n->op == QF_IOP_CONV)
			qf_sbuf_printf(b,
			    "static const qf_rt_conv L%d_%d = {.in_h = %d, .in_w = %d, .in_c = %d, .out_h = %d, .out_w = %d, "
			    ".out_c = %d,\n\t.k_h = %d, .k_w = %d, .stride_h = %d, .stride_w = %d, .pad_top = %d, "
			    ".pad_left = %d,\n\t.in_zp = %d, .in_bits = %d, .out_bits = %d, .w_bits = %d, .out_stride = %d%s};\n",
			    i, r, x->h, x->w, x->c, y->h, y->w, p->c1 - p->c0, n->k_h, n->k_w, n->stride, n->stride,
			    n->pad_top, n->pad_left, (int)x->zp, x->bits, y->bits, p->w_bits, y->c, bias_fields(n, bf));
		else
			qf_sbuf_printf(b,
			    "static const qf_rt_fc L%d_%d = {.in_n = %lld, .out_n = %d, .in_zp = %d, .in_bits = %d, "
			    ".out_bits = %d, .w_bits = %d%s};\n",
			    i, r, (long long)qf_itensor_elems(x), p->c1 - p->c0, (int)x->zp, x->bits, y->bits, p->w_bits,
			    bias_fields(n, bf));
		char m[128];
		if (n->mult >= 0)
			snprintf(m, sizeof m, "qf_%s_m%d + %d", nm, i, p->c0);
		else
			snprintf(m, sizeof m, "0");
		qf_sbuf_printf(b, "static const qf_rt_requant L%d_rq%d = {%s, qf_%s_n%d + %d, %d, %d, %d};\n", i, r, m, nm, i,
		    p->c0, (int)y->zp, (int)n->act_min, (int)n->act_max);
	}
}

/* The calls of a split layer, one per run, each from its rows of w<i> and
 * its biases into its channels of the output (4-bit output: runs start on
 * even channels, checked by the verifier, so c0 / 2 is a byte). */
static void split_calls(qf_sbuf *b, const qf_igraph *ig, const char *nm, int i, bool ref)
{
	const qf_inode *n = &ig->n[i];
	const qf_itensor *y = &ig->t[n->out];
	long long xo = ig->t[n->in[0]].offset;
	for (int r = 0; r < n->nparts; r++) {
		const qf_ipart *p = &ig->part[n->part + r];
		const char *k = ref ? ref_kernel(n) : kernel_at(ig, n, p->w_bits);
		long long yo = y->offset + (y->bits == 8 ? p->c0 : p->c0 / 2), wo = p->w_off - n->w_off;
		char bias[128];
		if (n->bias >= 0)
			snprintf(bias, sizeof bias, "qf_%s_b%d + %d", nm, i, p->c0);
		else
			snprintf(bias, sizeof bias, "0");
		if (ref)
			qf_sbuf_printf(b, "\tst = %s(&L%d_%d, &L%d_rq%d, a + %lld, qf_%s_w%d + %lld, %s, a + %lld);\n", k, i, r, i,
			    r, xo, nm, i, wo, bias, yo);
		else
			qf_sbuf_printf(b,
			    "\tst = %s(&L%d_%d, &L%d_rq%d, a + %lld, qf_%s_w%d + %lld, %s, a + %lld, a + %lld, %lld);\n", k, i,
			    r, i, r, xo, nm, i, wo, bias, yo, (long long)n->scratch_off, (long long)n->scratch);
		qf_sbuf_printf(b, "\tif (st != QF_RT_OK)\n\t\treturn st;\n");
	}
}

static void model_c(qf_sbuf *b, const qf_igraph *ig, const char *nm, bool ref)
{
	char up[64], bf[64];
	qf_cgen_upper(nm, up, sizeof up);
	qf_sbuf_printf(b,
	    "/* model.c: model %s, one call per fused layer (generated by qforge; do\n"
	    " * not edit): a runtime kernel, or a loop generated for the layer's shape\n"
	    " * (some only where the core has no DSP extension). Arena: %lld bytes,\n"
	    " * planned from liveness; a pool or add may write over the input it\n"
	    " * consumes. */\n"
	    "#include \"model.h\"\n#include \"%s\"\n#include \"weights.h\"\n\n"
	    "/* Compiled with -DQF_LAYER_HOOK_FN=f, f(i) is called before layer i and,\n"
	    " * with i = the layer count, after the last: the firmware harness counts\n"
	    " * instructions per layer with it. */\n"
	    "#ifdef QF_LAYER_HOOK_FN\nvoid QF_LAYER_HOOK_FN(int layer);\n#define QF_LAYER_HOOK(i) QF_LAYER_HOOK_FN(i)\n"
	    "#else\n#define QF_LAYER_HOOK(i) ((void)0)\n#endif\n\n",
	    nm, (long long)ig->arena_bytes, ref ? "ref/ref.h" : "qf_runtime.h");
	if (ref)
		qf_sbuf_printf(b, "/* Built with the plain reference kernels of runtime/ref (qforge emit\n"
		       " * --kernels ref), for comparisons: never for use. */\n\n");
	bool helpers = false;
	for (int i = 0; i < ig->nn; i++) {
		const qf_inode *n = &ig->n[i];
		const qf_itensor *x = &ig->t[n->in[0]], *y = &ig->t[n->out];
		qf_spec sp = ref ? QF_SPEC_NONE : qf_cgen_spec(ig, n);
		if (sp != QF_SPEC_NONE && !helpers) {
			qf_cgen_spec_helpers(b);
			helpers = true;
		}
		qf_sbuf_printf(b, "/* %d %s: %s", i, n->name, qf_iop_name[n->op]);
		if (n->op != QF_IOP_FC && n->op != QF_IOP_ADD)
			qf_sbuf_printf(b, " %dx%d stride %d pad %d", n->k_h, n->k_w, n->stride, n->pad_top);
		qf_sbuf_printf(b, ", %dx%dx%d -> %dx%dx%d", x->h, x->w, x->c, y->h, y->w, y->c);
		if (weighted(n) && !n->nparts)
			qf_sbuf_printf(b, ", %d-bit weights", n->w_bits);
		for (int r = 0; r < n->nparts; r++) {
			const qf_ipart *p = &ig->part[n->part + r];
			qf_sbuf_printf(b, "%s [%d, %d) at %d bits", r ? "," : ", weights of channels", p->c0, p->c1, p->w_bits);
		}
		if (n->act != QF_ACT_NONE)
			qf_sbuf_printf(b, ", %s", qf_act_name[n->act]);
		qf_sbuf_printf(b, " */\n");
		if (sp == QF_SPEC_ALWAYS) {
			qf_cgen_spec_layer(b, ig, nm, i);
			continue;
		}
		if (n->nparts) {
			split_structs(b, ig, nm, i);
			continue;
		}
		if (sp == QF_SPEC_NODSP)
			qf_sbuf_printf(b, "#if defined(__ARM_FEATURE_DSP)\n");
		switch (n->op) {
		case QF_IOP_CONV:
		case QF_IOP_DWCONV:
			qf_sbuf_printf(b,
			    "static const qf_rt_conv L%d = {.in_h = %d, .in_w = %d, .in_c = %d, .out_h = %d, .out_w = %d, "
			    ".out_c = %d,\n\t.k_h = %d, .k_w = %d, .stride_h = %d, .stride_w = %d, .pad_top = %d, "
			    ".pad_left = %d,\n\t.in_zp = %d, .in_bits = %d, .out_bits = %d, .w_bits = %d%s};\n",
			    i, x->h, x->w, x->c, y->h, y->w, y->c, n->k_h, n->k_w, n->stride, n->stride, n->pad_top,
			    n->pad_left, (int)x->zp, x->bits, y->bits, n->w_bits, bias_fields(n, bf));
			break;
		case QF_IOP_FC:
			qf_sbuf_printf(b,
			    "static const qf_rt_fc L%d = {.in_n = %lld, .out_n = %d, .in_zp = %d, .in_bits = %d, "
			    ".out_bits = %d, .w_bits = %d%s};\n",
			    i, (long long)qf_itensor_elems(x), y->c, (int)x->zp, x->bits, y->bits, n->w_bits,
			    bias_fields(n, bf));
			break;
		case QF_IOP_MAXPOOL:
		case QF_IOP_AVGPOOL:
			qf_sbuf_printf(b,
			    "static const qf_rt_pool L%d = {.in_h = %d, .in_w = %d, .c = %d, .out_h = %d, .out_w = %d,\n"
			    "\t.k_h = %d, .k_w = %d, .stride_h = %d, .stride_w = %d, .pad_top = %d, .pad_left = %d, "
			    ".min = %d, .max = %d};\n",
			    i, x->h, x->w, x->c, y->h, y->w, n->k_h, n->k_w, n->stride, n->stride, n->pad_top, n->pad_left,
			    (int)n->act_min, (int)n->act_max);
			break;
		case QF_IOP_ADD: {
			const qf_itensor *x1 = &ig->t[n->in[1]];
			qf_sbuf_printf(b,
			    "static const qf_rt_add L%d = {.n = %lld, .a_zp = %d, .b_zp = %d, .left_shift = %d,\n"
			    "\t.a_mult = %d, .a_shift = %d, .b_mult = %d, .b_shift = %d, .out_mult = %d, .out_shift = %d,\n"
			    "\t.out_zp = %d, .min = %d, .max = %d, .pow2 = %d};\n",
			    i, (long long)qf_itensor_elems(y), (int)x->zp, (int)x1->zp, (int)n->add_ls, (int)n->add_mult[0],
			    (int)n->add_shift[0], (int)n->add_mult[1], (int)n->add_shift[1],
			    n->mult >= 0 ? (int)ig->i32[n->mult] : 0, (int)ig->i32[n->shift], (int)y->zp,
			    (int)n->act_min, (int)n->act_max, ig->pow2 ? 1 : 0);
			break;
		}
		case QF_IOP_COUNT:
			break;
		}
		if (weighted(n)) {
			char m[80];
			if (n->mult >= 0)
				snprintf(m, sizeof m, "qf_%s_m%d", nm, i);
			else
				snprintf(m, sizeof m, "0");
			qf_sbuf_printf(b, "static const qf_rt_requant L%d_rq = {%s, qf_%s_n%d, %d, %d, %d};\n", i, m, nm, i, (int)y->zp,
			    (int)n->act_min, (int)n->act_max);
		}
		if (sp == QF_SPEC_NODSP) {
			qf_sbuf_printf(b, "#else\n");
			qf_cgen_spec_layer(b, ig, nm, i);
			qf_sbuf_printf(b, "#endif\n");
		}
	}
	const qf_itensor *in = &ig->t[ig->input], *lo = &ig->t[ig->output];
	qf_sbuf_printf(b,
	    "\nint qf_%s_run(const uint8_t *in, int8_t *out_logits, void *arena)\n{\n"
	    "\tint8_t *a = (int8_t *)arena;\n\tqf_rt_status st = QF_RT_OK;\n\tint32_t i;\n\n"
	    "\tif (!in || !out_logits || !arena)\n\t\treturn QF_RT_ERR_NULL;\n"
	    "\tif ((uintptr_t)arena & 3u)\n\t\treturn QF_RT_ERR_SCRATCH;\n"
	    "\t/* raw byte b is the int8 value b - 128 */\n"
	    "\tfor (i = 0; i < %lld; i++)\n\t\ta[%lld + i] = (int8_t)(in[i] ^ 0x80u);\n",
	    nm, (long long)qf_itensor_elems(in), (long long)in->offset);
	for (int i = 0; i < ig->nn; i++) {
		const qf_inode *n = &ig->n[i];
		const char *k = kernel_of(ig, n, ref);
		long long xo = ig->t[n->in[0]].offset, yo = ig->t[n->out].offset;
		qf_sbuf_printf(b, "\tQF_LAYER_HOOK(%d);\n", i);
		qf_spec sp = ref ? QF_SPEC_NONE : qf_cgen_spec(ig, n);
		if (sp == QF_SPEC_ALWAYS) {
			qf_cgen_spec_call(b, ig, i);
			continue;
		}
		if (sp == QF_SPEC_NODSP) {
			qf_sbuf_printf(b, "#if !defined(__ARM_FEATURE_DSP)\n");
			qf_cgen_spec_call(b, ig, i);
			qf_sbuf_printf(b, "#else\n");
		}
		if (n->nparts) {
			split_calls(b, ig, nm, i, ref);
			continue;
		}
		if (weighted(n)) {
			char bias[80];
			if (n->bias >= 0)
				snprintf(bias, sizeof bias, "qf_%s_b%d", nm, i);
			else
				snprintf(bias, sizeof bias, "0");
			if (ref)
				qf_sbuf_printf(b, "\tst = %s(&L%d, &L%d_rq, a + %lld, qf_%s_w%d, %s, a + %lld);\n", k, i, i, xo, nm, i,
				    bias, yo);
			else
				qf_sbuf_printf(b, "\tst = %s(&L%d, &L%d_rq, a + %lld, qf_%s_w%d, %s, a + %lld, a + %lld, %lld);\n", k, i,
				    i, xo, nm, i, bias, yo, (long long)n->scratch_off, (long long)n->scratch);
		} else if (n->op == QF_IOP_ADD) {
			qf_sbuf_printf(b, "\tst = %s(&L%d, a + %lld, a + %lld, a + %lld);\n", k, i, xo,
			    (long long)ig->t[n->in[1]].offset, yo);
		} else {
			qf_sbuf_printf(b, "\tst = %s(&L%d, a + %lld, a + %lld);\n", k, i, xo, yo);
		}
		qf_sbuf_printf(b, "\tif (st != QF_RT_OK)\n\t\treturn st;\n");
		if (sp == QF_SPEC_NODSP)
			qf_sbuf_printf(b, "#endif\n");
	}
	qf_sbuf_printf(b, "\tQF_LAYER_HOOK(%d);\n", ig->nn);
	qf_sbuf_printf(b, "\tfor (i = 0; i < %d; i++)\n\t\tout_logits[i] = a[%lld + i];\n\treturn st;\n}\n", ig->classes,
	    (long long)lo->offset);
}

static void model_mk(qf_sbuf *b, const char *nm, char (*files)[64], int nf)
{
	char up[64];
	qf_cgen_upper(nm, up, sizeof up);
	qf_sbuf_printf(b,
	    "# model.mk: the sources of model %s (generated by qforge; do not edit).\n"
	    "# Include it from a Makefile and compile $(QF_%s_SRC) with $(QF_%s_CFLAGS),\n"
	    "# C99 or later; e.g. for a Cortex-M4:\n"
	    "#   arm-none-eabi-gcc -std=c99 -O2 -ffreestanding -mthumb -mcpu=cortex-m4 $(QF_%s_CFLAGS) -c ...\n"
	    "# The runtime kernels use the DSP instructions when __ARM_FEATURE_DSP is set\n"
	    "# (-mcpu=cortex-m4/m7/m33), portable C otherwise.\n"
	    "QF_%s_DIR := $(dir $(lastword $(MAKEFILE_LIST)))\n"
	    "QF_%s_SRC := $(addprefix $(QF_%s_DIR),model.c weights.c",
	    nm, up, up, up, up, up, up);
	for (int i = 0; i < nf; i++)
		if (strstr(files[i], ".c"))
			qf_sbuf_printf(b, " %s", files[i]);
	qf_sbuf_printf(b, ")\nQF_%s_CFLAGS := -I$(QF_%s_DIR)\n", up, up);
}

/* ------------------------------------------------------------ files on disk */

static bool readable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *qf_source_file(const char *rel, size_t *len, qf_diag *d)
{
	size_t n;
	const char *e = qf_embedded_file(rel, &n);
	if (e) {
		char *p = qf_xmalloc(n + 1);
		memcpy(p, e, n);
		p[n] = 0;
		if (len)
			*len = n;
		return p;
	}
	/* not embedded: the source tree, wherever it can be found */
	char *dirs[3] = {NULL, NULL, NULL};
	const char *env = getenv("QFORGE_SRC");
	if (env && *env)
		dirs[0] = qf_xstrdup(env);
	char exe[4096];
	ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (k > 0) {
		exe[k] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			dirs[1] = qf_path_join(exe, "..");
		}
	}
	dirs[2] = qf_xstrdup(".");
	char *found = NULL;
	for (int i = 0; i < 3 && !found; i++) {
		if (!dirs[i])
			continue;
		char *p = qf_path_join(dirs[i], rel);
		if (readable(p))
			found = p;
		else
			free(p);
	}
	for (int i = 0; i < 3; i++)
		free(dirs[i]);
	if (!found) {
		qf_diag_error(d, (qf_loc){0, 0},
			      "cannot find '%s': this qforge binary does not embed it, and it is not under $QFORGE_SRC, "
			      "the folder above the binary or the current folder; set QFORGE_SRC to the qforge source tree",
			      rel);
		return NULL;
	}
	char *text = NULL;
	size_t tl = 0;
	if (qf_read_file(found, 16L << 20, &text, &tl, d) != 0)
		text = NULL;
	free(found);
	if (text && len)
		*len = tl;
	return text;
}

/* ------------------------------------------------------------ the folder, atomically */

static const char *const rt_headers[] = {"qf_runtime.h", "qf_simd.h",     "requant.h",
					 "conv_core.h",  "dwconv_core.h", "pool_check.h"};
enum { N_RT_HEADERS = sizeof rt_headers / sizeof rt_headers[0] };
/* Removes a folder of ours (a temporary, or an old emission): its regular
 * files and its ref/ folder of regular files. Anything else someone put
 * there keeps it alive. */
/* The runtime files the folder needs, as paths inside it (the same inside
 * runtime/): the headers, the kernels called and scratch.c (the kernels
 * check their scratch with it); or, for the reference kernels, their
 * ref/ files and the two headers they include. Returns how many. */
static int runtime_files(const qf_igraph *ig, bool ref, char files[][64])
{
	int nf = 0;
	const char *k[QF_CGEN_MAX_KERNELS];
	int nk = kernels(ig, k, ref);
	if (ref) {
		snprintf(files[nf++], 64, "qf_runtime.h");
		snprintf(files[nf++], 64, "requant.h");
		snprintf(files[nf++], 64, "ref/ref.h");
		for (int i = 0; i < nk; i++)
			snprintf(files[nf++], 64, "ref/%s_ref.c", k[i] + 7);
	} else {
		for (int i = 0; i < N_RT_HEADERS; i++)
			snprintf(files[nf++], 64, "%s", rt_headers[i]);
		for (int i = 0; i < nk; i++)
			snprintf(files[nf++], 64, "%s.c", k[i] + 3);
		bool scratch = false;
		for (int i = 0; i < ig->nn; i++)
			scratch |= weighted(&ig->n[i]);
		if (scratch)
			snprintf(files[nf++], 64, "scratch.c");
	}
	return nf;
}

int qf_cgen_emit(const qf_igraph *ig, const qf_cgen_opts *o, qf_cgen_summary *s, qf_diag *d)
{
	QF_ASSERT(ig->stage == QF_ISTAGE_PLANNED);
	qf_cgen_summary local;
	if (!s)
		s = &local;
	qf_cgen_measure(ig, o->name, s);
	const char *nm = s->name;
	qf_outdir od;
	if (qf_outdir_open(&od, o->out_dir, d) != 0)
		return -1;
	const char *tmp = od.tmp;
	int rc = 0;
	qf_sbuf mh = {0}, mc = {0}, wh = {0}, wc = {0}, mk = {0};
	char files[N_RT_HEADERS + QF_CGEN_MAX_KERNELS + 4][64];
	int nf = runtime_files(ig, o->ref_kernels, files);
	model_h(&mh, ig, nm, o->source);
	model_c(&mc, ig, nm, o->ref_kernels);
	weights_files(&wh, &wc, ig, nm, o->ref_kernels);
	model_mk(&mk, nm, files, nf);
	rc |= qf_write_file(tmp, "model.h", mh.p, mh.n, d);
	rc |= qf_write_file(tmp, "model.c", mc.p, mc.n, d);
	rc |= qf_write_file(tmp, "weights.h", wh.p, wh.n, d);
	rc |= qf_write_file(tmp, "weights.c", wc.p, wc.n, d);
	rc |= qf_write_file(tmp, "model.mk", mk.p, mk.n, d);
	if (o->ref_kernels)
		rc |= qf_outdir_mkdir(&od, "ref", d);
	for (int i = 0; i < nf && !rc; i++) {
		char rel[96];
		snprintf(rel, sizeof rel, "runtime/%.63s", files[i]);
		size_t len;
		char *text = qf_source_file(rel, &len, d);
		if (!text) {
			rc = -1;
			break;
		}
		rc |= qf_write_file(tmp, files[i], text, len, d);
		free(text);
	}
	free(mh.p);
	free(mc.p);
	free(wh.p);
	free(wc.p);
	free(mk.p);
	if (rc) {
		qf_outdir_abort(&od);
		return -1;
	}
	return qf_outdir_commit(&od, d);
}

/* ------------------------------------------------------------ fit */

int qf_cgen_check_fit(const qf_igraph *ig, const qf_cgen_summary *s, const qf_target *t, qf_diag *d)
{
	int64_t flash = s->const_bytes + s->code_bytes, ram = s->arena_bytes + s->stack_bytes;
	int bad = 0;
	if (flash > t->flash) {
		qf_diag_error(d, (qf_loc){0, 0},
			      "model '%s' does not fit the flash of %s: it needs %lld bytes (constants %lld + code about "
			      "%lld), the target has %lld: %lld bytes too many",
			      ig->name, t->name, (long long)flash, (long long)s->const_bytes, (long long)s->code_bytes,
			      (long long)t->flash, (long long)(flash - t->flash));
		for (int i = 0; i < ig->nn; i++)
			qf_diag_note(d, (qf_loc){0, 0}, "layer %s (%s): %lld bytes of weights and constants", ig->n[i].name,
				     qf_iop_name[ig->n[i].op], (long long)node_const(ig, &ig->n[i]));
		bad++;
	}
	if (ram > t->ram) {
		qf_diag_error(d, (qf_loc){0, 0},
			      "model '%s' does not fit the RAM of %s: it needs %lld bytes (arena %lld + stack about "
			      "%lld), the target has %lld: %lld bytes too many",
			      ig->name, t->name, (long long)ram, (long long)s->arena_bytes, (long long)s->stack_bytes,
			      (long long)t->ram, (long long)(ram - t->ram));
		for (int i = 0; i < ig->nn; i++) {
			int64_t live = ig->n[i].scratch;
			for (int j = 0; j < ig->nt; j++)
				if (ig->t[j].first <= i && ig->t[j].last >= i)
					live += ig->t[j].bytes;
			qf_diag_note(d, (qf_loc){0, 0}, "layer %s (%s): %lld bytes live while it runs (inputs, output, scratch)",
				     ig->n[i].name, qf_iop_name[ig->n[i].op], (long long)live);
		}
		bad++;
	}
	return bad ? -1 : 0;
}
