/* gemm_bench.c: GFLOP/s of the engine's sgemm per shape and kernel, and of
 * OpenBLAS's cblas_sgemm on the same shapes when built with -DHAVE_OPENBLAS
 * (bench/gemm.sh does that when libopenblas-dev is installed).
 *
 * Shapes: those of fmnist-small's training step at batch 64 (conv2 and
 * conv3 forward, weight gradient and input gradient, row-major, as
 * C[m][n] = A[m][k] B[k][n]) and three squares. Every kernel the CPU runs
 * is timed, single-threaded through qf_gemm_rows with its workspace
 * allocated once, and with --threads T through the engine's pool
 * (qf_gemm_par), against OpenBLAS with T threads.
 *
 *   gemm_bench [--threads T] [--seconds S]
 *
 * One JSON object per line: shape, kernel, threads, GFLOP/s (the best of
 * repeated runs filling about S seconds, default 0.3). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "interp/engine_internal.h"

#ifdef HAVE_OPENBLAS
#include <cblas.h>
void openblas_set_num_threads(int);
#endif

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct {
	const char *name;
	int m, n, k;
} shape;

/* fmnist-small, batch 64: conv2 has 12,544 output pixels, 32 channels,
 * depth 16*9; conv3 3,136 pixels, 64 channels, depth 32*9. */
static const shape shapes[] = {
	{"conv2.fwd", 12544, 32, 144},  {"conv2.dW", 144, 32, 12544}, {"conv2.dX", 12544, 144, 32},
	{"conv3.fwd", 3136, 64, 288},   {"conv3.dW", 288, 64, 3136},  {"conv3.dX", 3136, 288, 64},
	{"square256", 256, 256, 256},   {"square512", 512, 512, 512}, {"square1024", 1024, 1024, 1024},
};

typedef void (*run_fn)(void *ctx);

/* Best GFLOP/s over runs filling about `seconds`, after one warm-up. */
static double measure(run_fn fn, void *ctx, double flops, double seconds)
{
	fn(ctx);
	double best = 0, start = now();
	do {
		double t0 = now();
		fn(ctx);
		double g = flops / (now() - t0) / 1e9;
		if (g > best)
			best = g;
	} while (now() - start < seconds);
	return best;
}

typedef struct {
	qf_gemm gm;
	qf_pool *pool;
	qf_gemm_ws *ws;
	int threads;
	const float *a, *b;
	float *c;
	int m, n, k;
} ctx_t;

static void run_qf(void *p)
{
	ctx_t *c = p;
	if (c->threads == 1)
		qf_gemm_rows(&c->gm, 0, c->gm.m, &c->ws[0]);
	else
		qf_gemm_par(&c->gm, qf_gemm_kernel()->mr, 0, c->pool, c->ws);
}

#ifdef HAVE_OPENBLAS
static void run_blas(void *p)
{
	ctx_t *c = p;
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, c->m, c->n, c->k, 1.0f, c->a, c->k, c->b, c->n, 0.0f,
		    c->c, c->n);
}
#endif

int main(int argc, char **argv)
{
	int threads = 1;
	double seconds = 0.3;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atof(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--threads T] [--seconds S]\n", argv[0]);
			return 1;
		}
	}
	if (threads < 1 || threads > 64)
		return 1;
	qf_pool *pool = qf_pool_new(threads);
	qf_gemm_ws ws[64];
	float *mem[64];
	for (int t = 0; t < threads; t++) {
		mem[t] = aligned_alloc(64, qf_gemm_ws_floats() * sizeof(float));
		qf_gemm_ws_init(&ws[t], mem[t]);
	}
	int nk;
	const qf_kernel *ks = qf_gemm_kernels(&nk);
	qf_rng r;
	qf_rng_seed(&r, 1);
	for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
		const shape *sh = &shapes[si];
		float *a = malloc(sizeof(float) * sh->m * sh->k), *b = malloc(sizeof(float) * sh->k * sh->n);
		float *c = malloc(sizeof(float) * sh->m * sh->n);
		for (int64_t i = 0; i < (int64_t)sh->m * sh->k; i++)
			a[i] = (float)qf_rng_uniform(&r) - 0.5f;
		for (int64_t i = 0; i < (int64_t)sh->k * sh->n; i++)
			b[i] = (float)qf_rng_uniform(&r) - 0.5f;
		qf_mat am = {a, sh->k, 1}, bm = {b, 1, sh->n};
		ctx_t cx = {
			.gm = {.m = sh->m, .n = sh->n, .k = sh->k, .a = {qf_pack_mat, &am}, .b = {qf_pack_mat, &bm},
			       .c = c, .ldc = sh->n},
			.pool = pool, .ws = ws, .threads = threads, .a = a, .b = b, .c = c,
			.m = sh->m, .n = sh->n, .k = sh->k,
		};
		double flops = 2.0 * sh->m * sh->n * sh->k;
		for (int ki = 0; ki < nk; ki++) {
			qf_gemm_select(ks[ki].name);
			printf("{\"shape\": \"%s\", \"m\": %d, \"n\": %d, \"k\": %d, \"impl\": \"qforge-%s\", "
			       "\"threads\": %d, \"gflops\": %.1f}\n",
			       sh->name, sh->m, sh->n, sh->k, ks[ki].name, threads, measure(run_qf, &cx, flops, seconds));
			fflush(stdout);
		}
		qf_gemm_select(ks[0].name);
#ifdef HAVE_OPENBLAS
		openblas_set_num_threads(threads);
		printf("{\"shape\": \"%s\", \"m\": %d, \"n\": %d, \"k\": %d, \"impl\": \"openblas\", "
		       "\"threads\": %d, \"gflops\": %.1f}\n",
		       sh->name, sh->m, sh->n, sh->k, threads, measure(run_blas, &cx, flops, seconds));
		fflush(stdout);
#endif
		free(a);
		free(b);
		free(c);
	}
	for (int t = 0; t < threads; t++)
		free(mem[t]);
	qf_pool_free(pool);
	return 0;
}
