/* test_qfm.c: .qfm files: byte-exact round trips, every class of
 * corruption rejected with its line and reason, bad paths, and speed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ir/ir.h"

/* ------------------------------------------------------------ helpers */

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/qf-test-qfm-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[96];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

static const char *tmp(const char *name)
{
	static char path[4][128];
	static int k;
	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
	return path[k];
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = 0;
	fclose(f);
	if (len)
		*len = (size_t)n;
	return s;
}

/* Diagnostics captured in memory. */
typedef struct {
	char *buf;
	size_t len;
	FILE *f;
	qf_diag *d;
} capture;

static void cap_open(capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	c->d = qf_diag_new(c->f);
}

static const char *cap_text(capture *c)
{
	fflush(c->f);
	return c->buf;
}

static void cap_close(capture *c)
{
	qf_diag_free(c->d);
	fclose(c->f);
	free(c->buf);
}

/* 1-based line of the first occurrence of needle in text. */
static int line_of(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);
	assert_non_null(p);
	int line = 1;
	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

/* Replaces the first occurrence of from with to; a new string. */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	assert_non_null(p);
	size_t a = (size_t)(p - s), fl = strlen(from), tl = strlen(to), n = strlen(s);
	char *r = malloc(n - fl + tl + 1);
	memcpy(r, s, a);
	memcpy(r + a, to, tl);
	memcpy(r + a + tl, p + fl, n - a - fl + 1);
	return r;
}

/* ------------------------------------------------------------ a model */

static int param(qf_graph *g, const char *name, qf_role role, int rank, const int32_t *dim, uint32_t seed)
{
	int t = qf_graph_add_tensor(g, name, role, rank, dim);
	float *f = qf_tensor_data(g, t);
	int64_t n = qf_tensor_elems(&g->t[t]);
	uint32_t x = seed * 2654435761u + 1;
	for (int64_t i = 0; i < n; i++) {
		x = x * 1664525u + 1013904223u;
		f[i] = ((float)(x >> 8) / 16777216.0f - 0.5f) * 0.7f;
	}
	return t;
}

static int qparam(qf_graph *g, int n, bool sym, bool pow2, int slice, int channels)
{
	qf_grow(&g->q, &g->capq, g->nq + 1, sizeof(qf_qparam));
	qf_qparam *q = &g->q[g->nq];
	memset(q, 0, sizeof *q);
	q->n = n;
	q->symmetric = sym;
	q->pow2 = pow2;
	q->slice = slice;
	q->n_slices = slice ? (channels + slice - 1) / slice : 1;
	q->scale = qf_graph_alloc_data(g, n);
	q->zero = qf_graph_alloc_ints(g, n);
	q->bits = qf_graph_alloc_ints(g, q->n_slices);
	for (int i = 0; i < n; i++) {
		g->data[q->scale + i] = pow2 ? 1.0f / (float)(1 << (i % 7 + 3)) : 0.0123f * (float)(i + 1);
		g->ints[q->zero + i] = sym ? 0 : i - 3;
	}
	for (int i = 0; i < q->n_slices; i++)
		g->ints[q->bits + i] = i % 2 ? 4 : 8;
	return g->nq++;
}

/* input 1x8x8 -> conv 3x3 (4, bias) -> bn -> relu6 -> maxpool 2 ->
 * conv 3x3 (8, no bias, stride 2) -> gavgpool -> fc 10, with quant params,
 * provenance, blobs and meta: every part of the format. */
static qf_graph *model(void)
{
	qf_graph *g = qf_graph_new("tiny & <net>");
	g->classes = 10;
	g->input = qf_graph_add_tensor(g, "input", QF_ROLE_INPUT, 3, (int32_t[]){1, 8, 8});
	g->t[g->input].dtype = QF_DT_U8;
	int in[5] = {g->input, param(g, "c1.w", QF_ROLE_WEIGHT, 4, (int32_t[]){4, 1, 3, 3}, 1),
		     param(g, "c1.b", QF_ROLE_BIAS, 1, (int32_t[]){4}, 2)};
	int n = qf_graph_add_node(g, QF_OP_CONV2D, "c1", in, 3);
	g->n[n].k = 3;
	g->n[n].pad = 1;
	g->n[n].block = 0;
	int x = g->n[n].out;
	in[0] = x;
	static const char *bnp[4] = {"bn1.gamma", "bn1.beta", "bn1.mean", "bn1.var"};
	for (int i = 0; i < 4; i++)
		in[i + 1] = param(g, bnp[i], (qf_role)(QF_ROLE_GAMMA + i), 1, (int32_t[]){4}, 3 + (uint32_t)i);
	n = qf_graph_add_node(g, QF_OP_BN, "bn1", in, 5);
	g->n[n].eps = 1e-5f;
	g->n[n].momentum = 0.1f;
	x = g->n[n].out;
	n = qf_graph_add_node(g, QF_OP_RELU6, "r1", &x, 1);
	x = g->n[n].out;
	n = qf_graph_add_node(g, QF_OP_MAXPOOL, "p1", &x, 1);
	g->n[n].k = 2;
	g->n[n].s = 2;
	x = g->n[n].out;
	int in2[3] = {x, param(g, "c2.w", QF_ROLE_WEIGHT, 4, (int32_t[]){8, 4, 3, 3}, 9), -1};
	n = qf_graph_add_node(g, QF_OP_CONV2D, "c2", in2, 3);
	g->n[n].k = 3;
	g->n[n].s = 2;
	g->n[n].pad = 1;
	g->n[n].block = 1;
	x = g->n[n].out;
	n = qf_graph_add_node(g, QF_OP_GAVGPOOL, "gap", &x, 1);
	x = g->n[n].out;
	int in3[3] = {x, param(g, "fc.w", QF_ROLE_WEIGHT, 2, (int32_t[]){10, 8}, 11),
		      param(g, "fc.b", QF_ROLE_BIAS, 1, (int32_t[]){10}, 12)};
	n = qf_graph_add_node(g, QF_OP_FC, "fc", in3, 3);
	g->output = g->n[n].out;
	assert_int_equal(qf_graph_infer_shapes(g, NULL), 0);

	/* Weights per channel in slices, pow2 activations, a plain one. */
	g->t[1].quant = qparam(g, 4, true, false, 2, 4);
	int c2w = 0;
	for (int i = 0; i < g->nt; i++)
		if (strcmp(g->t[i].name, "c2.w") == 0)
			c2w = i;
	g->t[c2w].quant = qparam(g, 8, true, true, 3, 8);
	g->t[g->n[0].out].quant = qparam(g, 1, false, true, 0, 4);
	g->t[g->output].quant = qparam(g, 1, false, false, 0, 10);
	g->t[g->output].dtype = QF_DT_I8;

	g->prov.source = strdup("examples/fmnist.qf");
	g->prov.space = strdup("net");
	g->prov.seed = 18446744073709551615ull;
	g->prov.accuracy = 91.234567890123456;
	g->prov.choice.n = 5;
	g->prov.choice.idx = malloc(5 * sizeof(int));
	for (int i = 0; i < 5; i++)
		g->prov.choice.idx[i] = (i * 7) % 4;
	qf_prov_add_history(g, "float 3 epochs lr 0.1");
	qf_prov_add_history(g, "  qat: <lsq> & \"statassist\"\ttab\r\nnext line  ");
	qf_prov_add_history(g, "");
	float *b = qf_graph_set_blob(g, "adam.m", 7);
	for (int i = 0; i < 7; i++)
		b[i] = (float)i / 3.0f;
	b[3] = -0.0f;
	b[4] = 1e-42f; /* subnormal */
	qf_graph_set_blob(g, "empty", 0);
	qf_graph_set_meta(g, "epoch", "3");
	qf_graph_set_meta(g, "rng", "deadbeef 'quoted' \"double\" <&>");
	QF_VERIFY(g);
	return g;
}

/* The model written, as text. */
static char *model_text(const char *name)
{
	qf_graph *g = model();
	capture c;
	cap_open(&c);
	assert_int_equal(qf_qfm_write(g, tmp(name), c.d), 0);
	cap_close(&c);
	qf_graph_free(g);
	return slurp(tmp(name), NULL);
}

/* Parses text and expects a failure whose report holds "name:line:" and
 * every fragment. */
static void expect_error(const char *text, int line, const char *frag1, const char *frag2)
{
	capture c;
	cap_open(&c);
	qf_graph *g = qf_qfm_parse("x.qfm", text, strlen(text), c.d);
	const char *out = cap_text(&c);
	if (g || !out || !strstr(out, frag1) || (frag2 && !strstr(out, frag2))) {
		print_error("expected an error with '%s' and '%s' at line %d, got:\n%s\n", frag1, frag2 ? frag2 : "",
			    line, out ? out : "(nothing)");
		fail();
	}
	if (line > 0) {
		char at[32];
		snprintf(at, sizeof at, "x.qfm:%d: error: ", line);
		if (!strstr(out, at)) {
			print_error("expected '%s' in:\n%s\n", at, out);
			fail();
		}
	}
	assert_true(qf_diag_errors(c.d) > 0);
	cap_close(&c);
}

/* ------------------------------------------------------------ round trips */

static void same_graph(const qf_graph *a, const qf_graph *b)
{
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->classes, b->classes);
	assert_int_equal(a->nt, b->nt);
	assert_int_equal(a->nn, b->nn);
	assert_int_equal(a->nq, b->nq);
	assert_int_equal(a->input, b->input);
	assert_int_equal(a->output, b->output);
	for (int i = 0; i < a->nt; i++) {
		const qf_tensor *x = &a->t[i], *y = &b->t[i];
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->role, y->role);
		assert_int_equal(x->dtype, y->dtype);
		assert_int_equal(x->rank, y->rank);
		assert_memory_equal(x->dim, y->dim, sizeof x->dim[0] * (size_t)x->rank);
		assert_int_equal(x->producer, y->producer);
		assert_int_equal(x->quant, y->quant);
		if (x->data >= 0)
			assert_memory_equal(a->data + x->data, b->data + y->data,
					    (size_t)qf_tensor_elems(x) * sizeof(float));
	}
	for (int i = 0; i < a->nn; i++) {
		const qf_node *x = &a->n[i], *y = &b->n[i];
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->op, y->op);
		assert_memory_equal(x->in, y->in, sizeof x->in);
		assert_int_equal(x->out, y->out);
		assert_int_equal(x->k, y->k);
		assert_int_equal(x->s, y->s);
		assert_int_equal(x->pad, y->pad);
		assert_int_equal(x->groups, y->groups);
		assert_int_equal(x->block, y->block);
		assert_memory_equal(&x->eps, &y->eps, sizeof(float));
		assert_memory_equal(&x->momentum, &y->momentum, sizeof(float));
	}
	for (int i = 0; i < a->nq; i++) {
		const qf_qparam *x = &a->q[i], *y = &b->q[i];
		assert_int_equal(x->n, y->n);
		assert_int_equal(x->symmetric, y->symmetric);
		assert_int_equal(x->pow2, y->pow2);
		assert_int_equal(x->slice, y->slice);
		assert_int_equal(x->n_slices, y->n_slices);
		assert_memory_equal(a->data + x->scale, b->data + y->scale, (size_t)x->n * sizeof(float));
		assert_memory_equal(a->ints + x->zero, b->ints + y->zero, (size_t)x->n * sizeof(int32_t));
		assert_memory_equal(a->ints + x->bits, b->ints + y->bits, (size_t)x->n_slices * sizeof(int32_t));
	}
	assert_string_equal(a->prov.source, b->prov.source);
	assert_string_equal(a->prov.space, b->prov.space);
	assert_true(a->prov.seed == b->prov.seed);
	assert_memory_equal(&a->prov.accuracy, &b->prov.accuracy, sizeof(double));
	assert_int_equal(a->prov.choice.n, b->prov.choice.n);
	assert_memory_equal(a->prov.choice.idx, b->prov.choice.idx, sizeof(int) * (size_t)a->prov.choice.n);
	assert_int_equal(a->prov.n_history, b->prov.n_history);
	for (int i = 0; i < a->prov.n_history; i++)
		assert_string_equal(a->prov.history[i], b->prov.history[i]);
	assert_int_equal(a->n_blobs, b->n_blobs);
	for (int i = 0; i < a->n_blobs; i++) {
		assert_string_equal(a->blobs[i].name, b->blobs[i].name);
		assert_int_equal(a->blobs[i].n, b->blobs[i].n);
		assert_memory_equal(a->blobs[i].f, b->blobs[i].f, (size_t)a->blobs[i].n * sizeof(float));
	}
	assert_int_equal(a->n_meta, b->n_meta);
	for (int i = 0; i < a->n_meta; i++) {
		assert_string_equal(a->meta[i].key, b->meta[i].key);
		assert_string_equal(a->meta[i].value, b->meta[i].value);
	}
}

static void test_round_trip_bytes(void **state)
{
	(void)state;
	qf_graph *g = model();
	capture c;
	cap_open(&c);
	assert_int_equal(qf_qfm_write(g, tmp("a.qfm"), c.d), 0);
	qf_graph *h = qf_qfm_read(tmp("a.qfm"), c.d);
	if (!h)
		print_error("%s\n", cap_text(&c));
	assert_non_null(h);
	same_graph(g, h);
	assert_int_equal(qf_qfm_write(h, tmp("b.qfm"), c.d), 0);
	assert_int_equal(qf_diag_errors(c.d), 0);
	size_t la, lb;
	char *a = slurp(tmp("a.qfm"), &la), *b = slurp(tmp("b.qfm"), &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	/* The special characters went through escaped, not raw. */
	assert_non_null(strstr(a, "name=\"tiny &amp; &lt;net&gt;\""));
	assert_non_null(strstr(a, "&#13;"));
	/* Byte order is little-endian whatever the host: 0, 1/3, 2/3, -0
	 * as float32 LE, in base64. */
	assert_non_null(strstr(a, ">AAAAAKuqqj6rqio/AAAAgM"));
	free(a);
	free(b);
	qf_graph_free(g);
	qf_graph_free(h);
	cap_close(&c);
}

/* A graph with no quant params, blobs, meta or provenance: the optional
 * sections are left out, and it still round-trips. */
static void test_round_trip_minimal(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("m");
	g->input = qf_graph_add_tensor(g, "in", QF_ROLE_INPUT, 3, (int32_t[]){3, 2, 2});
	int n = qf_graph_add_node(g, QF_OP_RELU, "r", &g->input, 1);
	g->output = g->n[n].out;
	assert_int_equal(qf_graph_infer_shapes(g, NULL), 0);
	capture c;
	cap_open(&c);
	assert_int_equal(qf_qfm_write(g, tmp("m.qfm"), c.d), 0);
	char *text = slurp(tmp("m.qfm"), NULL);
	assert_null(strstr(text, "<quant"));
	assert_null(strstr(text, "<blobs"));
	assert_null(strstr(text, "<meta"));
	assert_null(strstr(text, "accuracy="));
	qf_graph *h = qf_qfm_read(tmp("m.qfm"), c.d);
	assert_non_null(h);
	assert_true(h->prov.accuracy < 0);
	assert_null(h->prov.source);
	assert_int_equal(h->prov.choice.n, 0);
	assert_int_equal(qf_qfm_write(h, tmp("m2.qfm"), c.d), 0);
	char *again = slurp(tmp("m2.qfm"), NULL);
	assert_string_equal(text, again);
	free(text);
	free(again);
	qf_graph_free(g);
	qf_graph_free(h);
	cap_close(&c);
}

/* The checked-in fixture pins the format: reading and writing it gives
 * its own bytes back. A change to the writer shows up here and in the
 * diff of the fixture. */
static void test_fixture_is_canonical(void **state)
{
	(void)state;
	capture c;
	cap_open(&c);
	if (getenv("UPDATE")) {
		qf_graph *m = model();
		assert_int_equal(qf_qfm_write(m, "tests/data/qfm/tiny.qfm", c.d), 0);
		qf_graph_free(m);
	}
	qf_graph *g = qf_qfm_read("tests/data/qfm/tiny.qfm", c.d);
	if (!g)
		print_error("%s\n", cap_text(&c));
	assert_non_null(g);
	assert_int_equal(qf_qfm_write(g, tmp("fixture.qfm"), c.d), 0);
	size_t la, lb;
	char *a = slurp("tests/data/qfm/tiny.qfm", &la), *b = slurp(tmp("fixture.qfm"), &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	/* And it is the model this file builds. */
	qf_graph *m = model();
	same_graph(m, g);
	qf_graph_free(m);
	free(a);
	free(b);
	qf_graph_free(g);
	cap_close(&c);
}

/* ------------------------------------------------------------ corruption */

static void test_truncated(void **state)
{
	(void)state;
	char *text = model_text("t.qfm");
	size_t n = strlen(text);
	/* Cut in several places: inside a tag, inside base64, between elements. */
	size_t cuts[] = {n / 7, n / 3, n / 2, n - 10, 40};
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		char *t = strndup(text, cuts[i]);
		capture c;
		cap_open(&c);
		assert_null(qf_qfm_parse("x.qfm", t, cuts[i], c.d));
		const char *out = cap_text(&c);
		/* A line and the word from libxml2's report of a premature end,
		 * which we mark as a likely truncation. */
		assert_non_null(strstr(out, "x.qfm:"));
		assert_non_null(strstr(out, ": error: "));
		if (!strstr(out, "truncated")) {
			print_error("cut at %zu of %zu:\n%s\n", cuts[i], n, out);
			fail();
		}
		cap_close(&c);
		free(t);
	}
	free(text);
}

static void test_flipped_base64(void **state)
{
	(void)state;
	char *text = model_text("f.qfm");
	/* The payload of c2.w: flip one character to another valid one. */
	const char *el = strstr(text, "<tensor name=\"c2.w\"");
	assert_non_null(el);
	int line = line_of(text, "<tensor name=\"c2.w\"");
	char *p = strchr(strstr(el, "crc32="), '>') + 20;
	char *t = strdup(text);
	char *q = t + (p - text);
	*q = *q == 'A' ? 'B' : 'A';
	expect_error(t, line, "checksum", "corrupt");
	/* To a character base64 does not have. */
	*q = '!';
	expect_error(t, line, "invalid character '!'", NULL);
	/* A byte no XML text may hold: the parser itself stops. */
	*q = '\x01';
	expect_error(t, line, "error", NULL);
	free(t);
	/* Short by one group of four: the size is wrong before decoding. */
	t = strdup(text);
	q = t + (p - text);
	memmove(q, q + 4, strlen(q + 4) + 1);
	expect_error(t, line, "data holds", "need");
	free(t);
	/* Non-zero bits under the padding: two spellings of one value would
	 * break the canonical form. */
	line = line_of(text, "<tensor name=\"c1.b\"");
	t = replace(text, "sJwdvkCxY75EwYW93VG4PA==", "sJwdvkCxY75EwYW93VG4PB==");
	expect_error(t, line, "padding has non-zero bits", NULL);
	free(t);
	/* White space inside the payload is allowed and does not change it. */
	t = replace(text, "sJwdvkCxY75EwYW93VG4PA==", "sJwdvkCx\n      Y75EwYW93VG4PA==");
	capture c;
	cap_open(&c);
	qf_graph *g = qf_qfm_parse("x.qfm", t, strlen(t), c.d);
	assert_non_null(g);
	qf_graph_free(g);
	cap_close(&c);
	free(t);
	/* A corrupted checksum attribute itself. */
	line = line_of(text, "<tensor name=\"c2.w\"");
	t = strdup(text);
	q = strstr(t + (el - text), "crc32=\"") + 7;
	*q = *q == '0' ? '1' : '0';
	expect_error(t, line, "checksum", NULL);
	free(t);
	free(text);
}

static void test_wrong_dims(void **state)
{
	(void)state;
	char *text = model_text("d.qfm");
	/* An activation whose stated shape is not what its node gives. */
	int line = line_of(text, "<tensor name=\"p1\"");
	char *t = replace(text, "name=\"p1\" role=\"act\" dtype=\"f32\" dims=\"4 4 4\"",
			  "name=\"p1\" role=\"act\" dtype=\"f32\" dims=\"4 4 5\"");
	expect_error(t, line, "tensor 'p1' has dims 4x4x5", "gives 4x4x4");
	free(t);
	/* A weight whose dims do not match its data. */
	line = line_of(text, "<tensor name=\"c1.w\"");
	t = replace(text, "dims=\"4 1 3 3\"", "dims=\"4 1 3 4\"");
	expect_error(t, line, "data holds 144 bytes", "need 192");
	free(t);
	/* Absurd dims are refused before anything is allocated. */
	t = replace(text, "dims=\"4 1 3 3\"", "dims=\"65536 65536 65536 65536\"");
	expect_error(t, line, "more than 268435456 elements", NULL);
	free(t);
	t = replace(text, "dims=\"4 1 3 3\"", "dims=\"4 1 3 3 1\"");
	expect_error(t, line, "more than 4 values", NULL);
	free(t);
	t = replace(text, "dims=\"4 1 3 3\"", "dims=\"4 1 0 3\"");
	expect_error(t, line, "0 is outside", NULL);
	free(t);
	t = replace(text, "dims=\"4 1 3 3\"", "dims=\"4 1 3 99999999999999999999\"");
	expect_error(t, line, "error", NULL);
	free(t);
	/* Consistent data but a shape that does not fit the node. */
	line = line_of(text, "<node name=\"c2\"");
	t = replace(text, "op=\"conv2d\" in0=\"p1\" in1=\"c2.w\" out=\"c2\" k=\"3\"",
		    "op=\"conv2d\" in0=\"p1\" in1=\"c2.w\" out=\"c2\" k=\"5\"");
	expect_error(t, line, "node 'c2' (conv2d)", "expected 5");
	free(t);
	free(text);
}

static void test_missing_attribute(void **state)
{
	(void)state;
	char *text = model_text("a.qfm");
	int line = line_of(text, "<tensor name=\"c1.b\"");
	char *t = replace(text, "<tensor name=\"c1.b\" role=\"bias\"", "<tensor name=\"c1.b\"");
	expect_error(t, line, "element <tensor> lacks the required attribute 'role'", NULL);
	free(t);
	line = line_of(text, "<node name=\"r1\"");
	t = replace(text, " out=\"r1\"", "");
	expect_error(t, line, "element <node> lacks the required attribute 'out'", NULL);
	free(t);
	/* A whole required element. */
	char *u = replace(text, "<provenance", "<origin");
	t = replace(u, "</provenance>", "</origin>");
	expect_error(t, line_of(text, "<qfm "), "element <qfm> lacks the required element <provenance>", NULL);
	expect_error(t, line_of(text, "<provenance"), "Did not expect element origin there", NULL);
	free(t);
	free(u);
	line = line_of(text, "<qparam id=\"1\"");
	char *s = strstr(text, "<qparam id=\"1\"");
	char *z = strstr(s, "<zero>");
	char *ze = strstr(z, "</zero>") + 7;
	t = strdup(text);
	memmove(t + (z - text), t + (ze - text), strlen(ze) + 1);
	expect_error(t, line, "element <qparam> lacks the required element <zero>", NULL);
	free(t);
	free(text);
}

static void test_unknown_names(void **state)
{
	(void)state;
	char *text = model_text("u.qfm");
	int line = line_of(text, "<node name=\"r1\"");
	char *t = replace(text, "op=\"relu6\"", "op=\"gelu\"");
	expect_error(t, line, "unknown op 'gelu'", "known: conv2d, fc, bn");
	free(t);
	line = line_of(text, "<tensor name=\"c1.b\"");
	t = replace(text, "role=\"bias\"", "role=\"offset\"");
	expect_error(t, line, "unknown role 'offset'", NULL);
	free(t);
	t = replace(text, "<tensor name=\"c1.b\" role=\"bias\" dtype=\"f32\"", "<tensor name=\"c1.b\" role=\"bias\" dtype=\"f16\"");
	expect_error(t, line, "unknown dtype 'f16'", NULL);
	free(t);
	line = line_of(text, "<node name=\"c2\"");
	t = replace(text, "in1=\"c2.w\"", "in1=\"c3.w\"");
	expect_error(t, line, "in1 names no tensor 'c3.w'", NULL);
	free(t);
	/* An input on an op that takes fewer. */
	line = line_of(text, "<node name=\"r1\"");
	t = replace(text, "op=\"relu6\" in0=\"bn1\"", "op=\"relu6\" in0=\"bn1\" in1=\"c1.w\"");
	expect_error(t, line, "relu6 takes 1 input, but in1 is given", NULL);
	free(t);
	/* A node that reads an activation produced after it. */
	t = replace(text, "op=\"relu6\" in0=\"bn1\"", "op=\"relu6\" in0=\"gap\"");
	expect_error(t, line, "used before a node produces it", NULL);
	free(t);
	/* An unknown element and an unknown attribute (schema). */
	t = replace(text, "<nodes>", "<nodes>\n    <layer name=\"x\"/>");
	expect_error(t, line_of(text, "<nodes>") + 1, "layer", NULL);
	free(t);
	line = line_of(text, "<node name=\"r1\"");
	t = replace(text, "op=\"relu6\"", "op=\"relu6\" alpha=\"1\"");
	expect_error(t, line, "Invalid attribute alpha", NULL);
	free(t);
	/* A duplicate tensor name. */
	line = line_of(text, "<tensor name=\"c1.b\"");
	t = replace(text, "<tensor name=\"c1.b\"", "<tensor name=\"c1.w\"");
	expect_error(t, line, "already defined on line", NULL);
	free(t);
	free(text);
}

static void test_bad_values(void **state)
{
	(void)state;
	char *text = model_text("v.qfm");
	int root = line_of(text, "<qfm ");
	char *t = replace(text, "version=\"1\"", "version=\"2\"");
	expect_error(t, root, "version 2", "reads version 1");
	free(t);
	t = replace(text, "version=\"1\"", "version=\"one\"");
	expect_error(t, root, "attribute 'version'", "one");
	free(t);
	int line = line_of(text, "<node name=\"bn1\"");
	t = replace(text, "eps=\"9.99999975e-06\"", "eps=\"nan\"");
	expect_error(t, line, "eps", NULL);
	free(t);
	line = line_of(text, "<provenance");
	t = replace(text, "accuracy=\"91.234567890123458\"", "accuracy=\"191\"");
	expect_error(t, line, "attribute 'accuracy' is 191, outside 0..100", NULL);
	free(t);
	t = replace(text, "seed=\"18446744073709551615\"", "seed=\"18446744073709551616\"");
	expect_error(t, line, "seed", NULL);
	free(t);
	/* Quant params: a reference past the end, a non-power-of-two scale
	 * under pow2, a symmetric qparam with a zero point. */
	line = line_of(text, "<tensor name=\"c1.w\"");
	t = replace(text, "quant=\"0\"", "quant=\"9\"");
	expect_error(t, line, "quant=\"9\" names no qparam", NULL);
	free(t);
	line = line_of(text, "<qparam id=\"0\"");
	t = replace(text, "<qparam id=\"0\" n=\"4\" symmetric=\"true\" pow2=\"false\"",
		    "<qparam id=\"0\" n=\"4\" symmetric=\"true\" pow2=\"true\"");
	expect_error(t, line + 1, "not a power of two", NULL);
	free(t);
	line = line_of(text, "<qparam id=\"3\"");
	t = replace(text, "<qparam id=\"3\" n=\"1\" symmetric=\"false\"", "<qparam id=\"3\" n=\"1\" symmetric=\"true\"");
	expect_error(t, line + 2, "symmetric", "zero point 0 is -3");
	free(t);
	t = replace(text, "<qparam id=\"3\"", "<qparam id=\"4\"");
	expect_error(t, line, "ids count from 0", NULL);
	free(t);
	/* A DOCTYPE (and so any entity trick) is refused outright. */
	t = replace(text, "<qfm ", "<!DOCTYPE qfm [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<qfm ");
	expect_error(t, 2, "DOCTYPE is not allowed", NULL);
	free(t);
	free(text);
}

/* ------------------------------------------------------------ paths */

static void test_bad_paths(void **state)
{
	(void)state;
	capture c;
	cap_open(&c);
	assert_null(qf_qfm_read(tmp("missing.qfm"), c.d));
	assert_non_null(strstr(cap_text(&c), "missing.qfm: error: cannot open"));
	assert_null(qf_qfm_read(dir, c.d));
	assert_non_null(strstr(cap_text(&c), "is a directory"));
	FILE *f = fopen(tmp("empty.qfm"), "w");
	fclose(f);
	assert_null(qf_qfm_read(tmp("empty.qfm"), c.d));
	assert_non_null(strstr(cap_text(&c), "empty.qfm: error: the file is empty"));
	assert_null(qf_qfm_parse("junk", "not xml at all", 14, c.d));
	assert_non_null(strstr(cap_text(&c), "junk:1: error: "));
	assert_null(qf_qfm_parse("other", "<target/>", 9, c.d));
	assert_non_null(strstr(cap_text(&c), "other:1: error: "));

	/* Writing into a directory or a folder that does not exist fails and
	 * leaves nothing behind. */
	qf_graph *g = model();
	assert_int_equal(qf_qfm_write(g, dir, c.d), -1);
	assert_int_equal(qf_qfm_write(g, tmp("no/such/dir.qfm"), c.d), -1);
	assert_int_equal(access(tmp("no"), F_OK), -1);
	/* A name that is not valid text: refused, the old file untouched. */
	assert_int_equal(qf_qfm_write(g, tmp("keep.qfm"), c.d), 0);
	char *before = slurp(tmp("keep.qfm"), NULL);
	qf_graph_set_meta(g, "bad", "a\x01z");
	assert_int_equal(qf_qfm_write(g, tmp("keep.qfm"), c.d), -1);
	assert_non_null(strstr(cap_text(&c), "cannot store value"));
	char *after = slurp(tmp("keep.qfm"), NULL);
	assert_string_equal(before, after);
	free(before);
	free(after);
	qf_graph_free(g);
	cap_close(&c);
	/* No temporaries left in the folder. */
	char cmd[160];
	snprintf(cmd, sizeof cmd, "ls %s | grep -q tmp", dir);
	assert_int_not_equal(system(cmd), 0);
}

/* ------------------------------------------------------------ speed */

/* CPU time, not wall time: the machines that run the tests are shared,
 * and waiting for a core is not the reader's cost. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A 1M-parameter model: an fc of 1000 x 1000 over a 1000x1x1 input, plus
 * 100 small layers. Written and read well under a second (the bound here
 * is loose because sanitizer builds run this too). */
static void test_speed_1m_params(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("big");
	g->input = qf_graph_add_tensor(g, "in", QF_ROLE_INPUT, 3, (int32_t[]){1000, 1, 1});
	int x = g->input;
	for (int i = 0; i < 100; i++) {
		char name[32];
		snprintf(name, sizeof name, "r%d", i);
		int n = qf_graph_add_node(g, QF_OP_RELU, name, &x, 1);
		x = g->n[n].out;
	}
	int in[3] = {x, param(g, "fc.w", QF_ROLE_WEIGHT, 2, (int32_t[]){1000, 1000}, 5),
		     param(g, "fc.b", QF_ROLE_BIAS, 1, (int32_t[]){1000}, 6)};
	int n = qf_graph_add_node(g, QF_OP_FC, "fc", in, 3);
	g->output = g->n[n].out;
	assert_int_equal(qf_graph_infer_shapes(g, NULL), 0);
	capture c;
	cap_open(&c);
	double t0 = now();
	assert_int_equal(qf_qfm_write(g, tmp("big.qfm"), c.d), 0);
	double t1 = now();
	qf_graph *h = qf_qfm_read(tmp("big.qfm"), c.d);
	double t2 = now();
	assert_non_null(h);
	assert_memory_equal(g->data, h->data, 1001000 * sizeof(float));
	printf("1M-parameter .qfm: write %.0f ms, read %.0f ms of CPU\n", (t1 - t0) * 1e3, (t2 - t1) * 1e3);
#if defined(__SANITIZE_ADDRESS__)
	const double limit = 10.0;
#else
	const double limit = 1.0;
#endif
	assert_true(t1 - t0 < limit);
	assert_true(t2 - t1 < limit);
	qf_graph_free(g);
	qf_graph_free(h);
	cap_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_bytes),
		cmocka_unit_test(test_round_trip_minimal),
		cmocka_unit_test(test_fixture_is_canonical),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_flipped_base64),
		cmocka_unit_test(test_wrong_dims),
		cmocka_unit_test(test_missing_attribute),
		cmocka_unit_test(test_unknown_names),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_paths),
		cmocka_unit_test(test_speed_1m_params),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
