/* intgraph.c: the Int Graph (see ir.h): building, freeing, the verifier
 * and the text form.
 *
 * What each stage promises (checked by qf_igraph_verify):
 *   fused      every index in range; nodes in execution order, each input
 *              produced by an earlier node or the network input, each
 *              output produced by its node alone; positive shapes that agree
 *              with the op (conv/pool window arithmetic, depthwise and pools
 *              keep channels, fc gives 1x1xC, add inputs equal the output);
 *              0 <= pad < kernel, stride >= 1.
 *   quantized  + activations at 8 or 4 bits with zero points in range and
 *              byte sizes that match; the input and logits at 8 bits;
 *              weights at 8, 4 or 2 bits, rows * packed row bytes inside
 *              ig->w; biases, multipliers (none in pow2 mode, else >= 1) and
 *              shifts (-31..30) inside ig->i32, biases stored as int32 or
 *              as int16 times 2^(0..16); clamps inside the output
 *              type; pools and adds on 8-bit tensors, pools keeping the zero
 *              point; depthwise on 8-bit tensors; a split conv or fc
 *              (weights of different widths) has runs of channels that
 *              cover its output in order, packed one after the other, each
 *              starting on a byte of a 4-bit output.
 *   planned    + every tensor and scratch buffer inside the arena, scratch
 *              4-byte aligned, liveness equal to what the nodes say, and no
 *              two buffers live at the same node overlapping unless they are
 *              an input and output the node may share in place (same offset).
 * The first violation is described in a thread-local buffer (messages only).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

const char *const qf_iop_name[QF_IOP_COUNT] = {
#define X(id, name) name,
	QF_IOPS(X)
#undef X
};

qf_igraph *qf_igraph_new(const char *name)
{
	qf_igraph *ig = qf_xcalloc(1, sizeof(*ig));
	ig->name = qf_xstrdup(name ? name : "net");
	ig->input = ig->output = -1;
	return ig;
}

void qf_igraph_free(qf_igraph *ig)
{
	if (!ig)
		return;
	free(ig->name);
	free(ig->t);
	free(ig->n);
	free(ig->w);
	free(ig->i32);
	free(ig->part);
	free(ig);
}

int qf_igraph_add_tensor(qf_igraph *ig, const char *name, int h, int w, int c, int src)
{
	qf_grow(&ig->t, &ig->capt, ig->nt + 1, sizeof(qf_itensor));
	qf_itensor *t = &ig->t[ig->nt];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof t->name, "%.47s", name);
	t->h = h;
	t->w = w;
	t->c = c;
	t->src = src;
	t->producer = -1;
	t->offset = -1;
	t->first = t->last = -1;
	return ig->nt++;
}

int qf_igraph_add_node(qf_igraph *ig, qf_iop op, const char *name, int in0, int in1, int out, int src)
{
	qf_grow(&ig->n, &ig->capn, ig->nn + 1, sizeof(qf_inode));
	qf_inode *n = &ig->n[ig->nn];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof n->name, "%.47s", name);
	n->op = op;
	n->in[0] = in0;
	n->in[1] = in1;
	n->out = out;
	n->src = src;
	n->wsrc = n->bsrc = -1;
	n->k_h = n->k_w = n->stride = 1;
	n->bias = n->mult = n->shift = -1;
	n->scratch_off = -1;
	if (out >= 0 && out < ig->nt)
		ig->t[out].producer = ig->nn;
	return ig->nn++;
}

/* Packed weights and biases at their storage width. */
static int64_t weight_bias_bytes(const qf_igraph *ig, const qf_inode *n)
{
	return n->w_bytes + (n->bias >= 0 ? (int64_t)ig->t[n->out].c * (n->bias_bits == 16 ? 2 : 4) : 0);
}

int64_t qf_igraph_weight_bias_bytes(const qf_igraph *ig)
{
	int64_t b = 0;
	for (int i = 0; i < ig->nn; i++)
		b += weight_bias_bytes(ig, &ig->n[i]);
	return b;
}

int64_t qf_inode_const_bytes(const qf_igraph *ig, const qf_inode *n)
{
	int64_t ch = n->op == QF_IOP_ADD ? 1 : ig->t[n->out].c, b = weight_bias_bytes(ig, n);
	if (n->mult >= 0)
		b += 4 * ch;
	if (n->shift >= 0)
		b += ch;
	return b;
}

int64_t qf_igraph_const_bytes(const qf_igraph *ig)
{
	int64_t b = 0;
	for (int i = 0; i < ig->nn; i++)
		b += qf_inode_const_bytes(ig, &ig->n[i]);
	return b;
}

int64_t qf_igraph_alloc_i32(qf_igraph *ig, int64_t n)
{
	int64_t off = ig->ni32;
	qf_grow(&ig->i32, &ig->capi32, off + n, sizeof(int32_t));
	ig->ni32 += n;
	return off;
}

int64_t qf_igraph_alloc_w(qf_igraph *ig, int64_t n)
{
	int64_t off = ig->nw;
	qf_grow(&ig->w, &ig->capw, off + n, 1);
	memset(ig->w + off, 0, (size_t)n);
	ig->nw += n;
	return off;
}

int64_t qf_inode_row_len(const qf_igraph *ig, const qf_inode *n)
{
	const qf_itensor *in = &ig->t[n->in[0]];
	switch (n->op) {
	case QF_IOP_CONV:
		return (int64_t)n->k_h * n->k_w * in->c;
	case QF_IOP_DWCONV:
		return in->c;
	case QF_IOP_FC:
		return qf_itensor_elems(in);
	default:
		return 0;
	}
}

int64_t qf_inode_rows(const qf_igraph *ig, const qf_inode *n)
{
	switch (n->op) {
	case QF_IOP_CONV:
	case QF_IOP_FC:
		return ig->t[n->out].c;
	case QF_IOP_DWCONV:
		return (int64_t)n->k_h * n->k_w;
	default:
		return 0;
	}
}

int qf_igraph_add_part(qf_igraph *ig, qf_ipart p)
{
	qf_grow(&ig->part, &ig->cappart, ig->npart + 1, sizeof(qf_ipart));
	ig->part[ig->npart] = p;
	return ig->npart++;
}

int64_t qf_inode_wrow(const qf_igraph *ig, const qf_inode *n, int oc, int *bits)
{
	QF_ASSERT(n->op == QF_IOP_CONV || n->op == QF_IOP_FC);
	int64_t len = qf_inode_row_len(ig, n);
	for (int k = 0; k < n->nparts; k++) {
		const qf_ipart *p = &ig->part[n->part + k];
		if (oc >= p->c0 && oc < p->c1) {
			*bits = p->w_bits;
			return p->w_off + (oc - p->c0) * qf_packed_row_bytes(len, p->w_bits);
		}
	}
	QF_ASSERT(n->nparts == 0);
	*bits = n->w_bits;
	return n->w_off + oc * qf_packed_row_bytes(len, n->w_bits);
}

int qf_inode_runs(const qf_igraph *ig, const qf_inode *n, qf_ipart *p, int max)
{
	if (!n->nparts) {
		if (max > 0)
			p[0] = (qf_ipart){0, ig->t[n->out].c, n->w_bits, n->w_off, n->w_bytes};
		return 1;
	}
	for (int k = 0; k < n->nparts && k < max; k++)
		p[k] = ig->part[n->part + k];
	return n->nparts;
}

bool qf_inode_in_place(const qf_igraph *ig, int i)
{
	const qf_inode *n = &ig->n[i];
	switch (n->op) {
	case QF_IOP_ADD:
		/* out[i] is computed from a[i] and b[i], both read first */
		return true;
	case QF_IOP_MAXPOOL:
	case QF_IOP_AVGPOOL: {
		/* Without padding, output pixel (oy, ox) sits at or before the
		 * first input pixel of its window, and every later window starts
		 * after it; the kernels read a window (per channel group) before
		 * storing it. */
		const qf_itensor *in = &ig->t[n->in[0]], *out = &ig->t[n->out];
		return n->pad_top == 0 && n->pad_left == 0 && out->w <= in->w && out->h <= in->h;
	}
	default:
		return false;
	}
}

/* ------------------------------------------------------------ verifier */

static _Thread_local char msg[320];

__attribute__((format(printf, 1, 2))) static const char *bad(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return msg;
}

static bool has_weights(qf_iop op)
{
	return op == QF_IOP_CONV || op == QF_IOP_DWCONV || op == QF_IOP_FC;
}

static const char *check_structure(const qf_igraph *ig)
{
	if (ig->input < 0 || ig->input >= ig->nt)
		return bad("input %d out of range (%d tensors)", ig->input, ig->nt);
	if (ig->output < 0 || ig->output >= ig->nt)
		return bad("output %d out of range (%d tensors)", ig->output, ig->nt);
	if (ig->t[ig->input].producer != -1)
		return bad("input '%s' has a producer", ig->t[ig->input].name);
	for (int i = 0; i < ig->nt; i++) {
		const qf_itensor *t = &ig->t[i];
		if (!memchr(t->name, 0, sizeof t->name))
			return bad("tensor %d: name not terminated", i);
		if (t->h < 1 || t->w < 1 || t->c < 1 || t->h > QF_LIMIT_SPATIAL || t->w > QF_LIMIT_SPATIAL ||
		    t->c > QF_LIMIT_CHANNELS)
			return bad("tensor '%s': shape %dx%dx%d", t->name, t->h, t->w, t->c);
		if (i != ig->input && (t->producer < 0 || t->producer >= ig->nn || ig->n[t->producer].out != i))
			return bad("tensor '%s': producer %d does not write it", t->name, t->producer);
	}
	for (int i = 0; i < ig->nn; i++) {
		const qf_inode *n = &ig->n[i];
		if (!memchr(n->name, 0, sizeof n->name))
			return bad("node %d: name not terminated", i);
		if ((int)n->op < 0 || n->op >= QF_IOP_COUNT)
			return bad("node '%s': op %d", n->name, (int)n->op);
		int n_in = n->op == QF_IOP_ADD ? 2 : 1;
		for (int k = 0; k < 2; k++) {
			int t = n->in[k];
			if (k >= n_in) {
				if (t != -1)
					return bad("node '%s': input %d set on a %s", n->name, k, qf_iop_name[n->op]);
				continue;
			}
			if (t < 0 || t >= ig->nt)
				return bad("node '%s': input %d is %d", n->name, k, t);
			if (t != ig->input && ig->t[t].producer >= i)
				return bad("node '%s': input '%s' is produced later", n->name, ig->t[t].name);
		}
		if (n->out < 0 || n->out >= ig->nt || ig->t[n->out].producer != i)
			return bad("node '%s': output %d is not its own", n->name, n->out);
		if ((int)n->act < 0 || n->act >= QF_ACT_COUNT || n->act == QF_ACT_HSWISH)
			return bad("node '%s': fused activation %d", n->name, (int)n->act);
		const qf_itensor *x = &ig->t[n->in[0]], *y = &ig->t[n->out];
		if (n->op != QF_IOP_FC && n->op != QF_IOP_ADD) {
			if (n->k_h < 1 || n->k_w < 1 || n->stride < 1 || n->pad_top < 0 || n->pad_left < 0 ||
			    n->pad_top >= n->k_h || n->pad_left >= n->k_w)
				return bad("node '%s': window %dx%d stride %d pad %d,%d", n->name, n->k_h, n->k_w,
					   n->stride, n->pad_top, n->pad_left);
			int oh = (x->h + 2 * n->pad_top - n->k_h) / n->stride + 1;
			int ow = (x->w + 2 * n->pad_left - n->k_w) / n->stride + 1;
			if (x->h + 2 * n->pad_top < n->k_h || x->w + 2 * n->pad_left < n->k_w || y->h != oh ||
			    y->w != ow)
				return bad("node '%s': output %dx%d, window arithmetic gives %dx%d", n->name, y->h, y->w,
					   oh, ow);
			if ((y->h - 1) * n->stride - n->pad_top >= x->h || (y->w - 1) * n->stride - n->pad_left >= x->w)
				return bad("node '%s': a window lies wholly in the padding", n->name);
		}
		switch (n->op) {
		case QF_IOP_DWCONV:
		case QF_IOP_MAXPOOL:
		case QF_IOP_AVGPOOL:
			if (y->c != x->c)
				return bad("node '%s': %d channels in, %d out", n->name, x->c, y->c);
			break;
		case QF_IOP_FC:
			if (y->h != 1 || y->w != 1)
				return bad("node '%s': fc output %dx%dx%d", n->name, y->h, y->w, y->c);
			break;
		case QF_IOP_ADD: {
			const qf_itensor *b = &ig->t[n->in[1]];
			if (x->h != y->h || x->w != y->w || x->c != y->c || b->h != y->h || b->w != y->w ||
			    b->c != y->c)
				return bad("node '%s': add of unequal shapes", n->name);
			break;
		}
		default:
			break;
		}
		if (has_weights(n->op) != (n->wsrc >= 0))
			return bad("node '%s': weight source %d on a %s", n->name, n->wsrc, qf_iop_name[n->op]);
	}
	return NULL;
}

static bool zp_ok(int32_t zp, int bits)
{
	int32_t lo = bits == 8 ? -128 : -8, hi = bits == 8 ? 127 : 7;
	return zp >= lo && zp <= hi;
}

static bool i32_range(const qf_igraph *ig, int64_t off, int64_t n)
{
	return off >= 0 && n >= 0 && off <= ig->ni32 - n;
}

/* A bias stored as int16 holds values b * 2^bias_shift with b in int16. */
static const char *check_bias_format(const qf_igraph *ig, const qf_inode *n, int64_t nch)
{
	if (n->bias == -1)
		return n->bias_bits == 16 ? bad("node '%s': bias format without biases", n->name) : NULL;
	if (n->bias_bits == 32 || n->bias_bits == 0)
		return n->bias_shift == 0 ? NULL : bad("node '%s': int32 biases with a shift", n->name);
	if (n->bias_bits != 16 || n->bias_shift < 0 || n->bias_shift > 16)
		return bad("node '%s': biases of %d bits shifted by %d", n->name, n->bias_bits, n->bias_shift);
	for (int64_t c = 0; c < nch; c++) {
		int64_t v = ig->i32[n->bias + c], q = v / ((int64_t)1 << n->bias_shift);
		if (q * ((int64_t)1 << n->bias_shift) != v || q < INT16_MIN || q > INT16_MAX)
			return bad("node '%s': bias %lld of channel %lld is no int16 times 2^%d", n->name, (long long)v,
				   (long long)c, n->bias_shift);
	}
	return NULL;
}

/* The runs of a split layer: a conv or fc, at least two, covering the
 * output channels in order, each at a kernel's width and wider than none
 * of n->w_bits, its rows packed where the one before ends, starting on a
 * byte for 4-bit output (a kernel call gets a byte pointer). */
static const char *check_parts(const qf_igraph *ig, const qf_inode *n)
{
	if (!n->nparts)
		return n->part ? bad("node '%s': part %d without parts", n->name, n->part) : NULL;
	if (n->op != QF_IOP_CONV && n->op != QF_IOP_FC)
		return bad("node '%s': a %s split into runs of channels", n->name, qf_iop_name[n->op]);
	if (n->nparts < 2 || n->part < 0 || n->part > ig->npart - n->nparts)
		return bad("node '%s': parts [%d, +%d) of %d", n->name, n->part, n->nparts, ig->npart);
	const qf_itensor *y = &ig->t[n->out];
	int64_t len = qf_inode_row_len(ig, n), off = n->w_off;
	int c = 0, widest = 0;
	for (int k = 0; k < n->nparts; k++) {
		const qf_ipart *p = &ig->part[n->part + k];
		if (p->c0 != c || p->c1 <= p->c0 || p->c1 > y->c)
			return bad("node '%s': run %d is channels [%d, %d), expected from %d", n->name, k, p->c0, p->c1, c);
		if (p->w_bits != 8 && p->w_bits != 4 && p->w_bits != 2)
			return bad("node '%s': run %d at %d bits", n->name, k, p->w_bits);
		if (p->w_off != off || p->w_bytes != (p->c1 - p->c0) * qf_packed_row_bytes(len, p->w_bits))
			return bad("node '%s': run %d weights [%lld, +%lld)", n->name, k, (long long)p->w_off,
				   (long long)p->w_bytes);
		if (y->bits == 4 && (p->c0 & 1))
			return bad("node '%s': run %d starts at odd channel %d of a 4-bit output", n->name, k, p->c0);
		off += p->w_bytes;
		c = p->c1;
		widest = p->w_bits > widest ? p->w_bits : widest;
	}
	if (c != y->c)
		return bad("node '%s': runs cover %d of %d channels", n->name, c, y->c);
	if (widest != n->w_bits)
		return bad("node '%s': w_bits %d, widest run %d", n->name, n->w_bits, widest);
	return NULL;
}

static const char *check_quantized(const qf_igraph *ig)
{
	for (int i = 0; i < ig->nt; i++) {
		const qf_itensor *t = &ig->t[i];
		if (t->bits != 8 && t->bits != 4)
			return bad("tensor '%s': %d bits", t->name, t->bits);
		if (!zp_ok(t->zp, t->bits))
			return bad("tensor '%s': zero point %d at %d bits", t->name, t->zp, t->bits);
		if (t->bytes != qf_act_bytes(qf_itensor_elems(t), t->bits))
			return bad("tensor '%s': %lld bytes", t->name, (long long)t->bytes);
		if (!(t->scale > 0))
			return bad("tensor '%s': scale %g", t->name, t->scale);
	}
	if (ig->t[ig->input].bits != 8 || ig->t[ig->output].bits != 8)
		return bad("the input and the logits must be 8-bit");
	for (int i = 0; i < ig->nn; i++) {
		const qf_inode *n = &ig->n[i];
		const qf_itensor *x = &ig->t[n->in[0]], *y = &ig->t[n->out];
		int32_t lo = y->bits == 8 ? -128 : -8, hi = y->bits == 8 ? 127 : 7;
		if (n->act_min < lo || n->act_max > hi || n->act_min > n->act_max)
			return bad("node '%s': clamp [%d, %d] at %d bits", n->name, n->act_min, n->act_max, y->bits);
		if (n->scratch < 0 || n->scratch % 4)
			return bad("node '%s': scratch %lld", n->name, (long long)n->scratch);
		int64_t nch = n->op == QF_IOP_ADD ? 1 : y->c;
		if (has_weights(n->op)) {
			if (n->w_bits != 8 && n->w_bits != 4 && n->w_bits != 2)
				return bad("node '%s': %d-bit weights", n->name, n->w_bits);
			const char *why = check_parts(ig, n);
			if (why)
				return why;
			int64_t want = qf_inode_rows(ig, n) * qf_packed_row_bytes(qf_inode_row_len(ig, n), n->w_bits);
			if (n->nparts) /* check_parts: the runs lie one after the other */
				want = ig->part[n->part + n->nparts - 1].w_off + ig->part[n->part + n->nparts - 1].w_bytes -
				       n->w_off;
			if (n->w_bytes != want || n->w_off < 0 || n->w_off > ig->nw - n->w_bytes)
				return bad("node '%s': weights [%lld, +%lld), expected %lld bytes inside %lld", n->name,
					   (long long)n->w_off, (long long)n->w_bytes, (long long)want, (long long)ig->nw);
			if (n->bias != -1 && !i32_range(ig, n->bias, nch))
				return bad("node '%s': bias outside the ints", n->name);
			const char *bwhy = check_bias_format(ig, n, nch);
			if (bwhy)
				return bwhy;
			if (n->op == QF_IOP_DWCONV && (x->bits != 8 || y->bits != 8))
				return bad("node '%s': depthwise on %d-bit input, %d-bit output", n->name, x->bits,
					   y->bits);
		} else if (n->w_bits != 0 || n->bias != -1) {
			return bad("node '%s': weights on a %s", n->name, qf_iop_name[n->op]);
		}
		if (has_weights(n->op) || n->op == QF_IOP_ADD) {
			if (!i32_range(ig, n->shift, nch))
				return bad("node '%s': shifts outside the ints", n->name);
			if (ig->pow2 != (n->mult == -1))
				return bad("node '%s': multipliers %s in %s mode", n->name, n->mult == -1 ? "missing" : "present",
					   ig->pow2 ? "power-of-two" : "multiplier");
			if (n->mult != -1 && !i32_range(ig, n->mult, nch))
				return bad("node '%s': multipliers outside the ints", n->name);
			for (int64_t c = 0; c < nch; c++) {
				int32_t s = ig->i32[n->shift + c];
				if (s < -31 || s > 30)
					return bad("node '%s': shift %d of channel %lld", n->name, s, (long long)c);
				if (n->mult != -1 && ig->i32[n->mult + c] < 1)
					return bad("node '%s': multiplier %d of channel %lld", n->name, ig->i32[n->mult + c],
						   (long long)c);
			}
		}
		switch (n->op) {
		case QF_IOP_MAXPOOL:
		case QF_IOP_AVGPOOL:
			if (x->bits != 8 || y->bits != 8 || x->zp != y->zp)
				return bad("node '%s': pool from %d bits zp %d to %d bits zp %d", n->name, x->bits, x->zp,
					   y->bits, y->zp);
			break;
		case QF_IOP_ADD:
			if (x->bits != 8 || y->bits != 8 || ig->t[n->in[1]].bits != 8)
				return bad("node '%s': add of tensors that are not 8-bit", n->name);
			if (n->add_ls < 0 || n->add_ls > 20)
				return bad("node '%s': add left shift %d", n->name, n->add_ls);
			for (int k = 0; k < 2; k++)
				if (n->add_shift[k] < -31 || n->add_shift[k] > 0 || (!ig->pow2 && n->add_mult[k] < 1))
					return bad("node '%s': add input %d rescale %d, %d", n->name, k, n->add_mult[k],
						   n->add_shift[k]);
			break;
		default:
			break;
		}
	}
	return NULL;
}

/* One buffer of the arena for the overlap check. */
typedef struct {
	int64_t lo, hi;
	int first, last;
	int tensor;                  /* -1 for a node's scratch */
	int node;                    /* the scratch's node */
} buffer;

static bool may_share(const qf_igraph *ig, const buffer *a, const buffer *b)
{
	/* an input and the output of the node where the input dies, in place */
	for (int pass = 0; pass < 2; pass++) {
		const buffer *x = pass ? b : a, *y = pass ? a : b;
		if (x->tensor < 0 || y->tensor < 0 || x->lo != y->lo)
			continue;
		int i = ig->t[y->tensor].producer;
		if (i < 0 || x->last != i || y->first != i || !qf_inode_in_place(ig, i))
			continue;
		const qf_inode *n = &ig->n[i];
		if (n->in[0] == x->tensor || (n->op == QF_IOP_ADD && n->in[1] == x->tensor))
			return true;
	}
	return false;
}

static const char *check_planned(const qf_igraph *ig)
{
	if (ig->arena_bytes < 0 || ig->naive_bytes < ig->arena_bytes || ig->live_peak_bytes > ig->arena_bytes)
		return bad("arena %lld bytes, naive %lld, live peak %lld", (long long)ig->arena_bytes,
			   (long long)ig->naive_bytes, (long long)ig->live_peak_bytes);
	buffer *b = qf_xcalloc((size_t)(ig->nt + ig->nn), sizeof(buffer));
	int nb = 0;
	const char *why = NULL;
	for (int i = 0; i < ig->nt && !why; i++) {
		const qf_itensor *t = &ig->t[i];
		int first = t->producer, last = i == ig->output ? ig->nn : first;
		for (int j = 0; j < ig->nn; j++)
			if (ig->n[j].in[0] == i || ig->n[j].in[1] == i)
				last = j > last ? j : last;
		if (t->first != first || t->last != last)
			why = bad("tensor '%s': live %d..%d, the nodes say %d..%d", t->name, t->first, t->last, first, last);
		else if (t->offset < 0 || t->offset > ig->arena_bytes - t->bytes)
			why = bad("tensor '%s': [%lld, +%lld) outside the %lld-byte arena", t->name, (long long)t->offset,
				  (long long)t->bytes, (long long)ig->arena_bytes);
		else
			b[nb++] = (buffer){t->offset, t->offset + t->bytes, first, last, i, -1};
	}
	for (int i = 0; i < ig->nn && !why; i++) {
		const qf_inode *n = &ig->n[i];
		if (!n->scratch) {
			if (n->scratch_off != -1)
				why = bad("node '%s': scratch placed but none needed", n->name);
			continue;
		}
		if (n->scratch_off < 0 || n->scratch_off % 4 || n->scratch_off > ig->arena_bytes - n->scratch)
			why = bad("node '%s': scratch at %lld (%lld bytes) misplaced", n->name, (long long)n->scratch_off,
				  (long long)n->scratch);
		else
			b[nb++] = (buffer){n->scratch_off, n->scratch_off + n->scratch, i, i, -1, i};
	}
	for (int i = 0; i < nb && !why; i++)
		for (int j = i + 1; j < nb && !why; j++) {
			const buffer *x = &b[i], *y = &b[j];
			if (x->last < y->first || y->last < x->first || x->hi <= y->lo || y->hi <= x->lo)
				continue;
			if (x->lo == x->hi || y->lo == y->hi || may_share(ig, x, y))
				continue;
			why = bad("%s '%s' and %s '%s' are live together and overlap in the arena",
				  x->tensor >= 0 ? "tensor" : "scratch of",
				  x->tensor >= 0 ? ig->t[x->tensor].name : ig->n[x->node].name,
				  y->tensor >= 0 ? "tensor" : "scratch of",
				  y->tensor >= 0 ? ig->t[y->tensor].name : ig->n[y->node].name);
		}
	free(b);
	return why;
}

const char *qf_igraph_verify(const qf_igraph *ig)
{
	const char *why = check_structure(ig);
	if (!why && ig->stage >= QF_ISTAGE_QUANTIZED)
		why = check_quantized(ig);
	if (!why && ig->stage >= QF_ISTAGE_PLANNED)
		why = check_planned(ig);
	return why;
}

void qf_igraph_verify_or_die(const qf_igraph *ig, const char *file, int line)
{
	const char *why = qf_igraph_verify(ig);
	if (why)
		qf_die("%s:%d: Int Graph '%s' broken: %s", file, line, ig->name, why);
}

/* ------------------------------------------------------------ text */

static const char *const stage_name[] = {"fused", "quantized", "planned"};

void qf_igraph_print(FILE *f, const qf_igraph *ig)
{
	fprintf(f, "int graph %s: %d layers, %s, %s\n", ig->name, ig->nn, stage_name[ig->stage],
		ig->pow2 ? "power-of-two requant (shifts only)" : "multiplier requant (Q31 multiplier + shift)");
	if (ig->stage >= QF_ISTAGE_PLANNED)
		fprintf(f, "arena %lld bytes (naive: every buffer apart %lld; live peak %lld)\n",
			(long long)ig->arena_bytes, (long long)ig->naive_bytes, (long long)ig->live_peak_bytes);
	fprintf(f, "\ntensors (H x W x C, stored NHWC)\n");
	for (int i = 0; i < ig->nt; i++) {
		const qf_itensor *t = &ig->t[i];
		char shape[48];
		snprintf(shape, sizeof shape, "%dx%dx%d", t->h, t->w, t->c);
		fprintf(f, "  t%-3d %-24s %-10s", i, t->name, shape);
		if (ig->stage >= QF_ISTAGE_QUANTIZED)
			fprintf(f, " i%-2d zp %4d scale %-12.6g %6lld B", t->bits, (int)t->zp, t->scale, (long long)t->bytes);
		if (ig->stage >= QF_ISTAGE_PLANNED)
			fprintf(f, "  arena [%lld, %lld) live %d..%d", (long long)t->offset, (long long)(t->offset + t->bytes),
				t->first, t->last);
		fprintf(f, "%s\n", i == ig->input ? "  (input)" : i == ig->output ? "  (logits)" : "");
	}
	fprintf(f, "\nlayers\n");
	for (int i = 0; i < ig->nn; i++) {
		const qf_inode *n = &ig->n[i];
		char io[64], win[48] = "";
		if (n->in[1] >= 0)
			snprintf(io, sizeof io, "t%d,t%d -> t%d", n->in[0], n->in[1], n->out);
		else
			snprintf(io, sizeof io, "t%d -> t%d", n->in[0], n->out);
		if (n->op != QF_IOP_FC && n->op != QF_IOP_ADD)
			snprintf(win, sizeof win, "k%dx%d s%d p%d", n->k_h, n->k_w, n->stride, n->pad_top);
		fprintf(f, "  %-3d %-24s %-8s %-16s %-12s %-5s", i, n->name, qf_iop_name[n->op], io, win,
			n->act != QF_ACT_NONE ? qf_act_name[n->act] : "");
		if (has_weights(n->op))
			fprintf(f, " macs %lld", (long long)n->macs);
		if (ig->stage >= QF_ISTAGE_QUANTIZED) {
			if (has_weights(n->op) && !n->nparts)
				fprintf(f, " w%d %lld B", n->w_bits, (long long)n->w_bytes);
			if (n->nparts) {
				fprintf(f, " w");
				for (int k = 0; k < n->nparts; k++) {
					const qf_ipart *p = &ig->part[n->part + k];
					fprintf(f, "%s[%d,%d):%d", k ? "," : "", p->c0, p->c1, p->w_bits);
				}
				fprintf(f, " %lld B", (long long)n->w_bytes);
			}
			if (n->bias_bits == 16)
				fprintf(f, " bias int16<<%d", n->bias_shift);
			fprintf(f, " clamp [%d, %d]", (int)n->act_min, (int)n->act_max);
			if (n->shift >= 0) {
				int32_t s = ig->i32[n->shift];
				if (n->mult >= 0)
					fprintf(f, " requant m0 %d n %d%s", (int)ig->i32[n->mult], (int)s,
						n->op == QF_IOP_ADD || ig->t[n->out].c == 1 ? "" : " (ch 0)");
				else
					fprintf(f, " requant shift %d%s", (int)s,
						n->op == QF_IOP_ADD || ig->t[n->out].c == 1 ? "" : " (ch 0)");
			}
			if (n->op == QF_IOP_ADD)
				fprintf(f, " inputs <<%d, (%d, %d), (%d, %d)", (int)n->add_ls, (int)n->add_mult[0],
					(int)n->add_shift[0], (int)n->add_mult[1], (int)n->add_shift[1]);
			if (n->scratch)
				fprintf(f, " scratch %lld B", (long long)n->scratch);
		}
		if (ig->stage >= QF_ISTAGE_PLANNED && n->scratch)
			fprintf(f, " at %lld", (long long)n->scratch_off);
		fprintf(f, "\n");
	}
}
