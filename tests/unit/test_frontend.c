/* test_frontend.c: the .qf scanner, parser, checks and lowering, through
 * qf_parse (and the scanner's keyword table through the messages it
 * leads to). Diagnostics are captured in memory and compared as text. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frontend/ast.h"

/* ------------------------------------------------------------ helpers */

typedef struct {
	char *buf;
	size_t len;
	FILE *f;
	qf_diag *d;
	qf_program *p;
} run;

static run *parse_n(const char *src, size_t n)
{
	run *r = calloc(1, sizeof(run));
	r->f = open_memstream(&r->buf, &r->len);
	assert_non_null(r->f);
	r->d = qf_diag_new(r->f);
	qf_diag_set_source(r->d, "t.qf", src, n);
	r->p = qf_parse("t.qf", src, n, r->d);
	fflush(r->f);
	return r;
}

static run *parse(const char *src)
{
	return parse_n(src, strlen(src));
}

static void done(run *r)
{
	qf_program_free(r->p);
	qf_diag_free(r->d);
	fclose(r->f);
	free(r->buf);
	free(r);
}

/* Parses src, which must be valid; fails with the diagnostics if not. */
static run *ok(const char *src)
{
	run *r = parse(src);
	if (!r->p)
		fail_msg("expected no errors, got:\n%s", r->buf);
	assert_int_equal(qf_diag_errors(r->d), 0);
	return r;
}

/* Parses src, which must give exactly `errors` errors, and checks that
 * `want` (if any) appears in the output. */
static void bad(const char *src, int errors, const char *want)
{
	run *r = parse(src);
	assert_null(r->p);
	if (qf_diag_errors(r->d) != errors)
		fail_msg("expected %d errors, got %d:\n%s", errors, qf_diag_errors(r->d), r->buf);
	if (want && !strstr(r->buf, want))
		fail_msg("expected '%s' in:\n%s", want, r->buf);
	done(r);
}

static const qf_space *space(const run *r)
{
	assert_true(r->p->sel_space >= 0);
	return &r->p->spaces[r->p->sel_space];
}

static int find_dim(const qf_space *sp, const char *name)
{
	for (int i = 0; i < sp->n_dims; i++)
		if (strcmp(sp->dims[i].name, name) == 0)
			return i;
	return -1;
}

static char *read_example(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

#define SPACE_HEAD "space s {\n  input 1x28x28;\n"
#define SPACE_TAIL "  pool avg global;\n  fc 10;\n}\n"

/* ------------------------------------------------------------ the example */

static void test_example_entities(void **state)
{
	(void)state;
	run *r = ok(read_example("examples/fmnist.qf"));
	const qf_program *p = r->p;
	assert_int_equal(p->n_targets, 1);
	assert_int_equal(p->n_datas, 1);
	assert_int_equal(p->n_quants, 1);
	assert_int_equal(p->n_spaces, 1);
	assert_int_equal(p->sel_target, 0);
	assert_int_equal(p->sel_data, 0);
	assert_int_equal(p->sel_quant, 0);
	assert_int_equal(p->sel_space, 0);

	const qf_target_ref *t = &p->targets[0];
	assert_string_equal(t->name, "cortex-m4");
	assert_int_equal(t->flash, 64 * 1024);
	assert_int_equal(t->ram, 32 * 1024);
	assert_int_equal(t->clock_hz, -1);

	const qf_data *d = &p->datas[0];
	assert_string_equal(d->name, "fmnist");
	assert_string_equal(d->train_images, "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
	assert_string_equal(d->test_labels, "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
	assert_int_equal(d->in_c, 1);
	assert_int_equal(d->in_h, 28);
	assert_int_equal(d->in_w, 28);
	assert_false(d->in_float);
	assert_int_equal(d->classes, 10);
	assert_int_equal(d->crop, 28);
	assert_int_equal(d->crop_pad, 2);
	assert_true(d->flip_h);
	assert_int_equal(d->validate, 5000);
	assert_int_equal(d->train_loc.line, 9);

	const qf_quant *q = &p->quants[0];
	assert_int_equal(q->w.n_bits, 3);
	assert_int_equal(q->w.bits[0], 2);
	assert_int_equal(q->w.bits[2], 8);
	assert_true(q->w.per_channel);
	assert_true(q->w.symmetric);
	assert_int_equal(q->w.slice, 8);
	assert_int_equal(q->a.n_bits, 2);
	assert_false(q->a.per_channel);
	assert_false(q->a.symmetric);
	assert_true(q->pow2);
	assert_int_equal(q->pin_first, 8);
	assert_int_equal(q->pin_last, 8);
	assert_int_equal(q->methods, (1u << QF_QM_LSQ) | (1u << QF_QM_LEARNED_PRECISION) |
					     (1u << QF_QM_STATASSIST) | (1u << QF_QM_GRADBOOST));
	assert_true(q->has_budget && q->budget_w && q->budget_a);
	assert_int_equal(q->budget_bytes, 24 * 1024);
	assert_true(fabs(q->penalty - 1e-3) < 1e-15);
	assert_int_equal(q->budget_loc.line, 25);
	assert_int_equal(q->n_phases, 4);
	assert_int_equal(q->phases[0].kind, QF_PHASE_FLOAT);
	assert_int_equal(q->phases[0].epochs, 2);
	assert_true(fabs(q->phases[0].lr - 0.1) < 1e-12);
	assert_int_equal(q->phases[2].kind, QF_PHASE_PRECISION);
	assert_true(q->phases[2].lr == 0);
	assert_int_equal(q->phases[3].kind, QF_PHASE_FINETUNE);
	assert_int_equal(q->phases[3].epochs, 1);

	const qf_search *s = p->search;
	assert_non_null(s);
	assert_string_equal(s->space, "tiny");
	assert_string_equal(s->target, "cortex-m4");
	assert_int_equal(s->supernet_epochs, 10);
	assert_int_equal(s->sandwich, 4);
	assert_true(s->distill_inplace);
	assert_int_equal(s->strategy, QF_STRATEGY_EVOLUTION);
	assert_int_equal(s->population, 64);
	assert_int_equal(s->generations, 30);
	assert_true(s->maximize_accuracy);
	assert_int_equal(s->max_flash, 48 * 1024);
	assert_int_equal(s->max_ram, 16 * 1024);
	assert_int_equal(s->max_latency_us, 20000);
	assert_int_equal(s->flash_loc.line, 48);
	assert_int_equal(s->seed, 1);
	done(r);
}

/* The space of the example, lowered by the rules of docs/dsl.md. */
static void test_example_space(void **state)
{
	(void)state;
	run *r = ok(read_example("examples/fmnist.qf"));
	const qf_space *sp = space(r);
	assert_string_equal(sp->name, "tiny");
	assert_int_equal(sp->in_c, 1);
	assert_int_equal(sp->in_h, 28);
	/* conv | stage 3 x frost | stage 2 x frost | pool | fc */
	assert_int_equal(sp->n_stages, 5);
	assert_int_equal(sp->n_blocks, 1 + 3 + 2 + 1 + 1);
	assert_int_equal(sp->stages[1].first, 1);
	assert_int_equal(sp->stages[1].n, 3);
	assert_int_equal(sp->stages[1].templates, 1);
	assert_int_equal(sp->stages[2].first, 4);
	/* learned_precision: bits are trained, not searched, so no bits dims */
	assert_int_equal(sp->n_dims, 20);
	static const char *const names[] = {
		"s0.t0.c", "s1.depth", "s1.t0.c", "s1.b0.k", "s1.b0.e", "s1.b0.r", "s1.b1.k",
		"s1.b1.e", "s1.b1.r",  "s1.b2.k", "s1.b2.e", "s1.b2.r", "s2.depth", "s2.t0.c",
		"s2.b0.k", "s2.b0.e",  "s2.b0.r", "s2.b1.k", "s2.b1.e", "s2.b1.r",
	};
	for (int i = 0; i < 20; i++)
		assert_string_equal(sp->dims[i].name, names[i]);
	const qf_dim *depth = &sp->dims[1];
	assert_int_equal(depth->kind, QF_DIM_DEPTH);
	assert_int_equal(depth->n, 3);
	assert_int_equal(depth->block, -1);
	assert_int_equal(depth->stage, 1);
	assert_int_equal(sp->stages[1].depth.dim, 1);
	assert_int_equal(sp->stages[0].depth.dim, -1);
	assert_int_equal(sp->stages[0].depth.value, 1);

	/* one width dim shared by the reps of a template */
	const qf_block *b1 = &sp->blocks[1], *b2 = &sp->blocks[2], *b3 = &sp->blocks[3];
	assert_int_equal(b1->kind, QF_BLOCK_FROST);
	assert_int_equal(b1->rep, 0);
	assert_int_equal(b3->rep, 2);
	assert_int_equal(b1->c.dim, 2);
	assert_int_equal(b2->c.dim, 2);
	assert_int_equal(b3->c.dim, 2);
	/* kernel dims per block; stride only on rep 0 */
	assert_true(b1->k.dim >= 0 && b2->k.dim >= 0 && b1->k.dim != b2->k.dim);
	assert_int_equal(b1->s.dim, -1);
	assert_int_equal(b1->s.value, 2);
	assert_int_equal(b2->s.value, 1);
	assert_int_equal(b3->s.value, 1);
	assert_int_equal(b1->act, QF_ACT_RELU);
	assert_int_equal(sp->dims[b1->k.dim].kind, QF_DIM_KERNEL);
	assert_int_equal(sp->dims[b1->k.dim].block, 0);

	const qf_block *conv = &sp->blocks[0], *pool = &sp->blocks[6], *fc = &sp->blocks[7];
	assert_int_equal(conv->kind, QF_BLOCK_CONV);
	assert_int_equal(conv->act, QF_ACT_RELU);
	assert_int_equal(conv->k.value, 3);
	assert_int_equal(conv->s.value, 2);
	assert_int_equal(conv->e.value, -1);
	/* pinned first and last weighted layers */
	assert_int_equal(conv->wbits.value, 8);
	assert_int_equal(conv->abits.value, 8);
	assert_int_equal(fc->wbits.value, 8);
	assert_int_equal(b1->wbits.dim, -1);
	assert_int_equal(b1->wbits.value, -1);
	assert_int_equal(pool->kind, QF_BLOCK_POOL);
	assert_true(pool->global);
	assert_int_equal(pool->pool, QF_POOL_AVG);
	assert_int_equal(pool->k.value, -1);
	assert_int_equal(fc->kind, QF_BLOCK_FC);
	assert_int_equal(fc->c.value, 10);
	assert_int_equal(fc->loc.line, 40);
	assert_int_equal(fc->loc.col, 3);
	assert_true(qf_space_networks(sp) == 504576.0);
	done(r);
}

/* ------------------------------------------------------------ lowering rules */

static void test_stage_blocks(void **state)
{
	(void)state;
	run *r = ok(SPACE_HEAD
		    "  stage depth {2, 4} { conv c {8, 16} k {3, 5} s 2; dwconv k 3; conv c 8 k 1 s {1, 2}; }\n"
		    SPACE_TAIL);
	const qf_space *sp = space(r);
	assert_int_equal(sp->n_stages, 3);
	assert_int_equal(sp->stages[0].n, 12); /* D=4 x T=3 */
	assert_int_equal(sp->stages[0].templates, 3);
	assert_int_equal(sp->n_blocks, 14);
	for (int b = 0; b < 12; b++) {
		assert_int_equal(sp->blocks[b].rep, b / 3);
		assert_int_equal(sp->blocks[b].kind,
				 b % 3 == 1 ? QF_BLOCK_DWCONV : QF_BLOCK_CONV);
	}
	int w = find_dim(sp, "s0.t0.c");
	assert_true(w >= 0);
	for (int rep = 0; rep < 4; rep++)
		assert_int_equal(sp->blocks[rep * 3].c.dim, w);
	assert_int_equal(find_dim(sp, "s0.t2.c"), -1); /* one value: fixed */
	assert_int_equal(sp->blocks[2].c.value, 8);
	for (int rep = 0; rep < 4; rep++)
		assert_true(find_dim(sp, (char[][10]){"s0.b0.k", "s0.b3.k", "s0.b6.k", "s0.b9.k"}[rep]) >= 0);
	/* stride set only on rep 0 */
	assert_true(find_dim(sp, "s0.b2.s") >= 0);
	assert_int_equal(find_dim(sp, "s0.b5.s"), -1);
	assert_int_equal(sp->blocks[5].s.value, 1);
	assert_int_equal(sp->blocks[0].s.value, 2);
	assert_int_equal(sp->blocks[3].s.value, 1);
	int dd = find_dim(sp, "s0.depth");
	assert_int_equal(dd, 0);
	assert_int_equal(sp->dims[dd].v[0], 2);
	assert_int_equal(sp->dims[dd].v[1], 4);
	/* 1 depth + 1 width + 4 kernels + 1 stride */
	assert_int_equal(sp->n_dims, 7);
	done(r);
}

/* A pool's stride defaults to its window, and shares its dim. */
static void test_pool_stride(void **state)
{
	(void)state;
	run *r = ok("space s {\n input 3x32x32;\n conv c 8 k 3;\n pool max k {2, 3};\n pool avg k 2 s 1;\n fc 4;\n}\n");
	const qf_space *sp = space(r);
	const qf_block *p1 = &sp->blocks[1], *p2 = &sp->blocks[2];
	assert_int_equal(p1->pool, QF_POOL_MAX);
	assert_true(p1->k.dim >= 0);
	assert_int_equal(p1->s.dim, p1->k.dim);
	assert_string_equal(sp->dims[p1->k.dim].name, "s1.b0.pool_k");
	assert_int_equal(sp->dims[p1->k.dim].kind, QF_DIM_POOLK);
	assert_int_equal(p2->k.value, 2);
	assert_int_equal(p2->s.value, 1);
	assert_int_equal(sp->n_dims, 1);
	done(r);
}

static const char *quant_policy(void)
{
	return "quant q {\n"
	       "  weights { bits {4, 8}; }\n"
	       "  acts { bits {2, 4, 8}; }\n"
	       "  pin first, last bits 8;\n"
	       "}\n";
}

/* Searched bits: a WBITS and an ABITS dim per weighted block, except the
 * pinned first and last; a block's own wbits wins. */
static void test_bits_dims(void **state)
{
	(void)state;
	char src[1024];
	snprintf(src, sizeof(src),
		 "%s" SPACE_HEAD "  conv c 8 k 3;\n  relu;\n  dwconv k 3;\n  conv c 16 k 1 wbits {2, 8} abits 4;\n"
		 "  stage depth {1, 2} { mbconv c 16 e 3 k 3; }\n" SPACE_TAIL,
		 quant_policy());
	run *r = ok(src);
	const qf_space *sp = space(r);
	/* conv relu dwconv conv mbconv mbconv pool fc */
	assert_int_equal(sp->n_blocks, 8);
	const qf_block *b = sp->blocks;
	assert_int_equal(b[0].wbits.value, 8); /* pinned first */
	assert_int_equal(b[0].wbits.dim, -1);
	assert_int_equal(b[1].wbits.value, -1); /* relu has no weights */
	assert_int_equal(b[1].wbits.dim, -1);
	assert_true(b[2].wbits.dim >= 0);
	assert_string_equal(sp->dims[b[2].wbits.dim].name, "s2.b0.wbits");
	assert_int_equal(sp->dims[b[2].wbits.dim].n, 2);
	assert_true(b[2].abits.dim >= 0);
	assert_int_equal(sp->dims[b[2].abits.dim].n, 3);
	assert_int_equal(sp->dims[b[2].abits.dim].kind, QF_DIM_ABITS);
	/* explicit */
	assert_true(b[3].wbits.dim >= 0);
	assert_int_equal(sp->dims[b[3].wbits.dim].v[0], 2);
	assert_int_equal(b[3].abits.dim, -1);
	assert_int_equal(b[3].abits.value, 4);
	/* both reps of a stage */
	assert_string_equal(sp->dims[b[5].wbits.dim].name, "s4.b1.wbits");
	assert_int_equal(b[6].wbits.dim, -1);  /* pool */
	assert_int_equal(b[7].wbits.value, 8); /* pinned last */
	assert_int_equal(b[7].abits.value, 8);
	assert_int_equal(sp->n_dims, 1 + 2 + 1 + 2 + 2); /* depth; dw w+a; conv w; mb w+a x2 */
	done(r);
}

/* With learned_precision the bits are trained: no dims. */
static void test_learned_bits_no_dims(void **state)
{
	(void)state;
	run *r = ok("quant q { weights { bits {2, 4, 8}; } method learned_precision; }\n" SPACE_HEAD
		    "  conv c 8 k 3;\n  conv c 8 k 3;\n" SPACE_TAIL);
	assert_int_equal(space(r)->n_dims, 0);
	assert_int_equal(space(r)->blocks[1].wbits.value, -1);
	done(r);
}

/* ------------------------------------------------------------ selection */

static void test_selection(void **state)
{
	(void)state;
	/* nothing to select */
	run *r = ok("target \"host\";\n");
	assert_int_equal(r->p->sel_space, -1);
	assert_int_equal(r->p->sel_data, -1);
	assert_int_equal(r->p->sel_quant, -1);
	assert_int_equal(r->p->sel_target, 0);
	assert_null(r->p->search);
	done(r);

	/* the search block picks among several, and names a built-in target
	 * that no declaration mentions */
	r = ok(SPACE_HEAD SPACE_TAIL "space t {\n  input 1x8x8;\n  fc 2;\n}\n"
				     "search { space t; target \"cortex-m7\"; }\n");
	assert_int_equal(r->p->n_spaces, 2);
	assert_int_equal(r->p->sel_space, 1);
	assert_int_equal(r->p->n_targets, 1);
	assert_int_equal(r->p->sel_target, 0);
	assert_string_equal(r->p->targets[0].name, "cortex-m7");
	assert_int_equal(r->p->targets[0].flash, -1);
	/* defaults of the search block */
	assert_int_equal(r->p->search->strategy, QF_STRATEGY_EVOLUTION);
	assert_int_equal(r->p->search->max_flash, -1);
	assert_int_equal(r->p->search->max_latency_us, -1);
	assert_int_equal(r->p->search->seed, 1);
	done(r);

	bad(SPACE_HEAD SPACE_TAIL "space t {\n  input 1x8x8;\n  fc 2;\n}\n", 1,
	    "t.qf:6:7: error: the file defines 2 spaces; say which to use in a search block (search { space NAME; })");
	bad(SPACE_HEAD SPACE_TAIL "search { space ss; }\n", 1, "unknown space 'ss'; did you mean 's'?");
	bad("search { quant q; }\n", 1, "unknown quant policy 'q'; the file defines no quant policies");
	bad("search { target \"cortex-m5\"; }\n", 1, "unknown target 'cortex-m5'; did you mean 'cortex-m4'?");
	bad("target \"zzz\";\n", 1, "unknown target 'zzz'; the built-in targets are cortex-m0plus");
	/* a path is a target file, read later */
	r = ok("target \"targets/my-board.xml\" { clock 48MHz; }\n");
	assert_int_equal(r->p->targets[0].clock_hz, 48000000);
	done(r);
	bad(SPACE_HEAD SPACE_TAIL SPACE_HEAD SPACE_TAIL, 1, "duplicate space 's'");
	bad("search { seed 1; }\nsearch { seed 2; }\n", 1, "a file holds one search block");
}

/* ------------------------------------------------------------ numbers, units */

static void test_units(void **state)
{
	(void)state;
	run *r = ok("target \"host\" { flash 1.5K; ram 2M; clock 168MHz; }\n"
		    "search { constraint flash <= 100, ram <= 1K, latency <= 500us; seed 18446744; }\n");
	assert_int_equal(r->p->targets[0].flash, 1536);
	assert_int_equal(r->p->targets[0].ram, 2 << 20);
	assert_int_equal(r->p->targets[0].clock_hz, 168000000);
	assert_int_equal(r->p->search->max_flash, 100);
	assert_int_equal(r->p->search->max_ram, 1024);
	assert_int_equal(r->p->search->max_latency_us, 500);
	assert_int_equal(r->p->search->seed, 18446744);
	done(r);
	r = ok("target \"host\" { clock 8kHz; }\nsearch { constraint latency <= 1.5ms; }\n");
	assert_int_equal(r->p->targets[0].clock_hz, 8000);
	assert_int_equal(r->p->search->max_latency_us, 1500);
	done(r);

	bad("target \"host\" { flash 64KB; }\n", 1, "t.qf:1:25: error: unknown unit 'KB' in 64KB; did you mean 'K'?");
	bad("target \"host\" { flash 20ms; }\n", 1, "flash size takes K or M (no unit: bytes), not 'ms'");
	bad("target \"host\" { clock 168; }\n", 1, "clock needs a unit, MHz, kHz or Hz, got 168");
	bad("search { constraint latency <= 20; }\n", 1, "latency constraint needs a unit, ms or us, got 20");
	bad("target \"host\" { flash 0.1K; }\n", 1, "flash size must be a whole number of bytes from 1 to 4096M, got 0.1K");
	bad(SPACE_HEAD "  conv c 8 k 3K;\n" SPACE_TAIL, 1, "kernel size takes no unit, got 3K");
	bad(SPACE_HEAD "  conv c 8 k 3s;\n" SPACE_TAIL, 1,
	    "kernel size takes no unit, got 3s (put a space between a number and a word)");
	bad("search { seed 99999999999999999999; }\n", 1,
	    "seed must be an integer >= 0, got 99999999999999999999");
	bad("quant q { schedule { qat -1 epochs; } }\n", 1, "epochs must be an integer in 0..1000000, got -1");
	bad("quant q { schedule { qat 1 epochs lr 0; } }\n", 1, "learning rate must be a number > 0 and <= 1e+06, got 0");
	bad("quant q { budget weights <= 1K penalty -1e-3; }\n", 1, "penalty must be a number >= 0, got -1e-3");
}

/* Exponents, decimals and integral values written with them. */
static void test_numbers(void **state)
{
	(void)state;
	run *r = ok("quant q { schedule { float 1e1 epochs lr 2.5e-4; qat 0 epochs lr 1E+2; } "
		    "budget acts <= 16.0 penalty 0; }\n");
	const qf_quant *q = &r->p->quants[0];
	assert_int_equal(q->phases[0].epochs, 10);
	assert_true(fabs(q->phases[0].lr - 2.5e-4) < 1e-18);
	assert_true(q->phases[1].lr == 100);
	assert_int_equal(q->budget_bytes, 16);
	assert_false(q->budget_w);
	assert_true(q->budget_a);
	done(r);
	bad(SPACE_HEAD "  conv c 8.5 k 3;\n" SPACE_TAIL, 1, "width must be an integer in 1..65536, got 8.5");
	/* a set across lines, with comments, and a set of one value */
	r = ok(SPACE_HEAD "  conv c { // widths\n    8, /* or */ 16 } k {\n 3};\n" SPACE_TAIL);
	assert_int_equal(space(r)->n_dims, 1);
	assert_int_equal(space(r)->dims[0].v[1], 16);
	assert_int_equal(space(r)->blocks[0].k.value, 3);
	done(r);
	bad(SPACE_HEAD "  conv c 8 k 3 s {-1};\n" SPACE_TAIL, 1, "t.qf:3:19: error: stride must be an integer in 1..4, got -1");
	bad(SPACE_HEAD "  conv c 8 k 1e999;\n" SPACE_TAIL, 1, "kernel size must be an integer in 1..31, got 1e999");
}

/* ------------------------------------------------------------ errors */

/* Three independent errors, all reported, in the order of the file. */
static void test_three_errors(void **state)
{
	(void)state;
	run *r = parse("space s {\n"
		       "  input 1x28x28;\n"
		       "  conv c 8 k 4;\n"            /* even kernel */
		       "  conv c {8 16} k 3;\n"       /* syntax */
		       "  pool avg global;\n"
		       "  fc 10;\n"
		       "}\n"
		       "search { space ss; }\n");     /* unknown name */
	assert_null(r->p);
	assert_int_equal(qf_diag_errors(r->d), 3);
	const char *e1 = strstr(r->buf, "t.qf:4:13: error: unexpected number 16, expected '}' or ','");
	const char *e2 = strstr(r->buf, "t.qf:3:14: error: kernel size must be odd, got 4");
	const char *e3 = strstr(r->buf, "t.qf:8:16: error: unknown space 'ss'; did you mean 's'?");
	assert_non_null(e1);
	assert_non_null(e2);
	assert_non_null(e3);
	/* each with its source line and caret */
	assert_non_null(strstr(r->buf, "  conv c {8 16} k 3;\n              ^\n"));
	done(r);
}

/* The scanner knows every keyword of the grammar: each one, alone where
 * a declaration belongs, is reported as that keyword, not as a name. */
static void test_keywords(void **state)
{
	(void)state;
	const char *kw[128];
	int n = fe_keyword_list(kw, 128);
	assert_true(n > 70);
	for (int i = 0; i < n; i++) {
		char src[64], want[64];
		snprintf(src, sizeof(src), "%s %s", kw[i], kw[i]);
		run *r = parse(src);
		assert_null(r->p);
		snprintf(want, sizeof(want), "unexpected '%s'", kw[i]);
		if (!strstr(r->buf, want))
			fail_msg("keyword '%s' not scanned as one:\n%s", kw[i], r->buf);
		done(r);
	}
	bad("data test { }\n", 1, "unexpected 'test', expected name (a keyword cannot be used as a name)");
}

static void test_syntax_messages(void **state)
{
	(void)state;
	bad("spce s { }\n", 1, "t.qf:1:1: error: unexpected name 'spce'; did you mean 'space'?");
	bad(SPACE_HEAD "  add;\n" SPACE_TAIL, 1, "unexpected name 'add'; residual adds are implicit");
	bad(SPACE_HEAD "  conv c 8 k 3\n" SPACE_TAIL, 1, "unexpected 'pool'; is a ';' missing at the end of line 3?");
	bad(SPACE_HEAD "  fc 10;\n", 1, "t.qf:3:9: error: unexpected end of file; is a '}' missing?");
	bad("data d { augment { flip horizontal } }\n", 1, "unexpected '}', expected ';'");
	bad("target \"a\n{ }\n", 1, "t.qf:1:8: error: unterminated string");
	bad("target \"a\\qb\";\n", 1, "unknown escape '\\q' in a string");
	bad("/* never closed\n", 1, "t.qf:1:1: error: unterminated comment");
	bad("space s $ { }\n", 1, "t.qf:1:9: error: unexpected character '$'");
	bad("space s \x01 { }\n", 1, "unexpected byte 0x01");
	bad("space s\xc3\xa9 { }\n", 1, "unexpected non-ASCII text");
	bad(SPACE_HEAD "  conv c {8, 16 k 3;\n  conv c 8 kk 3;\n" SPACE_TAIL, 2, "unknown attribute 'kk'; did you mean 'k'?");
}

/* NUL bytes in the text (the scanner works on lengths, not C strings). */
static void test_binary(void **state)
{
	(void)state;
	static const char src[] = "space s {\0\0\0 input 1x2x2; fc 2; }\nspace t \"a\0b\" ;\n";
	run *r = parse_n(src, sizeof(src) - 1);
	assert_null(r->p);
	assert_int_equal(qf_diag_errors(r->d), 2);
	assert_non_null(strstr(r->buf, "t.qf:1:10: error: unexpected bytes 0x00 and 2 more; is this a text file?"));
	assert_non_null(strstr(r->buf, "t.qf:2:11: error: strings may not hold a NUL byte"));
	done(r);
}

/* Absurd input is refused with one error, without storing it all. */
static void test_limits(void **state)
{
	(void)state;
	/* a set of 100,000 values and a shape of 100,000 numbers */
	size_t n = 100000;
	char *src = malloc(n * 2 + 256);
	strcpy(src, SPACE_HEAD "  conv c {");
	char *p = src + strlen(src);
	for (size_t i = 0; i < n; i++, p += 2)
		memcpy(p, "1,", 2);
	strcpy(p, "1} k 3;\n" SPACE_TAIL);
	bad(src, 1, "a choice set holds at most 16 values; this width set has 100001");
	strcpy(src, "space s {\n  input 1");
	p = src + strlen(src);
	for (size_t i = 0; i < n; i++, p += 2)
		memcpy(p, "x1", 2);
	strcpy(p, ";\n  fc 2;\n}\n");
	bad(src, 1, "an input shape is CxHxW (three numbers), got 100001 numbers");
	free(src);

	/* blocks in one space */
	size_t cap = 2000 * 32 + 256;
	src = malloc(cap);
	strcpy(src, "space s {\n  input 1x8x8;\n");
	for (int i = 0; i < 2000; i++)
		strcat(src, "  stage depth 64 { relu; }\n");
	strcat(src, "  fc 2;\n}\n");
	bad(src, 1, "t.qf:1:7: error: space 's' expands to 128001 blocks; a space holds at most 100000");
	free(src);

	/* nodes in one file: the scanner stops at the limit, and nothing
	 * cut short is reported as missing */
	size_t stmts = FE_LIMIT_NODES + 10;
	src = malloc(stmts * 6 + 256);
	strcpy(src, "space s {\n");
	p = src + strlen(src);
	for (size_t i = 0; i < stmts; i++, p += 6)
		memcpy(p, "relu;\n", 6);
	strcpy(p, "}\n");
	char want[128];
	snprintf(want, sizeof(want), "t.qf:%d:1: error: the file is too large: more than %d statements and values",
		 FE_LIMIT_NODES + 1, FE_LIMIT_NODES);
	bad(src, 1, want);
	free(src);
}

/* Statement-level recovery: a bad statement does not hide the next. */
static void test_recovery(void **state)
{
	(void)state;
	bad("data d {\n  classes ten;\n  input 1x2;\n  validate -1;\n}\n", 3, NULL);
	/* the cap: errors past it are counted, not printed */
	char src[8192] = "space s {\n";
	for (int i = 0; i < 40; i++)
		strcat(src, "  conv c 0 k 3;\n");
	strcat(src, "}\n");
	run *r = parse(src);
	assert_null(r->p);
	assert_true(qf_diag_errors(r->d) > QF_DIAG_CAP);
	assert_non_null(strstr(r->buf, "note: too many errors; the rest are not shown"));
	done(r);
}

/* The semantic checks, one message each. */
static void test_checks(void **state)
{
	(void)state;
	bad(SPACE_HEAD "  conv c 8 k 33;\n" SPACE_TAIL, 1, "kernel size must be an integer in 1..31, got 33");
	bad(SPACE_HEAD "  conv c 70000 k 3;\n" SPACE_TAIL, 1, "width must be an integer in 1..65536, got 70000");
	bad(SPACE_HEAD "  conv c 8 k 3 s 5;\n" SPACE_TAIL, 1, "stride must be an integer in 1..4, got 5");
	bad(SPACE_HEAD "  mbconv c 8 e 9 k 3;\n" SPACE_TAIL, 1, "expansion must be an integer in 1..8, got 9");
	bad(SPACE_HEAD "  frost c 8 e 3 r 65 k 3;\n" SPACE_TAIL, 1, "squeeze ratio must be an integer in 1..64, got 65");
	bad(SPACE_HEAD "  stage depth {1, 65} { conv c 8 k 3; }\n" SPACE_TAIL, 1, "depth must be an integer in 1..64, got 65");
	bad(SPACE_HEAD "  stage depth {8} { conv c 8 k 3; conv c 8 k 3; conv c 8 k 3; conv c 8 k 3; "
		       "conv c 8 k 3; conv c 8 k 3; conv c 8 k 3; conv c 8 k 3; conv c 8 k 3; }\n" SPACE_TAIL,
	    1, "this stage expands to 72 blocks (depth 8 x 9 statements); a stage holds at most 64");
	bad(SPACE_HEAD "  conv c 8 k 3 wbits 9;\n" SPACE_TAIL, 1, "weight bits must be an integer in 2..8, got 9");
	bad("quant q { weights { bits {1, 4}; } }\n", 1, "bits must be an integer in 2..8, got 1");
	bad(SPACE_HEAD "  conv c {1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17} k 3;\n" SPACE_TAIL, 1,
	    "a choice set holds at most 16 values; this width set has 17");
	bad(SPACE_HEAD "  conv c {8, 16, 8} k 3;\n" SPACE_TAIL, 1, "width 8 appears twice in the set");
	bad(SPACE_HEAD "  conv c 8 k 3 c 16;\n" SPACE_TAIL, 1, "duplicate attribute 'c'");
	bad(SPACE_HEAD "  conv c 8 k 3 e 3;\n" SPACE_TAIL, 1, "conv has no attribute 'e'; it takes c, k, s, wbits, abits");
	bad(SPACE_HEAD "  conv k 3;\n" SPACE_TAIL, 1, "conv needs its width (c N)");
	bad(SPACE_HEAD "  conv c 8 3;\n" SPACE_TAIL, 1, "a number needs the name of what it sets here, as in k 3");
	bad(SPACE_HEAD "  conv c 8 k 3 relu relu6;\n" SPACE_TAIL, 1, "conv has one activation; 'relu6' is a second");
	bad(SPACE_HEAD "  pool k 2;\n" SPACE_TAIL, 1, "pool needs max or avg");
	bad(SPACE_HEAD "  pool max global k 2;\n" SPACE_TAIL, 1, "a global pool covers the whole map and takes no k or s");
	bad(SPACE_HEAD "  relu c 3;\n" SPACE_TAIL, 1, "'relu' takes nothing after it");
	bad("space s {\n  conv c 8 k 3;\n  fc 10;\n}\n", 1, "space 's' has no input shape (input CxHxW;)");
	bad("space s {\n  input 1x8x8;\n}\n", 1, "space 's' has no layers");
	bad("space s {\n  input 1x8x8;\n  fc 10;\n  relu;\n}\n", 1, "space 's' must end with an fc layer, the classifier");
	bad("space s {\n  input 1x8x8;\n  fc {10, 12};\n}\n", 1, "its width must be one number");
	bad("space s {\n  input 1x8;\n  fc 10;\n}\n", 1, "an input shape is CxHxW (three numbers), got 2 numbers");
	bad("space s {\n  input 65536x65536x65536;\n  fc 10;\n}\n", 2, "input height must be an integer in 1..16384");
	bad("space s {\n  input 4096x16384x16384;\n  fc 10;\n}\n", 1, "an input of 1099511627776 values is over the limit");
	bad("data d { }\n", 3, "data 'd' has no train images");
	bad("data d { train images \"a\"; input 1x2x2; classes 2; }\n", 1, "'train' needs labels \"PATH\"");
	bad("data d { train images \"\" labels \"b\"; input 1x2x2; classes 2; }\n", 1, "the images path is an empty string");
	bad("data d { train images \"a\" labels \"b\"; input 1x28x28; classes 2; format idz; }\n", 1,
	    "unknown data format 'idz'; did you mean 'idx'?");
	bad("data d { train images \"a\" labels \"b\"; input 1x28x28; classes 2; classes 3; }\n", 1,
	    "duplicate 'classes' in data 'd'");
	bad("data d { train images \"a\" labels \"b\"; input 1x28x28; classes 2; augment { crop 24; } }\n", 1,
	    "crop 24 does not match the input 28x28");
	bad("quant q { method lsq, lsqq; }\n", 1, "unknown method 'lsqq'; did you mean 'lsq'?");
	bad("quant q { method lsq, lsq; }\n", 1, "method 'lsq' is listed twice");
	bad("quant q { weights { symmetric; asymmetric; } }\n", 1, "'asymmetric' contradicts 'symmetric'");
	bad("quant q { acts { slice 8; } }\n", 1, "slice needs per channel quantization");
	bad("quant q { schedule { precision 2 epochs; } }\n", 1, "a precision phase learns bit-widths; add learned_precision");
	bad("quant q { method learned_precision; }\n", 1, "learned_precision needs bit-widths to choose from");
	bad("quant q { schedule { float 1 epoch; qat 1 epoch; float 1 epoch; qat 1 epoch; float 1 epoch; "
	    "qat 1 epoch; float 1 epoch; qat 1 epoch; float 1 epoch; } }\n",
	    1, "a schedule holds at most 8 phases");
	bad("quant q { pin first, first bits 8; }\n", 1, "duplicate 'first' in 'pin'");
	bad("quant q { budget weights + weights <= 1K penalty 0; }\n", 1, "duplicate 'weights' in 'budget'");
	bad("search { strategy random population 3; }\n", 1, "'population' belongs to strategy evolution, not random");
	bad("search { strategy evolution samples 3; }\n", 1, "'samples' belongs to strategy random, not evolution");
	bad("search { constraint flash <= 1K; constraint flash <= 2K; }\n", 1, "duplicate 'flash' in the constraints");
	bad("search { supernet epochs 1 epochs 2; }\n", 1, "duplicate 'epochs' in 'supernet'");
}

/* Shapes judged at their worst case, reported at the block. */
static void test_shapes(void **state)
{
	(void)state;
	/* 28 -> 14 -> 7 -> 4 -> 2 (strides {1,2} at their largest), pool 3 */
	bad("space s {\n  input 1x28x28;\n  conv c 8 k 3 s {1, 2};\n  conv c 8 k 3 s 2;\n"
	    "  conv c 8 k 3 s 2;\n  stage depth {1, 2} { conv c 8 k 3 s 2; }\n  pool max k 3;\n  fc 10;\n}\n",
	    1, "t.qf:7:3: error: pool window 3 does not fit: the map before it can be as small as 2x2");
	/* the third repetition of a stride-1 pool collapses a 3x3 map */
	bad("space s {\n  input 1x3x3;\n  stage depth {1, 3} { pool max k 2 s 1; conv c 4 k 3; }\n  fc 2;\n}\n", 1,
	    "pool window 2 does not fit: the map before it can be as small as 1x1 (repetition 3 of its stage)");
	run *r = ok("space s {\n  input 1x3x3;\n  stage depth {1, 2} { pool max k 2 s 1; conv c 4 k 3; }\n  fc 2;\n}\n");
	done(r);
	bad("space s {\n  input 3x1024x1024;\n  conv c 512 k 3;\n  fc 10;\n}\n", 1,
	    "the output of this conv can reach 536870912 values; the limit is 268435456");
	bad("space s {\n  input 3x512x512;\n  mbconv c 8 e 8 k 3 s 2;\n  conv c 8192 k 3 s 2;\n  mbconv c 8 e 8 k 3;\n"
	    "  fc 10;\n}\n",
	    1, "t.qf:5:3: error: the expanded tensor of this mbconv can reach 1073741824 values; the limit is 268435456");
}

/* Checks of the selected space against the selected data and policy. */
static void test_against(void **state)
{
	(void)state;
	static const char data[] = "data d { train images \"a\" labels \"b\"; input 1x28x28; classes 10; }\n";
	char src[2048];
	snprintf(src, sizeof(src), "%sspace s {\n  input 3x28x28;\n  fc 10;\n}\n", data);
	bad(src, 1, "t.qf:3:9: error: space input 3x28x28 does not match the input 1x28x28 of data 'd'");
	snprintf(src, sizeof(src), "%sspace s {\n  input 1x28x28;\n  fc 12;\n}\n", data);
	bad(src, 1, "the classifier gives 12 outputs but data 'd' has 10 classes");
	snprintf(src, sizeof(src),
		 "%squant q { weights { bits {2, 8}; slice 8; } method learned_precision; }\n"
		 "space s {\n  input 1x28x28;\n  conv c {8, 12} k 3;\n  conv c 16 k 1;\n  fc 10;\n}\n",
		 data);
	bad(src, 1, "t.qf:5:3: error: weight slice 8 of quant 'q' does not divide width 12 of this conv");
	/* a depthwise conv's width is its input's */
	snprintf(src, sizeof(src),
		 "%squant q { weights { bits {2, 8}; slice 8; } method learned_precision; }\n"
		 "space s {\n  input 1x28x28;\n  dwconv k 3;\n  conv c 16 k 1;\n  fc 10;\n}\n",
		 data);
	bad(src, 1, "weight slice 8 of quant 'q' does not divide width 1 of this dwconv");
	/* the classifier is exempt */
	snprintf(src, sizeof(src),
		 "%squant q { weights { bits {2, 8}; slice 8; } method learned_precision; }\n"
		 "space s {\n  input 1x28x28;\n  conv c 16 k 3;\n  fc 10;\n}\n",
		 data);
	run *r = ok(src);
	done(r);
}

/* A syntax error inside a declaration does not also make it "missing"
 * what the bad statement said. */
static void test_no_cascade(void **state)
{
	(void)state;
	bad("space s {\n  input 1x28x28 +;\n  fc 10;\n}\n", 1, "unexpected '+'");
	bad("data d { train images \"a\" labels \"b\" x; input 1x2x2; classes 2; }\n", 1, NULL);
	bad("spac s { }\nsearch { space s; }\n", 1, NULL);
}

/* Reentrancy: two parses interleaved share nothing. */
static void test_reentrant(void **state)
{
	(void)state;
	run *a = ok(read_example("examples/fmnist.qf"));
	run *b = ok("space t {\n  input 1x4x4;\n  fc 3;\n}\n");
	assert_string_equal(space(a)->name, "tiny");
	assert_string_equal(space(b)->name, "t");
	done(a);
	done(b);
}

/* A diag without a source still gets the file name and a caret. */
static void test_own_source(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	qf_diag *d = qf_diag_new(f);
	static const char src[] = "space s {\n  input 1x8x8;\n  conv c 8 k 2;\n  fc 2;\n}\n";
	assert_null(qf_parse("x.qf", src, strlen(src), d));
	fflush(f);
	assert_string_equal(buf, "x.qf:3:14: error: kernel size must be odd, got 2\n"
				 "    conv c 8 k 2;\n"
				 "               ^\n");
	assert_null(qf_diag_source_path(d)); /* not left pointing at src */
	qf_diag_free(d);
	fclose(f);
	free(buf);
}

static void test_suggest(void **state)
{
	(void)state;
	const char *c[] = {"mixed", "wide", "cortex-m4"};
	assert_string_equal(qf_suggest("mixd", c, 3), "mixed");
	assert_string_equal(qf_suggest("MIXED", c, 3), "mixed");
	assert_string_equal(qf_suggest("wdie", c, 3), "wide"); /* transposition */
	assert_null(qf_suggest("x", c, 3));
	assert_null(qf_suggest("narrow", c, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_entities),
		cmocka_unit_test(test_example_space),
		cmocka_unit_test(test_stage_blocks),
		cmocka_unit_test(test_pool_stride),
		cmocka_unit_test(test_bits_dims),
		cmocka_unit_test(test_learned_bits_no_dims),
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_three_errors),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_syntax_messages),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_recovery),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_against),
		cmocka_unit_test(test_no_cascade),
		cmocka_unit_test(test_reentrant),
		cmocka_unit_test(test_own_source),
		cmocka_unit_test(test_suggest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
