/* engine_bench.c: training throughput of the engine on fmnist-small
 * (conv3x3 1->16 + BN + ReLU + maxpool 2, conv3x3 16->32 + BN + ReLU +
 * maxpool 2, conv3x3 32->64 + BN + ReLU, global average pool, fc 64->10),
 * built by hand, on random inputs and labels: forward, loss, backward and
 * an SGD step (Nesterov 0.9, decay 5e-4), as the training loop runs them.
 * Data loading is not timed.
 *
 *   engine_bench [--batch B] [--threads T] [--steps N] [--repeat R] [--profile]
 *
 * Prints images/s of the best of R timed runs of N steps each (after a
 * warm-up run), per second of wall time and of the process's CPU time,
 * and with --profile the mean time per step of each op. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "interp/engine_internal.h"

static int input(qf_graph *g, int c, int h, int w)
{
	int32_t dim[3] = {c, h, w};
	g->input = qf_graph_add_tensor(g, "input", QF_ROLE_INPUT, 3, dim);
	return g->input;
}

static int conv_bn_relu(qf_graph *g, const char *name, int x, int cin, int cout)
{
	char n[48];
	int32_t wd[4] = {cout, cin, 3, 3};
	snprintf(n, sizeof n, "%s.w", name);
	int in[5] = {x, qf_graph_add_tensor(g, n, QF_ROLE_WEIGHT, 4, wd), -1};
	int nd = qf_graph_add_node(g, QF_OP_CONV2D, name, in, 3);
	g->n[nd].k = 3;
	g->n[nd].s = 1;
	g->n[nd].pad = 1;
	in[0] = g->n[nd].out;
	static const char *suffix[4] = {"gamma", "beta", "mean", "var"};
	for (int i = 0; i < 4; i++) {
		snprintf(n, sizeof n, "%s.bn.%s", name, suffix[i]);
		in[i + 1] = qf_graph_add_tensor(g, n, (qf_role)(QF_ROLE_GAMMA + i), 1, &(int32_t){cout});
	}
	snprintf(n, sizeof n, "%s.bn", name);
	nd = qf_graph_add_node(g, QF_OP_BN, n, in, 5);
	g->n[nd].eps = 1e-5f;
	g->n[nd].momentum = 0.1f;
	int t = g->n[nd].out;
	snprintf(n, sizeof n, "%s.relu", name);
	nd = qf_graph_add_node(g, QF_OP_RELU, n, &t, 1);
	return g->n[nd].out;
}

static int pool(qf_graph *g, qf_op op, const char *name, int x, int k)
{
	int nd = qf_graph_add_node(g, op, name, &x, 1);
	g->n[nd].k = k;
	g->n[nd].s = k;
	return g->n[nd].out;
}

static qf_graph *fmnist_small(uint64_t seed)
{
	qf_graph *g = qf_graph_new("fmnist-small");
	int x = input(g, 1, 28, 28);
	x = conv_bn_relu(g, "c1", x, 1, 16);
	x = pool(g, QF_OP_MAXPOOL, "p1", x, 2);
	x = conv_bn_relu(g, "c2", x, 16, 32);
	x = pool(g, QF_OP_MAXPOOL, "p2", x, 2);
	x = conv_bn_relu(g, "c3", x, 32, 64);
	x = pool(g, QF_OP_GAVGPOOL, "gap", x, 1);
	int32_t wd[2] = {10, 64};
	int in[3] = {x, qf_graph_add_tensor(g, "fc.w", QF_ROLE_WEIGHT, 2, wd),
		     qf_graph_add_tensor(g, "fc.b", QF_ROLE_BIAS, 1, &wd[0])};
	int nd = qf_graph_add_node(g, QF_OP_FC, "fc", in, 3);
	g->output = g->n[nd].out;
	g->classes = 10;
	qf_diag *d = qf_diag_new(stderr);
	if (qf_graph_infer_shapes(g, d))
		exit(1);
	qf_diag_free(d);
	qf_rng r;
	qf_rng_seed(&r, seed);
	for (int i = 0; i < g->nt; i++) {
		qf_tensor *t = &g->t[i];
		float *v = t->role >= QF_ROLE_WEIGHT ? qf_tensor_data(g, i) : NULL;
		int64_t n = qf_tensor_elems(t);
		for (int64_t j = 0; v && j < n; j++)
			v[j] = t->role == QF_ROLE_WEIGHT ? (float)(qf_rng_normal(&r) * 0.2)
			       : t->role == QF_ROLE_GAMMA || t->role == QF_ROLE_VAR ? 1.0f
										: 0.0f;
	}
	return g;
}

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

int main(int argc, char **argv)
{
	int batch = 64, threads = 2, steps = 200, repeat = 3;
	bool profile = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--batch") && i + 1 < argc)
			batch = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--steps") && i + 1 < argc)
			steps = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
			repeat = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--profile"))
			profile = true;
		else {
			fprintf(stderr, "usage: %s [--batch B] [--threads T] [--steps N] [--repeat R] [--profile]\n",
				argv[0]);
			return 1;
		}
	}
	if (batch < 1 || threads < 1 || steps < 1 || repeat < 1)
		return 1;
	qf_graph *g = fmnist_small(1);
	qf_diag *d = qf_diag_new(stderr);
	qf_engine *e = qf_engine_new(g, batch, threads, d);
	if (!e)
		return 1;
	qf_opt_cfg oc;
	qf_opt_defaults(&oc, QF_OPT_SGD);
	qf_optim *opt = qf_optim_new(&oc, qf_engine_param(e, 0), qf_engine_n_params(e));

	/* A few distinct random batches, cycled. */
	enum { NB = 8 };
	qf_rng r;
	qf_rng_seed(&r, 2);
	float *xs = malloc(sizeof(float) * NB * batch * 784);
	uint8_t *ys = malloc((size_t)NB * batch);
	for (int i = 0; i < NB * batch * 784; i++)
		xs[i] = (float)qf_rng_uniform(&r);
	for (int i = 0; i < NB * batch; i++)
		ys[i] = (uint8_t)qf_rng_below(&r, 10);

	/* images per second of wall time, and per second of CPU time of the
	 * whole process (all threads): on a shared machine the second moves
	 * less with the load, and their ratio shows what threads bring. */
	double best = 0, best_cpu = 0, loss = 0;
	for (int rep = 0; rep <= repeat; rep++) {
		if (profile && rep == repeat)
			qf_engine_profile(e, true);
		double t0 = now(), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
		for (int s = 0; s < steps; s++) {
			int b = s % NB;
			memcpy(qf_engine_input(e), xs + (size_t)b * batch * 784, sizeof(float) * batch * 784);
			qf_engine_forward(e, batch, true);
			loss = qf_engine_loss(e, ys + (size_t)b * batch, batch, 0, NULL);
			qf_engine_zero_grad(e);
			qf_engine_backward(e, batch);
			qf_optim_step(opt, 0.01f);
		}
		double ips = (double)steps * batch / (now() - t0);
		double ipc = (double)steps * batch / (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0);
		if (rep > 0 && ips > best) /* rep 0 warms caches and pages */
			best = ips;
		if (rep > 0 && ipc > best_cpu)
			best_cpu = ipc;
	}
	printf("{\"net\": \"fmnist-small\", \"kernel\": \"%s\", \"batch\": %d, \"threads\": %d, \"steps\": %d, "
	       "\"images_per_s\": %.0f, \"images_per_cpu_s\": %.0f, \"arena_mb\": %.1f, \"loss\": %.4f}\n",
	       qf_sgemm_kernel(), batch, threads, steps, best, best_cpu, qf_engine_arena_bytes(e) / 1048576.0, loss);
	if (profile)
		qf_engine_profile_print(e, stdout, steps);
	qf_optim_free(opt);
	qf_engine_free(e);
	qf_diag_free(d);
	qf_graph_free(g);
	free(xs);
	free(ys);
	return 0;
}
