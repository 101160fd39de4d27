/* test_graph.c: Graph IR shapes, counts and the verifier on hand-built nets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir/ir.h"

/* ------------------------------------------------------------ builders */

static int input(qf_graph *g, int c, int h, int w)
{
	int32_t dim[3] = {c, h, w};
	g->input = qf_graph_add_tensor(g, "input", QF_ROLE_INPUT, 3, dim);
	return g->input;
}

static int conv(qf_graph *g, const char *name, int x, int cin, int cout, int k, int s, int pad, int groups,
		bool bias)
{
	char n[48];
	int32_t wd[4] = {cout, cin / groups, k, k};
	snprintf(n, sizeof n, "%s.w", name);
	int in[3] = {x, qf_graph_add_tensor(g, n, QF_ROLE_WEIGHT, 4, wd), -1};
	if (bias) {
		snprintf(n, sizeof n, "%s.b", name);
		in[2] = qf_graph_add_tensor(g, n, QF_ROLE_BIAS, 1, &wd[0]);
	}
	int nd = qf_graph_add_node(g, QF_OP_CONV2D, name, in, 3);
	g->n[nd].k = k;
	g->n[nd].s = s;
	g->n[nd].pad = pad;
	g->n[nd].groups = groups;
	return g->n[nd].out;
}

static int bn(qf_graph *g, const char *name, int x, int c)
{
	static const char *suffix[4] = {"gamma", "beta", "mean", "var"};
	int in[5] = {x};
	char n[48];
	for (int i = 0; i < 4; i++) {
		snprintf(n, sizeof n, "%s.%s", name, suffix[i]);
		in[i + 1] = qf_graph_add_tensor(g, n, (qf_role)(QF_ROLE_GAMMA + i), 1, &(int32_t){c});
	}
	int nd = qf_graph_add_node(g, QF_OP_BN, name, in, 5);
	g->n[nd].eps = 1e-5f;
	g->n[nd].momentum = 0.1f;
	return g->n[nd].out;
}

static int unary(qf_graph *g, qf_op op, const char *name, int x, int k, int s)
{
	int nd = qf_graph_add_node(g, op, name, &x, 1);
	g->n[nd].k = k;
	g->n[nd].s = s;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fmnist_small_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
