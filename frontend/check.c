/* check.c: the meaning of a parsed .qf file.
 *
 * Requires: the syntax tree of one file (some statements may be missing
 * where syntax errors were). Guarantees: a qf_program whose every value
 * is in range, whose names resolve and whose spaces are lowered
 * (lower.c); or NULL after every error has been reported.
 *
 * Each declaration is checked on its own, then the search block picks
 * the entities to use, then spaces are lowered (their bits dims depend on
 * the chosen quant policy) and checked against the chosen data.
 * Declarations that held a syntax error are not blamed for what is
 * missing from them: the syntax error may have eaten it.
 */
#include <math.h>
#include <string.h>

#include "frontend/ast.h"
#include "parser.h"

#define N_KW (TK_SEED - TK_TARGET + 1)
#define KWI(t) ((t) - TK_TARGET)

typedef struct {
	fe_parser *ps;
	qf_arena *a;                 /* the program's */
	qf_diag *d;
	qf_program *p;
	const fe_decl **dtarget, **ddata, **dquant, **dspace;
	const fe_decl *dsearch;
} chk;

/* Statements (and options) given at most once per body. */
typedef struct {
	qf_loc at[N_KW];
} seen_t;

static bool once(chk *c, seen_t *s, int kw, const char *text, qf_loc at, const char *where)
{
	QF_ASSERT(kw >= TK_TARGET && kw <= TK_SEED);
	qf_loc *first = &s->at[KWI(kw)];
	if (first->line) {
		qf_diag_error(c->d, at, "duplicate '%s' in %s", text, where);
		qf_diag_note(c->d, *first, "'%s' was first given here", text);
		return false;
	}
	*first = at;
	return true;
}

static char *dup(chk *c, const char *s)
{
	return s ? qf_arena_strdup(c->a, s) : NULL;
}

static const fe_num *num_of(const fe_arg *a)
{
	QF_ASSERT(a->val.kind == FE_VAL_NUM);
	return &a->val.v[0];
}

static bool int_arg(chk *c, const fe_arg *a, const char *what, int64_t lo, int64_t hi, int *out)
{
	int64_t v;
	if (!fe_int(c->d, num_of(a), what, lo, hi, &v))
		return false;
	*out = (int)v;
	return true;
}

static bool nonempty_path(chk *c, const char *s, qf_loc at, const char *what)
{
	if (s[0])
		return true;
	qf_diag_error(c->d, at, "%s is an empty string", what);
	return false;
}

/* ------------------------------------------------------------ target */

static bool is_path(const char *name)
{
	size_t n = strlen(name);
	return strchr(name, '/') || (n > 4 && strcmp(name + n - 4, ".xml") == 0);
}

static int n_builtin(void)
{
	int n = 0;
	while (qf_target_builtin[n])
		n++;
	return n;
}

/* A target is a built-in name or a path to a target XML file (read
 * later, by whoever needs the target). */
static bool check_target_name(chk *c, const char *name, qf_loc at)
{
	if (!name[0]) {
		qf_diag_error(c->d, at, "target name is an empty string");
		return false;
	}
	if (is_path(name))
		return true;
	int n = n_builtin();
	for (int i = 0; i < n; i++)
		if (strcmp(qf_target_builtin[i], name) == 0)
			return true;
	const char *s = qf_suggest(name, qf_target_builtin, n);
	if (s) {
		qf_diag_error(c->d, at, "unknown target '%s'; did you mean '%s'?", name, s);
	} else {
		char list[256] = "";
		for (int i = 0; i < n && strlen(list) < 200; i++) {
			strcat(list, i ? ", " : "");
			strcat(list, qf_target_builtin[i]);
		}
		qf_diag_error(c->d, at, "unknown target '%s'; the built-in targets are %s, or give a path to a target XML file",
			      name, n ? list : "(none)");
	}
	return false;
}

static void check_target(chk *c, const fe_decl *dc, qf_target_ref *t)
{
	t->name = dup(c, dc->name);
	t->loc = dc->loc;
	t->flash = t->ram = t->clock_hz = -1;
	check_target_name(c, dc->name, dc->name_loc);
	seen_t seen = {0};
	for (const fe_stmt *s = dc->body; s; s = s->next) {
		if (!once(c, &seen, s->kw, s->kwtext, s->loc, "a target"))
			continue;
		const fe_num *n = num_of(s->args);
		switch (s->kw) {
		case TK_FLASH: fe_size(c->d, n, "flash size", &t->flash); break;
		case TK_RAM: fe_size(c->d, n, "ram size", &t->ram); break;
		case TK_CLOCK: fe_freq_hz(c->d, n, "clock", &t->clock_hz); break;
		default: qf_die("target statement %d", s->kw);
		}
	}
}

/* ------------------------------------------------------------ data */

static const char *const data_formats[] = {"idx"};

static void check_split(chk *c, const fe_stmt *s, char **images, char **labels, qf_loc *loc)
{
	*loc = s->loc;
	seen_t seen = {0};
	for (const fe_arg *a = s->args; a; a = a->next) {
		if (!once(c, &seen, a->key, a->name, a->loc, s->kw == TK_TRAIN ? "'train'" : "'test'"))
			continue;
		if (!nonempty_path(c, a->str, a->str_loc, a->key == TK_IMAGES ? "the images path" : "the labels path"))
			continue;
		*(a->key == TK_IMAGES ? images : labels) = dup(c, a->str);
	}
	if (!seen.at[KWI(TK_IMAGES)].line)
		qf_diag_error(c->d, s->loc, "'%s' needs images \"PATH\"", s->kwtext);
	if (!seen.at[KWI(TK_LABELS)].line)
		qf_diag_error(c->d, s->loc, "'%s' needs labels \"PATH\"", s->kwtext);
}

/* A CxHxW shape: channels up to QF_LIMIT_CHANNELS, sides up to
 * QF_LIMIT_SPATIAL, and the whole under QF_LIMIT_TENSOR_ELEMS. */
static bool check_shape(chk *c, const fe_val *v, int *ch, int *h, int *w)
{
	if (v->n != 3) {
		qf_diag_error(c->d, v->loc, "an input shape is CxHxW (three numbers), got %d number%s", v->n,
			      v->n == 1 ? "" : "s");
		return false;
	}
	int64_t x[3];
	bool ok = fe_int(c->d, &v->v[0], "input channels", 1, QF_LIMIT_CHANNELS, &x[0]);
	ok &= fe_int(c->d, &v->v[1], "input height", 1, QF_LIMIT_SPATIAL, &x[1]);
	ok &= fe_int(c->d, &v->v[2], "input width", 1, QF_LIMIT_SPATIAL, &x[2]);
	if (!ok)
		return false;
	if (x[0] * x[1] * x[2] > QF_LIMIT_TENSOR_ELEMS) {
		qf_diag_error(c->d, v->loc, "an input of %lld values is over the limit of %lld",
			      (long long)(x[0] * x[1] * x[2]), (long long)QF_LIMIT_TENSOR_ELEMS);
		return false;
	}
	*ch = (int)x[0];
	*h = (int)x[1];
	*w = (int)x[2];
	return true;
}

static void check_augment(chk *c, const fe_stmt *aug, qf_data *dt, qf_loc *crop_loc)
{
	seen_t seen = {0};
	for (const fe_stmt *s = aug->body; s; s = s->next) {
		if (!once(c, &seen, s->kw, s->kwtext, s->loc, "'augment'"))
			continue;
		if (s->kw == TK_FLIP) {
			dt->flip_h = true;
			continue;
		}
		QF_ASSERT(s->kw == TK_CROP);
		*crop_loc = s->args->val.loc;
		int crop;
		if (!int_arg(c, s->args, "crop size", 1, QF_LIMIT_SPATIAL, &crop))
			continue;
		dt->crop = crop;
		if (s->args->next)
			int_arg(c, s->args->next, "crop padding", 0, crop, &dt->crop_pad);
	}
}

static void check_data(chk *c, const fe_decl *dc, qf_data *dt)
{
	dt->name = dup(c, dc->name);
	dt->loc = dc->loc;
	seen_t seen = {0};
	qf_loc crop_loc = {0, 0};
	bool have_input = false;
	char where[96];
	snprintf(where, sizeof(where), "data '%s'", dc->name);
	for (const fe_stmt *s = dc->body; s; s = s->next) {
		if (!once(c, &seen, s->kw, s->kwtext, s->loc, where))
			continue;
		const fe_arg *a = s->args;
		switch (s->kw) {
		case TK_FORMAT:
			if (strcmp(a->str, "idx") != 0) {
				const char *sg = fe_suggest(a->str, data_formats, 1);
				if (sg)
					qf_diag_error(c->d, a->str_loc, "unknown data format '%s'; did you mean '%s'?",
						      a->str, sg);
				else
					qf_diag_error(c->d, a->str_loc, "unknown data format '%s'; the formats are: idx",
						      a->str);
			}
			break;
		case TK_TRAIN:
			check_split(c, s, &dt->train_images, &dt->train_labels, &dt->train_loc);
			break;
		case TK_TEST:
			check_split(c, s, &dt->test_images, &dt->test_labels, &dt->test_loc);
			break;
		case TK_INPUT:
			have_input = check_shape(c, &a->val, &dt->in_c, &dt->in_h, &dt->in_w);
			dt->in_float = a->next && a->next->key == TK_FLOAT;
			break;
		case TK_CLASSES:
			int_arg(c, a, "classes", 2, QF_LIMIT_CHANNELS, &dt->classes);
			break;
		case TK_VALIDATE:
			int_arg(c, a, "validate", 0, INT32_MAX, &dt->validate);
			break;
		case TK_AUGMENT:
			check_augment(c, s, dt, &crop_loc);
			break;
		default:
			qf_die("data statement %d", s->kw);
		}
	}
	if (have_input && dt->crop && (dt->crop != dt->in_h || dt->crop != dt->in_w))
		qf_diag_error(c->d, crop_loc,
			      "crop %d does not match the input %dx%d; crop pads the image and cuts it back to the input size",
			      dt->crop, dt->in_h, dt->in_w);
	if (dc->broken)
		return;
	if (!seen.at[KWI(TK_TRAIN)].line)
		qf_diag_error(c->d, dc->name_loc, "data '%s' has no train images (train images \"PATH\" labels \"PATH\";)",
			      dc->name);
	if (!seen.at[KWI(TK_INPUT)].line)
		qf_diag_error(c->d, dc->name_loc, "data '%s' has no input shape (input CxHxW;)", dc->name);
	if (!seen.at[KWI(TK_CLASSES)].line)
		qf_diag_error(c->d, dc->name_loc, "data '%s' does not say its number of classes (classes N;)", dc->name);
}

/* ------------------------------------------------------------ quant */

static void check_qtensor(chk *c, const fe_stmt *st, qf_qtensor *t, const char *where)
{
	t->loc = st->loc;
	seen_t seen = {0};
	qf_loc slice_loc = {0, 0};
	for (const fe_stmt *s = st->body; s; s = s->next) {
		/* symmetric and asymmetric are one setting: the second of them
		 * repeats it or contradicts it */
		int slot = s->kw == TK_ASYMMETRIC ? TK_SYMMETRIC : s->kw;
		qf_loc first = seen.at[KWI(slot)];
		if (slot == TK_SYMMETRIC && first.line && (s->kw == TK_SYMMETRIC) != t->symmetric) {
			qf_diag_error(c->d, s->loc, "'%s' contradicts '%s' in %s", s->kwtext,
				      t->symmetric ? "symmetric" : "asymmetric", where);
			qf_diag_note(c->d, first, "'%s' is given here", t->symmetric ? "symmetric" : "asymmetric");
			continue;
		}
		if (!once(c, &seen, slot, s->kwtext, s->loc, where))
			continue;
		const fe_arg *a = s->args;
		switch (s->kw) {
		case TK_BITS: {
			int32_t v[QF_MAX_VALUES];
			int n;
			if (fe_set(c->d, &a->val, "bits", 2, 8, v, &n)) {
				memcpy(t->bits, v, sizeof(v));
				t->n_bits = n;
			}
			break;
		}
		case TK_PER: t->per_channel = a->key == TK_CHANNEL; break;
		case TK_SYMMETRIC: t->symmetric = true; break;
		case TK_ASYMMETRIC: t->symmetric = false; break;
		case TK_SLICE:
			slice_loc = s->loc;
			int_arg(c, a, "slice", 1, QF_LIMIT_CHANNELS, &t->slice);
			break;
		default: qf_die("quant tensor statement %d", s->kw);
		}
	}
	if (t->slice && !t->per_channel)
		qf_diag_error(c->d, slice_loc, "slice needs per channel quantization, not per tensor, in %s", where);
}

static void check_schedule(chk *c, const fe_stmt *st, qf_quant *q)
{
	for (const fe_stmt *s = st->body; s; s = s->next) {
		if (q->n_phases == QF_MAX_PHASES) {
			qf_diag_error(c->d, s->loc, "a schedule holds at most %d phases", QF_MAX_PHASES);
			return;
		}
		qf_phase *ph = &q->phases[q->n_phases++];
		ph->loc = s->loc;
		switch (s->kw) {
		case TK_FLOAT: ph->kind = QF_PHASE_FLOAT; break;
		case TK_QAT: ph->kind = QF_PHASE_QAT; break;
		case TK_PRECISION: ph->kind = QF_PHASE_PRECISION; break;
		case TK_FINETUNE: ph->kind = QF_PHASE_FINETUNE; break;
		default: qf_die("phase %d", s->kw);
		}
		int_arg(c, s->args, "epochs", 0, 1000000, &ph->epochs);
		if (s->args->next)
			fe_real(c->d, num_of(s->args->next), "learning rate", 0, true, 1e6, &ph->lr);
	}
}

static void check_quant(chk *c, const fe_decl *dc, qf_quant *q)
{
	q->name = dup(c, dc->name);
	q->loc = dc->loc;
	q->w = (qf_qtensor){.n_bits = 1, .bits = {8}, .per_channel = true, .symmetric = true, .loc = dc->loc};
	q->a = (qf_qtensor){.n_bits = 1, .bits = {8}, .per_channel = false, .symmetric = false, .loc = dc->loc};
	char where[96], wh2[112];
	snprintf(where, sizeof(where), "quant '%s'", dc->name);
	seen_t seen = {0};
	qf_loc learned_at = {0, 0};
	for (const fe_stmt *s = dc->body; s; s = s->next) {
		if (!once(c, &seen, s->kw, s->kwtext, s->loc, where))
			continue;
		const fe_arg *a = s->args;
		switch (s->kw) {
		case TK_WEIGHTS:
		case TK_ACTS:
			snprintf(wh2, sizeof(wh2), "the %s of %s", s->kwtext, where);
			check_qtensor(c, s, s->kw == TK_WEIGHTS ? &q->w : &q->a, wh2);
			break;
		case TK_SCALES:
			q->pow2 = a->key == TK_POW2;
			break;
		case TK_PIN: {
			seen_t pins = {0};
			int bits = 0;
			for (; a; a = a->next)
				if (a->key == TK_BITS)
					int_arg(c, a, "pinned bits", 2, 8, &bits);
			for (a = s->args; a->key != TK_BITS; a = a->next)
				if (once(c, &pins, a->key, a->name, a->loc, "'pin'"))
					*(a->key == TK_FIRST ? &q->pin_first : &q->pin_last) = bits;
			break;
		}
		case TK_METHOD:
			for (; a; a = a->next) {
				int m = -1;
				for (int i = 0; i < QF_QM_COUNT; i++)
					if (strcmp(a->str, qf_qmethod_name[i]) == 0)
						m = i;
				if (m < 0) {
					const char *sg = fe_suggest(a->str, qf_qmethod_name, QF_QM_COUNT);
					if (sg)
						qf_diag_error(c->d, a->str_loc, "unknown method '%s'; did you mean '%s'?",
							      a->str, sg);
					else
						qf_diag_error(c->d, a->str_loc,
							      "unknown method '%s'; the methods are lsq, learned_precision, statassist, gradboost, gradmod",
							      a->str);
				} else if (q->methods & (1u << m)) {
					qf_diag_error(c->d, a->str_loc, "method '%s' is listed twice", a->str);
				} else {
					q->methods |= 1u << m;
					if (m == QF_QM_LEARNED_PRECISION)
						learned_at = a->str_loc;
				}
			}
			break;
		case TK_BUDGET: {
			q->has_budget = true;
			q->budget_loc = s->loc;
			seen_t terms = {0};
			for (; a->key != TK_LE; a = a->next)
				if (once(c, &terms, a->key, a->name, a->loc, "'budget'"))
					*(a->key == TK_WEIGHTS ? &q->budget_w : &q->budget_a) = true;
			fe_size(c->d, num_of(a), "budget", &q->budget_bytes);
			fe_real(c->d, num_of(a->next), "penalty", 0, false, INFINITY, &q->penalty);
			break;
		}
		case TK_SCHEDULE:
			check_schedule(c, s, q);
			break;
		default:
			qf_die("quant statement %d", s->kw);
		}
	}
	bool learned = q->methods & (1u << QF_QM_LEARNED_PRECISION);
	for (int i = 0; i < q->n_phases; i++)
		if (q->phases[i].kind == QF_PHASE_PRECISION && !learned)
			qf_diag_error(c->d, q->phases[i].loc,
				      "a precision phase learns bit-widths; add learned_precision to the methods of %s",
				      where);
	if (learned && q->w.n_bits < 2 && q->a.n_bits < 2)
		qf_diag_error(c->d, learned_at,
			      "learned_precision needs bit-widths to choose from, e.g. weights { bits {2, 4, 8}; }");
}

/* ------------------------------------------------------------ search */

static void check_search(chk *c, const fe_decl *dc, qf_search *sr)
{
	sr->loc = dc->loc;
	sr->supernet_epochs = 10;
	sr->sandwich = 4;
	sr->strategy = QF_STRATEGY_EVOLUTION;
	sr->population = 64;
	sr->generations = 30;
	sr->samples = 100;
	sr->maximize_accuracy = true;
	sr->max_flash = sr->max_ram = sr->max_latency_us = -1;
	sr->seed = 1;
	seen_t seen = {0}, limits = {0};
	for (const fe_stmt *s = dc->body; s; s = s->next) {
		if (s->kw != TK_CONSTRAINT && !once(c, &seen, s->kw, s->kwtext, s->loc, "the search block"))
			continue;
		const fe_arg *a = s->args;
		switch (s->kw) {
		case TK_SPACE: sr->space = dup(c, a->str); sr->space_loc = a->str_loc; break;
		case TK_QUANT: sr->quant = dup(c, a->str); sr->quant_loc = a->str_loc; break;
		case TK_DATA: sr->data = dup(c, a->str); sr->data_loc = a->str_loc; break;
		case TK_TARGET: sr->target = dup(c, a->str); sr->target_loc = a->str_loc; break;
		case TK_SUPERNET: {
			seen_t opts = {0};
			for (; a; a = a->next) {
				if (!once(c, &opts, a->key, a->name, a->loc, "'supernet'"))
					continue;
				if (a->key == TK_EPOCHS)
					int_arg(c, a, "supernet epochs", 0, 1000000, &sr->supernet_epochs);
				else if (a->key == TK_SANDWICH)
					int_arg(c, a, "sandwich", 1, 64, &sr->sandwich);
				else
					sr->distill_inplace = true;
			}
			break;
		}
		case TK_STRATEGY: {
			sr->strategy = a->key == TK_EVOLUTION ? QF_STRATEGY_EVOLUTION
				       : a->key == TK_GRADIENT ? QF_STRATEGY_GRADIENT
							       : QF_STRATEGY_RANDOM;
			const char *name = a->name;
			seen_t opts = {0};
			for (a = a->next; a; a = a->next) {
				if (!once(c, &opts, a->key, a->name, a->loc, "'strategy'"))
					continue;
				bool fits = a->key == TK_SAMPLES ? sr->strategy == QF_STRATEGY_RANDOM
								 : sr->strategy == QF_STRATEGY_EVOLUTION;
				if (!fits) {
					qf_diag_error(c->d, a->loc, "'%s' belongs to strategy %s, not %s", a->name,
						      a->key == TK_SAMPLES ? "random" : "evolution", name);
					continue;
				}
				if (a->key == TK_POPULATION)
					int_arg(c, a, "population", 2, 100000, &sr->population);
				else if (a->key == TK_GENERATIONS)
					int_arg(c, a, "generations", 1, 100000, &sr->generations);
				else
					int_arg(c, a, "samples", 1, 10000000, &sr->samples);
			}
			break;
		}
		case TK_OBJECTIVE:
			sr->maximize_accuracy = true;
			break;
		case TK_CONSTRAINT:
			for (; a; a = a->next) {
				if (!once(c, &limits, a->key, a->name, a->loc, "the constraints"))
					continue;
				if (a->key == TK_FLASH) {
					sr->flash_loc = a->loc;
					fe_size(c->d, num_of(a), "flash constraint", &sr->max_flash);
				} else if (a->key == TK_RAM) {
					sr->ram_loc = a->loc;
					fe_size(c->d, num_of(a), "ram constraint", &sr->max_ram);
				} else {
					sr->latency_loc = a->loc;
					fe_time_us(c->d, num_of(a), "latency constraint", &sr->max_latency_us);
				}
			}
			break;
		case TK_SEED: {
			int64_t v;
			if (fe_int(c->d, num_of(a), "seed", 0, INT64_MAX, &v))
				sr->seed = (uint64_t)v;
			break;
		}
		default:
			qf_die("search statement %d", s->kw);
		}
	}
}

/* ------------------------------------------------------------ selection */

typedef struct {
	const char *kind;            /* "space", for messages */
	const char *plural;
	const fe_decl **decls;
	int n;
	fe_names *names;
	bool dups;                   /* duplicate names were reported */
} kindtab;

/* Builds the name table of one kind, reporting duplicates. */
static void collect(chk *c, kindtab *k)
{
	k->names = fe_names_new(c->ps->arena, k->n);
	for (int i = 0; i < k->n; i++) {
		int prev = fe_names_put(k->names, k->decls[i]->name, i);
		if (prev >= 0) {
			k->dups = true;
			qf_diag_error(c->d, k->decls[i]->name_loc, "duplicate %s '%s'", k->kind, k->decls[i]->name);
			qf_diag_note(c->d, k->decls[prev]->name_loc, "the first %s '%s' is here", k->kind,
				     k->decls[prev]->name);
		}
	}
}

static void unknown_name(chk *c, const kindtab *k, const char *name, qf_loc at)
{
	const char **cands = qf_arena_alloc(c->ps->arena, sizeof(char *) * (size_t)(k->n + 1));
	for (int i = 0; i < k->n; i++)
		cands[i] = k->decls[i]->name;
	const char *s = fe_suggest(name, cands, k->n);
	if (s)
		qf_diag_error(c->d, at, "unknown %s '%s'; did you mean '%s'?", k->kind, name, s);
	else if (k->n == 0)
		qf_diag_error(c->d, at, "unknown %s '%s'; the file defines no %s", k->kind, name, k->plural);
	else
		qf_diag_error(c->d, at, "unknown %s '%s'", k->kind, name);
}

/* The entity the search block names, else the only one of its kind. */
static int select_one(chk *c, const kindtab *k, const char *name, qf_loc at, const char *stmt)
{
	if (name) {
		int i = fe_names_get(k->names, name);
		if (i < 0 && !c->ps->lost_decl)
			unknown_name(c, k, name, at);
		return i;
	}
	if (k->n == 1)
		return 0;
	if (k->n > 1 && !c->ps->lost_decl && !k->dups)
		qf_diag_error(c->d, k->decls[1]->name_loc,
			      "the file defines %d %s; say which to use in a search block (search { %s; })", k->n,
			      k->plural, stmt);
	return -1;
}

/* A search block may name a built-in target (or a target file) that no
 * target declaration mentions; it becomes a target with no overrides. */
static void select_target(chk *c, const kindtab *k)
{
	qf_program *p = c->p;
	const qf_search *sr = p->search;
	if (!sr || !sr->target) {
		p->sel_target = select_one(c, k, NULL, (qf_loc){0, 0}, "target \"NAME\"");
		return;
	}
	p->sel_target = fe_names_get(k->names, sr->target);
	if (p->sel_target >= 0)
		return;
	if (!check_target_name(c, sr->target, sr->target_loc))
		return;
	qf_target_ref *t = &p->targets[p->n_targets];
	t->name = dup(c, sr->target);
	t->loc = sr->target_loc;
	t->flash = t->ram = t->clock_hz = -1;
	p->sel_target = p->n_targets++;
}

qf_program *fe_check(fe_parser *ps, const char *path)
{
	qf_program *p;
	qf_arena *a = qf_arena_new();
	p = qf_arena_alloc(a, sizeof(*p));
	p->arena = a;
	p->path = qf_arena_strdup(a, path ? path : "<input>");
	chk cc = {.ps = ps, .a = a, .d = ps->diag, .p = p}, *c = &cc;

	int n[5] = {0};
	for (const fe_decl *dc = ps->decls; dc; dc = dc->next)
		n[dc->kw == TK_TARGET ? 0 : dc->kw == TK_DATA ? 1 : dc->kw == TK_QUANT ? 2 : dc->kw == TK_SPACE ? 3 : 4]++;
	kindtab kt[4] = {
		{.kind = "target", .plural = "targets"},
		{.kind = "data set", .plural = "data sets"},
		{.kind = "quant policy", .plural = "quant policies"},
		{.kind = "space", .plural = "spaces"},
	};
	for (int i = 0; i < 4; i++)
		kt[i].decls = qf_arena_alloc(ps->arena, sizeof(fe_decl *) * (size_t)(n[i] + 1));
	for (const fe_decl *dc = ps->decls; dc; dc = dc->next) {
		int k = dc->kw == TK_TARGET ? 0 : dc->kw == TK_DATA ? 1 : dc->kw == TK_QUANT ? 2 : dc->kw == TK_SPACE ? 3 : 4;
		if (k < 4) {
			kt[k].decls[kt[k].n++] = dc;
		} else if (c->dsearch) {
			qf_diag_error(c->d, dc->loc, "a file holds one search block");
			qf_diag_note(c->d, c->dsearch->loc, "the first search block is here");
		} else {
			c->dsearch = dc;
		}
	}
	for (int i = 0; i < 4; i++)
		collect(c, &kt[i]);

	/* +1: room for a target that only the search block names */
	p->targets = qf_arena_alloc(a, sizeof(qf_target_ref) * (size_t)(n[0] + 1));
	p->datas = qf_arena_alloc(a, sizeof(qf_data) * (size_t)(n[1] + 1));
	p->quants = qf_arena_alloc(a, sizeof(qf_quant) * (size_t)(n[2] + 1));
	p->spaces = qf_arena_alloc(a, sizeof(qf_space) * (size_t)(n[3] + 1));
	for (int i = 0; i < kt[0].n; i++)
		check_target(c, kt[0].decls[i], &p->targets[p->n_targets++]);
	for (int i = 0; i < kt[1].n; i++)
		check_data(c, kt[1].decls[i], &p->datas[p->n_datas++]);
	for (int i = 0; i < kt[2].n; i++)
		check_quant(c, kt[2].decls[i], &p->quants[p->n_quants++]);
	/* Spaces before the search block, so that errors come out in file
	 * order; their bits dims need the quant policy the search block
	 * picks, looked up quietly here and reported on below. */
	int qi = kt[2].n == 1 ? 0 : -1;
	for (const fe_stmt *s = c->dsearch ? c->dsearch->body : NULL; s; s = s->next)
		if (s->kw == TK_QUANT) {
			qi = fe_names_get(kt[2].names, s->args->str);
			break;
		}
	const qf_quant *q = qi >= 0 ? &p->quants[qi] : NULL;
	for (int i = 0; i < kt[3].n; i++)
		fe_lower_space(a, c->d, kt[3].decls[i], q, &p->spaces[p->n_spaces++]);

	if (c->dsearch) {
		p->search = qf_arena_alloc(a, sizeof(qf_search));
		check_search(c, c->dsearch, p->search);
	}
	/* Selection, in the order the search block names things. */
	const qf_search *sr = p->search;
	int *sel[4] = {&p->sel_target, &p->sel_data, &p->sel_quant, &p->sel_space};
	static const char *const stmt[4] = {"target \"NAME\"", "data NAME", "quant NAME", "space NAME"};
	bool done[4] = {false};
	for (const fe_stmt *s = c->dsearch ? c->dsearch->body : NULL; s; s = s->next) {
		int k = s->kw == TK_TARGET ? 0 : s->kw == TK_DATA ? 1 : s->kw == TK_QUANT ? 2 : s->kw == TK_SPACE ? 3 : -1;
		if (k < 0 || done[k])
			continue;
		done[k] = true;
		if (k == 0)
			select_target(c, &kt[0]);
		else
			*sel[k] = select_one(c, &kt[k], s->args->str, s->args->str_loc, stmt[k]);
	}
	for (int k = 0; k < 4; k++)
		if (!done[k])
			*sel[k] = select_one(c, &kt[k], NULL, (qf_loc){0, 0}, stmt[k]);
	(void)sr;
	QF_ASSERT(p->sel_quant == qi || qf_diag_errors(c->d));
	if (p->sel_space >= 0 && !kt[3].decls[p->sel_space]->broken)
		fe_check_space_against(c->d, kt[3].decls[p->sel_space], &p->spaces[p->sel_space],
				       p->sel_data >= 0 && !kt[1].decls[p->sel_data]->broken ? &p->datas[p->sel_data]
											     : NULL,
				       q);
	return p;
}
