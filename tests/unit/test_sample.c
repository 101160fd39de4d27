/* test_sample.c: Space IR counts and picks, and the sample pass, on spaces
 * built by hand (no parser). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "frontend/frontend.h"
#include "passes/passes.h"

/* ------------------------------------------------------------ space builder */

enum { MAXD = 64, MAXB = 64, MAXS = 64 };

typedef struct {
	qf_program p;
	qf_space sp;
	qf_dim dims[MAXD];
	qf_block blocks[MAXB];
	qf_stage stages[MAXS];
	qf_quant q;
	qf_search search;
	qf_target_ref target;
	int stage;                   /* the open stage */
} fix;

static const qf_attr NONE = {-1, -1};

static qf_attr fixed(int v)
{
	return (qf_attr){-1, v};
}

/* A dim of n values owned by block (-1: the open stage). */
static qf_attr dim(fix *f, qf_dim_kind kind, int block, int n, const int32_t *v)
{
	assert_true(f->sp.n_dims < MAXD);
	qf_dim *d = &f->dims[f->sp.n_dims];
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->n = n;
	memcpy(d->v, v, (size_t)n * sizeof(int32_t));
	d->stage = f->stage;
	d->block = block;
	snprintf(d->name, sizeof d->name, "s%d.b%d.%s", f->stage, block, qf_dim_kind_name[kind]);
	return (qf_attr){f->sp.n_dims++, -1};
}
#define DIM(f, kind, block, ...) \
	dim(f, kind, block, sizeof((int32_t[]){__VA_ARGS__}) / sizeof(int32_t), (int32_t[]){__VA_ARGS__})

static fix *new_fix(int c, int h, int w)
{
	fix *f = calloc(1, sizeof(fix));
	f->sp.name = "tiny";
	f->sp.in_c = c;
	f->sp.in_h = h;
	f->sp.in_w = w;
	f->sp.dims = f->dims;
	f->sp.blocks = f->blocks;
	f->sp.stages = f->stages;
	f->p.path = "tiny.qf";
	f->p.spaces = &f->sp;
	f->p.n_spaces = 1;
	f->p.sel_space = 0;
	f->p.sel_quant = f->p.sel_data = f->p.sel_target = -1;
	f->stage = -1;
	return f;
}

/* Opens a stage of `templates` statements repeated up to its largest
 * depth; depth NONE means a statement outside any stage (depth 1). */
static void stage(fix *f, qf_attr depth, int templates)
{
	assert_true(f->sp.n_stages < MAXS);
	qf_stage *s = &f->stages[f->sp.n_stages];
	f->stage = f->sp.n_stages++;
	s->depth = depth.dim < 0 && depth.value < 0 ? fixed(1) : depth;
	if (depth.dim >= 0) /* made before the stage was open */
		f->dims[depth.dim].stage = f->stage;
	s->first = f->sp.n_blocks;
	s->templates = templates;
}

static int max_depth(fix *f)
{
	qf_stage *s = &f->stages[f->stage];
	if (s->depth.dim < 0)
		return s->depth.value;
	int m = 0;
	for (int i = 0; i < f->dims[s->depth.dim].n; i++)
		if (f->dims[s->depth.dim].v[i] > m)
			m = f->dims[s->depth.dim].v[i];
	return m;
}

static qf_block *block(fix *f, qf_block_kind kind, int rep)
{
	assert_true(f->sp.n_blocks < MAXB);
	qf_block *b = &f->blocks[f->sp.n_blocks++];
	*b = (qf_block){.kind = kind, .stage = f->stage, .rep = rep, .c = NONE, .k = NONE, .s = NONE,
			.e = NONE, .r = NONE, .wbits = NONE, .abits = NONE, .act = QF_ACT_NONE,
			.loc = {10 + f->sp.n_blocks, 3}};
	f->stages[f->stage].n++;
	return b;
}

/* A statement outside any stage. */
static qf_block *single(fix *f, qf_block_kind kind)
{
	stage(f, NONE, 1);
	return block(f, kind, 0);
}

static void free_fix(fix *f)
{
	free(f);
}

/* fmnist-small as a space with no choices. */
static fix *fmnist_small(void)
{
	fix *f = new_fix(1, 28, 28);
	qf_block *b;
	b = single(f, QF_BLOCK_CONV), b->c = fixed(16), b->k = fixed(3), b->act = QF_ACT_RELU;
	b = single(f, QF_BLOCK_POOL), b->pool = QF_POOL_MAX, b->k = fixed(2);
	b = single(f, QF_BLOCK_CONV), b->c = fixed(32), b->k = fixed(3), b->act = QF_ACT_RELU;
	b = single(f, QF_BLOCK_POOL), b->pool = QF_POOL_MAX, b->k = fixed(2), b->s = fixed(2);
	b = single(f, QF_BLOCK_CONV), b->c = fixed(64), b->k = fixed(3), b->act = QF_ACT_RELU;
	b = single(f, QF_BLOCK_POOL), b->pool = QF_POOL_AVG, b->global = true;
	b = single(f, QF_BLOCK_FC), b->c = fixed(10);
	return f;
}

/* The DSL.md example space "tiny". */
static fix *tiny(void)
{
	fix *f = new_fix(1, 28, 28);
	qf_block *b = single(f, QF_BLOCK_CONV);
	b->c = DIM(f, QF_DIM_WIDTH, 0, 8, 16), b->k = fixed(3), b->s = fixed(2), b->act = QF_ACT_RELU;
	const int32_t c1[] = {16, 24, 32}, c2[] = {32, 48};
	for (int st = 0; st < 2; st++) {
		stage(f, st == 0 ? DIM(f, QF_DIM_DEPTH, -1, 1, 2, 3) : DIM(f, QF_DIM_DEPTH, -1, 1, 2), 1);
		qf_attr c = st == 0 ? dim(f, QF_DIM_WIDTH, -1, 3, c1) : dim(f, QF_DIM_WIDTH, -1, 2, c2);
		for (int rep = 0, n = max_depth(f); rep < n; rep++) {
			int bi = f->sp.n_blocks;
			b = block(f, QF_BLOCK_FROST, rep);
			b->c = c;
			b->e = DIM(f, QF_DIM_EXPAND, bi, 3, 6);
			b->r = DIM(f, QF_DIM_RATIO, bi, 2, 4);
			b->k = DIM(f, QF_DIM_KERNEL, bi, 3, 5);
			b->s = st == 0 ? fixed(2) : NONE;
			b->act = QF_ACT_RELU;
		}
	}
	b = single(f, QF_BLOCK_POOL), b->pool = QF_POOL_AVG, b->global = true;
	b = single(f, QF_BLOCK_FC), b->c = fixed(10);
	return f;
}

/* ------------------------------------------------------------ helpers */

typedef struct {
	FILE *f;
	qf_diag *d;
	char text[4096];
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

static int find_node(const qf_graph *g, const char *name)
{
	for (int i = 0; i < g->nn; i++)
		if (strcmp(g->n[i].name, name) == 0)
			return i;
	return -1;
}

static int count_op(const qf_graph *g, qf_op op)
{
	int n = 0;
	for (int i = 0; i < g->nn; i++)
		n += g->n[i].op == op;
	return n;
}

static const int32_t *out_dim(const qf_graph *g, const char *node)
{
	int i = find_node(g, node);
	if (i < 0)
		fail_msg("no node %s", node);
	return g->t[g->n[i].out].dim;
}

static int64_t macs(const qf_graph *g, const char *node)
{
	int i = find_node(g, node);
	if (i < 0)
		fail_msg("no node %s", node);
	return qf_node_macs(g, i);
}

static void assert_chw(const int32_t *d, int c, int h, int w)
{
	assert_int_equal(d[0], c);
	assert_int_equal(d[1], h);
	assert_int_equal(d[2], w);
}

static qf_graph *sample_pick(fix *f, qf_pick how, uint64_t seed, diag_cap *cap)
{
	qf_choice ch;
	qf_rng rng;
	qf_rng_seed(&rng, seed);
	qf_choice_init(&ch, &f->sp);
	qf_choice_pick(&ch, &f->sp, how, &rng);
	qf_graph *g = qf_sample(&f->p, &ch, seed, cap->d);
	qf_choice_free(&ch);
	return g;
}

/* ------------------------------------------------------------ qf_space_networks */

static void networks_without_depth(void **state)
{
	(void)state;
	fix *f = new_fix(3, 32, 32);
	qf_block *b = single(f, QF_BLOCK_CONV);
	b->c = DIM(f, QF_DIM_WIDTH, 0, 8, 16, 24);
	b->k = DIM(f, QF_DIM_KERNEL, 0, 3, 5);
	b = single(f, QF_BLOCK_FC);
	b->c = fixed(10);
	assert_true(qf_space_networks(&f->sp) == 6.0); /* 3 widths x 2 kernels */
	free_fix(f);
}

static void networks_of_tiny(void **state)
{
	(void)state;
	fix *f = tiny();
	/* conv: 2. Stage 1, width 3 shared by the reps, each rep 2*2*2 = 8:
	 * d=1: 3*8 = 24, d=2: 3*64 = 192, d=3: 3*512 = 1536; sum 1752.
	 * Stage 2: width 2: d=1: 2*8 = 16, d=2: 2*64 = 128; sum 144.
	 * 2 * 1752 * 144 = 504,576 (the plain product of all dims would be
	 * 2*3*3*2^9*2*2*2^6 = 4,718,592). */
	assert_true(qf_space_networks(&f->sp) == 504576.0);
	free_fix(f);
}

static void networks_shared_width_owned_by_block(void **state)
{
	(void)state;
	/* The shared width owned by rep 0's block instead of the stage, and
	 * read by every rep: it multiplies once per depth, never per rep. */
	fix *f = new_fix(8, 16, 16);
	stage(f, DIM(f, QF_DIM_DEPTH, -1, 1, 2, 3), 1);
	qf_attr c = DIM(f, QF_DIM_WIDTH, 0, 8, 16);
	for (int rep = 0; rep < 3; rep++) {
		qf_block *b = block(f, QF_BLOCK_CONV, rep);
		b->c = c;
		b->k = DIM(f, QF_DIM_KERNEL, f->sp.n_blocks - 1, 1, 3, 5);
	}
	/* d=1: 2*3 = 6, d=2: 2*9 = 18, d=3: 2*27 = 54; sum 78 */
	assert_true(qf_space_networks(&f->sp) == 78.0);
	free_fix(f);
}

static void networks_inactive_dims_and_stage_dims(void **state)
{
	(void)state;
	/* depth {1, 3}: the dims of reps 1 and 2 count only at depth 3; a
	 * stage-level bits dim read by no block still multiplies. */
	fix *f = new_fix(8, 16, 16);
	stage(f, DIM(f, QF_DIM_DEPTH, -1, 1, 3), 1);
	DIM(f, QF_DIM_WBITS, -1, 2, 4, 8);
	for (int rep = 0; rep < 3; rep++) {
		qf_block *b = block(f, QF_BLOCK_CONV, rep);
		b->c = fixed(8);
		b->k = DIM(f, QF_DIM_KERNEL, f->sp.n_blocks - 1, 3, 5);
	}
	/* d=1: 3*2 = 6; d=3: 3*8 = 24; sum 30 */
	assert_true(qf_space_networks(&f->sp) == 30.0);
	free_fix(f);
}

static void networks_past_2_64(void **state)
{
	(void)state;
	/* 40 blocks with a 16-option width each: 16^40 = 2^160. */
	fix *f = new_fix(1, 8, 8);
	for (int i = 0; i < 40; i++) {
		qf_block *b = single(f, QF_BLOCK_CONV);
		b->c = DIM(f, QF_DIM_WIDTH, f->sp.n_blocks - 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
			   16);
	}
	assert_true(qf_space_networks(&f->sp) == ldexp(1.0, 160));
	free_fix(f);
}

/* ------------------------------------------------------------ picks */

static void picks(void **state)
{
	(void)state;
	fix *f = new_fix(8, 32, 32);
	stage(f, DIM(f, QF_DIM_DEPTH, -1, 2, 1, 3), 1);
	qf_block *b = block(f, QF_BLOCK_FROST, 0);
	b->c = DIM(f, QF_DIM_WIDTH, 0, 24, 8, 16);  /* dim 1 */
	b->s = DIM(f, QF_DIM_STRIDE, 0, 1, 2);      /* dim 2 */
	b->r = DIM(f, QF_DIM_RATIO, 0, 4, 2);       /* dim 3 */
	b->wbits = DIM(f, QF_DIM_WBITS, 0, 4, 8, 2); /* dim 4 */
	qf_choice ch;
	qf_choice_init(&ch, &f->sp);
	assert_int_equal(ch.n, 5);
	qf_choice_pick(&ch, &f->sp, QF_PICK_SMALLEST, NULL);
	int smallest[5] = {1, 1, 1, 0, 2}; /* depth 1, c 8, s 2, r 4, bits 2 */
	assert_memory_equal(ch.idx, smallest, sizeof smallest);
	assert_int_equal(qf_attr_value(&f->sp, b->c, &ch), 8);
	assert_int_equal(qf_attr_value(&f->sp, fixed(7), &ch), 7);
	qf_choice_pick(&ch, &f->sp, QF_PICK_LARGEST, NULL);
	int largest[5] = {2, 0, 0, 1, 1};
	assert_memory_equal(ch.idx, largest, sizeof largest);

	/* random: in range, the same for the same seed, and not constant */
	qf_rng r1, r2;
	qf_rng_seed(&r1, 5);
	qf_rng_seed(&r2, 5);
	qf_choice c2;
	qf_choice_init(&c2, &f->sp);
	int seen[5][3] = {{0}};
	for (int t = 0; t < 200; t++) {
		qf_choice_pick(&ch, &f->sp, QF_PICK_RANDOM, &r1);
		qf_choice_pick(&c2, &f->sp, QF_PICK_RANDOM, &r2);
		assert_memory_equal(ch.idx, c2.idx, 5 * sizeof(int));
		for (int i = 0; i < 5; i++) {
			assert_in_range(ch.idx[i], 0, f->dims[i].n - 1);
			seen[i][ch.idx[i]]++;
		}
	}
	for (int i = 0; i < 5; i++)
		for (int o = 0; o < f->dims[i].n; o++)
			assert_true(seen[i][o] > 0);
	qf_choice_free(&c2);
	qf_choice_free(&ch);
	assert_null(ch.idx);
	free_fix(f);
}

/* ------------------------------------------------------------ sample */

static void sample_fmnist_small(void **state)
{
	(void)state;
	fix *f = fmnist_small();
	diag_cap cap;
	cap_open(&cap);
	qf_graph *g = sample_pick(f, QF_PICK_LARGEST, 1, &cap);
	assert_non_null(g);
	assert_null(qf_graph_verify(g));
	assert_int_equal(qf_diag_errors(cap.d), 0);
	/* the same numbers test_graph computes by hand for the built graph */
	qf_counts c;
	qf_graph_counts(g, &c);
	assert_int_equal(c.macs, 1919872);
	assert_int_equal(c.params, 24058);
	assert_int_equal(c.weight_bytes, 23824);
	assert_int_equal(c.peak_act_bytes, 25088);
	/* names, blocks, shapes */
	const char *order[] = {"s0.b0.conv", "s0.b0.conv.bn", "s0.b0.conv.relu", "s1.b0.maxpool", "s2.b0.conv",
			       "s2.b0.conv.bn", "s2.b0.conv.relu", "s3.b0.maxpool", "s4.b0.conv", "s4.b0.conv.bn",
			       "s4.b0.conv.relu", "s5.b0.gavgpool", "s6.b0.fc"};
	assert_int_equal(g->nn, 13);
	for (int i = 0; i < 13; i++) {
		assert_string_equal(g->n[i].name, order[i]);
		assert_int_equal(g->n[i].block, f->stages[g->n[i].name[1] - '0'].first);
	}
	assert_int_equal(g->n[0].pad, 1);
	assert_int_equal(g->n[3].s, 2); /* pool stride defaults to its window */
	assert_chw(out_dim(g, "s3.b0.maxpool"), 32, 7, 7);
	assert_chw(g->t[g->output].dim, 10, 1, 1);
	assert_chw(g->t[g->input].dim, 1, 28, 28);
	assert_int_equal(g->t[g->input].role, QF_ROLE_INPUT);
	assert_int_equal(g->classes, 10);
	assert_int_equal(g->n[0].in[2], -1); /* conv without bias */
	assert_int_equal(g->nq, 0);          /* no policy, no qparams */
	/* provenance */
	assert_string_equal(g->prov.source, "tiny.qf");
	assert_string_equal(g->prov.space, "tiny");
	assert_int_equal(g->prov.choice.n, 0);
	assert_int_equal(g->prov.seed, 1);

	/* qf_choice_counts gives the same counts without weights */
	qf_choice ch;
	qf_choice_init(&ch, &f->sp);
	qf_counts c2;
	assert_int_equal(qf_choice_counts(&f->p, &ch, &c2, cap.d), 0);
	assert_memory_equal(&c, &c2, sizeof c);
	qf_choice_free(&ch);
	qf_graph_free(g);
	cap_close(&cap);
	free_fix(f);
}

static void sample_init_values(void **state)
{
	(void)state;
	fix *f = fmnist_small();
	diag_cap cap;
	cap_open(&cap);
	qf_graph *a = sample_pick(f, QF_PICK_LARGEST, 42, &cap);
	qf_graph *b = sample_pick(f, QF_PICK_LARGEST, 42, &cap);
	qf_graph *c = sample_pick(f, QF_PICK_LARGEST, 43, &cap);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_int_equal(a->ndata, b->ndata);
	assert_int_equal(a->ndata, c->ndata);
	assert_memory_equal(a->data, b->data, (size_t)a->ndata * sizeof(float));
	assert_memory_not_equal(a->data, c->data, (size_t)a->ndata * sizeof(float));

	/* He normal: s4.b0.conv has fan-in 32*3*3 = 288, std sqrt(2/288) =
	 * 0.08333, over 18,432 draws: the sample std is within 2% (about 4
	 * standard errors) and the mean within 0.003. */
	int n = find_node(a, "s4.b0.conv");
	int wt = a->n[n].in[1];
	const float *w = qf_tensor_data(a, wt);
	int64_t cnt = qf_tensor_elems(&a->t[wt]);
	assert_int_equal(cnt, 18432);
	double sum = 0, sq = 0;
	for (int64_t i = 0; i < cnt; i++) {
		sum += w[i];
		sq += (double)w[i] * w[i];
	}
	double mean = sum / (double)cnt, sd = sqrt(sq / (double)cnt - mean * mean);
	assert_true(fabs(mean) < 0.003);
	assert_true(fabs(sd / sqrt(2.0 / 288) - 1) < 0.02);

	/* BN 1, 0, 0, 1; eps and momentum; fc bias 0 */
	int bn = find_node(a, "s4.b0.conv.bn");
	const float want[4] = {1, 0, 0, 1};
	for (int k = 0; k < 4; k++) {
		const qf_tensor *t = &a->t[a->n[bn].in[k + 1]];
		assert_int_equal(t->role, QF_ROLE_GAMMA + k);
		assert_int_equal(t->dim[0], 64);
		for (int j = 0; j < 64; j++)
			assert_true(a->data[t->data + j] == want[k]);
	}
	assert_true(a->n[bn].eps == 1e-5f);
	assert_true(a->n[bn].momentum == 0.1f);
	int fc = find_node(a, "s6.b0.fc");
	const float *bias = qf_tensor_data(a, a->n[fc].in[2]);
	for (int j = 0; j < 10; j++)
		assert_true(bias[j] == 0);
	qf_graph_free(a);
	qf_graph_free(b);
	qf_graph_free(c);
	cap_close(&cap);
	free_fix(f);
}

static void sample_mbconv(void **state)
{
	(void)state;
	fix *f = new_fix(16, 8, 8);
	qf_block *b = single(f, QF_BLOCK_MBCONV);
	b->c = fixed(16), b->e = fixed(1), b->k = fixed(3), b->s = fixed(1);
	b = single(f, QF_BLOCK_MBCONV);
	b->c = fixed(24), b->e = fixed(6), b->k = fixed(5), b->s = fixed(2), b->act = QF_ACT_HSWISH;
	diag_cap cap;
	cap_open(&cap);
	qf_graph *g = sample_pick(f, QF_PICK_LARGEST, 1, &cap);
	assert_non_null(g);
	assert_null(qf_graph_verify(g));
	/* e = 1: no expansion; relu6 by default; stride 1 and 16 -> 16: add */
	assert_int_equal(find_node(g, "s0.b0.expand"), -1);
	assert_true(find_node(g, "s0.b0.dw.relu6") >= 0);
	assert_int_equal(find_node(g, "s0.b0.project.relu6"), -1); /* linear */
	int add = find_node(g, "s0.b0.add");
	assert_true(add >= 0);
	assert_int_equal(g->n[add].in[0], g->input);
	assert_int_equal(g->n[find_node(g, "s0.b0.dw")].groups, 16);
	/* dw 16*8*8*9 = 9,216; project 16*8*8*16 = 16,384 */
	assert_int_equal(macs(g, "s0.b0.dw"), 9216);
	assert_int_equal(macs(g, "s0.b0.project"), 16384);
	/* block 2: expand 16 -> 96 (8x8): 96*64*16 = 98,304; dw 5x5 s2 -> 4x4:
	 * 96*16*25 = 38,400; project 96 -> 24: 24*16*96 = 36,864; no add */
	assert_int_equal(macs(g, "s1.b0.expand"), 98304);
	assert_int_equal(macs(g, "s1.b0.dw"), 38400);
	assert_int_equal(macs(g, "s1.b0.project"), 36864);
	assert_true(find_node(g, "s1.b0.expand.hswish") >= 0);
	assert_int_equal(find_node(g, "s1.b0.add"), -1);
	assert_chw(g->t[g->output].dim, 24, 4, 4);
	assert_int_equal(g->n[find_node(g, "s1.b0.dw")].pad, 2);
	qf_graph_free(g);
	cap_close(&cap);
	free_fix(f);
}

static void sample_frost(void **state)
{
	(void)state;
	fix *f = new_fix(32, 8, 8);
	qf_block *b = single(f, QF_BLOCK_FROST);
	b->c = fixed(32), b->e = fixed(3), b->r = fixed(2), b->k = fixed(3), b->act = QF_ACT_HSWISH;
	diag_cap cap;
	cap_open(&cap);
	qf_graph *g = sample_pick(f, QF_PICK_LARGEST, 1, &cap);
	assert_non_null(g);
	assert_null(qf_graph_verify(g));
	/* squeeze 32 -> 16, concat 48, expand 48 -> 96, dw, project 96 -> 32, add */
	const char *order[] = {"s0.b0.squeeze", "s0.b0.squeeze.bn", "s0.b0.squeeze.relu", "s0.b0.concat",
			       "s0.b0.expand", "s0.b0.expand.bn", "s0.b0.expand.relu", "s0.b0.dw", "s0.b0.dw.bn",
			       "s0.b0.dw.relu", "s0.b0.project", "s0.b0.project.bn", "s0.b0.add"};
	assert_int_equal(g->nn, 13);
	for (int i = 0; i < 13; i++)
		assert_string_equal(g->n[i].name, order[i]);
	assert_int_equal(count_op(g, QF_OP_HSWISH), 0); /* ReLU only */
	assert_chw(out_dim(g, "s0.b0.concat"), 48, 8, 8);
	assert_int_equal(g->n[3].in[0], g->input);
	assert_int_equal(g->n[12].in[0], g->input);
	/* squeeze 16*64*32 = 32,768; expand 96*64*48 = 294,912;
	 * dw 96*64*9 = 55,296; project 32*64*96 = 196,608 */
	assert_int_equal(macs(g, "s0.b0.squeeze"), 32768);
	assert_int_equal(macs(g, "s0.b0.expand"), 294912);
	assert_int_equal(macs(g, "s0.b0.dw"), 55296);
	assert_int_equal(macs(g, "s0.b0.project"), 196608);
	qf_graph_free(g);

	/* r 4: 32/4 = 8 squeeze channels, still a Frost block */
	f->blocks[0].r = fixed(4);
	g = sample_pick(f, QF_PICK_LARGEST, 1, &cap);
	assert_non_null(g);
	assert_chw(out_dim(g, "s0.b0.concat"), 40, 8, 8);
	qf_graph_free(g);
	assert_int_equal(qf_diag_errors(cap.d), 0);
	cap_close(&cap);
	free_fix(f);
}

static void sample_frost_fallback(void **state)
{
	(void)state;
	/* Cin 16, r 4: 4 squeeze channels < 8: an MBConv with ReLU. */
	fix *f = new_fix(16, 8, 8);
	qf_block *b = single(f, QF_BLOCK_FROST);
	b->c = fixed(24), b->e = fixed(3), b->r = fixed(4), b->k = fixed(5), b->s = fixed(2);
	diag_cap cap;
	cap_open(&cap);
	qf_graph *g = sample_pick(f, QF_PICK_LARGEST, 1, &cap);
	assert_non_null(g);
	assert_null(qf_graph_verify(g));
	assert_int_equal(find_node(g, "s0.b0.squeeze"), -1);
	assert_int_equal(count_op(g, QF_OP_CONCAT), 0);
	assert_int_equal(count_op(g, QF_OP_RELU6), 0);
	assert_int_equal(count_op(g, QF_OP_RELU), 2);
	assert_chw(out_dim(g, "s0.b0.expand"), 48, 8, 8);
	assert_chw(out_dim(g, "s0.b0.dw"), 48, 4, 4);
	assert_chw(g->t[g->output].dim, 24, 4, 4);
	qf_graph_free(g);
	cap_close(&cap);
	free_fix(f);
}

static void sample_tiny_stages(void **state)
{
	(void)state;
	fix *f = tiny();
	diag_cap cap;
	cap_open(&cap);
	/* largest: conv 16 s2 (14x14); stage 1 depth 3, c 32, r 2 (16/2 = 8:
	 * Frost), only rep 0 strides: 7x7, then reps 1 and 2 at 7x7 with
	 * residual adds; stage 2 depth 2 c 48 (r 2: 32/2 = 16: Frost). */
	qf_graph *g = sample_pick(f, QF_PICK_LARGEST, 3, &cap);
	assert_non_null(g);
	assert_null(qf_graph_verify(g));
	assert_chw(out_dim(g, "s0.b0.conv"), 16, 14, 14);
	assert_chw(out_dim(g, "s1.b0.project.bn"), 32, 7, 7);
	assert_int_equal(find_node(g, "s1.b0.add"), -1);
	assert_chw(out_dim(g, "s1.b1.add"), 32, 7, 7);
	assert_chw(out_dim(g, "s1.b2.add"), 32, 7, 7);
	assert_int_equal(g->n[find_node(g, "s1.b2.dw")].s, 1);
	assert_int_equal(g->n[find_node(g, "s1.b2.dw")].k, 5);
	assert_int_equal(find_node(g, "s2.b0.add"), -1); /* 32 -> 48 */
	assert_chw(out_dim(g, "s2.b1.add"), 48, 7, 7);
	assert_int_equal(count_op(g, QF_OP_CONCAT), 5);
	assert_int_equal(g->classes, 10);
	assert_int_equal(g->prov.choice.n, f->sp.n_dims);
	for (int i = 0; i < g->nn; i++)
		assert_true(g->n[i].block >= 0 && g->n[i].block < f->sp.n_blocks);
	qf_graph_free(g);

	/* smallest: conv 8; depth 1 each; r 4: 8/4 = 2 and 16/4 = 4 squeeze
	 * channels, both fall back to MBConv; e 3, k 3 */
	g = sample_pick(f, QF_PICK_SMALLEST, 3, &cap);
	assert_non_null(g);
	assert_int_equal(count_op(g, QF_OP_CONCAT), 0);
	assert_int_equal(find_node(g, "s1.b1.dw"), -1);
	assert_chw(out_dim(g, "s1.b0.expand"), 24, 14, 14);
	assert_chw(out_dim(g, "s2.b0.project"), 32, 7, 7);
	qf_counts c, c2;
	qf_graph_counts(g, &c);
	qf_choice ch;
	qf_choice_init(&ch, &f->sp);
	qf_choice_pick(&ch, &f->sp, QF_PICK_SMALLEST, NULL);
	assert_int_equal(qf_choice_counts(&f->p, &ch, &c2, cap.d), 0);
	assert_memory_equal(&c, &c2, sizeof c);
	qf_choice_free(&ch);
	qf_graph_free(g);
	assert_int_equal(qf_diag_errors(cap.d), 0);
	cap_close(&cap);
	free_fix(f);
}

static void sample_quant_bits(void **state)
{
	(void)state;
	fix *f = new_fix(1, 8, 8);
	qf_block *b = single(f, QF_BLOCK_CONV);
	b->c = fixed(8), b->k = fixed(3), b->act = QF_ACT_RELU;
	b = single(f, QF_BLOCK_CONV);
	b->c = fixed(16), b->k = fixed(3), b->act = QF_ACT_RELU;
	b->wbits = DIM(f, QF_DIM_WBITS, 1, 2, 4);
	b = single(f, QF_BLOCK_CONV);
	b->c = fixed(16), b->k = fixed(1), b->act = QF_ACT_RELU, b->abits = fixed(2);
	b = single(f, QF_BLOCK_POOL), b->global = true;
	b = single(f, QF_BLOCK_FC), b->c = fixed(4);
	f->q = (qf_quant){.name = "mixed", .pin_first = 8, .pin_last = 6, .pow2 = true};
	f->q.w = (qf_qtensor){.n_bits = 2, .bits = {2, 4}, .symmetric = true};
	f->q.a = (qf_qtensor){.n_bits = 2, .bits = {4, 6}};
	f->p.quants = &f->q;
	f->p.n_quants = 1;
	f->p.sel_quant = 0;
	diag_cap cap;
	cap_open(&cap);
	qf_graph *g = sample_pick(f, QF_PICK_SMALLEST, 1, &cap);
	assert_non_null(g);
	assert_null(qf_graph_verify(g));
#define WBITS(node) qf_tensor_bits(g, g->n[find_node(g, node)].in[1])
#define ABITS(node) qf_tensor_bits(g, g->n[find_node(g, node)].out)
	assert_int_equal(qf_tensor_bits(g, g->input), 8);
	assert_int_equal(WBITS("s0.b0.conv"), 8);      /* pinned first */
	assert_int_equal(ABITS("s0.b0.conv.bn"), 8);   /* BN is part of the layer */
	assert_int_equal(ABITS("s0.b0.conv.relu"), 8);
	assert_int_equal(WBITS("s1.b0.conv"), 2);      /* its dim, smallest */
	assert_int_equal(ABITS("s1.b0.conv.bn"), 6);   /* the widest act */
	assert_int_equal(WBITS("s2.b0.conv"), 4);      /* the widest weight */
	assert_int_equal(ABITS("s2.b0.conv.relu"), 2); /* its fixed abits */
	assert_int_equal(ABITS("s3.b0.gavgpool"), 6);  /* its block's: the default */
	assert_int_equal(WBITS("s4.b0.fc"), 6);        /* pinned last */
	assert_int_equal(ABITS("s4.b0.fc"), 6);
	const qf_qparam *q = &g->q[g->t[g->n[find_node(g, "s1.b0.conv")].in[1]].quant];
	assert_true(q->symmetric && q->pow2);
	assert_int_equal(q->n, 1);
	assert_true(g->data[q->scale] == 1.0f);
	qf_graph_free(g);

	qf_choice ch;
	qf_choice_init(&ch, &f->sp);
	qf_choice_pick(&ch, &f->sp, QF_PICK_LARGEST, NULL);
	qf_counts c;
	assert_int_equal(qf_choice_counts(&f->p, &ch, &c, cap.d), 0);
	/* weights: 72 at 8 bits = 72; 1152 at 4 = 576; 256 at 4 = 128;
	 * 64 at 6 = 48 bytes: 824 */
	assert_int_equal(c.weight_bytes, 824);
	qf_choice_free(&ch);
	cap_close(&cap);
	free_fix(f);
}

/* ------------------------------------------------------------ bad requests */

static void sample_collapse_reported(void **state)
{
	(void)state;
	fix *f = new_fix(3, 4, 4);
	qf_block *b = single(f, QF_BLOCK_CONV);
	b->c = fixed(8), b->k = fixed(3), b->s = fixed(2); /* 4 -> 2 */
	b = single(f, QF_BLOCK_POOL);
	b->pool = QF_POOL_MAX, b->k = DIM(f, QF_DIM_POOLK, 1, 2, 3);
	diag_cap cap;
	cap_open(&cap);
	qf_diag_set_source(cap.d, "tiny.qf", NULL, 0);
	qf_graph *g = sample_pick(f, QF_PICK_LARGEST, 1, &cap); /* k 2: fits */
	assert_non_null(g);
	assert_chw(g->t[g->output].dim, 8, 1, 1);
	qf_graph_free(g);
	g = sample_pick(f, QF_PICK_SMALLEST, 1, &cap); /* k 3 on 2x2 */
	assert_null(g);
	assert_int_equal(qf_diag_errors(cap.d), 1);
	const char *t = cap_text(&cap);
	assert_non_null(strstr(t, "tiny.qf:12:3: error: pool block s1.b0:"));
	assert_non_null(strstr(t, "collapses below 1x1"));
	qf_choice ch;
	qf_choice_init(&ch, &f->sp);
	qf_choice_pick(&ch, &f->sp, QF_PICK_SMALLEST, NULL);
	qf_counts c;
	assert_int_equal(qf_choice_counts(&f->p, &ch, &c, cap.d), -1);
	assert_int_equal(qf_diag_errors(cap.d), 2);
	qf_choice_free(&ch);
	cap_close(&cap);
	free_fix(f);
}

static void sample_absurd_sizes(void **state)
{
	(void)state;
	diag_cap cap;
	cap_open(&cap);
	qf_diag_set_source(cap.d, "big.qf", NULL, 0);
	/* a 10^9-channel conv */
	fix *f = new_fix(3, 32, 32);
	qf_block *b = single(f, QF_BLOCK_CONV);
	b->c = fixed(1000000000);
	assert_null(sample_pick(f, QF_PICK_LARGEST, 1, &cap));
	assert_non_null(strstr(cap_text(&cap), "1000000000 channels is outside 1..65536"));
	free_fix(f);

	/* an expansion that multiplies past the channel limit */
	f = new_fix(4096, 4, 4);
	b = single(f, QF_BLOCK_MBCONV);
	b->c = fixed(16), b->e = fixed(1 << 20);
	assert_null(sample_pick(f, QF_PICK_LARGEST, 1, &cap));
	free_fix(f);

	/* an fc over a large flattened map: 65536 x (64*512*512) weights */
	f = new_fix(64, 512, 512);
	b = single(f, QF_BLOCK_FC);
	b->c = fixed(65536);
	assert_null(sample_pick(f, QF_PICK_LARGEST, 1, &cap));
	assert_non_null(strstr(cap_text(&cap), "fc weights of 65536 x 16777216 values"));
	free_fix(f);

	/* each tensor under the limit, the network over QF_LIMIT_PARAMS
	 * (4096*4096*3*3 = 150,994,944 weights): counted, not sampled */
	f = new_fix(4096, 4, 4);
	b = single(f, QF_BLOCK_CONV);
	b->c = fixed(4096), b->k = fixed(3);
	assert_null(sample_pick(f, QF_PICK_LARGEST, 1, &cap));
	assert_non_null(strstr(cap_text(&cap), "more than 67108864 parameters"));
	qf_choice ch;
	qf_choice_init(&ch, &f->sp);
	qf_counts c;
	int before = qf_diag_errors(cap.d);
	assert_int_equal(qf_choice_counts(&f->p, &ch, &c, cap.d), 0);
	assert_int_equal(qf_diag_errors(cap.d), before);
	assert_int_equal(c.params, 150994944 + 2 * 4096);
	assert_int_equal(c.macs, 150994944LL * 16);
	qf_choice_free(&ch);
	free_fix(f);

	/* input past the limits */
	f = new_fix(3, 100000, 2);
	single(f, QF_BLOCK_FC)->c = fixed(2);
	assert_null(sample_pick(f, QF_PICK_LARGEST, 1, &cap));
	free_fix(f);
	assert_int_equal(qf_diag_errors(cap.d), 5);
	cap_close(&cap);
}

static void sample_bad_choice(void **state)
{
	(void)state;
	fix *f = tiny();
	diag_cap cap;
	cap_open(&cap);
	qf_choice ch;
	qf_choice_init(&ch, &f->sp);
	ch.idx[1] = 7; /* the depth dim has 3 options */
	assert_null(qf_sample(&f->p, &ch, 1, cap.d));
	assert_non_null(strstr(cap_text(&cap), "outside 0..2"));
	ch.idx[1] = 0;
	ch.n--;
	assert_null(qf_sample(&f->p, &ch, 1, cap.d));
	ch.n++;
	assert_int_equal(qf_diag_errors(cap.d), 2);
	qf_choice_free(&ch);
	cap_close(&cap);
	free_fix(f);
}

/* A sampled graph (quant bits, residual adds, concats, provenance)
 * survives the .qfm writer and reader unchanged. */
static void sample_qfm_round_trip(void **state)
{
	(void)state;
	fix *f = tiny();
	f->q = (qf_quant){.name = "mixed", .pin_first = 8, .pin_last = 8};
	f->q.w = (qf_qtensor){.n_bits = 2, .bits = {2, 4}, .symmetric = true};
	f->q.a = (qf_qtensor){.n_bits = 1, .bits = {4}};
	f->p.quants = &f->q;
	f->p.n_quants = 1;
	f->p.sel_quant = 0;
	diag_cap cap;
	cap_open(&cap);
	qf_graph *g = sample_pick(f, QF_PICK_RANDOM, 9, &cap);
	assert_non_null(g);
	char path[] = "/tmp/qf-test-sample-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(qf_qfm_write(g, path, cap.d), 0);
	qf_graph *r = qf_qfm_read(path, cap.d);
	unlink(path);
	if (!r)
		fail_msg("read back failed: %s", cap_text(&cap));
	assert_null(qf_graph_verify(r));
	assert_int_equal(r->nn, g->nn);
	assert_int_equal(r->nt, g->nt);
	for (int i = 0; i < g->nn; i++) {
		assert_string_equal(r->n[i].name, g->n[i].name);
		assert_int_equal(r->n[i].block, g->n[i].block);
	}
	for (int i = 0; i < g->nt; i++) {
		assert_int_equal(qf_tensor_bits(r, i), qf_tensor_bits(g, i));
		if (g->t[i].data >= 0)
			assert_memory_equal(qf_tensor_data(r, i), qf_tensor_data(g, i),
					    (size_t)qf_tensor_elems(&g->t[i]) * sizeof(float));
	}
	qf_counts a, b;
	qf_graph_counts(g, &a);
	qf_graph_counts(r, &b);
	assert_memory_equal(&a, &b, sizeof a);
	assert_int_equal(r->prov.choice.n, g->prov.choice.n);
	assert_memory_equal(r->prov.choice.idx, g->prov.choice.idx, (size_t)g->prov.choice.n * sizeof(int));
	assert_int_equal(r->prov.seed, 9);
	assert_int_equal(r->classes, 10);
	qf_graph_free(r);
	qf_graph_free(g);
	cap_close(&cap);
	free_fix(f);
}

/* ------------------------------------------------------------ feasibility */

/* fmnist-small under a policy with weights {2, 4, 8} and acts {4, 8}. */
static fix *fmnist_policy(int pin, bool budget_w, bool budget_a, int64_t budget)
{
	fix *f = fmnist_small();
	f->q = (qf_quant){.name = "mixed", .pin_first = pin, .pin_last = pin, .has_budget = budget > 0,
			  .budget_w = budget_w, .budget_a = budget_a, .budget_bytes = budget,
			  .budget_loc = {20, 3}};
	f->q.w = (qf_qtensor){.n_bits = 3, .bits = {4, 2, 8}, .symmetric = true};
	f->q.a = (qf_qtensor){.n_bits = 2, .bits = {8, 4}};
	f->p.quants = &f->q;
	f->p.n_quants = 1;
	f->p.sel_quant = 0;
	return f;
}

static void feasible_budget(void **state)
{
	(void)state;
	/* Weights at 2 bits: (144 + 4608 + 18432 + 640) / 4 = 5,956 bytes.
	 * Activations at 4 bits, the input at 8: the peak is at c1's BN, two
	 * 16x28x28 maps at 4 bits = 2 * 6,272 = 12,544. Together 18,500. */
	fix *f = fmnist_policy(0, true, true, 18500);
	diag_cap cap;
	cap_open(&cap);
	qf_diag_set_source(cap.d, "tiny.qf", NULL, 0);
	assert_int_equal(qf_check_feasible(&f->p, cap.d), 0);
	f->q.budget_bytes = 18499;
	assert_int_equal(qf_check_feasible(&f->p, cap.d), 1);
	assert_string_equal(cap_text(&cap),
			    "tiny.qf:20:3: error: budget of 18499 bytes cannot be met: the smallest network needs "
			    "18500 bytes (weights 5956 at 2 bits + activations 12544 at 4 bits)\n");
	/* weights only */
	f->q.budget_a = false;
	f->q.budget_bytes = 5955;
	assert_int_equal(qf_check_feasible(&f->p, cap.d), 1);
	assert_non_null(strstr(cap_text(&cap), "needs 5956 bytes (weights at 2 bits)"));
	f->q.budget_bytes = 5956;
	assert_int_equal(qf_check_feasible(&f->p, cap.d), 0);
	/* the policy unchanged by the check: sampling still takes the widest */
	assert_int_equal(f->q.w.n_bits, 3);
	cap_close(&cap);
	free_fix(f);

	/* Pins at 8 bits keep c1 and fc at 8: weights 144 + 1152 + 4608 + 640
	 * = 6,544; c1's outputs at 8 bits: the peak is 2 * 12,544 = 25,088. */
	f = fmnist_policy(8, true, true, 31632);
	cap_open(&cap);
	assert_int_equal(qf_check_feasible(&f->p, cap.d), 0);
	f->q.budget_bytes = 31631;
	assert_int_equal(qf_check_feasible(&f->p, cap.d), 1);
	assert_non_null(strstr(cap_text(&cap), "needs 31632 bytes (weights 6544 at 2 bits + activations 25088"));
	cap_close(&cap);
	free_fix(f);
}

static void feasible_smallest_network_is_judged(void **state)
{
	(void)state;
	/* c1 width {64, 16}: only the smallest, 16, fits a budget of 18,500;
	 * the largest would not, and that is no error. */
	fix *f = fmnist_policy(0, true, true, 18500);
	f->blocks[0].c = DIM(f, QF_DIM_WIDTH, 0, 64, 16);
	diag_cap cap;
	cap_open(&cap);
	assert_int_equal(qf_check_feasible(&f->p, cap.d), 0);
	qf_choice ch;
	qf_choice_init(&ch, &f->sp);
	qf_choice_pick(&ch, &f->sp, QF_PICK_LARGEST, NULL);
	qf_counts c;
	assert_int_equal(qf_choice_counts(&f->p, &ch, &c, cap.d), 0);
	assert_true(c.weight_bytes + c.peak_act_bytes > 18500);
	qf_choice_free(&ch);
	assert_int_equal(qf_diag_errors(cap.d), 0);
	cap_close(&cap);
	free_fix(f);
}

static void feasible_constraints_and_target(void **state)
{
	(void)state;
	/* no policy: a float graph counted at 8 bits, weights 23,824 bytes,
	 * activation peak 25,088 */
	fix *f = fmnist_small();
	f->search = (qf_search){.max_flash = 23824, .max_ram = 25088, .max_latency_us = -1,
				.flash_loc = {30, 14}, .ram_loc = {30, 30}};
	f->p.search = &f->search;
	f->target = (qf_target_ref){.name = "no-such-target", .loc = {2, 1}, .flash = 23823, .ram = -1,
				    .clock_hz = -1};
	f->p.targets = &f->target;
	f->p.n_targets = 1;
	f->p.sel_target = 0;
	diag_cap cap;
	cap_open(&cap);
	qf_diag_set_source(cap.d, "tiny.qf", NULL, 0);
	/* only the target's flash override fails; its file does not load
	 * and adds no error of its own */
	assert_int_equal(qf_check_feasible(&f->p, cap.d), 1);
	assert_string_equal(cap_text(&cap), "tiny.qf:2:1: error: target 'no-such-target' has 23823 bytes of "
					    "flash; the smallest network's weights need 23824 bytes at 8 bits\n");
	f->target.flash = -1;
	f->search.max_flash = 23823;
	f->search.max_ram = 25087;
	assert_int_equal(qf_check_feasible(&f->p, cap.d), 2);
	const char *t = cap_text(&cap);
	assert_non_null(strstr(t, "tiny.qf:30:14: error: flash constraint of 23823 bytes cannot be met: the "
				  "smallest network's weights need 23824 bytes at 8 bits"));
	assert_non_null(strstr(t, "tiny.qf:30:30: error: ram constraint of 25087 bytes cannot be met"));
	f->target.ram = 100;
	f->search.max_ram = -1;
	f->search.max_flash = -1;
	assert_int_equal(qf_check_feasible(&f->p, cap.d), 1);
	assert_non_null(strstr(cap_text(&cap), "has 100 bytes of RAM; the smallest network's activations need 25088"));
	cap_close(&cap);
	free_fix(f);
}

static void feasible_collapse_and_no_space(void **state)
{
	(void)state;
	fix *f = new_fix(3, 4, 4);
	qf_block *b = single(f, QF_BLOCK_POOL);
	b->pool = QF_POOL_MAX, b->k = DIM(f, QF_DIM_POOLK, 0, 2, 8);
	diag_cap cap;
	cap_open(&cap);
	assert_int_equal(qf_check_feasible(&f->p, cap.d), 1); /* k 8 on 4x4 */
	assert_non_null(strstr(cap_text(&cap), "collapses below 1x1"));
	f->p.sel_space = -1;
	assert_int_equal(qf_check_feasible(&f->p, cap.d), 0);
	cap_close(&cap);
	free_fix(f);
}

/* ------------------------------------------------------------ from .qf text */

static qf_program *parse(const char *text, diag_cap *cap)
{
	qf_diag_set_source(cap->d, "t.qf", text, strlen(text));
	qf_program *p = qf_parse("t.qf", text, strlen(text), cap->d);
	if (!p)
		fail_msg("parse failed: %s", cap_text(cap));
	return p;
}

static void parsed_fmnist_small(void **state)
{
	(void)state;
	static const char text[] = "space s {\n"
				   "  input 1x28x28;\n"
				   "  conv c 16 k 3 relu; pool max k 2;\n"
				   "  conv c 32 k 3 relu; pool max k 2;\n"
				   "  conv c 64 k 3 relu;\n"
				   "  pool avg global;\n"
				   "  fc 10;\n"
				   "}\n";
	diag_cap cap;
	cap_open(&cap);
	qf_program *p = parse(text, &cap);
	const qf_space *sp = &p->spaces[p->sel_space];
	assert_true(qf_space_networks(sp) == 1.0);
	qf_choice ch;
	qf_choice_init(&ch, sp);
	qf_graph *g = qf_sample(p, &ch, 1, cap.d);
	assert_non_null(g);
	qf_counts c;
	qf_graph_counts(g, &c);
	assert_int_equal(c.macs, 1919872);
	assert_int_equal(c.params, 24058);
	assert_int_equal(g->classes, 10);
	qf_graph_free(g);
	qf_choice_free(&ch);
	qf_program_free(p);
	cap_close(&cap);
}

static void parsed_stage(void **state)
{
	(void)state;
	static const char text[] = "space s {\n"
				   "  input 8x16x16;\n"
				   "  stage depth {1, 2, 3} { conv c {8, 16} k {3, 5} s 2 relu; }\n"
				   "  fc 4;\n"
				   "}\n";
	diag_cap cap;
	cap_open(&cap);
	qf_program *p = parse(text, &cap);
	const qf_space *sp = &p->spaces[p->sel_space];
	/* the width is shared by the reps, each rep has its own kernel:
	 * d=1: 2*2 = 4, d=2: 2*4 = 8, d=3: 2*8 = 16; 28 networks */
	assert_true(qf_space_networks(sp) == 28.0);
	qf_choice ch;
	qf_choice_init(&ch, sp);
	qf_choice_pick(&ch, sp, QF_PICK_LARGEST, NULL);
	qf_graph *g = qf_sample(p, &ch, 1, cap.d);
	assert_non_null(g);
	/* depth 3, only the first rep strides: 16 -> 8, 8, 8 */
	assert_chw(out_dim(g, "s0.b0.conv"), 16, 8, 8);
	assert_chw(out_dim(g, "s0.b1.conv"), 16, 8, 8);
	assert_chw(out_dim(g, "s0.b2.conv"), 16, 8, 8);
	assert_int_equal(g->n[find_node(g, "s0.b2.conv")].k, 5);
	/* 8x16x16 -> three convs -> fc over 16*8*8 = 1024 inputs */
	assert_int_equal(macs(g, "s1.b0.fc"), 4 * 1024);
	qf_graph_free(g);
	qf_choice_free(&ch);
	qf_program_free(p);
	cap_close(&cap);
}

static void parsed_dsl_example_space(void **state)
{
	(void)state;
	static const char text[] =
		"space tiny {\n"
		"  input 1x28x28;\n"
		"  conv  c {8, 16} k 3 s 2 relu;\n"
		"  stage depth {1, 2, 3} { frost c {16, 24, 32} e {3, 6} r {2, 4} k {3, 5} s 2; }\n"
		"  stage depth {1, 2}    { frost c {32, 48}     e {3, 6} r {2, 4} k {3, 5}; }\n"
		"  pool  avg global;\n"
		"  fc    10;\n"
		"}\n";
	diag_cap cap;
	cap_open(&cap);
	qf_program *p = parse(text, &cap);
	const qf_space *sp = &p->spaces[p->sel_space];
	assert_true(qf_space_networks(sp) == 504576.0); /* as networks_of_tiny */
	qf_rng rng;
	qf_rng_seed(&rng, 11);
	qf_choice ch;
	qf_choice_init(&ch, sp);
	for (int i = 0; i < 20; i++) {
		qf_choice_pick(&ch, sp, QF_PICK_RANDOM, &rng);
		qf_counts c1, c2;
		qf_graph *g = qf_sample(p, &ch, (uint64_t)i, cap.d);
		assert_non_null(g);
		assert_null(qf_graph_verify(g));
		qf_graph_counts(g, &c1);
		assert_int_equal(qf_choice_counts(p, &ch, &c2, cap.d), 0);
		assert_memory_equal(&c1, &c2, sizeof c1);
		assert_chw(g->t[g->output].dim, 10, 1, 1);
		qf_graph_free(g);
	}
	assert_int_equal(qf_diag_errors(cap.d), 0);
	qf_choice_free(&ch);
	qf_program_free(p);
	cap_close(&cap);
}

static void parsed_budget_infeasible(void **state)
{
	(void)state;
	static const char text[] = "quant q {\n"
				   "  weights { bits {2, 4, 8}; per channel; symmetric; }\n"
				   "  acts    { bits {4, 8}; per tensor; asymmetric; }\n"
				   "  budget  weights + acts <= 1K penalty 1e-3;\n"
				   "}\n"
				   "space s {\n"
				   "  input 1x28x28;\n"
				   "  stage depth {1, 2, 3} { conv c {8, 16} k {3, 5} s 2 relu; }\n"
				   "  pool avg global;\n"
				   "  fc 4;\n"
				   "}\n"
				   "search { space s; quant q; constraint flash <= 25, ram <= 64K; }\n";
	diag_cap cap;
	cap_open(&cap);
	qf_program *p = parse(text, &cap);
	/* smallest: depth 1, c 8, k 3; weights (72 + 32) at 2 bits = 26
	 * bytes; activations: the 784-byte input and the 8x14x14 conv output
	 * at 4 bits (784 bytes) = 1,568 */
	assert_int_equal(qf_check_feasible(p, cap.d), 2);
	const char *t = cap_text(&cap);
	assert_non_null(strstr(t, "t.qf:4:3: error: budget of 1024 bytes cannot be met: the smallest network "
				  "needs 1594 bytes (weights 26 at 2 bits + activations 1568 at 4 bits)\n"
				  "    budget  weights + acts <= 1K penalty 1e-3;\n"
				  "    ^\n"));
	assert_non_null(strstr(t, "flash constraint of 25 bytes cannot be met: the smallest network's weights "
				  "need 26 bytes at 2 bits"));
	qf_program_free(p);
	cap_close(&cap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(networks_without_depth),
		cmocka_unit_test(networks_of_tiny),
		cmocka_unit_test(networks_shared_width_owned_by_block),
		cmocka_unit_test(networks_inactive_dims_and_stage_dims),
		cmocka_unit_test(networks_past_2_64),
		cmocka_unit_test(picks),
		cmocka_unit_test(sample_fmnist_small),
		cmocka_unit_test(sample_init_values),
		cmocka_unit_test(sample_mbconv),
		cmocka_unit_test(sample_frost),
		cmocka_unit_test(sample_frost_fallback),
		cmocka_unit_test(sample_tiny_stages),
		cmocka_unit_test(sample_quant_bits),
		cmocka_unit_test(sample_collapse_reported),
		cmocka_unit_test(sample_absurd_sizes),
		cmocka_unit_test(sample_bad_choice),
		cmocka_unit_test(sample_qfm_round_trip),
		cmocka_unit_test(feasible_budget),
		cmocka_unit_test(feasible_smallest_network_is_judged),
		cmocka_unit_test(feasible_constraints_and_target),
		cmocka_unit_test(feasible_collapse_and_no_space),
		cmocka_unit_test(parsed_fmnist_small),
		cmocka_unit_test(parsed_stage),
		cmocka_unit_test(parsed_dsl_example_space),
		cmocka_unit_test(parsed_budget_infeasible),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
