/* sample.c: Space IR + choice vector -> Graph IR.
 *
 * Requires: a checked program whose selected space (p->spaces[sel_space])
 * the choice vector indexes; the quant policy p->quants[sel_quant] or none.
 * Guarantees: a verified graph with shapes inferred; the input tensor is
 * C x H x W of the space, the output the logits; weights He-initialised
 * from the seed, BN gamma 1, beta 0, mean 0, var 1; under a policy, every
 * weight tensor and activation carries a one-entry qparam (scale 1,
 * zero 0) whose bits say the width it will have. Every Graph IR node
 * records the Space IR block it came from.
 *
 * How each block kind lowers (docs/ir.md has the table):
 *   conv c k s      conv2d (pad k/2, no bias) + bn [+ act]
 *   dwconv k s      conv2d groups = Cin, Cout = Cin + bn [+ act]
 *   mbconv c e k s  [1x1 expand to Cin*e + bn + act, skipped when e is 1]
 *                   + kxk depthwise stride s + bn + act + 1x1 project to c
 *                   + bn, + add of the block input when s is 1 and Cin == c;
 *                   act is the block's, relu6 when none is written
 *   frost c e r k s 1x1 squeeze to Cin/r + bn + relu, concat [input,
 *                   squeeze], 1x1 expand to Cin*e + bn + relu, kxk
 *                   depthwise stride s + bn + relu, 1x1 project to c + bn,
 *                   + add when s is 1 and Cin == c; ReLU only whatever the
 *                   block says. When Cin/r < 8 it is an mbconv with ReLU.
 *   fc N            fc with bias [+ act]
 *   pool            maxpool/avgpool k s pad 0 (s defaults to k), or
 *                   gavgpool when global
 *   act             relu / relu6 / hswish
 * Inside a stage only the first repetition strides: later ones run at
 * stride 1, so a stage downsamples once however deep it is chosen.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "passes/passes.h"

/* Below this many squeeze channels the Frost squeeze carries too little to
 * be worth a layer (FrostNet's rule), and the block is an MBConv. */
enum { FROST_MIN_SQUEEZE = 8 };

typedef struct {
	qf_graph *g;
	const qf_space *sp;
	const qf_choice *ch;
	qf_diag *d;
	qf_rng rng;
	bool weights;                /* false: shapes only, for counting */
	bool limit_params;           /* report networks past QF_LIMIT_PARAMS */
	int64_t params;
	/* the tensor the next node reads, and its shape */
	int x;
	int32_t c, h, w;
	/* the block being lowered */
	const qf_block *b;
	int block;
	char prefix[32];
	/* per node: the bits its block asks for (-1 policy default) */
	int *wbits, *abits;
	int64_t capw, capa;
} builder;

/* ------------------------------------------------------------ errors */

__attribute__((format(printf, 2, 3))) static int block_error(builder *bd, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	qf_diag_error(bd->d, bd->b->loc, "%s block %s: %s", qf_block_kind_name[bd->b->kind], bd->prefix, msg);
	return -1;
}

static int check_channels(builder *bd, int64_t c, const char *what)
{
	if (c < 1 || c > QF_LIMIT_CHANNELS)
		return block_error(bd, "%s of %lld channels is outside 1..%d", what, (long long)c,
				   QF_LIMIT_CHANNELS);
	return 0;
}

/* ------------------------------------------------------------ nodes */

/* out = a "." b, cut to n - 1 characters. Not snprintf: naming is most
 * of the time `qforge check` spends counting a large space. */
static void join(char *out, size_t n, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > n - 1)
		la = n - 1;
	memcpy(out, a, la);
	size_t at = la;
	if (at < n - 1)
		out[at++] = '.';
	if (lb > n - 1 - at)
		lb = n - 1 - at;
	memcpy(out + at, b, lb);
	out[at + lb] = 0;
}

static void node_name(builder *bd, char *out, const char *suffix)
{
	join(out, 48, bd->prefix, suffix);
}

/* A parameter tensor. Shapes-only builds keep parameters without storage
 * (data -1): counting a 10^8-weight network must not allocate it. */
static int param(builder *bd, const char *node, const char *suffix, qf_role role, int rank, const int32_t *dim)
{
	char name[64];
	join(name, sizeof name, node, suffix);
	int64_t n = 1;
	for (int i = 0; i < rank; i++)
		n *= dim[i];
	if (bd->limit_params && bd->params + n > QF_LIMIT_PARAMS) {
		block_error(bd, "the network needs more than %lld parameters", (long long)QF_LIMIT_PARAMS);
		return -1;
	}
	bd->params += n;
	if (!bd->weights) {
		int t = qf_graph_add_tensor(bd->g, name, role, 0, NULL);
		qf_tensor *tt = &bd->g->t[t];
		tt->rank = rank;
		memcpy(tt->dim, dim, (size_t)rank * sizeof(int32_t));
		tt->data = -1;
		bd->g->ndata -= 1; /* the one float a rank-0 tensor took */
		return t;
	}
	return qf_graph_add_tensor(bd->g, name, role, rank, dim);
}

static int add_node(builder *bd, qf_op op, const char *suffix, const int *in, int n_in)
{
	char name[48];
	node_name(bd, name, suffix);
	int i = qf_graph_add_node(bd->g, op, name, in, n_in);
	bd->g->n[i].block = bd->block;
	qf_grow(&bd->wbits, &bd->capw, bd->g->nn, sizeof(int));
	qf_grow(&bd->abits, &bd->capa, bd->g->nn, sizeof(int));
	bd->wbits[i] = qf_attr_value(bd->sp, bd->b->wbits, bd->ch);
	bd->abits[i] = qf_attr_value(bd->sp, bd->b->abits, bd->ch);
	bd->x = bd->g->n[i].out;
	return i;
}

static void he_init(builder *bd, int t, int64_t fan_in)
{
	if (!bd->weights)
		return;
	float *v = qf_tensor_data(bd->g, t);
	int64_t n = qf_tensor_elems(&bd->g->t[t]);
	double std = sqrt(2.0 / (double)fan_in);
	for (int64_t i = 0; i < n; i++)
		v[i] = (float)(std * qf_rng_normal(&bd->rng));
}

/* The output size of a window over n pixels; -1 when the map collapses. */
static int window(builder *bd, int32_t n, int k, int s, int pad, int32_t *out)
{
	int64_t span = (int64_t)n + 2 * pad - k;
	if (span < 0)
		return block_error(bd, "a %dx%d window (stride %d, padding %d) does not fit the %dx%d map: "
				   "the map collapses below 1x1",
				   k, k, s, pad, bd->h, bd->w);
	*out = (int32_t)(span / s + 1);
	return 0;
}

static int check_kernel(builder *bd, int k, int s)
{
	if (k < 1 || k > QF_LIMIT_KERNEL)
		return block_error(bd, "kernel %d is outside 1..%d", k, QF_LIMIT_KERNEL);
	if (s < 1 || s > QF_LIMIT_SPATIAL)
		return block_error(bd, "stride %d is outside 1..%d", s, QF_LIMIT_SPATIAL);
	return 0;
}

static int check_act_size(builder *bd, int64_t c, int32_t h, int32_t w)
{
	if (c * h * w > QF_LIMIT_TENSOR_ELEMS)
		return block_error(bd, "a %lldx%dx%d activation is over the limit of %lld elements", (long long)c,
				   h, w, (long long)QF_LIMIT_TENSOR_ELEMS);
	return 0;
}

/* conv2d k x k, stride s, padding k/2, no bias, on the current tensor. */
static int conv(builder *bd, const char *suffix, int64_t cout, int k, int s, bool depthwise)
{
	if (check_channels(bd, cout, suffix) || check_kernel(bd, k, s))
		return -1;
	int groups = depthwise ? bd->c : 1;
	int32_t h = 0, w = 0;
	if (window(bd, bd->h, k, s, k / 2, &h) || window(bd, bd->w, k, s, k / 2, &w) ||
	    check_act_size(bd, cout, h, w))
		return -1;
	int64_t fan_in = (int64_t)(bd->c / groups) * k * k;
	if (cout * fan_in > QF_LIMIT_TENSOR_ELEMS)
		return block_error(bd, "%s weights of %lld values are over the limit of %lld", suffix,
				   (long long)(cout * fan_in), (long long)QF_LIMIT_TENSOR_ELEMS);
	char name[48];
	node_name(bd, name, suffix);
	int32_t dim[4] = {(int32_t)cout, bd->c / groups, k, k};
	int wt = param(bd, name, "w", QF_ROLE_WEIGHT, 4, dim);
	if (wt < 0)
		return -1;
	he_init(bd, wt, fan_in);
	int in[3] = {bd->x, wt, -1};
	int i = add_node(bd, QF_OP_CONV2D, suffix, in, 3);
	qf_node *nd = &bd->g->n[i];
	nd->k = k;
	nd->s = s;
	nd->pad = k / 2;
	nd->groups = groups;
	bd->c = (int32_t)cout;
	bd->h = h;
	bd->w = w;
	return 0;
}

static int bn(builder *bd, const char *suffix)
{
	static const char *const name4[4] = {"gamma", "beta", "mean", "var"};
	static const float init[4] = {1, 0, 0, 1};
	char name[48];
	node_name(bd, name, suffix);
	int in[5] = {bd->x};
	for (int i = 0; i < 4; i++) {
		in[i + 1] = param(bd, name, name4[i], (qf_role)(QF_ROLE_GAMMA + i), 1, &bd->c);
		if (in[i + 1] < 0)
			return -1;
		if (bd->weights)
			for (int j = 0; j < bd->c; j++)
				qf_tensor_data(bd->g, in[i + 1])[j] = init[i];
	}
	int i = add_node(bd, QF_OP_BN, suffix, in, 5);
	bd->g->n[i].eps = 1e-5f;
	bd->g->n[i].momentum = 0.1f;
	return 0;
}

static const qf_op act_op[QF_ACT_COUNT] = {
	[QF_ACT_NONE] = QF_OP_COUNT,
	[QF_ACT_RELU] = QF_OP_RELU,
	[QF_ACT_RELU6] = QF_OP_RELU6,
	[QF_ACT_HSWISH] = QF_OP_HSWISH,
};

/* The activation node; none adds nothing. suffix NULL names it after the
 * act alone ("s0.b0.relu"), otherwise "s0.b0.<suffix>.relu". */
static void act(builder *bd, const char *suffix, qf_act a)
{
	if (a == QF_ACT_NONE || (int)a < 0 || a >= QF_ACT_COUNT)
		return;
	char s[40];
	if (suffix)
		join(s, sizeof s, suffix, qf_act_name[a]);
	add_node(bd, act_op[a], suffix ? s : qf_act_name[a], &bd->x, 1);
}

static int conv_bn_act(builder *bd, const char *suffix, int64_t cout, int k, int s, bool dw, qf_act a)
{
	char bns[40];
	join(bns, sizeof bns, suffix, "bn");
	if (conv(bd, suffix, cout, k, s, dw) || bn(bd, bns))
		return -1;
	act(bd, suffix, a);
	return 0;
}

static void residual(builder *bd, int skip)
{
	int in[2] = {skip, bd->x};
	add_node(bd, QF_OP_ADD, "add", in, 2);
}

/* ------------------------------------------------------------ blocks */

static int32_t attr(builder *bd, qf_attr a, int32_t fallback)
{
	int32_t v = qf_attr_value(bd->sp, a, bd->ch);
	return v < 0 ? fallback : v;
}

static int32_t stride(builder *bd)
{
	return bd->b->rep > 0 ? 1 : attr(bd, bd->b->s, 1);
}

static int width(builder *bd, int32_t *c)
{
	*c = attr(bd, bd->b->c, -1);
	if (*c < 1)
		return block_error(bd, "no output width (c) was given");
	return 0;
}

static int lower_mbconv(builder *bd, int32_t c, int64_t e, int k, int s, qf_act a)
{
	int skip = bd->x;
	int32_t cin = bd->c;
	if (e != 1 && conv_bn_act(bd, "expand", (int64_t)cin * e, 1, 1, false, a))
		return -1;
	if (conv_bn_act(bd, "dw", bd->c, k, s, true, a) || conv(bd, "project", c, 1, 1, false) ||
	    bn(bd, "project.bn"))
		return -1;
	if (s == 1 && cin == c)
		residual(bd, skip);
	return 0;
}

static int lower_frost(builder *bd, int32_t c, int64_t e, int32_t r, int k, int s)
{
	int32_t cin = bd->c;
	if (r < 1)
		return block_error(bd, "squeeze ratio %d is below 1", r);
	if (cin / r < FROST_MIN_SQUEEZE)
		return lower_mbconv(bd, c, e, k, s, QF_ACT_RELU);
	int skip = bd->x;
	if (conv_bn_act(bd, "squeeze", cin / r, 1, 1, false, QF_ACT_RELU))
		return -1;
	if (check_channels(bd, (int64_t)cin + cin / r, "concat"))
		return -1;
	int in[2] = {skip, bd->x};
	add_node(bd, QF_OP_CONCAT, "concat", in, 2);
	bd->c = cin + cin / r;
	if (conv_bn_act(bd, "expand", (int64_t)cin * e, 1, 1, false, QF_ACT_RELU) ||
	    conv_bn_act(bd, "dw", bd->c, k, s, true, QF_ACT_RELU) || conv(bd, "project", c, 1, 1, false) ||
	    bn(bd, "project.bn"))
		return -1;
	if (s == 1 && cin == c)
		residual(bd, skip);
	return 0;
}

static int lower_fc(builder *bd, int32_t n)
{
	int64_t flat = (int64_t)bd->c * bd->h * bd->w;
	if (check_channels(bd, n, "fc"))
		return -1;
	if ((int64_t)n * flat > QF_LIMIT_TENSOR_ELEMS)
		return block_error(bd, "fc weights of %d x %lld values are over the limit of %lld", n,
				   (long long)flat, (long long)QF_LIMIT_TENSOR_ELEMS);
	char name[48];
	node_name(bd, name, "fc");
	int32_t dim[2] = {n, (int32_t)flat};
	int wt = param(bd, name, "w", QF_ROLE_WEIGHT, 2, dim);
	int bs = wt < 0 ? -1 : param(bd, name, "b", QF_ROLE_BIAS, 1, &n);
	if (bs < 0)
		return -1;
	he_init(bd, wt, flat);
	int in[3] = {bd->x, wt, bs};
	add_node(bd, QF_OP_FC, "fc", in, 3);
	bd->c = n;
	bd->h = bd->w = 1;
	act(bd, NULL, bd->b->act);
	return 0;
}

static int lower_pool(builder *bd)
{
	const qf_block *b = bd->b;
	if (b->global) {
		add_node(bd, QF_OP_GAVGPOOL, "gavgpool", &bd->x, 1);
		bd->h = bd->w = 1;
		return 0;
	}
	int k = attr(bd, b->k, 2), s = bd->b->rep > 0 ? 1 : attr(bd, b->s, k);
	int32_t h = 0, w = 0;
	if (check_kernel(bd, k, s) || window(bd, bd->h, k, s, 0, &h) || window(bd, bd->w, k, s, 0, &w))
		return -1;
	qf_op op = b->pool == QF_POOL_MAX ? QF_OP_MAXPOOL : QF_OP_AVGPOOL;
	int i = add_node(bd, op, qf_op_name[op], &bd->x, 1);
	bd->g->n[i].k = k;
	bd->g->n[i].s = s;
	bd->h = h;
	bd->w = w;
	act(bd, NULL, b->act);
	return 0;
}

static int lower_block(builder *bd)
{
	const qf_block *b = bd->b;
	int32_t c;
	int k = attr(bd, b->k, 3), s = stride(bd);
	switch (b->kind) {
	case QF_BLOCK_CONV:
		if (width(bd, &c) || conv_bn_act(bd, "conv", c, k, s, false, b->act))
			return -1;
		return 0;
	case QF_BLOCK_DWCONV:
		return conv_bn_act(bd, "dw", bd->c, k, s, true, b->act);
	case QF_BLOCK_MBCONV:
		if (width(bd, &c))
			return -1;
		return lower_mbconv(bd, c, attr(bd, b->e, 6), k, s, b->act == QF_ACT_NONE ? QF_ACT_RELU6 : b->act);
	case QF_BLOCK_FROST:
		if (width(bd, &c))
			return -1;
		return lower_frost(bd, c, attr(bd, b->e, 6), attr(bd, b->r, 2), k, s);
	case QF_BLOCK_FC:
		if (width(bd, &c))
			return -1;
		return lower_fc(bd, c);
	case QF_BLOCK_POOL:
		return lower_pool(bd);
	case QF_BLOCK_ACT:
		act(bd, NULL, b->act);
		return 0;
	case QF_BLOCK_COUNT:
		break;
	}
	qf_die("block kind %d", (int)b->kind);
}

/* ------------------------------------------------------------ quant */

static int widest(const qf_qtensor *t)
{
	int w = 0;
	for (int i = 0; i < t->n_bits; i++)
		if (t->bits[i] > w)
			w = t->bits[i];
	return w ? w : 8;
}

/* The nodes that start a layer: those with a weight tensor. BN has
 * trained parameters too, but folds into the conv before it. */
static bool starts_layer(qf_op op)
{
	return op == QF_OP_CONV2D || op == QF_OP_FC;
}

/* A layer starts at each conv2d or fc and runs to the next; the pins of
 * the policy hold the first and last layer's weights and outputs. */
static void assign_bits(builder *bd, const qf_quant *q)
{
	qf_graph *g = bd->g;
	int last = -1, n_layers = 0;
	for (int i = 0; i < g->nn; i++)
		if (starts_layer(g->n[i].op))
			last = i;
	qf_graph_add_qparam(g, g->input, 1, NULL, NULL, 8, false, q->pow2); /* the MCU feeds raw bytes */
	for (int i = 0; i < g->nn; i++) {
		qf_node *nd = &g->n[i];
		if (starts_layer(nd->op))
			n_layers++;
		int layer = n_layers ? n_layers - 1 : 0;
		bool is_last = last >= 0 && i >= last;
		int pin = layer == 0 && q->pin_first ? q->pin_first : is_last && q->pin_last ? q->pin_last : 0;
		int wb = pin ? pin : bd->wbits[i] > 0 ? bd->wbits[i] : widest(&q->w);
		int ab = pin ? pin : bd->abits[i] > 0 ? bd->abits[i] : widest(&q->a);
		if (starts_layer(nd->op))
			qf_graph_add_qparam(g, nd->in[1], 1, NULL, NULL, wb, q->w.symmetric, q->pow2);
		qf_graph_add_qparam(g, nd->out, 1, NULL, NULL, ab, q->a.symmetric, q->pow2);
	}
}

/* ------------------------------------------------------------ driver */

static int check_choice(const qf_space *sp, const qf_choice *ch, qf_diag *d)
{
	if (ch->n != sp->n_dims) {
		qf_diag_error(d, (qf_loc){0, 0}, "the choice vector has %d entries; space '%s' has %d dimensions",
			      ch->n, sp->name, sp->n_dims);
		return -1;
	}
	for (int i = 0; i < ch->n; i++)
		if (ch->idx[i] < 0 || ch->idx[i] >= sp->dims[i].n) {
			qf_diag_error(d, (qf_loc){0, 0}, "choice %d for dimension %s is outside 0..%d", ch->idx[i],
				      sp->dims[i].name, sp->dims[i].n - 1);
			return -1;
		}
	return 0;
}

static qf_graph *build(const qf_program *p, const qf_choice *ch, uint64_t seed, bool weights, bool limit_params,
		       qf_diag *d)
{
	if (p->sel_space < 0 || p->sel_space >= p->n_spaces) {
		qf_diag_error(d, (qf_loc){0, 0}, "there is no search space to sample");
		return NULL;
	}
	const qf_space *sp = &p->spaces[p->sel_space];
	if (check_choice(sp, ch, d))
		return NULL;
	if (sp->in_c < 1 || sp->in_c > QF_LIMIT_CHANNELS || sp->in_h < 1 || sp->in_h > QF_LIMIT_SPATIAL ||
	    sp->in_w < 1 || sp->in_w > QF_LIMIT_SPATIAL ||
	    (int64_t)sp->in_c * sp->in_h * sp->in_w > QF_LIMIT_TENSOR_ELEMS) {
		qf_diag_error(d, sp->loc, "space '%s': input %dx%dx%d is outside the limits", sp->name, sp->in_c,
			      sp->in_h, sp->in_w);
		return NULL;
	}
	builder bd = {.sp = sp, .ch = ch, .d = d, .weights = weights, .limit_params = limit_params};
	qf_rng_seed(&bd.rng, seed);
	bd.g = qf_graph_new(sp->name);
	int32_t dim[3] = {sp->in_c, sp->in_h, sp->in_w};
	bd.g->input = bd.x = qf_graph_add_tensor(bd.g, "input", QF_ROLE_INPUT, 3, dim);
	bd.c = sp->in_c;
	bd.h = sp->in_h;
	bd.w = sp->in_w;
	int rc = 0;
	for (int s = 0; s < sp->n_stages && !rc; s++) {
		const qf_stage *st = &sp->stages[s];
		int32_t depth = qf_attr_value(sp, st->depth, ch);
		for (int b = st->first; b < st->first + st->n && !rc; b++) {
			QF_ASSERT(b >= 0 && b < sp->n_blocks);
			if (sp->blocks[b].rep >= depth)
				continue;
			bd.b = &sp->blocks[b];
			bd.block = b;
			snprintf(bd.prefix, sizeof bd.prefix, "s%d.b%d", s, b - st->first);
			rc = lower_block(&bd);
		}
	}
	qf_graph *g = bd.g;
	if (!rc) {
		g->output = bd.x;
		g->classes = bd.c;
		if (p->sel_quant >= 0 && p->sel_quant < p->n_quants)
			assign_bits(&bd, &p->quants[p->sel_quant]);
		rc = qf_graph_infer_shapes(g, d);
	}
	free(bd.wbits);
	free(bd.abits);
	if (rc) {
		qf_graph_free(g);
		return NULL;
	}
	g->prov.source = p->path ? qf_xstrdup(p->path) : NULL;
	g->prov.space = qf_xstrdup(sp->name ? sp->name : "");
	g->prov.choice.n = ch->n;
	g->prov.choice.idx = qf_xmalloc((size_t)(ch->n ? ch->n : 1) * sizeof(int));
	if (ch->n)
		memcpy(g->prov.choice.idx, ch->idx, (size_t)ch->n * sizeof(int));
	g->prov.seed = seed;
	return g;
}

qf_graph *qf_sample(const qf_program *p, const qf_choice *ch, uint64_t seed, qf_diag *d)
{
	/* Shapes first: every error is found before a single weight is drawn,
	 * so a network past the limits fails at once, not after seconds of
	 * initialising the part that fits. */
	qf_graph *g = build(p, ch, seed, false, true, d);
	if (!g)
		return NULL;
	qf_graph_free(g);
	g = build(p, ch, seed, true, true, d);
	if (g)
		QF_VERIFY(g);
	return g;
}

int qf_choice_counts(const qf_program *p, const qf_choice *ch, qf_counts *c, qf_diag *d)
{
	qf_graph *g = build(p, ch, 0, false, false, d);
	if (!g)
		return -1;
	qf_graph_counts(g, c);
	qf_graph_free(g);
	return 0;
}
