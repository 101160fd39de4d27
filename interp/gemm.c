/* gemm.c: the blocked sgemm driver, the portable microkernel, kernel
 * choice at run time, and the public qf_sgemm.
 *
 * Loop order (outer to inner): column blocks of B (NC), rows of A (MC),
 * depth (KC), then MR x NR microtiles. B for all of k is packed once per
 * column block when it fits (every convolution of a small CNN), so each
 * row block of C is finished before the next starts and the epilogue sees
 * it while it is still in cache. */
#include <stdlib.h>
#include <string.h>

#include "interp/engine_internal.h"

/* ------------------------------------------------------------ portable kernel */

#define PMR 4
#define PNR 16

/* Plain C, written so that the compiler keeps the 4 x 16 accumulators in
 * vector registers of whatever width the baseline target has. It is the
 * reference the vector kernels are tested against. */
static void ukernel_portable(int kc, const float *a, const float *b, float *c, int64_t ldc, bool acc)
{
	float t[PMR][PNR];
	memset(t, 0, sizeof t);
	for (int p = 0; p < kc; p++) {
		const float *ap = a + (int64_t)p * PMR, *bp = b + (int64_t)p * PNR;
		for (int i = 0; i < PMR; i++)
			for (int j = 0; j < PNR; j++)
				t[i][j] += ap[i] * bp[j];
	}
	for (int i = 0; i < PMR; i++)
		for (int j = 0; j < PNR; j++)
			c[i * ldc + j] = acc ? c[i * ldc + j] + t[i][j] : t[i][j];
}

static void ikernel_portable(int ntap, int kc, int64_t off, const float *const *a, const float *b, float *c,
			     int64_t ldc, bool acc)
{
	float t[PMR][PNR];
	memset(t, 0, sizeof t);
	for (int tap = 0; tap < ntap; tap++)
		for (int p = 0; p < kc; p++, b += PNR)
			for (int i = 0; i < PMR; i++) {
				float ai = a[tap * PMR + i][off + p];
				for (int j = 0; j < PNR; j++)
					t[i][j] += ai * b[j];
			}
	for (int i = 0; i < PMR; i++)
		for (int j = 0; j < PNR; j++)
			c[i * ldc + j] = acc ? c[i * ldc + j] + t[i][j] : t[i][j];
}

/* ------------------------------------------------------------ kernel table */

/* ORDER: best first; qf_gemm_kernels() skips those the CPU lacks. */
static const qf_kernel kernels[] = {
	{"avx512", 12, 32, qf_ukernel_avx512_12x32, qf_ikernel_avx512_12x32},
	{"avx2", 6, 16, qf_ukernel_avx2_6x16, qf_ikernel_avx2_6x16},
	{"portable", PMR, PNR, ukernel_portable, ikernel_portable},
};
#define NKERNELS ((int)(sizeof kernels / sizeof kernels[0]))
_Static_assert(QF_GEMM_MC % 12 == 0 && QF_GEMM_MC % 6 == 0 && QF_GEMM_MC % PMR == 0, "MC is a multiple of every MR");
_Static_assert(QF_GEMM_NC % 32 == 0 && QF_GEMM_NC % 16 == 0, "NC is a multiple of every NR");

static bool runnable(int i)
{
	__builtin_cpu_init();
	if (strcmp(kernels[i].name, "avx512") == 0)
		return __builtin_cpu_supports("avx512f");
	if (strcmp(kernels[i].name, "avx2") == 0)
		return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
	return true;
}

/* Chosen once; qf_gemm_select changes it only from tests and benchmarks,
 * before any engine runs. */
static const qf_kernel *chosen;

const qf_kernel *qf_gemm_kernel(void)
{
	if (!chosen) {
		const char *force = getenv("QF_SGEMM_KERNEL");
		if (force && qf_gemm_select(force))
			return chosen;
		for (int i = 0; i < NKERNELS; i++)
			if (runnable(i)) {
				chosen = &kernels[i];
				break;
			}
	}
	return chosen;
}

const qf_kernel *qf_gemm_kernels(int *n)
{
	static qf_kernel avail[NKERNELS];
	int k = 0;
	for (int i = 0; i < NKERNELS; i++)
		if (runnable(i))
			avail[k++] = kernels[i];
	*n = k;
	return avail;
}

bool qf_gemm_select(const char *name)
{
	for (int i = 0; i < NKERNELS; i++)
		if (strcmp(kernels[i].name, name) == 0 && runnable(i)) {
			chosen = &kernels[i];
			return true;
		}
	return false;
}

const char *qf_sgemm_kernel(void)
{
	return qf_gemm_kernel()->name;
}

/* ------------------------------------------------------------ workspace */

#define WS_A ((size_t)QF_GEMM_MC * QF_GEMM_KC)
#define WS_B ((size_t)QF_GEMM_BCAP)
#define WS_C ((size_t)QF_GEMM_MC * QF_GEMM_NC)
#define WS_T ((size_t)QF_GEMM_MAXMR * QF_GEMM_MAXNR)

size_t qf_gemm_ws_floats(void)
{
	return WS_A + WS_B + WS_C + WS_T;
}

void qf_gemm_ws_init(qf_gemm_ws *ws, float *mem)
{
	QF_ASSERT(((uintptr_t)mem & 63) == 0);
	ws->a = mem;
	ws->b = ws->a + WS_A;
	ws->c = ws->b + WS_B;
	ws->tile = ws->c + WS_C;
}

static int imin(int a, int b)
{
	return a < b ? a : b;
}

/* ------------------------------------------------------------ packing */

static void pack_mat_panel(const qf_mat *m, int r0, int rows, int p0, int kc, int w, float *dst)
{
	const float *src = m->base + r0 * m->rs + p0 * m->ps;
	if (m->rs == 1) {
		for (int p = 0; p < kc; p++) {
			const float *s = src + p * m->ps;
			float *d = dst + (int64_t)p * w;
			if (rows >= 4)
				QF_COPY_SMALL(d, s, rows);
			else
				for (int r = 0; r < rows; r++)
					d[r] = s[r];
			for (int r = rows; r < w; r++)
				d[r] = 0;
		}
		return;
	}
	if (rows < w)
		for (int p = 0; p < kc; p++)
			for (int r = rows; r < w; r++)
				dst[(int64_t)p * w + r] = 0;
	for (int r = 0; r < rows; r++) {
		const float *s = src + r * m->rs;
		if (m->ps == 1)
			for (int p = 0; p < kc; p++)
				dst[(int64_t)p * w + r] = s[p];
		else
			for (int p = 0; p < kc; p++)
				dst[(int64_t)p * w + r] = s[p * m->ps];
	}
}

void qf_pack_mat(const void *ctx, int r0, int rows, int p0, int kc, int w, float *dst)
{
	for (int r = 0; r < rows; r += w)
		pack_mat_panel(ctx, r0 + r, rows - r < w ? rows - r : w, p0, kc, w, dst + (int64_t)(r / w) * kc * w);
}

/* ------------------------------------------------------------ driver */

/* One block of depth: [p0, p0 + kc). With indirect A it is nt whole taps
 * from t0 (kt = ktap, off 0) or a slice [off, off + kt) of one tap. */
typedef struct {
	int p0, kc;
	int t0, nt, off, kt;
} kblock;

/* Indirect blocks cover at most this many taps, which bounds the pointer
 * tables to MC * 64 pointers (they live in the A buffer). */
#define MAX_TAPS 64
#define PTR_FLOATS ((int64_t)sizeof(void *) / (int64_t)sizeof(float))
_Static_assert((size_t)QF_GEMM_MC * MAX_TAPS * sizeof(float *) <= (size_t)QF_GEMM_MC * QF_GEMM_KC * sizeof(float),
	       "pointer tables fit in the A buffer");

/* The block after b (start with p0 = kc = 0); false past the end. */
static bool next_block(const qf_gemm *gm, kblock *b)
{
	int p = b->p0 + b->kc;
	if (p >= gm->k)
		return false;
	b->p0 = p;
	if (!gm->ind.fn) {
		b->kc = imin(QF_GEMM_KC, gm->k - p);
		return true;
	}
	const int kt = gm->ind.ktap;
	b->t0 = p / kt;
	if (kt <= QF_GEMM_KC) {
		b->nt = imin(imin(QF_GEMM_KC / kt, MAX_TAPS), gm->ind.ntap - b->t0);
		b->off = 0;
		b->kt = kt;
	} else {
		b->nt = 1;
		b->off = p % kt;
		b->kt = imin(QF_GEMM_KC, kt - b->off);
	}
	b->kc = b->nt * b->kt;
	return true;
}

static void pack_a(const qf_gemm *gm, const kblock *kb, int ic, int mc, int MR, qf_gemm_ws *ws)
{
	if (!gm->ind.fn) {
		gm->a.fn(gm->a.ctx, ic, mc, kb->p0, kb->kc, MR, ws->a);
		return;
	}
	/* Pointer tables, one per sliver: [tap][MR]. */
	const float **tab = (const float **)(void *)ws->a;
	for (int r = 0; r < mc; r += MR)
		gm->ind.fn(gm->ind.ctx, ic + r, imin(MR, mc - r), kb->t0, kb->t0 + kb->nt, MR,
			   tab + (int64_t)(r / MR) * kb->nt * MR);
}

static inline void tile(const qf_kernel *kn, const qf_gemm *gm, const kblock *kb, const float *as, const float *bs,
			float *c, int64_t ldc, bool acc)
{
	if (gm->ind.fn)
		kn->ifn(kb->nt, kb->kt, kb->off, (const float *const *)(const void *)as, bs, c, ldc, acc);
	else
		kn->fn(kb->kc, as, bs, c, ldc, acc);
}

/* One block of rows [ic, ic + mc) of C against one packed depth block
 * of B (bp, nsl panels), A packed here. cb, ldc: where C's block is. */
static void macro(const qf_gemm *gm, const qf_kernel *kn, const kblock *kb, int ic, int mc, int nc, const float *bp,
		  float *cb, int64_t ldc, bool acc, qf_gemm_ws *ws)
{
	const int MR = kn->mr, NR = kn->nr;
	pack_a(gm, kb, ic, mc, MR, ws);
	/* Per sliver: kc floats of packed A, or nt * MR pointers. */
	const int64_t astep = gm->ind.fn ? (int64_t)kb->nt * MR * PTR_FLOATS : (int64_t)kb->kc * MR;
	for (int jr = 0; jr < nc; jr += NR) {
		int nr = imin(NR, nc - jr);
		const float *bs = bp + (int64_t)(jr / NR) * kb->kc * NR;
		for (int ir = 0; ir < mc; ir += MR) {
			int mr = imin(MR, mc - ir);
			const float *as = ws->a + (ir / MR) * astep;
			float *cp = cb + ir * ldc + jr;
			if (mr == MR && nr == NR) {
				tile(kn, gm, kb, as, bs, cp, ldc, acc);
				continue;
			}
			tile(kn, gm, kb, as, bs, ws->tile, NR, false);
			for (int i = 0; i < mr; i++)
				for (int j = 0; j < nr; j++)
					cp[i * ldc + j] = acc ? cp[i * ldc + j] + ws->tile[i * NR + j] : ws->tile[i * NR + j];
		}
	}
}

void qf_gemm_rows(const qf_gemm *gm, int i0, int i1, qf_gemm_ws *ws)
{
	const qf_kernel *kn = qf_gemm_kernel();
	const int NR = kn->nr, k = gm->k;
	QF_ASSERT(!gm->ind.fn || gm->ind.ntap * gm->ind.ktap == k);
	if (i0 >= i1 || gm->n <= 0)
		return;
	for (int jc = 0; jc < gm->n; jc += QF_GEMM_NC) {
		int nc = imin(QF_GEMM_NC, gm->n - jc);
		int nsl = (nc + NR - 1) / NR;
		bool bfull = (int64_t)k * nsl * NR <= QF_GEMM_BCAP;
		kblock kb = {0};
		if (!bfull && gm->c) {
			/* Deep and C in memory: the classic order, each depth block
			 * of B packed once and used by every row block. */
			while (next_block(gm, &kb)) {
				gm->b.fn(gm->b.ctx, jc, nc, kb.p0, kb.kc, NR, ws->b);
				bool last = kb.p0 + kb.kc >= k;
				for (int ic = i0; ic < i1; ic += QF_GEMM_MC) {
					int mc = imin(QF_GEMM_MC, i1 - ic);
					float *cb = gm->c + ic * gm->ldc + jc;
					macro(gm, kn, &kb, ic, mc, nc, ws->b, cb, gm->ldc, kb.p0 > 0 || gm->accumulate, ws);
					if (last && gm->epilogue)
						gm->epilogue(gm->ep_ctx, ic, jc, mc, nc, cb, gm->ldc);
				}
			}
			continue;
		}
		if (bfull)
			while (next_block(gm, &kb))
				gm->b.fn(gm->b.ctx, jc, nc, kb.p0, kb.kc, NR, ws->b + (int64_t)kb.p0 * nsl * NR);
		for (int ic = i0; ic < i1; ic += QF_GEMM_MC) {
			int mc = imin(QF_GEMM_MC, i1 - ic);
			float *cb;
			int64_t ldc;
			if (gm->c) {
				cb = gm->c + ic * gm->ldc + jc;
				ldc = gm->ldc;
			} else {
				cb = ws->c;
				ldc = nc;
			}
			if (k == 0 && !(gm->c && gm->accumulate))
				for (int i = 0; i < mc; i++)
					memset(cb + i * ldc, 0, (size_t)nc * sizeof(float));
			kb = (kblock){0};
			while (next_block(gm, &kb)) {
				const float *bp = ws->b;
				if (bfull)
					bp += (int64_t)kb.p0 * nsl * NR;
				else /* scratch C and deep: B again for every row block */
					gm->b.fn(gm->b.ctx, jc, nc, kb.p0, kb.kc, NR, ws->b);
				macro(gm, kn, &kb, ic, mc, nc, bp, cb, ldc, kb.p0 > 0 || (gm->c && gm->accumulate), ws);
			}
			if (gm->epilogue)
				gm->epilogue(gm->ep_ctx, ic, jc, mc, nc, cb, ldc);
		}
	}
}

typedef struct {
	const qf_gemm *gm;
	qf_gemm_ws *ws;
	int step;
} par_ctx;

static void par_task(void *ctx, int task, int thread)
{
	par_ctx *pc = ctx;
	int i0 = task * pc->step, i1 = imin(pc->gm->m, i0 + pc->step);
	qf_gemm_rows(pc->gm, i0, i1, &pc->ws[thread]);
}

void qf_gemm_par(const qf_gemm *gm, int align, int64_t min_macs, qf_pool *pool, qf_gemm_ws *ws)
{
	int t = qf_pool_threads(pool);
	if (align < 1)
		align = 1;
	int units = (gm->m + align - 1) / align;
	if ((int64_t)gm->m * gm->n * gm->k < min_macs)
		t = 1;
	else if (t > 1)
		t *= QF_TASKS_PER_THREAD; /* see qf_par_range */
	if (t > units)
		t = units;
	if (t <= 1) {
		qf_gemm_rows(gm, 0, gm->m, &ws[0]);
		return;
	}
	par_ctx pc = {gm, ws, ((units + t - 1) / t) * align};
	qf_pool_run(pool, (gm->m + pc.step - 1) / pc.step, par_task, &pc);
}

/* ------------------------------------------------------------ public sgemm */

typedef struct {
	float alpha, beta;
	float *c;
	int64_t ldc;
} scale_ctx;

/* BLAS semantics: with beta == 0, C is written without being read. */
static void scale_epilogue(void *ctx, int i0, int j0, int rows, int cols, float *t, int64_t ldt)
{
	scale_ctx *s = ctx;
	for (int i = 0; i < rows; i++) {
		float *c = s->c + (i0 + i) * s->ldc + j0;
		const float *r = t + i * ldt;
		if (s->beta == 0)
			for (int j = 0; j < cols; j++)
				c[j] = s->alpha * r[j];
		else
			for (int j = 0; j < cols; j++)
				c[j] = s->alpha * r[j] + s->beta * c[j];
	}
}

void qf_sgemm(bool ta, bool tb, int m, int n, int k, float alpha, const float *a, int lda,
	      const float *b, int ldb, float beta, float *c, int ldc)
{
	QF_ASSERT(m >= 0 && n >= 0 && k >= 0);
	if (m == 0 || n == 0)
		return;
	qf_mat am = {a, ta ? 1 : lda, ta ? lda : 1};
	qf_mat bm = {b, tb ? ldb : 1, tb ? 1 : ldb};
	scale_ctx sc = {alpha, beta, c, ldc};
	qf_gemm gm = {
		.m = m, .n = n, .k = k,
		.a = {qf_pack_mat, &am}, .b = {qf_pack_mat, &bm},
		.c = NULL, .epilogue = scale_epilogue, .ep_ctx = &sc,
	};
	float *mem = aligned_alloc(64, qf_gemm_ws_floats() * sizeof(float));
	if (!mem)
		qf_die("out of memory for sgemm workspace");
	qf_gemm_ws ws;
	qf_gemm_ws_init(&ws, mem);
	qf_gemm_rows(&gm, 0, m, &ws);
	free(mem);
}
