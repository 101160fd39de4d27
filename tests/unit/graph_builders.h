/* graph_builders.h: the Graph IR builders the unit tests of the graph
 * and of the engine's gradients share (a header of static inline
 * functions: each test is one file, built alone). */
#ifndef QF_TEST_GRAPH_BUILDERS_H
#define QF_TEST_GRAPH_BUILDERS_H

#include <stdio.h>

#include "ir/ir.h"

static inline int input(qf_graph *g, int c, int h, int w)
{
	int32_t dim[3] = {c, h, w};
	g->input = qf_graph_add_tensor(g, "input", QF_ROLE_INPUT, 3, dim);
	return g->input;
}

static inline int conv(qf_graph *g, const char *name, int x, int cin, int cout, int k, int s, int pad, int groups,
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

static inline int bn(qf_graph *g, const char *name, int x, int c)
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

#endif
