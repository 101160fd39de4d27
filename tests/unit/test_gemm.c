/* test_gemm.c: qf_sgemm and the packed GEMM driver against a plain
 * triple loop in double, for every kernel this CPU runs; row splits give
 * identical bits; packers and epilogues see what they should. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "interp/engine_internal.h"

static void fill(float *x, int64_t n, qf_rng *r)
{
	for (int64_t i = 0; i < n; i++)
		x[i] = (float)(qf_rng_uniform(r) * 2 - 1);
}

/* C = alpha op(A) op(B) + beta C in double; tolerance scaled by k. */
static void check_sgemm(bool ta, bool tb, int m, int n, int k, float alpha, float beta, qf_rng *r)
{
	int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
	int64_t na = (int64_t)(ta ? k : m) * lda, nb = (int64_t)(tb ? n : k) * ldb, nc = (int64_t)m * ldc;
	float *a = malloc((size_t)(na + 1) * sizeof(float)), *b = malloc((size_t)(nb + 1) * sizeof(float));
	float *c = malloc((size_t)(nc + 1) * sizeof(float));
	double *want = malloc((size_t)(nc + 1) * sizeof(double));
	fill(a, na, r);
	fill(b, nb, r);
	fill(c, nc, r);
	if (beta == 0)
		for (int64_t i = 0; i < nc; i++)
			c[i] = NAN; /* BLAS: beta 0 means C is not read */
	for (int i = 0; i < m; i++)
		for (int j = 0; j < ldc; j++) {
			double s = 0;
			if (j < n)
				for (int p = 0; p < k; p++)
					s += (double)(ta ? a[p * lda + i] : a[i * lda + p]) *
					     (tb ? b[j * ldb + p] : b[p * ldb + j]);
			int64_t at = (int64_t)i * ldc + j;
			want[at] = j < n ? alpha * s + (beta == 0 ? 0 : beta * (double)c[at]) : c[at];
		}
	qf_sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
	for (int i = 0; i < m; i++)
		for (int j = 0; j < ldc; j++) {
			int64_t at = (int64_t)i * ldc + j;
			if (j >= n) {
				/* Padding columns untouched (NaN stays NaN). */
				if (!(isnan(want[at]) && isnan(c[at])) && want[at] != c[at])
					fail_msg("%s ta%d tb%d %dx%dx%d: wrote past n at (%d,%d)", qf_sgemm_kernel(), ta, tb,
						 m, n, k, i, j);
				continue;
			}
			double tol = 1e-5 * (k + 1) * fmax(1, fabs(alpha));
			if (!(fabs(c[at] - want[at]) <= tol))
				fail_msg("%s ta%d tb%d %dx%dx%d alpha %g beta %g: C[%d][%d] = %.7g, want %.7g",
					 qf_sgemm_kernel(), ta, tb, m, n, k, alpha, beta, i, j, c[at], want[at]);
		}
	free(a);
	free(b);
	free(c);
	free(want);
}

static void sgemm_all_kernels(void **state)
{
	(void)state;
	static const int shapes[][3] = {
		{1, 1, 1}, {5, 7, 3}, {13, 33, 17}, {12, 32, 256}, {25, 47, 300}, {64, 10, 64},
		{200, 40, 9}, {193, 257, 31}, {7, 3, 0},
	};
	int nk;
	const qf_kernel *ks = qf_gemm_kernels(&nk);
	assert_true(nk >= 1);
	assert_string_equal(ks[nk - 1].name, "portable");
	qf_rng r;
	qf_rng_seed(&r, 1);
	for (int ki = 0; ki < nk; ki++) {
		assert_true(qf_gemm_select(ks[ki].name));
		assert_string_equal(qf_sgemm_kernel(), ks[ki].name);
		for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
			for (int t = 0; t < 4; t++) {
				const int *sh = shapes[s];
				check_sgemm(t & 1, t & 2, sh[0], sh[1], sh[2], 1, 0, &r);
				check_sgemm(t & 1, t & 2, sh[0], sh[1], sh[2], -0.5f, 1, &r);
				check_sgemm(t & 1, t & 2, sh[0], sh[1], sh[2], 2, 0.25f, &r);
			}
	}
	/* The default is the first runnable kernel again. */
	assert_true(qf_gemm_select(ks[0].name));
	assert_false(qf_gemm_select("no-such-kernel"));
}

/* Every kernel gives the same values as the portable one to within
 * rounding: catches a vector kernel that reads the panels in another
 * layout but happens to pass on symmetric data. */
static void kernels_agree(void **state)
{
	(void)state;
	int nk;
	const qf_kernel *ks = qf_gemm_kernels(&nk);
	qf_rng r;
	qf_rng_seed(&r, 2);
	const int kc = 37;
	/* Packed panels are 64-byte aligned; the vector kernels rely on it. */
	_Alignas(64) float a[QF_GEMM_MAXMR * 37];
	_Alignas(64) float b[QF_GEMM_MAXNR * 37];
	for (int ki = 0; ki < nk; ki++) {
		const qf_kernel *kn = &ks[ki];
		fill(a, kn->mr * kc, &r);
		fill(b, kn->nr * kc, &r);
		float c[QF_GEMM_MAXMR * (QF_GEMM_MAXNR + 5)];
		const int ldc = kn->nr + 5;
		for (int i = 0; i < kn->mr * ldc; i++)
			c[i] = (float)i;
		kn->fn(kc, a, b, c, ldc, true);
		for (int i = 0; i < kn->mr; i++)
			for (int j = 0; j < ldc; j++) {
				double s = i * ldc + j;
				if (j < kn->nr)
					for (int p = 0; p < kc; p++)
						s += (double)a[p * kn->mr + i] * b[p * kn->nr + j];
				assert_true(fabs(c[i * ldc + j] - s) < 1e-4 * (1 + fabs(s)));
			}
	}
}

/* Rows computed in pieces (any split) are bit-identical to one pass: the
 * property that makes threaded results independent of the thread count. */
typedef struct {
	int calls;
	int rows;
} ep_count;

static void count_ep(void *ctx, int i0, int j0, int rows, int cols, float *c, int64_t ldc)
{
	(void)i0;
	(void)j0;
	(void)cols;
	(void)c;
	(void)ldc;
	ep_count *e = ctx;
	e->calls++;
	e->rows += rows;
}

static void split_rows_same_bits(void **state)
{
	(void)state;
	const int m = 411, n = 70, k = 300;
	qf_rng r;
	qf_rng_seed(&r, 3);
	float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n);
	float *c1 = calloc((size_t)m * n, sizeof(float)), *c2 = calloc((size_t)m * n, sizeof(float));
	fill(a, (int64_t)m * k, &r);
	fill(b, (int64_t)k * n, &r);
	qf_mat am = {a, k, 1}, bm = {b, 1, n};
	ep_count e1 = {0, 0}, e2 = {0, 0};
	qf_gemm gm = {
		.m = m, .n = n, .k = k, .a = {qf_pack_mat, &am}, .b = {qf_pack_mat, &bm},
		.c = c1, .ldc = n, .epilogue = count_ep, .ep_ctx = &e1,
	};
	float *mem = aligned_alloc(64, qf_gemm_ws_floats() * sizeof(float));
	qf_gemm_ws ws;
	qf_gemm_ws_init(&ws, mem);
	qf_gemm_rows(&gm, 0, m, &ws);
	gm.c = c2;
	gm.ep_ctx = &e2;
	static const int cuts[] = {0, 1, 13, 100, 250, 251, 411};
	for (int i = 0; i + 1 < (int)(sizeof cuts / sizeof cuts[0]); i++)
		qf_gemm_rows(&gm, cuts[i], cuts[i + 1], &ws);
	assert_memory_equal(c1, c2, sizeof(float) * m * n);
	/* The epilogue saw every row exactly once in both runs. */
	assert_int_equal(e1.rows, m);
	assert_int_equal(e2.rows, m);
	assert_true(e2.calls > e1.calls);

	/* Two threads through the pool: the same bits again. */
	qf_pool *pool = qf_pool_new(2);
	float *mem2 = aligned_alloc(64, qf_gemm_ws_floats() * sizeof(float));
	qf_gemm_ws ws2[2] = {ws};
	qf_gemm_ws_init(&ws2[1], mem2);
	memset(c2, 0, sizeof(float) * m * n);
	qf_gemm_par(&gm, 12, 0, pool, ws2);
	assert_memory_equal(c1, c2, sizeof(float) * m * n);
	qf_pool_free(pool);
	free(mem2);
	free(mem);
	free(a);
	free(b);
	free(c1);
	free(c2);
}

/* Accumulate adds to C; with a NULL C the epilogue gets the finished
 * block (all of k summed) in scratch. */
typedef struct {
	float *out;
	int n;
} copy_ctx;

static void copy_ep(void *ctx, int i0, int j0, int rows, int cols, float *c, int64_t ldc)
{
	copy_ctx *cc = ctx;
	for (int i = 0; i < rows; i++)
		for (int j = 0; j < cols; j++)
			cc->out[(i0 + i) * cc->n + j0 + j] = c[i * ldc + j];
}

static void accumulate_and_scratch(void **state)
{
	(void)state;
	/* n > NC and k > KC: several blocks, and B for all of k does not fit
	 * (the deep orders of the driver). */
	const int m = 50, n = 300, k = 1100;
	qf_rng r;
	qf_rng_seed(&r, 4);
	float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n);
	float *c = malloc(sizeof(float) * m * n), *c0 = malloc(sizeof(float) * m * n);
	float *s = calloc((size_t)m * n, sizeof(float)), *s2 = calloc((size_t)m * n, sizeof(float));
	fill(a, (int64_t)m * k, &r);
	fill(b, (int64_t)k * n, &r);
	fill(c, (int64_t)m * n, &r);
	memcpy(c0, c, sizeof(float) * m * n);
	qf_mat am = {a, k, 1}, bm = {b, 1, n};
	float *mem = aligned_alloc(64, qf_gemm_ws_floats() * sizeof(float));
	qf_gemm_ws ws;
	qf_gemm_ws_init(&ws, mem);
	/* The epilogue on C in memory sees the finished values too. */
	copy_ctx cc2 = {s2, n};
	qf_gemm gm = {.m = m, .n = n, .k = k, .a = {qf_pack_mat, &am}, .b = {qf_pack_mat, &bm}, .c = c, .ldc = n,
		      .accumulate = true, .epilogue = copy_ep, .ep_ctx = &cc2};
	qf_gemm_rows(&gm, 0, m, &ws);
	assert_memory_equal(s2, c, sizeof(float) * m * n);
	copy_ctx cc = {s, n};
	qf_gemm gs = {.m = m, .n = n, .k = k, .a = {qf_pack_mat, &am}, .b = {qf_pack_mat, &bm}, .c = NULL,
		      .epilogue = copy_ep, .ep_ctx = &cc};
	qf_gemm_rows(&gs, 0, m, &ws);
	for (int i = 0; i < m * n; i++) {
		double want = 0;
		for (int p = 0; p < k; p++)
			want += (double)a[(i / n) * k + p] * b[p * n + i % n];
		assert_true(fabs(s[i] - want) < 1e-3);
		assert_true(fabs(c[i] - (c0[i] + want)) < 1e-3);
	}
	free(mem);
	free(a);
	free(b);
	free(c);
	free(c0);
	free(s);
	free(s2);
}

/* The worker pool: many short loops of varying sizes back to back (the
 * pattern of a training step), each task run exactly once with its own
 * loop's context, whichever thread claims it. Catches a worker that wakes
 * late and runs a task of one loop with another loop's context. */
typedef struct {
	int loop;
	int *hits;                   /* per task: the loop that ran it */
	int *count;
	int bad_thread;
} stress_ctx;

/* Runs on any thread: records, the main thread asserts. */
static void stress_task(void *ctx, int task, int thread)
{
	stress_ctx *c = ctx;
	if (thread < 0 || thread >= 3)
		__atomic_store_n(&c->bad_thread, 1, __ATOMIC_RELAXED);
	c->hits[task] = c->loop;
	__atomic_fetch_add(&c->count[task], 1, __ATOMIC_RELAXED);
}

static void pool_stress(void **state)
{
	(void)state;
	qf_pool *pool = qf_pool_new(3);
	int hits[40], count[40];
	for (int loop = 1; loop <= 20000; loop++) {
		int n = 1 + (loop * 7919) % 37;
		memset(count, 0, sizeof count);
		stress_ctx c = {loop, hits, count, 0};
		qf_pool_run(pool, n, stress_task, &c);
		assert_int_equal(c.bad_thread, 0);
		for (int t = 0; t < n; t++) {
			assert_int_equal(count[t], 1);
			assert_int_equal(hits[t], loop);
		}
	}
	qf_pool_free(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sgemm_all_kernels),
		cmocka_unit_test(kernels_agree),
		cmocka_unit_test(split_rows_same_bits),
		cmocka_unit_test(accumulate_and_scratch),
		cmocka_unit_test(pool_stress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
