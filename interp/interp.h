/* interp.h: the one public header of interp/.
 *
 * The training engine runs a Graph IR network on batches of float data,
 * forward and backward, with all activations and gradients in one arena
 * sized once per (network, batch). Parameters are the graph's own storage
 * (g->data), so a trained graph is written to .qfm as it stands.
 *
 * The engine (engine*.c, gemm*.c, ops_*.c) and the training driver
 * (data.c, optim.c, sched.c, train.c) meet only through this header.
 */
#ifndef QF_INTERP_H
#define QF_INTERP_H

#include "ir/ir.h"

/* ------------------------------------------------------------ engine */

typedef struct qf_engine qf_engine;

/* One trainable parameter tensor: values live in the graph, gradients in
 * the engine's arena. decay is false for biases and batch-norm params. */
typedef struct {
	int tensor;                  /* index in g->t */
	float *w;
	float *grad;
	int64_t n;
	bool decay;
} qf_param;

/* Builds an engine for g with room for `batch` images, using `threads`
 * worker threads (1 = no threads). Results are deterministic for a given
 * seed and thread count. NULL after an error reported through d (a graph
 * the engine cannot run, an arena too large). */
qf_engine *qf_engine_new(qf_graph *g, int batch, int threads, qf_diag *d);
void qf_engine_free(qf_engine *e);

/* Input buffer: batch x C x H x W floats, filled by the caller. */
float *qf_engine_input(qf_engine *e);
/* Runs n <= batch images. train: batch norm uses batch statistics and
 * updates running ones; otherwise running statistics. */
void qf_engine_forward(qf_engine *e, int n, bool train);
/* n x classes logits of the last forward. */
const float *qf_engine_logits(const qf_engine *e);
/* Mean softmax cross-entropy of the last forward against labels, with
 * label smoothing eps (0 = none); stores d(loss)/d(logits) for backward.
 * *correct (may be NULL) gets the number of top-1 hits. */
float qf_engine_loss(qf_engine *e, const uint8_t *labels, int n, float smoothing, int *correct);
/* Backward of the last forward (which must have been train mode) from
 * the loss gradient; accumulates into the parameter gradients. */
void qf_engine_backward(qf_engine *e, int n);
void qf_engine_zero_grad(qf_engine *e);
int qf_engine_n_params(const qf_engine *e);
qf_param *qf_engine_param(qf_engine *e, int i);
/* Bytes in the arena (activations, gradients, scratch). */
int64_t qf_engine_arena_bytes(const qf_engine *e);

/* sgemm: C = alpha * op(A) op(B) + beta * C, row-major, op = transpose
 * when ta/tb. Picks the AVX-512, AVX2 or portable kernel at run time. */
void qf_sgemm(bool ta, bool tb, int m, int n, int k, float alpha, const float *a, int lda,
	      const float *b, int ldb, float beta, float *c, int ldc);
/* Which sgemm kernel the CPU got: "avx512", "avx2" or "portable". */
const char *qf_sgemm_kernel(void);

#endif
