/* lower.c: one space declaration to the Space IR (docs/dsl.md, "Lowering").
 *
 * Requires: a space declaration from the parser and the selected quant
 * policy (or none). Guarantees, when it reports nothing: a qf_space whose
 * blocks and dims follow the lowering rules, whose attribute values are
 * in range, and in which no network collapses a map below 1x1 or makes a
 * tensor over QF_LIMIT_TENSOR_ELEMS.
 *
 *  - a statement outside any stage is a stage of fixed depth 1, one block;
 *  - `stage depth {..} { T statements }` with largest depth D is D*T
 *    blocks, block b = rep*T + t with rep = 0..D-1; a block is active when
 *    rep < the chosen depth; stride applies to rep 0, later reps stride 1;
 *  - a width set of template t is one dim "sS.tT.c" shared by all reps;
 *    every other set is a dim of its block, "sS.bB.<kind>"; the depth set
 *    is "sS.depth"; a set of one value is a fixed attribute;
 *  - bits dims come from the quant policy when it searches bits (several
 *    widths, no learned_precision), for every weighted block not pinned;
 *    a block's own wbits/abits override the policy.
 */
#include <stdarg.h>
#include <string.h>

#include "frontend/ast.h"
#include "parser.h"

/* X(ID, name, what, lo, hi): the numeric attributes of block statements. */
#define FE_ATTRS(X)                                           \
	X(C, "c", "width", 1, QF_LIMIT_CHANNELS)              \
	X(K, "k", "kernel size", 1, QF_LIMIT_KERNEL)          \
	X(S, "s", "stride", 1, 4)                             \
	X(E, "e", "expansion", 1, 8)                          \
	X(R, "r", "squeeze ratio", 1, 64)                     \
	X(WBITS, "wbits", "weight bits", 2, 8)                \
	X(ABITS, "abits", "activation bits", 2, 8)
enum {
#define X(id, name, what, lo, hi) A_##id,
	FE_ATTRS(X)
#undef X
	A_COUNT
};
static const struct {
	const char *name, *what;
	int lo, hi;
} attrs[A_COUNT] = {
#define X(id, name, what, lo, hi) {name, what, lo, hi},
	FE_ATTRS(X)
#undef X
};
static const char *const attr_names[A_COUNT] = {
#define X(id, name, what, lo, hi) name,
	FE_ATTRS(X)
#undef X
};

enum {
	F_C = 1 << A_C, F_K = 1 << A_K, F_S = 1 << A_S, F_E = 1 << A_E, F_R = 1 << A_R,
	F_BITS = 1 << A_WBITS | 1 << A_ABITS,
	F_ACT = 1 << A_COUNT,        /* takes an activation word */
	F_POOL = 1 << (A_COUNT + 1), /* takes max, avg, global */
};

/* The statements of a space body that make blocks. */
static const struct {
	int tok;
	qf_block_kind kind;
	unsigned allowed, required;
	qf_act act;                  /* default activation; ACT blocks: the op */
	bool odd_k;                  /* a convolution: odd kernels only */
} kinds[] = {
	{TK_CONV, QF_BLOCK_CONV, F_C | F_K | F_S | F_BITS | F_ACT, F_C | F_K, QF_ACT_NONE, true},
	{TK_DWCONV, QF_BLOCK_DWCONV, F_K | F_S | F_BITS | F_ACT, F_K, QF_ACT_NONE, true},
	{TK_MBCONV, QF_BLOCK_MBCONV, F_C | F_E | F_K | F_S | F_BITS | F_ACT, F_C | F_E | F_K, QF_ACT_RELU, true},
	{TK_FROST, QF_BLOCK_FROST, F_C | F_E | F_R | F_K | F_S | F_BITS | F_ACT, F_C | F_E | F_R | F_K,
	 QF_ACT_RELU, true},
	{TK_FC, QF_BLOCK_FC, F_C | F_BITS | F_ACT, F_C, QF_ACT_NONE, false},
	{TK_POOL, QF_BLOCK_POOL, F_K | F_S | F_POOL, 0, QF_ACT_NONE, false},
	{TK_RELU, QF_BLOCK_ACT, 0, 0, QF_ACT_RELU, false},
	{TK_RELU6, QF_BLOCK_ACT, 0, 0, QF_ACT_RELU6, false},
	{TK_HSWISH, QF_BLOCK_ACT, 0, 0, QF_ACT_HSWISH, false},
};
enum { N_KINDS = sizeof(kinds) / sizeof(kinds[0]) };

static bool weighted(qf_block_kind k)
{
	return k == QF_BLOCK_CONV || k == QF_BLOCK_DWCONV || k == QF_BLOCK_MBCONV || k == QF_BLOCK_FROST ||
	       k == QF_BLOCK_FC;
}

/* One block statement, checked. */
typedef struct {
	const fe_stmt *st;
	int kind;                    /* index into kinds[] */
	qf_act act;
	qf_pool_kind pool;
	bool global;
	int n[A_COUNT];              /* values given; 0 when absent */
	int32_t v[A_COUNT][QF_MAX_VALUES];
	qf_loc at[A_COUNT];
} tmpl;

typedef struct {
	const fe_stmt *st;           /* the stage statement, or the block itself */
	int n_depth;
	int32_t depth[QF_MAX_VALUES];
	qf_loc depth_loc;
	int D;                       /* largest depth */
	tmpl *t;
	int T;
} stage_in;

typedef struct {
	qf_arena *a;
	qf_diag *d;
	qf_space *sp;
	int cap_dims;
} low;

static const char *kind_word(const tmpl *t)
{
	return t->st->kwtext;
}

static void attr_list(unsigned allowed, char *buf, size_t n)
{
	buf[0] = 0;
	for (int i = 0; i < A_COUNT; i++) {
		if (!(allowed & (1u << i)))
			continue;
		if (buf[0])
			strncat(buf, ", ", n - strlen(buf) - 1);
		strncat(buf, attrs[i].name, n - strlen(buf) - 1);
	}
}

static bool parse_block(low *L, const fe_stmt *st, tmpl *t)
{
	memset(t, 0, sizeof(*t));
	t->st = st;
	t->kind = -1;
	for (int i = 0; i < N_KINDS; i++)
		if (kinds[i].tok == st->kw)
			t->kind = i;
	QF_ASSERT(t->kind >= 0);
	unsigned allowed = kinds[t->kind].allowed;
	t->act = kinds[t->kind].act;
	bool ok = true, has_act = false, has_mode = false;
	char list[64];
	attr_list(allowed, list, sizeof(list));
	for (const fe_arg *a = st->args; a; a = a->next) {
		if (kinds[t->kind].kind == QF_BLOCK_ACT) {
			qf_diag_error(L->d, a->loc, "'%s' takes nothing after it", kind_word(t));
			ok = false;
			break;
		}
		int which = -1;
		if (a->key == 0 && a->name) {
			for (int i = 0; i < A_COUNT; i++)
				if (strcmp(a->name, attrs[i].name) == 0)
					which = i;
			if (which < 0) {
				const char *s = fe_suggest(a->name, attr_names, A_COUNT);
				if (s)
					qf_diag_error(L->d, a->loc, "unknown attribute '%s'; did you mean '%s'?", a->name, s);
				else
					qf_diag_error(L->d, a->loc, "unknown attribute '%s'; %s takes %s", a->name,
						      kind_word(t), list);
				ok = false;
				continue;
			}
		} else if (a->key == 0) {
			/* `fc 10`: the one attribute an fc has needs no name */
			if (kinds[t->kind].kind != QF_BLOCK_FC) {
				qf_diag_error(L->d, a->loc, "a number needs the name of what it sets here, as in k 3; %s takes %s",
					      kind_word(t), list);
				ok = false;
				continue;
			}
			which = A_C;
		}
		if (which >= 0) {
			if (!(allowed & (1u << which))) {
				qf_diag_error(L->d, a->loc, "%s has no attribute '%s'; it takes %s", kind_word(t),
					      attrs[which].name, list);
				ok = false;
				continue;
			}
			if (t->n[which]) {
				qf_diag_error(L->d, a->loc, "duplicate attribute '%s'", attrs[which].name);
				qf_diag_note(L->d, t->at[which], "'%s' was first given here", attrs[which].name);
				ok = false;
				continue;
			}
			t->at[which] = a->loc;
			const char *what = attrs[which].what;
			if (kinds[t->kind].kind == QF_BLOCK_POOL && which == A_K)
				what = "pool window";
			int n;
			if (!fe_set(L->d, &a->val, what, attrs[which].lo, attrs[which].hi, t->v[which], &n)) {
				ok = false;
				t->n[which] = -1; /* given, but bad: no "missing" error */
				continue;
			}
			t->n[which] = n;
			if (which == A_K && kinds[t->kind].odd_k) {
				for (int i = 0; i < a->val.n; i++) {
					if (a->val.v[i].v == 0 || (int64_t)a->val.v[i].v % 2 == 0) {
						qf_diag_error(L->d, a->val.v[i].loc, "kernel size must be odd, got %s",
							      a->val.v[i].text);
						ok = false;
					}
				}
			}
			continue;
		}
		switch (a->key) {
		case TK_RELU:
		case TK_RELU6:
		case TK_HSWISH:
			if (!(allowed & F_ACT)) {
				qf_diag_error(L->d, a->loc, "%s takes no activation", kind_word(t));
				ok = false;
			} else if (has_act) {
				qf_diag_error(L->d, a->loc, "%s has one activation; '%s' is a second", kind_word(t), a->name);
				ok = false;
			}
			has_act = true;
			t->act = a->key == TK_RELU ? QF_ACT_RELU : a->key == TK_RELU6 ? QF_ACT_RELU6 : QF_ACT_HSWISH;
			break;
		case TK_MAX:
		case TK_AVG:
		case TK_GLOBAL:
			if (!(allowed & F_POOL)) {
				qf_diag_error(L->d, a->loc, "'%s' belongs to pool, not %s", a->name, kind_word(t));
				ok = false;
			} else if (a->key == TK_GLOBAL) {
				if (t->global) {
					qf_diag_error(L->d, a->loc, "duplicate 'global'");
					ok = false;
				}
				t->global = true;
			} else {
				if (has_mode) {
					qf_diag_error(L->d, a->loc, "a pool is max or avg, once; '%s' is a second", a->name);
					ok = false;
				}
				has_mode = true;
				t->pool = a->key == TK_MAX ? QF_POOL_MAX : QF_POOL_AVG;
			}
			break;
		default:
			qf_die("block argument %d", a->key);
		}
	}
	/* after a bad argument, what looks missing was most likely in it */
	if (kinds[t->kind].kind == QF_BLOCK_ACT || !ok)
		return ok;
	unsigned missing = kinds[t->kind].required;
	for (int i = 0; i < A_COUNT; i++)
		if (t->n[i])
			missing &= ~(1u << i);
	for (int i = 0; i < A_COUNT; i++) {
		if (missing & (1u << i)) {
			qf_diag_error(L->d, st->loc, "%s needs its %s (%s N)", kind_word(t), attrs[i].what, attrs[i].name);
			ok = false;
		}
	}
	if (kinds[t->kind].kind == QF_BLOCK_POOL) {
		if (!has_mode) {
			qf_diag_error(L->d, st->loc, "pool needs max or avg");
			ok = false;
		}
		if (t->global && (t->n[A_K] || t->n[A_S])) {
			qf_diag_error(L->d, t->n[A_K] ? t->at[A_K] : t->at[A_S],
				      "a global pool covers the whole map and takes no k or s");
			ok = false;
		}
		if (!t->global && !t->n[A_K]) {
			qf_diag_error(L->d, st->loc, "pool needs a window (k N) or 'global'");
			ok = false;
		}
	}
	return ok;
}

/* ------------------------------------------------------------ dims */

static int add_dim(low *L, qf_dim_kind kind, const int32_t *v, int n, int stage, int block, qf_loc loc,
		   const char *fmt, ...) __attribute__((format(printf, 8, 9)));
static int add_dim(low *L, qf_dim_kind kind, const int32_t *v, int n, int stage, int block, qf_loc loc,
		   const char *fmt, ...)
{
	qf_space *sp = L->sp;
	QF_ASSERT(sp->n_dims < L->cap_dims && n >= 2 && n <= QF_MAX_VALUES);
	qf_dim *dm = &sp->dims[sp->n_dims];
	dm->kind = kind;
	dm->n = n;
	memcpy(dm->v, v, sizeof(int32_t) * (size_t)n);
	dm->stage = stage;
	dm->block = block;
	dm->loc = loc;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dm->name, sizeof(dm->name), fmt, ap);
	va_end(ap);
	return sp->n_dims++;
}

static const qf_attr absent = {-1, -1};

/* An attribute from a template's values: fixed when one value, else a
 * dim of this block. */
static qf_attr block_attr(low *L, const tmpl *t, int which, qf_dim_kind kind, int stage, int b)
{
	if (t->n[which] <= 0)
		return absent;
	if (t->n[which] == 1)
		return (qf_attr){-1, t->v[which][0]};
	int dim = add_dim(L, kind, t->v[which], t->n[which], stage, b, t->at[which], "s%d.b%d.%s", stage, b,
			  qf_dim_kind_name[kind]);
	return (qf_attr){dim, -1};
}

/* Bits of a weighted block: its own attribute, else the pinned width of
 * the first and last weighted blocks, else a dim when the policy searches
 * bits, else the policy default. */
static qf_attr bits_attr(low *L, const tmpl *t, int which, const qf_quant *q, int pinned, int stage, int b,
			 const qf_block *blk)
{
	qf_dim_kind kind = which == A_WBITS ? QF_DIM_WBITS : QF_DIM_ABITS;
	if (t->n[which])
		return block_attr(L, t, which, kind, stage, b);
	if (!weighted(blk->kind))
		return absent;
	if (pinned)
		return (qf_attr){-1, pinned};
	if (!q || (q->methods & (1u << QF_QM_LEARNED_PRECISION)))
		return absent;
	const qf_qtensor *qt = which == A_WBITS ? &q->w : &q->a;
	if (qt->n_bits < 2)
		return absent;
	int dim = add_dim(L, kind, qt->bits, qt->n_bits, stage, b, blk->loc, "s%d.b%d.%s", stage, b,
			  qf_dim_kind_name[kind]);
	return (qf_attr){dim, -1};
}

/* ------------------------------------------------------------ shapes */

static void attr_range(const qf_space *sp, qf_attr a, int64_t *lo, int64_t *hi)
{
	if (a.dim < 0) {
		*lo = *hi = a.value;
		return;
	}
	const qf_dim *dm = &sp->dims[a.dim];
	*lo = *hi = dm->v[0];
	for (int i = 1; i < dm->n; i++) {
		if (dm->v[i] < *lo)
			*lo = dm->v[i];
		if (dm->v[i] > *hi)
			*hi = dm->v[i];
	}
}

static bool too_big(low *L, const qf_block *b, const char *what, int64_t n)
{
	if (n <= QF_LIMIT_TENSOR_ELEMS)
		return false;
	qf_diag_error(L->d, b->loc, "%s of this %s can reach %lld values; the limit is %lld", what,
		      qf_block_kind_name[b->kind], (long long)n, (long long)QF_LIMIT_TENSOR_ELEMS);
	return true;
}

/* Walks the blocks with every stage at its largest depth: the smallest
 * map any network sees (largest strides and windows) must not collapse,
 * and the largest (smallest strides) must stay under the tensor limit.
 * Stops at the first problem, where it is reported. */
static void check_shapes(low *L)
{
	const qf_space *sp = L->sp;
	int64_t minh = sp->in_h, minw = sp->in_w, maxh = sp->in_h, maxw = sp->in_w, maxc = sp->in_c;
	for (int i = 0; i < sp->n_blocks; i++) {
		const qf_block *b = &sp->blocks[i];
		int64_t slo, shi, klo, khi, clo, chi, elo, ehi;
		attr_range(sp, b->s, &slo, &shi);
		attr_range(sp, b->k, &klo, &khi);
		attr_range(sp, b->c, &clo, &chi);
		attr_range(sp, b->e, &elo, &ehi);
		int64_t cin = maxc;
		switch (b->kind) {
		case QF_BLOCK_CONV:
		case QF_BLOCK_DWCONV:
		case QF_BLOCK_MBCONV:
		case QF_BLOCK_FROST:
			if (b->kind == QF_BLOCK_MBCONV || b->kind == QF_BLOCK_FROST) {
				/* expansion runs at the input resolution; a frost block
				 * expands its input concatenated with the squeeze */
				int64_t grow = b->kind == QF_BLOCK_FROST ? 2 : 1;
				if (too_big(L, b, "the expanded tensor", cin * grow * ehi * maxh * maxw))
					return;
			}
			if (b->kind == QF_BLOCK_CONV && too_big(L, b, "the weights", chi * cin * khi * khi))
				return;
			minh = (minh - 1) / shi + 1;
			minw = (minw - 1) / shi + 1;
			maxh = (maxh - 1) / slo + 1;
			maxw = (maxw - 1) / slo + 1;
			if (b->kind != QF_BLOCK_DWCONV)
				maxc = chi;
			break;
		case QF_BLOCK_FC:
			if (too_big(L, b, "the weights", cin * maxh * maxw * chi))
				return;
			minh = minw = maxh = maxw = 1;
			maxc = chi;
			break;
		case QF_BLOCK_POOL:
			if (b->global) {
				minh = minw = maxh = maxw = 1;
				break;
			}
			if (minh < khi || minw < khi) {
				char rep[48] = "";
				if (b->rep > 0)
					snprintf(rep, sizeof(rep), " (repetition %d of its stage)", b->rep + 1);
				qf_diag_error(L->d, b->loc,
					      "pool window %lld does not fit: the map before it can be as small as %lldx%lld%s",
					      (long long)khi, (long long)minh, (long long)minw, rep);
				return;
			}
			minh = (minh - khi) / shi + 1;
			minw = (minw - khi) / shi + 1;
			maxh = (maxh - klo) / slo + 1;
			maxw = (maxw - klo) / slo + 1;
			break;
		case QF_BLOCK_ACT:
			break;
		default:
			qf_die("block kind %d", b->kind);
		}
		if (too_big(L, b, "the output", maxc * maxh * maxw))
			return;
	}
}

/* ------------------------------------------------------------ lowering */

static int count_stages(const fe_decl *decl)
{
	int n = 0;
	for (const fe_stmt *s = decl->body; s; s = s->next)
		n += s->kw != TK_INPUT;
	return n;
}

/* Reads the statements into stages of checked templates. */
static bool read_stages(low *L, const fe_decl *decl, stage_in *st, int *n_st, qf_loc *input_at)
{
	qf_space *sp = L->sp;
	bool ok = true;
	*n_st = 0;
	for (const fe_stmt *s = decl->body; s; s = s->next) {
		if (s->kw == TK_INPUT) {
			if (input_at->line) {
				qf_diag_error(L->d, s->loc, "duplicate 'input' in space '%s'", decl->name);
				qf_diag_note(L->d, *input_at, "'input' was first given here");
				ok = false;
				continue;
			}
			*input_at = s->loc;
			const fe_val *v = &s->args->val;
			if (v->n != 3) {
				qf_diag_error(L->d, v->loc, "an input shape is CxHxW (three numbers), got %d number%s",
					      v->n, v->n == 1 ? "" : "s");
				ok = false;
				continue;
			}
			int64_t x[3];
			bool good = fe_int(L->d, &v->v[0], "input channels", 1, QF_LIMIT_CHANNELS, &x[0]);
			good &= fe_int(L->d, &v->v[1], "input height", 1, QF_LIMIT_SPATIAL, &x[1]);
			good &= fe_int(L->d, &v->v[2], "input width", 1, QF_LIMIT_SPATIAL, &x[2]);
			if (good && x[0] * x[1] * x[2] > QF_LIMIT_TENSOR_ELEMS) {
				qf_diag_error(L->d, v->loc, "an input of %lld values is over the limit of %lld",
					      (long long)(x[0] * x[1] * x[2]), (long long)QF_LIMIT_TENSOR_ELEMS);
				good = false;
			}
			if (good) {
				sp->in_c = (int)x[0];
				sp->in_h = (int)x[1];
				sp->in_w = (int)x[2];
			}
			ok &= good;
			continue;
		}
		stage_in *g = &st[(*n_st)++];
		memset(g, 0, sizeof(*g));
		g->st = s;
		if (s->kw != TK_STAGE) {
			g->n_depth = 1;
			g->depth[0] = 1;
			g->D = 1;
			g->T = 1;
			g->t = qf_arena_alloc(L->a, sizeof(tmpl));
			ok &= parse_block(L, s, &g->t[0]);
			continue;
		}
		g->depth_loc = s->args->val.loc;
		if (!fe_set(L->d, &s->args->val, "depth", 1, QF_LIMIT_DEPTH, g->depth, &g->n_depth)) {
			ok = false;
			g->n_depth = 1;
			g->depth[0] = 1;
		}
		for (int i = 0; i < g->n_depth; i++)
			if (g->depth[i] > g->D)
				g->D = g->depth[i];
		for (const fe_stmt *b = s->body; b; b = b->next)
			g->T++;
		if (g->T == 0) {
			/* in a broken declaration, a syntax error ate them */
			if (!decl->broken)
				qf_diag_error(L->d, s->loc, "a stage needs at least one statement inside its { }");
			ok = false;
			continue;
		}
		if (g->D * g->T > QF_LIMIT_DEPTH) {
			qf_diag_error(L->d, g->depth_loc,
				      "this stage expands to %d blocks (depth %d x %d statements); a stage holds at most %d",
				      g->D * g->T, g->D, g->T, QF_LIMIT_DEPTH);
			ok = false;
		}
		g->t = qf_arena_alloc(L->a, sizeof(tmpl) * (size_t)g->T);
		int j = 0;
		for (const fe_stmt *b = s->body; b; b = b->next)
			ok &= parse_block(L, b, &g->t[j++]);
	}
	return ok;
}

int fe_lower_space(qf_arena *a, qf_diag *d, const fe_decl *decl, const qf_quant *q, qf_space *sp)
{
	int errors0 = qf_diag_errors(d);
	memset(sp, 0, sizeof(*sp));
	sp->name = qf_arena_strdup(a, decl->name);
	sp->loc = decl->loc;
	low L = {a, d, sp, 0};

	int cap = count_stages(decl);
	stage_in *st = qf_arena_alloc(a, sizeof(stage_in) * (size_t)(cap + 1));
	int n_st;
	qf_loc input_at = {0, 0};
	bool ok = read_stages(&L, decl, st, &n_st, &input_at);
	if (!decl->broken && !input_at.line) {
		qf_diag_error(d, decl->name_loc, "space '%s' has no input shape (input CxHxW;)", decl->name);
		ok = false;
	}
	if (!decl->broken && n_st == 0) {
		qf_diag_error(d, decl->name_loc, "space '%s' has no layers", decl->name);
		ok = false;
	}
	if (!ok)
		return qf_diag_errors(d) - errors0;

	/* Pass 1: the blocks' kinds, to find the first and last weighted. */
	int64_t n_blocks = 0;
	for (int i = 0; i < n_st; i++)
		n_blocks += st[i].D * st[i].T;
	if (n_blocks > FE_LIMIT_BLOCKS) {
		qf_diag_error(d, decl->name_loc, "space '%s' expands to %lld blocks; a space holds at most %d", decl->name,
			      (long long)n_blocks, FE_LIMIT_BLOCKS);
		return qf_diag_errors(d) - errors0;
	}
	sp->blocks = qf_arena_alloc(a, sizeof(qf_block) * (size_t)n_blocks);
	sp->stages = qf_arena_alloc(a, sizeof(qf_stage) * (size_t)n_st);
	/* The dims are counted, not bounded: a dim is 128 bytes and a big
	 * space has tens of thousands of blocks. */
	bool bits_w = q && !(q->methods & (1u << QF_QM_LEARNED_PRECISION)) && q->w.n_bits > 1;
	bool bits_a = q && !(q->methods & (1u << QF_QM_LEARNED_PRECISION)) && q->a.n_bits > 1;
	L.cap_dims = 0;
	for (int i = 0; i < n_st; i++) {
		L.cap_dims += st[i].n_depth > 1;
		for (int t = 0; t < st[i].T; t++) {
			const tmpl *tp = &st[i].t[t];
			bool w = weighted(kinds[tp->kind].kind);
			int per = (tp->n[A_K] > 1) + (tp->n[A_E] > 1) + (tp->n[A_R] > 1) +
				  (tp->n[A_WBITS] > 1 || (w && bits_w)) + (tp->n[A_ABITS] > 1 || (w && bits_a));
			L.cap_dims += (tp->n[A_C] > 1) + (tp->n[A_S] > 1) + st[i].D * per;
		}
	}
	sp->dims = qf_arena_alloc(a, sizeof(qf_dim) * (size_t)(L.cap_dims ? L.cap_dims : 1));
	int first_w = -1, last_w = -1;
	for (int i = 0, bi = 0; i < n_st; i++) {
		for (int r = 0; r < st[i].D; r++) {
			for (int t = 0; t < st[i].T; t++, bi++) {
				if (weighted(kinds[st[i].t[t].kind].kind)) {
					if (first_w < 0)
						first_w = bi;
					last_w = bi;
				}
			}
		}
	}

	/* Pass 2: blocks and dims, in block order within each stage. */
	for (int i = 0; i < n_st; i++) {
		const stage_in *g = &st[i];
		qf_stage *sg = &sp->stages[sp->n_stages++];
		sg->first = sp->n_blocks;
		sg->n = g->D * g->T;
		sg->templates = g->T;
		sg->loc = g->st->loc;
		if (g->n_depth > 1)
			sg->depth = (qf_attr){add_dim(&L, QF_DIM_DEPTH, g->depth, g->n_depth, i, -1, g->depth_loc,
						      "s%d.depth", i),
					      -1};
		else
			sg->depth = (qf_attr){-1, g->depth[0]};
		int width_dim[QF_LIMIT_DEPTH];
		for (int r = 0; r < g->D; r++) {
			for (int t = 0; t < g->T; t++) {
				const tmpl *tp = &g->t[t];
				int b = r * g->T + t, gi = sp->n_blocks++;
				qf_block *blk = &sp->blocks[gi];
				blk->kind = kinds[tp->kind].kind;
				blk->stage = i;
				blk->rep = r;
				blk->act = tp->act;
				blk->pool = tp->pool;
				blk->global = tp->global;
				blk->loc = tp->st->loc;
				/* the width: one dim per template, shared by its reps */
				if (tp->n[A_C] > 1) {
					if (r == 0)
						width_dim[t] = add_dim(&L, QF_DIM_WIDTH, tp->v[A_C], tp->n[A_C], i, -1,
								       tp->at[A_C], "s%d.t%d.c", i, t);
					blk->c = (qf_attr){width_dim[t], -1};
				} else {
					blk->c = tp->n[A_C] == 1 ? (qf_attr){-1, tp->v[A_C][0]} : absent;
				}
				bool pool = blk->kind == QF_BLOCK_POOL;
				blk->k = block_attr(&L, tp, A_K, pool ? QF_DIM_POOLK : QF_DIM_KERNEL, i, b);
				blk->e = block_attr(&L, tp, A_E, QF_DIM_EXPAND, i, b);
				blk->r = block_attr(&L, tp, A_R, QF_DIM_RATIO, i, b);
				if (r > 0 && blk->kind != QF_BLOCK_ACT && !blk->global)
					blk->s = (qf_attr){-1, 1};
				else if (tp->n[A_S])
					blk->s = block_attr(&L, tp, A_S, QF_DIM_STRIDE, i, b);
				else if (pool && !blk->global)
					blk->s = blk->k; /* a pool's stride defaults to its window */
				else if (blk->kind != QF_BLOCK_ACT && !blk->global)
					blk->s = (qf_attr){-1, 1};
				else
					blk->s = absent;
				int pin = 0;
				if (q && gi == first_w && q->pin_first)
					pin = q->pin_first;
				if (q && gi == last_w && q->pin_last)
					pin = q->pin_last;
				blk->wbits = bits_attr(&L, tp, A_WBITS, q, pin, i, b, blk);
				blk->abits = bits_attr(&L, tp, A_ABITS, q, pin, i, b, blk);
			}
		}
	}
	QF_ASSERT(sp->n_blocks == n_blocks);

	const qf_block *last = &sp->blocks[n_blocks - 1];
	if (last->kind != QF_BLOCK_FC) {
		qf_diag_error(d, decl->name_loc, "space '%s' must end with an fc layer, the classifier", decl->name);
		return qf_diag_errors(d) - errors0;
	}
	if (last->c.dim >= 0) {
		qf_diag_error(d, last->loc, "the last fc gives the class scores; its width must be one number");
		return qf_diag_errors(d) - errors0;
	}
	check_shapes(&L);
	return qf_diag_errors(d) - errors0;
}

/* ------------------------------------------------------------ against data and quant */

static qf_loc input_loc(const fe_decl *decl)
{
	for (const fe_stmt *s = decl->body; s; s = s->next)
		if (s->kw == TK_INPUT)
			return s->args->val.loc;
	return decl->name_loc;
}

/* Reports the first width in a's values that slice does not divide. */
static void slice_widths(qf_diag *d, const qf_space *sp, const qf_block *b, qf_attr a, int slice,
			 const char *which, const char *quant)
{
	int n = a.dim >= 0 ? sp->dims[a.dim].n : 1;
	for (int i = 0; i < n; i++) {
		int32_t w = a.dim >= 0 ? sp->dims[a.dim].v[i] : a.value;
		if (w % slice) {
			qf_diag_error(d, b->loc, "%s slice %d of quant '%s' does not divide width %d of this %s", which,
				      slice, quant, (int)w, qf_block_kind_name[b->kind]);
			return;
		}
	}
}

void fe_check_space_against(qf_diag *d, const fe_decl *decl, const qf_space *sp, const qf_data *data,
			    const qf_quant *q)
{
	if (sp->n_blocks == 0 || sp->in_c == 0)
		return; /* lowering failed and said why */
	const qf_block *cls = &sp->blocks[sp->n_blocks - 1];
	if (data && data->in_c &&
	    (data->in_c != sp->in_c || data->in_h != sp->in_h || data->in_w != sp->in_w)) {
		qf_diag_error(d, input_loc(decl), "space input %dx%dx%d does not match the input %dx%dx%d of data '%s'",
			      sp->in_c, sp->in_h, sp->in_w, data->in_c, data->in_h, data->in_w, data->name);
	}
	if (data && data->classes && cls->kind == QF_BLOCK_FC && cls->c.dim < 0 && cls->c.value != data->classes)
		qf_diag_error(d, cls->loc, "the classifier gives %d outputs but data '%s' has %d classes",
			      (int)cls->c.value, data->name, data->classes);
	if (!q || (!q->w.slice && !q->a.slice))
		return;
	/* Widths sliced for learned precision: each weighted block's output
	 * channels (a depthwise conv's are its input's); reps share their
	 * template's width, so rep 0 speaks for them. */
	qf_attr chan = {-1, sp->in_c};
	for (int i = 0; i < sp->n_blocks - 1; i++) {
		const qf_block *b = &sp->blocks[i];
		qf_attr w = b->kind == QF_BLOCK_DWCONV ? chan : b->c;
		if (weighted(b->kind) && b->rep == 0) {
			if (q->w.slice)
				slice_widths(d, sp, b, w, q->w.slice, "weight", q->name);
			if (q->a.slice)
				slice_widths(d, sp, b, w, q->a.slice, "activation", q->name);
		}
		if (weighted(b->kind) && b->kind != QF_BLOCK_DWCONV)
			chan = b->c;
	}
}
