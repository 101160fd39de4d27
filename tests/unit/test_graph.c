/* test_graph.c: Graph IR shapes, counts and the verifier on hand-built nets. */
#include <setjmp.h>
#include <math.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir/ir.h"
#include "graph_builders.h"

/* ------------------------------------------------------------ builders */

static int unary(qf_graph *g, qf_op op, const char *name, int x, int k, int s)
{
	int nd = qf_graph_add_node(g, op, name, &x, 1);
	g->n[nd].k = k;
	g->n[nd].s = s;
	return g->n[nd].out;
}

static int binary(qf_graph *g, qf_op op, const char *name, const int in[2])
{
	int nd = qf_graph_add_node(g, op, name, in, 2);
	return g->n[nd].out;
}

static int fc(qf_graph *g, const char *name, int x, int cin, int cout)
{
	char n[48];
	int32_t wd[2] = {cout, cin};
	snprintf(n, sizeof n, "%s.w", name);
	int in[3] = {x, qf_graph_add_tensor(g, n, QF_ROLE_WEIGHT, 2, wd), -1};
	snprintf(n, sizeof n, "%s.b", name);
	in[2] = qf_graph_add_tensor(g, n, QF_ROLE_BIAS, 1, &wd[0]);
	int nd = qf_graph_add_node(g, QF_OP_FC, name, in, 3);
	return g->n[nd].out;
}

/* The reference net fmnist-small: three conv3x3 (pad 1, no bias) + BN +
 * ReLU, max-pools after the first two, global average pool, fc 64->10. */
static qf_graph *fmnist_small(void)
{
	qf_graph *g = qf_graph_new("fmnist-small");
	int x = input(g, 1, 28, 28);
	x = conv(g, "c1", x, 1, 16, 3, 1, 1, 1, false);
	x = bn(g, "c1.bn", x, 16);
	x = unary(g, QF_OP_RELU, "c1.relu", x, 0, 1);
	x = unary(g, QF_OP_MAXPOOL, "p1", x, 2, 2);
	x = conv(g, "c2", x, 16, 32, 3, 1, 1, 1, false);
	x = bn(g, "c2.bn", x, 32);
	x = unary(g, QF_OP_RELU, "c2.relu", x, 0, 1);
	x = unary(g, QF_OP_MAXPOOL, "p2", x, 2, 2);
	x = conv(g, "c3", x, 32, 64, 3, 1, 1, 1, false);
	x = bn(g, "c3.bn", x, 64);
	x = unary(g, QF_OP_RELU, "c3.relu", x, 0, 1);
	x = unary(g, QF_OP_GAVGPOOL, "gap", x, 0, 1);
	x = fc(g, "fc", x, 64, 10);
	g->output = x;
	g->classes = 10;
	return g;
}

static int find_node(const qf_graph *g, const char *name)
{
	for (int i = 0; i < g->nn; i++)
		if (strcmp(g->n[i].name, name) == 0)
			return i;
	fail_msg("no node %s", name);
	return -1;
}

static void assert_shape(const qf_graph *g, const char *node, int c, int h, int w)
{
	const qf_tensor *t = &g->t[g->n[find_node(g, node)].out];
	assert_int_equal(t->rank, 3);
	assert_int_equal(t->dim[0], c);
	assert_int_equal(t->dim[1], h);
	assert_int_equal(t->dim[2], w);
}

/* ------------------------------------------------------------ shapes, counts */

static void fmnist_small_counts(void **state)
{
	(void)state;
	qf_graph *g = fmnist_small();
	FILE *f = tmpfile();
	qf_diag *d = qf_diag_new(f);
	assert_int_equal(qf_graph_infer_shapes(g, d), 0);
	assert_int_equal(qf_diag_errors(d), 0);
	assert_null(qf_graph_verify(g));
	assert_shape(g, "c1", 16, 28, 28);
	assert_shape(g, "p1", 16, 14, 14);
	assert_shape(g, "c2", 32, 14, 14);
	assert_shape(g, "p2", 32, 7, 7);
	assert_shape(g, "c3", 64, 7, 7);
	assert_shape(g, "gap", 64, 1, 1);
	assert_shape(g, "fc", 10, 1, 1);

	/* c1: 16*28*28 * 1*3*3 = 112,896; c2: 32*14*14 * 16*9 = 903,168;
	 * c3: 64*7*7 * 32*9 = 903,168; fc: 10*64 = 640. Sum 1,919,872. */
	assert_int_equal(qf_node_macs(g, find_node(g, "c1")), 112896);
	assert_int_equal(qf_node_macs(g, find_node(g, "c2")), 903168);
	assert_int_equal(qf_node_macs(g, find_node(g, "c3")), 903168);
	assert_int_equal(qf_node_macs(g, find_node(g, "fc")), 640);
	assert_int_equal(qf_node_macs(g, find_node(g, "c1.bn")), 0);
	assert_int_equal(qf_node_macs(g, find_node(g, "p1")), 0);
	/* conv 144 + 4608 + 18432, fc 640 + 10, BN gamma+beta 2*(16+32+64). */
	assert_int_equal(qf_node_params(g, find_node(g, "c1")), 144);
	assert_int_equal(qf_node_params(g, find_node(g, "c2.bn")), 64);
	assert_int_equal(qf_node_params(g, find_node(g, "fc")), 650);
	assert_int_equal(qf_node_params(g, find_node(g, "c3.relu")), 0);

	qf_counts c;
	qf_graph_counts(g, &c);
	assert_int_equal(c.macs, 1919872);
	assert_int_equal(c.params, 24058);
	/* float graph: weights at 8 bits, 144 + 4608 + 18432 + 640 bytes */
	assert_int_equal(c.weight_bytes, 23824);
	/* Peak at c1.bn (or c1.relu): conv output and bn output both live,
	 * 2 * 16*28*28 = 25,088 bytes; c1 itself holds 784 + 12,544. */
	assert_int_equal(c.peak_act_bytes, 25088);
	qf_diag_free(d);
	fclose(f);
	qf_graph_free(g);
}

/* ------------------------------------------------------------ the verifier */

static int tensor(const qf_graph *g, const char *name)
{
	for (int i = 0; i < g->nt; i++)
		if (strcmp(g->t[i].name, name) == 0)
			return i;
	fail_msg("no tensor %s", name);
	return -1;
}

/* A qparam of n entries and the given slice bits, appended to g. */
static int add_qparam(qf_graph *g, int t, int n, int slice, const int32_t *bits, int n_slices)
{
	qf_grow(&g->q, &g->capq, g->nq + 1, sizeof(qf_qparam));
	qf_qparam *q = &g->q[g->nq];
	memset(q, 0, sizeof(*q));
	q->n = n;
	q->slice = slice;
	q->n_slices = n_slices;
	q->symmetric = true;
	q->pow2 = true;
	q->scale = qf_graph_alloc_data(g, n);
	for (int i = 0; i < n; i++)
		g->data[q->scale + i] = 0.25f;
	q->zero = qf_graph_alloc_ints(g, n);
	for (int i = 0; i < n; i++)
		g->ints[q->zero + i] = 0;
	q->bits = qf_graph_alloc_ints(g, n_slices);
	memcpy(g->ints + q->bits, bits, (size_t)n_slices * sizeof(int32_t));
	g->t[t].quant = g->nq;
	return g->nq++;
}

/* fmnist-small with shapes inferred and a valid per-channel qparam on
 * c1.w (16 channels, slices of 8 at 4 and 8 bits): verifies clean. */
static qf_graph *good(void)
{
	qf_graph *g = fmnist_small();
	FILE *f = tmpfile();
	qf_diag *d = qf_diag_new(f);
	assert_int_equal(qf_graph_infer_shapes(g, d), 0);
	qf_diag_free(d);
	fclose(f);
	add_qparam(g, tensor(g, "c1.w"), 16, 8, (int32_t[]){4, 8}, 2);
	const char *e = qf_graph_verify(g);
	if (e)
		fail_msg("clean graph fails: %s", e);
	return g;
}

typedef struct {
	const char *name;
	void (*breakit)(qf_graph *g);
	const char *expect; /* a substring of the verifier's message */
} breakage;

#define T(g, name) (&(g)->t[tensor(g, name)])
#define N(g, name) (&(g)->n[find_node(g, name)])

static void no_input(qf_graph *g) { g->input = -1; }
static void no_output(qf_graph *g) { g->output = -1; }
static void output_past_end(qf_graph *g) { g->output = g->nt; }
static void output_is_weight(qf_graph *g) { g->output = tensor(g, "fc.w"); }
static void second_input(qf_graph *g)
{
	int32_t dim[3] = {1, 28, 28};
	qf_graph_add_tensor(g, "input2", QF_ROLE_INPUT, 3, dim);
}
static void input_not_input(qf_graph *g) { g->input = g->output; }
static void name_unterminated(qf_graph *g) { memset(T(g, "c2.w")->name, 'x', 48); }
static void role_range(qf_graph *g) { T(g, "c2.w")->role = (qf_role)99; }
static void dtype_range(qf_graph *g) { T(g, "c2.w")->dtype = (qf_dtype)-1; }
static void rank_range(qf_graph *g) { T(g, "c2.w")->rank = 5; }
static void zero_dim(qf_graph *g) { T(g, "c2.bn.var")->dim[0] = 0; }
static void act_with_data(qf_graph *g) { T(g, "c2")->data = 0; }
static void act_rank(qf_graph *g) { T(g, "c2")->rank = 2; }
static void input_produced(qf_graph *g) { g->t[g->input].producer = 0; }
static void act_orphan(qf_graph *g) { T(g, "c2")->producer = -1; }
static void act_wrong_producer(qf_graph *g) { T(g, "c2")->producer = find_node(g, "c1"); }
static void param_produced(qf_graph *g) { T(g, "c2.w")->producer = 0; }
static void param_data_past_end(qf_graph *g) { T(g, "fc.b")->data = g->ndata - 9; }
static void param_data_negative(qf_graph *g) { T(g, "fc.b")->data = -1; }
static void param_huge(qf_graph *g)
{
	qf_tensor *t = T(g, "c2.w");
	t->dim[0] = t->dim[1] = t->dim[2] = t->dim[3] = 1 << 30;
}
static void quant_index(qf_graph *g) { T(g, "c2.w")->quant = 7; }
static void quant_entries(qf_graph *g) { g->q[0].n = 3; }
static void quant_slices(qf_graph *g) { g->q[0].n_slices = 1; }
static void quant_negative_slice(qf_graph *g) { g->q[0].slice = -8; }
static void quant_scale_past_end(qf_graph *g) { g->q[0].scale = g->ndata - 3; }
static void quant_zero_past_end(qf_graph *g) { g->q[0].zero = g->nints; }
static void quant_bits_past_end(qf_graph *g) { g->q[0].bits = g->nints - 1; }
static void quant_bits_zero(qf_graph *g) { g->ints[g->q[0].bits + 1] = 0; }
static void quant_bits_33(qf_graph *g) { g->ints[g->q[0].bits] = 33; }
static void quant_scale_negative(qf_graph *g) { g->data[g->q[0].scale + 3] = -0.25f; }
static void quant_scale_nan(qf_graph *g) { g->data[g->q[0].scale] = NAN; }
static void quant_not_pow2(qf_graph *g) { g->data[g->q[0].scale + 15] = 0.3f; }
static void quant_symmetric_zero(qf_graph *g) { g->ints[g->q[0].zero + 2] = 5; }
static void op_range(qf_graph *g) { N(g, "c2.relu")->op = QF_OP_COUNT; }
static void missing_input(qf_graph *g) { N(g, "c2.bn")->in[3] = -1; }
static void missing_weight(qf_graph *g) { N(g, "c2")->in[1] = -1; }
static void fc_missing_act(qf_graph *g) { N(g, "fc")->in[0] = -1; }
static void input_past_arity(qf_graph *g) { N(g, "c2.relu")->in[1] = g->input; }
static void input_index(qf_graph *g) { N(g, "c2.relu")->in[0] = 100000; }
static void input_negative(qf_graph *g) { N(g, "c2.relu")->in[0] = -5; }
static void slot_role_bias(qf_graph *g) { N(g, "fc")->in[1] = tensor(g, "fc.b"); }
static void slot_role_bn(qf_graph *g)
{
	qf_node *n = N(g, "c3.bn");
	int t = n->in[1];
	n->in[1] = n->in[2];
	n->in[2] = t;
}
static void slot_param_as_act(qf_graph *g) { N(g, "c2.relu")->in[0] = tensor(g, "c2.bn.gamma"); }
static void not_topological(qf_graph *g) { N(g, "c2")->in[0] = tensor(g, "c3"); }
static void reads_own_output(qf_graph *g) { N(g, "c2.relu")->in[0] = tensor(g, "c2.relu"); }
/* A node's output can only go wrong alone when its own tensor is gone
 * (a file that lists the node but not the tensor): drop the last tensor,
 * fc's output, and point fc elsewhere. */
static void drop_fc_out(qf_graph *g, int out)
{
	QF_ASSERT(g->n[g->nn - 1].out == g->nt - 1);
	g->nt--;
	g->output = tensor(g, "gap");
	g->n[g->nn - 1].out = out;
}
static void out_range(qf_graph *g) { drop_fc_out(g, -3); }
static void out_is_param(qf_graph *g) { drop_fc_out(g, tensor(g, "c1.w")); }
static void out_of_other(qf_graph *g) { drop_fc_out(g, tensor(g, "gap")); }
static void out_of_own_old(qf_graph *g) { N(g, "p1")->out = tensor(g, "c1.relu"); }
static void block_range(qf_graph *g) { N(g, "p1")->block = -2; }
static void shape_stale(qf_graph *g) { T(g, "p2")->dim[1] = 8; }
static void shape_kernel(qf_graph *g) { N(g, "c3")->k = 5; }
static void shape_groups(qf_graph *g) { N(g, "c3")->groups = 3; }
static void shape_not_inferred(qf_graph *g)
{
	qf_tensor *t = T(g, "fc");
	t->rank = 0;
}
static void dup_tensor(qf_graph *g) { strcpy(T(g, "c3.bn.mean")->name, "c1.w"); }
static void dup_node(qf_graph *g) { strcpy(N(g, "p2")->name, "p1"); }

static const breakage breakages[] = {
	{"no input", no_input, "input tensor -1 not set"},
	{"no output", no_output, "output tensor -1 not set"},
	{"output past end", output_past_end, "out of range"},
	{"output is a weight", output_is_weight, "output 'fc.w' is not an activation"},
	{"second input", second_input, "'input2': a second input"},
	{"input not INPUT", input_not_input, "a second input"},
	{"name unterminated", name_unterminated, "name not terminated"},
	{"role", role_range, "role 99 out of range"},
	{"dtype", dtype_range, "dtype -1 out of range"},
	{"rank", rank_range, "rank 5 out of range"},
	{"zero dim", zero_dim, "'c2.bn.var': dimension 0 is 0"},
	{"act with data", act_with_data, "'c2': activation with stored data"},
	{"act rank", act_rank, "'c2': activation of rank 2"},
	{"input produced", input_produced, "the input has a producer"},
	{"act orphan", act_orphan, "'c2': activation without a producer"},
	{"act wrong producer", act_wrong_producer, "producer node 'c1' does not output it"},
	{"param produced", param_produced, "'c2.w': parameter with a producer"},
	{"param data past end", param_data_past_end, "'fc.b': 10 values at"},
	{"param data negative", param_data_negative, "'fc.b': 10 values at -1"},
	{"param huge", param_huge, "'c2.w': more than 268435456 elements"},
	{"quant index", quant_index, "'c2.w': quant 7 out of range"},
	{"quant entries", quant_entries, "3 quant entries, expected 1 or 16"},
	{"quant slices", quant_slices, "1 bit slices, expected 2"},
	{"quant negative slice", quant_negative_slice, "negative slice -8"},
	{"quant scale past end", quant_scale_past_end, "scales ["},
	{"quant zero past end", quant_zero_past_end, "zero points outside the ints"},
	{"quant bits past end", quant_bits_past_end, "bits outside the ints"},
	{"quant bits 0", quant_bits_zero, "slice 1 has 0 bits"},
	{"quant bits 33", quant_bits_33, "slice 0 has 33 bits"},
	{"quant scale negative", quant_scale_negative, "scale 3 is -0.25"},
	{"quant scale nan", quant_scale_nan, "scale 0 is nan"},
	{"quant not pow2", quant_not_pow2, "scale 15 (0.3) is not a power of two"},
	{"quant symmetric zero", quant_symmetric_zero, "zero point 2 is 5"},
	{"op", op_range, "op 11 out of range"},
	{"missing input", missing_input, "'c2.bn' (bn): input 3 missing"},
	{"missing weight", missing_weight, "'c2' (conv2d): input 1 missing"},
	{"fc missing act", fc_missing_act, "'fc' (fc): input 0 missing"},
	{"input past arity", input_past_arity, "input 1 set past the op's 1 inputs"},
	{"input index", input_index, "input 0 is tensor 100000, out of range"},
	{"input negative", input_negative, "input 0 is tensor -5, out of range"},
	{"bias as weight", slot_role_bias, "input 1 'fc.b' is a bias, expected weight"},
	{"bn order", slot_role_bn, "input 1 'c3.bn.beta' is a beta, expected gamma"},
	{"param as act", slot_param_as_act, "is a gamma, expected an activation"},
	{"not topological", not_topological, "input 'c3' is produced later"},
	{"reads own output", reads_own_output, "input 'c2.relu' is produced later"},
	{"out range", out_range, "node 'fc': output -3 out of range"},
	{"out is param", out_is_param, "node 'fc': output 'c1.w' is not an activation produced by it"},
	{"out of other", out_of_other, "node 'fc': output 'gap' is not an activation produced by it"},
	{"out moved", out_of_own_old, "tensor 'p1': producer node 'p1' does not output it"},
	{"block", block_range, "'p1': block -2"},
	{"stale shape", shape_stale, "'p2': output shape 32x8x7, inference gives 32x7x7"},
	{"kernel vs weight", shape_kernel, "weight 'c3.w' has 3 kernel rows, expected 5"},
	{"groups", shape_groups, "groups 3 do not divide the 32 input channels"},
	{"not inferred", shape_not_inferred, "'fc': activation of rank 0"},
	{"dup tensor", dup_tensor, "tensor name 'c1.w' used twice"},
	{"dup node", dup_node, "node name 'p1' used twice"},
};

/* Each invariant broken on its own is caught, with a message that says
 * which one. */
static void verifier_catches_each_invariant(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof breakages / sizeof breakages[0]; i++) {
		qf_graph *g = good();
		breakages[i].breakit(g);
		const char *e = qf_graph_verify(g);
		if (!e)
			fail_msg("%s: not caught", breakages[i].name);
		if (!strstr(e, breakages[i].expect))
			fail_msg("%s: message '%s' lacks '%s'", breakages[i].name, e, breakages[i].expect);
		qf_graph_free(g);
	}
}

static void verifier_accepts_optional_bias_and_empty_graph(void **state)
{
	(void)state;
	qf_graph *g = good();
	assert_int_equal(N(g, "c1")->in[2], -1);
	N(g, "fc")->in[2] = -1; /* fc without bias is allowed too */
	assert_null(qf_graph_verify(g));
	qf_graph_free(g);

	/* a graph of no nodes whose output is its input */
	g = qf_graph_new("id");
	input(g, 3, 4, 4);
	g->output = g->input;
	assert_null(qf_graph_verify(g));
	qf_counts c;
	qf_graph_counts(g, &c);
	assert_int_equal(c.peak_act_bytes, 48);
	assert_int_equal(c.macs, 0);
	qf_graph_free(g);
}

/* QF_VERIFY's function: exits 2 (internal error) on a broken graph and
 * returns on a good one. */
static void verify_or_die_exits_2(void **state)
{
	(void)state;
	qf_graph *g = good();
	qf_graph_verify_or_die(g, __FILE__, __LINE__);
	dup_node(g);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		qf_graph_verify_or_die(g, __FILE__, __LINE__);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), QF_EXIT_INTERNAL);
	qf_graph_free(g);
}

/* ------------------------------------------------------------ shape errors */

typedef struct {
	FILE *f;
	qf_diag *d;
	char text[2048];
} cap;

static void cap_open(cap *c)
{
	c->f = tmpfile();
	c->d = qf_diag_new(c->f);
	qf_diag_set_source(c->d, "net.qfm", NULL, 0);
}

static const char *cap_close(cap *c)
{
	fflush(c->f);
	rewind(c->f);
	size_t n = fread(c->text, 1, sizeof c->text - 1, c->f);
	c->text[n] = 0;
	qf_diag_free(c->d);
	fclose(c->f);
	return c->text;
}

/* Infers shapes of g expecting exactly one error containing want. */
static void expect_shape_error(qf_graph *g, const char *want)
{
	cap c;
	cap_open(&c);
	assert_int_equal(qf_graph_infer_shapes(g, c.d), -1);
	assert_int_equal(qf_diag_errors(c.d), 1);
	const char *t = cap_close(&c);
	if (!strstr(t, want))
		fail_msg("diagnostic '%s' lacks '%s'", t, want);
	assert_non_null(strstr(t, "net.qfm: error: node '"));
	qf_graph_free(g);
}

static void shape_pool_collapses(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 4, 3, 3);
	x = unary(g, QF_OP_MAXPOOL, "pool", x, 5, 1);
	g->output = x;
	expect_shape_error(g, "node 'pool' (maxpool): height of 3 (padding 0) is smaller than the kernel 5: "
			      "the map collapses below 1x1");

	/* two stride-2 pools on 2x2: the second collapses */
	g = qf_graph_new("t");
	x = input(g, 4, 2, 2);
	x = unary(g, QF_OP_AVGPOOL, "p1", x, 2, 2);
	x = unary(g, QF_OP_AVGPOOL, "p2", x, 2, 2);
	g->output = x;
	expect_shape_error(g, "node 'p2' (avgpool): height of 1");
}

static void shape_channel_mismatch(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 3, 8, 8);
	x = conv(g, "c", x, 4, 8, 3, 1, 1, 1, false); /* weight built for 4 inputs */
	g->output = x;
	expect_shape_error(g, "node 'c' (conv2d): weight 'c.w' has 4 input channels per group, expected 3");

	g = qf_graph_new("t");
	x = input(g, 3, 8, 8);
	x = conv(g, "c", x, 3, 8, 3, 1, 1, 1, false);
	x = bn(g, "bn", x, 6);
	g->output = x;
	expect_shape_error(g, "node 'bn' (bn): gamma 'bn.gamma' has 6 channels, expected 8");

	g = qf_graph_new("t");
	x = input(g, 2, 4, 4);
	x = fc(g, "fc", x, 16, 10); /* 2*4*4 = 32 flattened */
	g->output = x;
	expect_shape_error(g, "weight 'fc.w' has 16 inputs, expected 32");

	g = qf_graph_new("t");
	int in = input(g, 4, 8, 8);
	x = conv(g, "c", in, 4, 8, 3, 2, 1, 1, false);
	int add[2] = {in, x};
	g->output = binary(g, QF_OP_ADD, "add", add);
	expect_shape_error(g, "node 'add' (add): adds 4x8x8 to 8x4x4: shapes differ");

	g = qf_graph_new("t");
	in = input(g, 4, 8, 8);
	x = unary(g, QF_OP_MAXPOOL, "p", in, 2, 2);
	int cat[2] = {in, x};
	g->output = binary(g, QF_OP_CONCAT, "cat", cat);
	expect_shape_error(g, "concatenates 4x8x8 with 4x4x4: maps differ");

	/* depthwise with groups not dividing the outputs */
	g = qf_graph_new("t");
	x = input(g, 4, 8, 8);
	x = conv(g, "dw", x, 4, 6, 3, 1, 1, 4, false);
	g->output = x;
	expect_shape_error(g, "groups 4 do not divide the 6 output channels");
}

static void shape_limits_without_overflow(void **state)
{
	(void)state;
	/* each dim at its limit: 65536 * 16384 * 16384 = 2^44 elements */
	qf_graph *g = qf_graph_new("t");
	int x = input(g, QF_LIMIT_CHANNELS, QF_LIMIT_SPATIAL, QF_LIMIT_SPATIAL);
	x = unary(g, QF_OP_RELU, "r", x, 0, 1);
	g->output = x;
	expect_shape_error(g, "node 'r' (relu): output 65536x16384x16384 has 17592186044416 elements, over the "
			      "limit of 268435456");

	/* absurd dims from a corrupt file */
	g = qf_graph_new("t");
	x = input(g, 1000000000, 1000000000, 1000000000);
	x = unary(g, QF_OP_RELU, "r", x, 0, 1);
	g->output = x;
	expect_shape_error(g, "is over the limits");

	g = qf_graph_new("t");
	x = input(g, -4, 8, 8);
	x = unary(g, QF_OP_RELU, "r", x, 0, 1);
	g->output = x;
	expect_shape_error(g, "has an empty shape -4x8x8");

	/* concat of two 40000-channel maps: 80000 > QF_LIMIT_CHANNELS */
	g = qf_graph_new("t");
	int in = input(g, 40000, 1, 1);
	int cat[2] = {in, in};
	g->output = binary(g, QF_OP_CONCAT, "cat", cat);
	expect_shape_error(g, "output has 80000 channels, over the limit of 65536");

	/* a conv weight whose every dim is near 2^31, kernel to match */
	g = qf_graph_new("t");
	x = input(g, 1, 8, 8);
	x = conv(g, "c", x, 1, 1, 3, 1, 1, 1, false);
	for (int i = 0; i < 4; i++)
		g->t[g->n[0].in[1]].dim[i] = i == 1 ? 1 : 2147483647;
	g->n[0].k = 2147483647;
	g->output = x;
	expect_shape_error(g, "weight 'c.w' has more than 268435456 elements");

	/* a stride of 2^31 - 1 and an absurd padding */
	g = qf_graph_new("t");
	x = input(g, 1, 8, 8);
	x = unary(g, QF_OP_MAXPOOL, "p", x, 2, 2147483647);
	g->output = x;
	expect_shape_error(g, "stride 2147483647 is outside");
	g = qf_graph_new("t");
	x = input(g, 1, 8, 8);
	x = conv(g, "c", x, 1, 1, 3, 1, 1, 1, false);
	g->n[0].pad = -2147483647 - 1;
	g->output = x;
	expect_shape_error(g, "padding -2147483648 is outside");
}

static void shape_bad_indices_reported(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 1, 8, 8);
	x = unary(g, QF_OP_RELU, "r", x, 0, 1);
	g->n[0].in[0] = 77;
	g->output = x;
	expect_shape_error(g, "node 'r' (relu): input 0 is not a tensor (77)");

	g = qf_graph_new("t");
	x = input(g, 1, 8, 8);
	x = conv(g, "c", x, 1, 2, 3, 1, 1, 1, false);
	g->n[0].in[1] = -1;
	g->output = x;
	expect_shape_error(g, "node 'c' (conv2d): weight input is not a tensor (-1)");

	g = qf_graph_new("t");
	x = input(g, 1, 8, 8);
	x = unary(g, QF_OP_RELU, "r", x, 0, 1);
	g->n[0].op = (qf_op)40;
	g->output = x;
	expect_shape_error(g, "unknown op 40");

	/* an input read before it has a shape (a node reading a later one) */
	g = qf_graph_new("t");
	x = input(g, 1, 8, 8);
	int a = unary(g, QF_OP_RELU, "a", x, 0, 1);
	int b = unary(g, QF_OP_RELU, "b", a, 0, 1);
	g->n[0].in[0] = b;
	g->output = b;
	expect_shape_error(g, "node 'a' (relu): input 'b' has no C x H x W shape (rank 0)");
}

/* ------------------------------------------------------------ counts */

static void counts_depthwise_and_slices(void **state)
{
	(void)state;
	qf_graph *g = qf_graph_new("t");
	int x = input(g, 16, 8, 8);
	x = conv(g, "dw", x, 16, 16, 3, 2, 1, 16, true);
	x = conv(g, "pw", x, 16, 16, 1, 1, 0, 1, false);
	g->output = x;
	cap c;
	cap_open(&c);
	assert_int_equal(qf_graph_infer_shapes(g, c.d), 0);
	cap_close(&c);
	assert_null(qf_graph_verify(g));
	assert_shape(g, "dw", 16, 4, 4);
	/* dw: 16*4*4 * 1*3*3 = 2,304 MACs, 144 weights + 16 bias;
	 * pw: 16*4*4 * 16 = 4,096 MACs, 256 weights */
	assert_int_equal(qf_node_macs(g, 0), 2304);
	assert_int_equal(qf_node_params(g, 0), 160);
	assert_int_equal(qf_node_macs(g, 1), 4096);
	/* pw weights in two slices of 8 output channels at 2 and 8 bits:
	 * (8*16*2 + 8*16*8) / 8 = 160 bytes; qf_tensor_bits is the widest */
	int pw = g->n[1].in[1];
	add_qparam(g, pw, 16, 8, (int32_t[]){2, 8}, 2);
	assert_null(qf_graph_verify(g));
	assert_int_equal(qf_tensor_bits(g, pw), 8);
	/* dw weights at 4 bits: 72 bytes; activations: 16x8x8 input at 8 bits
	 * = 1024, dw out 256, pw out 256 */
	add_qparam(g, g->n[0].in[1], 1, 0, (int32_t[]){4}, 1);
	qf_counts k;
	qf_graph_counts(g, &k);
	assert_int_equal(k.weight_bytes, 160 + 72);
	assert_int_equal(k.params, 160 + 256);
	assert_int_equal(k.peak_act_bytes, 1024 + 256);
	qf_graph_free(g);
}

static void counts_peak_residual_and_bits(void **state)
{
	(void)state;
	/* input 8x4x4 -> conv -> a; relu -> b; add(input, b) -> c; an extra
	 * relu of a read by nobody -> dead. 128 bytes each at 8 bits.
	 * step 0 conv:  input + a           = 256
	 * step 1 relu:  input + a + b       = 384
	 * step 2 dead:  input + a + b + dead = 512 (a read here last)
	 * step 3 add:   input + b + c       = 384 */
	qf_graph *g = qf_graph_new("t");
	int in = input(g, 8, 4, 4);
	int a = conv(g, "conv", in, 8, 8, 3, 1, 1, 1, false);
	int b = unary(g, QF_OP_RELU, "relu", a, 0, 1);
	unary(g, QF_OP_RELU, "dead", a, 0, 1);
	int add[2] = {in, b};
	g->output = binary(g, QF_OP_ADD, "add", add);
	cap c;
	cap_open(&c);
	assert_int_equal(qf_graph_infer_shapes(g, c.d), 0);
	cap_close(&c);
	assert_null(qf_graph_verify(g));
	qf_counts k;
	qf_graph_counts(g, &k);
	assert_int_equal(k.peak_act_bytes, 512);
	/* the input at 4 bits (64 bytes) and b at 2 (32): step 2 is
	 * 64 + 128 + 32 + 128 = 352 */
	add_qparam(g, in, 1, 0, (int32_t[]){4}, 1);
	add_qparam(g, b, 1, 0, (int32_t[]){2}, 1);
	assert_null(qf_graph_verify(g));
	qf_graph_counts(g, &k);
	assert_int_equal(k.peak_act_bytes, 352);
	assert_int_equal(qf_tensor_bits(g, in), 4);
	assert_int_equal(qf_tensor_bits(g, a), 8);
	qf_graph_free(g);

	/* rounding up: 5 elements at 3 bits = 15 bits -> 2 bytes */
	g = qf_graph_new("t");
	in = input(g, 5, 1, 1);
	add_qparam(g, in, 1, 0, (int32_t[]){3}, 1);
	g->output = in;
	qf_graph_counts(g, &k);
	assert_int_equal(k.peak_act_bytes, 2);
	qf_graph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fmnist_small_counts),
		cmocka_unit_test(verifier_catches_each_invariant),
		cmocka_unit_test(verifier_accepts_optional_bias_and_empty_graph),
		cmocka_unit_test(verify_or_die_exits_2),
		cmocka_unit_test(shape_pool_collapses),
		cmocka_unit_test(shape_channel_mismatch),
		cmocka_unit_test(shape_limits_without_overflow),
		cmocka_unit_test(shape_bad_indices_reported),
		cmocka_unit_test(counts_depthwise_and_slices),
		cmocka_unit_test(counts_peak_residual_and_bits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
