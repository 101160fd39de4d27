/* engine_internal.h: what the engine files (engine.c, pool.c, gemm*.c,
 * ops_*.c) share. Private to interp/; the training driver uses interp.h.
 *
 * Layout: activations and their gradients are NHWC, batch-major:
 * element (n, y, x, c) of a C x H x W tensor is at ((n*H + y)*W + x)*C + c.
 * Parameters keep the Graph IR layout (conv [Cout, Cin/g, k, k], fc
 * [Cout, Cin in C-major flatten order]); the GEMM packers read them there.
 */
#ifndef QF_ENGINE_INTERNAL_H
#define QF_ENGINE_INTERNAL_H

#include <math.h>

#include "interp/interp.h"

/* ------------------------------------------------------------ vectors */

/* Element-wise kernels are written once with GCC vector extensions on
 * 8-float vectors and compiled three times by QF_CLONES (AVX-512, AVX2 +
 * FMA, baseline SSE2), the copy picked when the program loads. The
 * baseline build has no -march, so this is how the hot loops get wide
 * registers without giving up CPUs that lack them. 32 bytes, not 64: GCC
 * lowers compares and selects on vectors wider than the target's
 * registers to scalar code, which would cost the AVX2 copy a factor of
 * ten; the element-wise loops are memory-bound, so AVX-512 loses little.
 * (The baseline copy is scalarised for compares; it is the fallback.)
 * Helpers are macros, not functions: a vector passed by value to a
 * function compiled for another target would change the ABI. */
#define QF_VL 8
typedef float qf_vf __attribute__((vector_size(32), aligned(4), may_alias));
typedef int32_t qf_vi __attribute__((vector_size(32), aligned(4), may_alias));
#define QF_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define QF_VLOAD(p) (*(const qf_vf *)(const void *)(p))
#define QF_VSTORE(p, v) (*(qf_vf *)(void *)(p) = (v))
#define QF_VSPLAT(x) ((qf_vf){0} + (float)(x))
/* Lane-wise select: m ? a : b with m a comparison result. */
#define QF_VSEL(m, a, b) ((qf_vf)(((qf_vi)(a) & (m)) | ((qf_vi)(b) & ~(m))))
#define QF_VMAX0(a) ((qf_vf)((qf_vi)(a) & ((a) > 0)))

/* Copies n >= 4 floats with a few (possibly overlapping) vector moves.
 * GCC turns copy loops, vector ones too, into memcpy calls, whose call
 * overhead dominates at these sizes (a tap of 16 channels, a panel row of
 * 6 or 12 floats); the empty asm hides the loop index from that. */
typedef float qf_v4 __attribute__((vector_size(16), aligned(4), may_alias));
#define QF_COPY_SMALL(d, s, n)                                                              \
	do {                                                                                \
		float *d_ = (d);                                                            \
		const float *s_ = (s);                                                      \
		int n_ = (n);                                                               \
		if (n_ >= QF_VL) {                                                          \
			int i_ = 0;                                                         \
			for (; i_ + QF_VL <= n_; i_ += QF_VL) {                             \
				QF_VSTORE(d_ + i_, QF_VLOAD(s_ + i_));                      \
				__asm__("" : "+r"(i_));                                     \
			}                                                                   \
			if (i_ < n_)                                                        \
				QF_VSTORE(d_ + n_ - QF_VL, QF_VLOAD(s_ + n_ - QF_VL));      \
		} else {                                                                    \
			qf_v4 a_ = *(const qf_v4 *)(const void *)s_;                        \
			qf_v4 b_ = *(const qf_v4 *)(const void *)(s_ + n_ - 4);             \
			*(qf_v4 *)(void *)d_ = a_;                                          \
			*(qf_v4 *)(void *)(d_ + n_ - 4) = b_;                               \
		}                                                                           \
	} while (0)

/* Per-channel parameters over a flat NHWC array repeat every C floats; a
 * period of L = lcm(C, QF_VL) floats is a whole number of vectors, so a
 * flat loop in steps of QF_VL finds its parameters at (i % L). Row ranges handed
 * to such loops start at multiples of QF_ROW_ALIGN rows, which keeps every
 * start a multiple of L. */
#define QF_ROW_ALIGN 16
static inline int qf_period(int c)
{
	int a = c, b = QF_VL;
	while (b) {
		int t = a % b;
		a = b;
		b = t;
	}
	return c / a * QF_VL;
}

/* One fake-quantized value (x / s, rounded, clamped; docs/qat.md), as
 * qf_fq_forward computes it, operation for operation, so a consumer that
 * quantizes what it reads gets the values of the separate pass bit for
 * bit. The vector form rounds by adding and subtracting 1.5 * 2^23 (half
 * to even for |u| < 2^22, which the first clamp ensures), as fakequant.c
 * does. */
static inline float qf_fq1(const qf_fq *q, float x)
{
	const float z = q->z, lo = q->qmin, hi = q->qmax, ulo = lo - z - 1, uhi = hi - z + 1;
	float u = x / q->s;
	u = u < ulo ? ulo : u > uhi ? uhi : u;
	float v = rintf(u) + z;
	v = v < lo ? lo : v > hi ? hi : v;
	return (v - z) * q->s;
}
typedef struct {
	qf_vf s, z, lo, hi, ulo, uhi, m;
} qf_vfq;
/* Built once per loop: the splats stay in registers. */
#define QF_VFQ_INIT(q)                                                                              \
	((qf_vfq){QF_VSPLAT((q)->s), QF_VSPLAT((q)->z), QF_VSPLAT((q)->qmin), QF_VSPLAT((q)->qmax),   \
		  QF_VSPLAT((q)->qmin - (q)->z - 1), QF_VSPLAT((q)->qmax - (q)->z + 1),                 \
		  QF_VSPLAT(12582912.0f)})
#define QF_VFQ(k, x)                                                                                \
	({                                                                                          \
		qf_vf u_ = (x) / (k).s;                                                             \
		u_ = QF_VSEL(u_ < (k).ulo, (k).ulo, u_);                                            \
		u_ = QF_VSEL(u_ > (k).uhi, (k).uhi, u_);                                            \
		qf_vf v_ = (u_ + (k).m) - (k).m + (k).z;                                            \
		v_ = QF_VSEL(v_ < (k).lo, (k).lo, v_);                                              \
		v_ = QF_VSEL(v_ > (k).hi, (k).hi, v_);                                              \
		(v_ - (k).z) * (k).s;                                                               \
	})

/* The straight-through backward of qf_fq_backward over n values, in
 * place (dy, the gradient at the quantized values, becomes the gradient
 * at x), vectorised: every dx is the same float expression, but the four
 * sums are kept in 8 lane partials (added in lane order at the end)
 * instead of one running sum, so they can differ from qf_fq_backward's in
 * the last bits of a double. sums[] is stored, not added. The engine's
 * activation quantizers use this one kernel whether they run as their own
 * pass or inside their consumer, so those two agree bit for bit. */
void qf_fq_bwd_block(const qf_fq *q, const float *x, float *dy, int64_t n, double sums[4]);

/* ------------------------------------------------------------ worker pool */

/* A fixed set of threads that run one parallel loop at a time. Thread 0 is
 * the caller. Tasks go to whichever thread claims them first, so a task
 * must write only its own outputs; `thread` is for picking scratch. */
typedef struct qf_pool qf_pool;
typedef void (*qf_task_fn)(void *ctx, int task, int thread);
qf_pool *qf_pool_new(int threads);
void qf_pool_free(qf_pool *p);
int qf_pool_threads(const qf_pool *p);
/* Runs fn(ctx, t, thread) for t in [0, ntasks) and waits for all. */
void qf_pool_run(qf_pool *p, int ntasks, qf_task_fn fn, void *ctx);

/* ------------------------------------------------------------ gemm */

/* C[i][j] (+)= sum_p A[i][p] * B[p][j] with A m x k and B k x n, both read
 * through packers, so an operand can be a strided matrix, an implicit
 * im2col of an NHWC image, or weights in their graph layout, and a later
 * stage can transform values while packing (fake quantization of weights).
 *
 * A packer writes rows [r0, r0 + rows) x depth [p0, p0 + kc) of its operand
 * as panels of width w: element (r, p) goes to
 *   dst[(r / w) * kc * w + p * w + r % w],
 * and the rows from `rows` up to the next multiple of w are zero. For A,
 * "rows" are rows of A; for B they are columns of B. */
typedef void (*qf_pack_fn)(const void *ctx, int r0, int rows, int p0, int kc, int w, float *dst);
typedef struct {
	qf_pack_fn fn;
	const void *ctx;
} qf_packer;

/* Called once for every finished block of C (all of k summed): rows
 * [i0, i0 + rows) and columns [j0, j0 + cols) at c (row stride ldc). With
 * a scratch C (qf_gemm.c == NULL) this is the only place the values go: a
 * col2im scatter, or fake quantization of activations, lives here. */
typedef void (*qf_epilogue_fn)(void *ctx, int i0, int j0, int rows, int cols, float *c, int64_t ldc);

/* Indirect A: K is ntap taps of ktap values, and rows() gives for rows
 * [r0, r0 + rows) and taps [t0, t1) a pointer to each row's ktap
 * contiguous values of that tap: dst[(t - t0) * w + i], with rows
 * rows <= i < w pointing at ktap zeros. Convolutions use it to read A
 * straight from an NHWC image (no im2col) or from rows of dy. */
typedef void (*qf_rows_fn)(const void *ctx, int r0, int rows, int t0, int t1, int w, const float **dst);
typedef struct {
	qf_rows_fn fn;               /* NULL: A comes from the packer */
	const void *ctx;
	int ntap, ktap;
} qf_arows;

typedef struct {
	int m, n, k;
	qf_packer a, b;
	qf_arows ind;                /* used instead of a when ind.fn is set */
	float *c;                    /* NULL: per-thread scratch, see epilogue */
	int64_t ldc;
	bool accumulate;             /* C += AB instead of C = AB */
	qf_epilogue_fn epilogue;     /* may be NULL */
	void *ep_ctx;
} qf_gemm;

/* Blocking. KC is the depth of one packed panel pass, MC the rows of A
 * packed at once (a multiple of every MR), NC the columns of B (a multiple
 * of every NR). B for all of k is packed once per column block when it fits
 * in QF_GEMM_BCAP floats, else per block of rows. */
#define QF_GEMM_KC 256
#define QF_GEMM_MC 192
#define QF_GEMM_NC 256
#define QF_GEMM_BCAP (QF_GEMM_NC * 512)
#define QF_GEMM_MAXMR 16
#define QF_GEMM_MAXNR 32

/* A microkernel: c[i*ldc + j] (=, or += when acc) sum_p a[p*MR+i] * b[p*NR+j]
 * for the full MR x NR tile. */
typedef void (*qf_ukernel)(int kc, const float *a, const float *b, float *c, int64_t ldc, bool acc);
/* The same with A through row pointers: for each of ntap taps, row i is
 * a[t * MR + i] + off, kc floats; b holds ntap * kc rows of NR. */
typedef void (*qf_ikernel)(int ntap, int kc, int64_t off, const float *const *a, const float *b, float *c,
			   int64_t ldc, bool acc);
typedef struct {
	const char *name;
	int mr, nr;
	qf_ukernel fn;
	qf_ikernel ifn;
} qf_kernel;
const qf_kernel *qf_gemm_kernel(void);      /* the best one this CPU runs */
const qf_kernel *qf_gemm_kernels(int *n);   /* every one this CPU runs, best first */
/* Forces a kernel by name (tests and benchmarks); false when not runnable. */
bool qf_gemm_select(const char *name);

/* Per-thread packing buffers. */
typedef struct {
	float *a, *b, *c, *tile;
} qf_gemm_ws;
size_t qf_gemm_ws_floats(void);
void qf_gemm_ws_init(qf_gemm_ws *ws, float *mem); /* mem: qf_gemm_ws_floats(), 64-byte aligned */

/* Rows [i0, i1) of gm on the calling thread. Each element of C is summed
 * in the same order whatever the row range, so splitting rows between
 * threads never changes results. */
void qf_gemm_rows(const qf_gemm *gm, int i0, int i1, qf_gemm_ws *ws);
/* All rows, split among the pool's threads at multiples of align (a
 * multiple of MR keeps packing whole; the epilogue may need whole images).
 * Products of fewer than min_macs run on the calling thread. */
#define QF_PAR_MIN_MACS (1 << 18)
void qf_gemm_par(const qf_gemm *gm, int align, int64_t min_macs, qf_pool *pool, qf_gemm_ws *ws);

/* Strided matrix operand: element (r, p) = base[r * rs + p * ps]. For A
 * row-major that is (lda, 1); for B row-major (1, ldb). */
typedef struct {
	const float *base;
	int64_t rs, ps;
} qf_mat;
void qf_pack_mat(const void *ctx, int r0, int rows, int p0, int kc, int w, float *dst);

/* Kernels (gemm_avx2.c, gemm_avx512.c), reachable only through the table. */
void qf_ukernel_avx2_6x16(int kc, const float *a, const float *b, float *c, int64_t ldc, bool acc);
void qf_ukernel_avx512_12x32(int kc, const float *a, const float *b, float *c, int64_t ldc, bool acc);
void qf_ikernel_avx2_6x16(int ntap, int kc, int64_t off, const float *const *a, const float *b, float *c,
			  int64_t ldc, bool acc);
void qf_ikernel_avx512_12x32(int ntap, int kc, int64_t off, const float *const *a, const float *b, float *c,
			     int64_t ldc, bool acc);

/* ------------------------------------------------------------ execution plan */

/* Per-image shape of an activation: C x H x W, stored NHWC. */
typedef struct {
	int c, h, w;
} qf_shape;
static inline int64_t qf_shape_elems(qf_shape s) { return (int64_t)s.c * s.h * s.w; }

/* A weight transform (qf_engine_set_wxform). */
typedef float (*qf_wxform_fn)(const void *ctx, int co, float w);

/* Fused activation applied by an op to its own output (bn + relu). */
typedef enum { QF_FUSE_NONE, QF_FUSE_RELU, QF_FUSE_RELU6 } qf_fused_act;

/* One node as the engine runs it. Buffers are batch-major NHWC arrays of
 * batch * elems floats in the arena; a NULL gradient means nothing upstream
 * needs it. acc[i]: backward adds into dx[i] (another consumer wrote it
 * first) instead of storing. */
typedef struct qf_step {
	int node;
	qf_op op;
	int out_t;                   /* the tensor it writes (the last fused node's output) */
	int n_act;                   /* activation inputs */
	qf_shape xs[2], ys;
	float *x[2], *y;             /* y: what the step writes and its backward reads */
	float *dx[2], *dy;
	bool acc[2];
	float *w, *b, *gw, *gb;      /* conv/fc weight and bias; bn gamma, beta */
	const float *wsrc;           /* with a weight transform: the graph's weights; w is the copy */
	qf_wxform_fn wx;
	const void *wx_ctx;
	float *rmean, *rvar;         /* bn running statistics */
	int k, s, pad, groups;
	float eps, momentum;
	qf_fused_act fuse;
	int pool_k;                  /* bn: k x k max pool (stride k) fused after the activation; 0 none */
	int qa;                      /* activation quantizer of the output (qf_qat_act_of), -1 none */
	float *yraw, *yq;            /* quantized: y == yraw, consumers read yq */
	/* Quantizer fused into the consumer: when a quantized output's only
	 * reader is a pool (max, average, global), that pool reads yraw and
	 * quantizes each value as it loads it, and its backward turns each
	 * image's input gradient into the gradient at yraw while that image
	 * is in cache; yq is never written. The producer has fq_fused; the
	 * pool has xq pointing at it. fq/fq_on: the quantizer of the pass in
	 * progress (forward, then backward with its gradient modification),
	 * off in the float phase. */
	bool fq_fused, fq_on;
	qf_fq fq;
	struct qf_step *xq;
	uint8_t *parg;               /* its argmax: window index per output element */
	float *pmax;                 /* the bn input at that argmax (backward reads it, not the map);
				      * a max pool with xq: its input before the quantizer there */
	float *qbuf;                 /* a max pool with xq: one quantized input image per thread */
	/* Lazy input gradient: a fused bn+pool step whose input comes from a
	 * direct convolution that needs no input gradient does not write its
	 * dx; the convolution's weight gradient computes each dy value from
	 * the bn's coefficients when it reads it (saves a write and a read of
	 * the full-size map). bn: lazy_dx; conv: dy_bn points at the bn. */
	bool lazy_dx;
	const struct qf_step *dy_bn;
	float *save;                 /* kept from forward for backward (bn mean, inv std) */
	float *zero;                 /* conv: a row of zeros for padding taps */
	int32_t *arg;                /* maxpool: input offset of each output's max */
	float *xt;                   /* fc: input in C-major order when H*W > 1 */
} qf_step;

/* What a running op may use besides its step. */
typedef struct {
	qf_pool *pool;
	int threads;
	qf_gemm_ws *ws;              /* one per thread */
	float *part;                 /* partial sums for fixed-order reductions */
	int64_t part_floats;
	int n;                       /* images in this pass */
	bool train;
	int64_t par_min, par_min_macs; /* QF_PAR_MIN, QF_PAR_MIN_MACS; 0 with QF_ENG_PAR_ALWAYS */
	const qf_kernel *kern;
} qf_run;

/* Fixed partition of rows for reductions: the chunking depends only on the
 * row count, never on the thread count, so sums come out the same with
 * any number of threads. */
#define QF_RED_ROWS 512
static inline int qf_red_chunks(int64_t rows) { return (int)((rows + QF_RED_ROWS - 1) / QF_RED_ROWS); }

/* Arena floats an op needs beyond its tensors (per step, or per thread). */
int64_t qf_conv_part_floats(const qf_step *s, int batch);
int64_t qf_bn_part_floats(const qf_step *s, int batch);
int64_t qf_bn_save_floats(const qf_step *s);

bool qf_conv_is_direct(const qf_step *s);
/* The per-channel coefficients of a bn step's input gradient after its
 * backward: dx = a*g + b*x + c (g the gradient through the activation). */
void qf_bn_coef(const qf_step *bn, const float **a, const float **b, const float **c);

void qf_conv_forward(qf_run *r, qf_step *s);
void qf_conv_backward(qf_run *r, qf_step *s);
void qf_fc_forward(qf_run *r, qf_step *s);
void qf_fc_backward(qf_run *r, qf_step *s);
void qf_bn_forward(qf_run *r, qf_step *s);
void qf_bn_backward(qf_run *r, qf_step *s);
void qf_act_forward(qf_run *r, qf_step *s);
void qf_act_backward(qf_run *r, qf_step *s);
void qf_pool_forward(qf_run *r, qf_step *s);
void qf_pool_backward(qf_run *r, qf_step *s);
void qf_gap_forward(qf_run *r, qf_step *s);
void qf_gap_backward(qf_run *r, qf_step *s);
void qf_add_forward(qf_run *r, qf_step *s);
void qf_add_backward(qf_run *r, qf_step *s);
void qf_concat_forward(qf_run *r, qf_step *s);
void qf_concat_backward(qf_run *r, qf_step *s);

/* For tests of the engine itself: an engine that also computes the
 * gradient of the input (NHWC, qf_engine_input_grad) or runs unfused
 * (to compare with the fused steps), and the gradient
 * buffer of the output, which a test fills to start backward from any
 * objective instead of qf_engine_loss. */
enum {
	QF_ENG_INPUT_GRAD = 1,       /* compute the input's gradient */
	QF_ENG_NO_FUSE = 2,          /* run every node as its own step */
	QF_ENG_PAR_ALWAYS = 4,       /* split even tiny loops (tests of determinism) */
	QF_ENG_NO_FQ_FUSE = 8,       /* activation quantizers as their own passes */
};
qf_engine *qf_engine_new_opts(qf_graph *g, int batch, int threads, unsigned flags, qf_diag *d);
float *qf_engine_output_grad(qf_engine *e);
float *qf_engine_input_grad(qf_engine *e);
/* A weight transform for one conv or fc node: every forward, the engine
 * reads fn(ctx, co, w) in place of each weight w of output channel co (the
 * graph's values stay as they are), and its weight gradient is with
 * respect to those transformed values. Fake quantization of weights plugs
 * in here (issue 5); fn must be pure for a given step. NULL removes it.
 * Kept across re-plans (qf_engine_set_qat). */
void qf_engine_set_wxform(qf_engine *e, int node, qf_wxform_fn fn, const void *ctx);

/* The plan, for tests that check what was fused. */
const qf_step *qf_engine_steps(const qf_engine *e, int *n);
/* Per-step wall time (benchmarks): turn on, run passes, print means. */
void qf_engine_profile(qf_engine *e, bool on);
void qf_engine_profile_print(const qf_engine *e, FILE *f, int passes);

/* Runs fn over [0, total) split into contiguous ranges, one per thread;
 * range starts are multiples of align. cost: about how many floats one
 * unit reads and writes; loops under QF_PAR_MIN of them in all run on the
 * calling thread, where waking another costs more than it saves. */
#define QF_PAR_MIN 32768
#define QF_TASKS_PER_THREAD 4
typedef void (*qf_range_fn)(void *ctx, int64_t begin, int64_t end, int thread);
void qf_par_range(qf_run *r, int64_t total, int64_t cost, qf_range_fn fn, void *ctx);
void qf_par_range_aligned(qf_run *r, int64_t total, int64_t align, int64_t cost, qf_range_fn fn, void *ctx);

#endif
