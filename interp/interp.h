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

#include <signal.h>

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

/* ================================================================ training
 * Everything of training around the engine: data (data.c), optimisers
 * (optim.c), learning-rate schedules (sched.c) and the loop with its
 * checkpoints (train.c). The engine section above knows nothing of these. */

/* ------------------------------------------------------------ data (data.c) */

/* Labelled images as stored in the files: n x c x h x w bytes. */
typedef struct {
	int n, c, h, w;
	uint8_t *pix;
	uint8_t *label;
} qf_images;

/* Reads an IDX image file (unsigned bytes; rank 3 is n x h x w with one
 * channel, rank 4 is n x c x h x w) and its IDX label file (rank 1), each
 * gzip-compressed or plain. Checks the magic numbers, the image shape
 * against c x h x w, the counts of images and labels, every label against
 * [0, classes), and truncation or trailing bytes; each error names the file
 * and what is wrong. max > 0 reads only the first max images (tests,
 * subsets). 0, or -1 after reporting through d. */
int qf_idx_read(const char *images, const char *labels, int c, int h, int w, int classes, int max,
		qf_images *out, qf_diag *d);
void qf_images_free(qf_images *s);

/* The three splits of a data block, and how training batches are made. */
typedef struct {
	qf_images train, val, test;
	int classes;
	int in_c, in_h, in_w;        /* the images as stored */
	int c, h, w;                 /* what the network sees (after cropping) */
	int crop, pad;               /* random crop of crop x crop out of the image padded by pad */
	bool flip;                   /* random horizontal flip */
	const char *train_path, *test_path; /* image files, for messages */
} qf_dataset;

/* Loads spec's train and test files and holds spec->validate train images
 * out as the validation split. The held-out images are picked by a fixed
 * seed, independent of the training seed, so every run and every network
 * is judged on the same ones. max_train, max_test > 0 read only that many
 * images of each file; max_train < 0 reads no train split at all (for
 * evaluation). 0, or -1 after reporting through d. */
int qf_dataset_load(const qf_data *spec, int max_train, int max_test, qf_dataset *ds, qf_diag *d);
void qf_dataset_free(qf_dataset *ds);
/* 0 when g's input tensor is c x h x w of ds; else an error naming the
 * train image file (the test one when only that was read) and both
 * shapes, -1. */
int qf_dataset_check_input(const qf_dataset *ds, const qf_graph *g, qf_diag *d);
/* perm becomes a uniformly random permutation of [0, n). */
void qf_shuffle(int32_t *perm, int n, qf_rng *r);
/* Fills x (n x c x h x w floats, pixels / 255) and y with images idx[0..n)
 * of s. augment: a random pad-and-crop and flip as ds says, drawn from r;
 * otherwise the centre crop of the padded image, and r is not touched. */
void qf_batch(const qf_dataset *ds, const qf_images *s, const int32_t *idx, int n, bool augment,
	      qf_rng *r, float *x, uint8_t *y);

/* ------------------------------------------------------------ optimisers (optim.c) */

typedef enum {
	QF_OPT_SGD,                  /* SGD with (Nesterov) momentum, L2 weight decay */
	QF_OPT_ADAMW,                /* Adam with decoupled weight decay */
	QF_OPT_COUNT
} qf_opt_kind;
extern const char *const qf_opt_name[QF_OPT_COUNT];

typedef struct {
	qf_opt_kind kind;
	float momentum;              /* SGD: 0 is plain SGD */
	bool nesterov;               /* SGD */
	float weight_decay;          /* only on params with decay set */
	float beta1, beta2, eps;     /* AdamW */
} qf_opt_cfg;
/* SGD: momentum 0.9, Nesterov, decay 5e-4; AdamW: betas 0.9 0.999, eps 1e-8,
 * decay 0.01 (PyTorch's defaults). */
void qf_opt_defaults(qf_opt_cfg *c, qf_opt_kind kind);

/* The update rules are PyTorch's, so a run can be compared step for step:
 *   SGD:   g += wd w; b = mu b + g; w -= lr (g + mu b) (Nesterov) or lr b
 *   AdamW: w -= lr wd w; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 *          w -= lr/(1-b1^t) m / (sqrt(v)/sqrt(1-b2^t) + eps) */
typedef struct qf_optim qf_optim;
/* params is borrowed and must outlive the optimiser. */
qf_optim *qf_optim_new(const qf_opt_cfg *cfg, qf_param *params, int n);
void qf_optim_free(qf_optim *o);
void qf_optim_step(qf_optim *o, float lr);
int64_t qf_optim_steps(const qf_optim *o);
/* The optimiser's state as blobs of g ("opt.<state>.<tensor name>") and
 * meta ("opt.kind", "opt.step"), so a checkpoint resumes exactly. */
void qf_optim_save(const qf_optim *o, qf_graph *g);
/* Restores what qf_optim_save wrote; a missing or mis-sized state is an
 * error naming path. 0, or -1 after reporting through d. */
int qf_optim_load(qf_optim *o, const qf_graph *g, const char *path, qf_diag *d);

/* ------------------------------------------------------------ schedules (sched.c) */

typedef enum {
	QF_SCHED_ONECYCLE,           /* PyTorch's OneCycleLR, cosine annealing */
	QF_SCHED_COSINE,             /* linear warm-up, then cosine to min_lr */
	QF_SCHED_CONSTANT,           /* linear warm-up, then lr */
	QF_SCHED_COUNT
} qf_sched_kind;
extern const char *const qf_sched_name[QF_SCHED_COUNT];

typedef struct {
	qf_sched_kind kind;
	double lr;                   /* the peak learning rate */
	int64_t total;               /* optimiser steps in the whole run */
	int64_t warmup;              /* cosine, constant: steps of linear warm-up */
	double pct_start;            /* one-cycle: fraction of the steps rising (0.3) */
	double div_factor;           /* one-cycle: starts at lr / div_factor (25) */
	double final_div;            /* one-cycle: ends at start / final_div (1e4) */
	double min_lr;               /* cosine: where it ends (0) */
} qf_sched;
/* The kind's defaults for a run of total steps peaking at lr. */
void qf_sched_init(qf_sched *s, qf_sched_kind kind, double lr, int64_t total);
/* The learning rate of step (0-based); steps past total keep the last. */
double qf_sched_lr(const qf_sched *s, int64_t step);

/* ------------------------------------------------------------ the loop (train.c) */

/* What one epoch measured. Accuracies are percent, -1 when not measured. */
typedef struct {
	int epoch;
	double loss, train_acc, val_acc, test_acc;
	double seconds, images_per_s;    /* wall time of the training steps */
	double cpu_seconds;              /* process CPU time (all threads) of the same */
} qf_epoch_stats;

typedef struct {
	int epochs;                  /* the whole run, counting epochs done before a resume */
	int batch;
	int threads;
	uint64_t seed;               /* data order and augmentation */
	qf_opt_cfg opt;
	qf_sched_kind sched;
	double lr;                   /* peak learning rate */
	double warmup;               /* epochs of warm-up (cosine, constant) */
	float smoothing;             /* label smoothing */
	const char *out;             /* checkpoint after every epoch; NULL: none */
	int stop_after;              /* end the run after this epoch (0: at epochs) */
	FILE *log;                   /* progress and epoch lines; NULL: silent */
	bool tty;                    /* log is a terminal: a redrawn progress bar */
	/* called after each epoch's checkpoint (may be NULL) */
	void (*on_epoch)(void *ctx, const qf_epoch_stats *st);
	void *ctx;
	/* set (by a signal handler) to end the run after the current step;
	 * never in the middle of a checkpoint. May be NULL. */
	const volatile sig_atomic_t *stop;
} qf_train_cfg;
/* The benchmark settings: batch 64, SGD Nesterov 0.9, decay 5e-4,
 * one-cycle to 0.1, 2 threads, seed 1, 10 epochs, no smoothing. */
void qf_train_defaults(qf_train_cfg *c);
/* The settings a checkpoint of g was trained with (its "train.*" meta),
 * over those in c; -1 after reporting a malformed entry through d. */
int qf_train_cfg_from_meta(const qf_graph *g, qf_train_cfg *c, const char *path, qf_diag *d);


/* Trains g on ds. resume (the checkpoint's path, for messages; NULL for a
 * fresh run): continue the run whose state g carries ("train.*" meta,
 * optimiser blobs); the result is bit-identical to an uninterrupted run
 * with the same settings and threads. Each epoch ends with a checkpoint
 * written atomically to c->out. last (may be NULL) gets the last epoch's
 * figures. 0, or -1 after reporting through d (the previous checkpoint is
 * left as it was). */
int qf_train(qf_graph *g, const qf_dataset *ds, const qf_train_cfg *c, const char *resume,
	     qf_epoch_stats *last, qf_diag *d);

/* The run's part of a checkpoint, shared by qf_train and qf_qat_train:
 * the settings ("train.*" meta), epochs finished, optimiser steps taken
 * and the data generator's state. The optimiser saves its own. */
void qf_train_save_state(qf_graph *g, const qf_train_cfg *c, int epoch, int64_t step, const qf_rng *rng);
/* Reads what qf_train_save_state wrote; a missing or malformed entry, or a
 * step count that is not epoch x steps_per_epoch (other data or batch
 * size), is an error naming path. 0, or -1 after reporting through d. */
int qf_train_load_state(const qf_graph *g, const char *path, int64_t steps_per_epoch, int *epoch, int64_t *step,
			qf_rng *rng, qf_diag *d);
/* Removes g's blobs and meta whose names start with prefix ("opt.":
 * optimiser state; "qat.": a QAT run's), before a fresh run. */
void qf_train_drop_state(qf_graph *g, const char *prefix);

/* Top-1 accuracy (percent) of g on s in eval mode; confusion (may be
 * NULL) gets classes x classes counts, row = true class, column =
 * predicted. -1 after reporting through d (a graph the engine cannot run). */
double qf_evaluate(qf_graph *g, const qf_dataset *ds, const qf_images *s, int batch, int threads,
		   int64_t *confusion, qf_diag *d);

/* ================================================================ QAT
 * Quantization-aware training (docs/qat.md): fake quantizers and their
 * parametrisations (fakequant.c), GradBoost (gradboost.c), and the
 * orchestration of a .qf quant policy: quantizers of a graph, StatAssist,
 * learned precision under a budget, the multi-phase schedule, and the
 * quant params written back into the graph (qat.c). */

/* ------------------------------------------------------------ fake quantizers (fakequant.c) */

/* Integer range of a width. Symmetric (weights): [-(2^(b-1)-1), 2^(b-1)-1],
 * zero point 0, so the grid is symmetric and 2 bits is ternary.
 * Asymmetric (activations): [-2^(b-1), 2^(b-1)-1], the runtime's int8 and
 * int4 types, with a zero point inside. */
void qf_fq_range(int bits, bool symmetric, int *qmin, int *qmax);

/* One quantizer as the forward pass applies it:
 *   q = clamp(rint(x / s) + z, qmin, qmax),  y = (q - z) s
 * (rint: round half to even, as PyTorch's fake_quantize). */
typedef struct {
	float s;                     /* step, > 0 */
	float z;                     /* zero point, an integer in [qmin, qmax] */
	float qmin, qmax;
	float delta;                 /* targeted gradient modification; 0 off */
} qf_fq;

/* y may be x. */
void qf_fq_forward(const qf_fq *q, const float *x, float *y, int64_t n);

/* Sums over elements of dy times the partial derivatives of y, with
 * rint taken as the identity (straight through):
 *   ds:    rint(x/s) - x/s inside the range, qmin - z below, qmax - z above
 *   dz:    0 inside, -s at either clamp
 *   dqmin: s below the range, else 0;  dqmax: s above, else 0 */
typedef struct {
	double ds, dz, dqmin, dqmax;
} qf_fq_grad;

/* dx (stored, or added when acc; may be NULL) gets the straight-through
 * gradient: dy inside the range, 0 outside; with delta != 0, inside it is
 * dy (1 + delta sign(dy) r) with r = x/s - rint(x/s), the targeted
 * gradient modification of docs/qat.md. g (may be NULL) accumulates. */
void qf_fq_backward(const qf_fq *q, const float *x, const float *dy, float *dx, int64_t n, bool acc,
		    qf_fq_grad *g);

/* The learned parameters of one quantizer entry (a channel of a weight,
 * or a whole activation tensor) and how they give its step:
 *   D = 2^theta under pow2, else theta: the width of the range
 *   s = D / L(b), L = qmax - qmin; pow2: s = 2^round(log2(D / L))
 *   z = 0 (symmetric); else clamp(rint(qmin - lo / s), qmin, qmax)
 * so a change of bits keeps the range and moves the step (learned
 * precision: "the step follows from the range and b"). */
typedef struct {
	bool symmetric, pow2;
	float theta;                 /* range width, or its log2 under pow2 */
	float lo;                    /* asymmetric: low end of the range, in [-D, 0] */
} qf_fq_param;

/* The forward quantizer of p at integer width bits. */
qf_fq qf_fq_make(const qf_fq_param *p, int bits, float delta);
/* Loss derivatives with respect to theta, lo and the (real) bit-width,
 * from the sums g of qf_fq_backward over the entry's elements, with the
 * roundings (of log2 s, of z, of b) taken straight through. */
void qf_fq_chain(const qf_fq_param *p, int bits, const qf_fq_grad *g, double *dtheta, double *dlo, double *dbits);
/* J = ds/dtheta. A step of -lr g dL/dtheta / J^2 on theta moves s by
 * -lr g dL/ds to first order: the update LSQ makes on s itself. */
double qf_fq_dstep(const qf_fq_param *p, int bits);
/* LSQ's gradient scale 1 / sqrt(N qmax) for an entry of n elements. */
double qf_lsq_gscale(int64_t n, int bits, bool symmetric);
/* The allowed width nearest to b (ties to the wider one). */
int qf_fq_round_bits(float b, const int32_t *set, int n_set);

/* ------------------------------------------------------------ GradBoost (gradboost.c) */

typedef struct {
	double beta;                 /* running averages of min and max |g| (0.9) */
	double decay;                /* d in (1 - d)^t */
	double clip;                 /* noise clipped to +-clip (1e-3) */
	int64_t warmup;              /* steps that only track statistics */
} qf_gradboost_cfg;
void qf_gradboost_defaults(qf_gradboost_cfg *c);

typedef struct qf_gradboost qf_gradboost;
/* params is borrowed and must outlive the booster. */
qf_gradboost *qf_gradboost_new(const qf_gradboost_cfg *c, qf_param *params, int n, uint64_t seed);
void qf_gradboost_free(qf_gradboost *b);
/* Before the optimiser step: updates the statistics from the gradients
 * and, past warm-up, adds |Laplace(0,1)| (max - min) (1 - d)^t coin sign(g)
 * clipped to +-clip to each gradient (t counts steps since warm-up). */
void qf_gradboost_step(qf_gradboost *b);
int64_t qf_gradboost_steps(const qf_gradboost *b);
/* Running min and max of |g| of param i, bias-corrected (0 before any step). */
void qf_gradboost_stats(const qf_gradboost *b, int i, double *min, double *max);
/* Its state (averages, step count, generator) as meta of g, for a
 * checkpoint; load reports a missing or malformed entry through d. */
void qf_gradboost_save(const qf_gradboost *b, qf_graph *g);
int qf_gradboost_load(qf_gradboost *b, const qf_graph *g, const char *path, qf_diag *d);

/* ================================================================ integer lowering
 * (additive section, owned by the integer lowering: engine_probe.c,
 * calibrate.c, intref.c) */

/* ------------------------------------------------------------ probe (engine_probe.c)
 * Float values of chosen activation tensors, for calibration. The engine
 * keeps only the logits of a forward, so a probe runs one engine per
 * tensor, each over the network cut just after that tensor; it uses
 * nothing of the engine beyond this header. */
typedef struct qf_probe qf_probe;
/* NULL after reporting through d (a graph the engine cannot run). */
qf_probe *qf_probe_new(const qf_graph *g, const int *tensors, int n, int batch, int threads, qf_diag *d);
void qf_probe_free(qf_probe *p);
/* batch x C x H x W floats, as qf_engine_input. */
float *qf_probe_input(qf_probe *p);
/* Runs images [0, n) in eval mode through every cut. */
void qf_probe_forward(qf_probe *p, int n);
/* Tensor k (of the tensors given to qf_probe_new) for the n images of the
 * last forward: n x H x W x C floats, each image NHWC. *elems (may be NULL)
 * gets the values per image. */
const float *qf_probe_values(const qf_probe *p, int k, int64_t *elems);

/* ------------------------------------------------------------ calibration (calibrate.c) */
typedef struct {
	bool pow2;                   /* every scale a power of two (shift-only requant) */
	int wbits;                   /* weight width for every layer; 0: the model's own (8 when it has none) */
	const int *layer_wbits;      /* or one width per conv/fc layer in graph order (over wbits) */
	int n_layer_wbits;           /* 0, or the number of conv and fc layers */
	int batch, threads;
} qf_calib_cfg;
/* Post-training quant params for g from images [0, n) of s (ds says how
 * to crop them): BN is folded in a copy, the copy runs in float and every
 * activation's min and max (widened to hold 0) give an asymmetric scale
 * and zero point per tensor at the width its quant param had (8 when
 * none; the logits always 8: the emitted API returns int8); pools, and
 * activations right after them, take their input's (the integer pools
 * keep the scale); the input is raw bytes, scale 1/255
 * (2^-8 in pow2 mode) and zero point -128; weights are symmetric per
 * output channel, max |w| / (2^(b-1) - 1) of the folded weights (so a
 * conv's weight quant params describe its BN-folded weights), rounded up to
 * a power of two in pow2 mode, raised where the bias would not fit int32.
 * g's quant params are replaced (activations that folding removes lose
 * theirs). 0, or -1 after reporting through d. */
int qf_calibrate(qf_graph *g, const qf_dataset *ds, const qf_images *s, int n, const qf_calib_cfg *c, qf_diag *d);
/* The power of two at or above s (> 0): a pow2 scale that clips nothing. */
double qf_pow2_up(double s);

/* ------------------------------------------------------------ integer reference (intref.c)
 * Runs a QUANTIZED or PLANNED Int Graph exactly as the runtime contract
 * says (runtime/qf_runtime.h), written out plainly and independently of
 * runtime/ so that agreeing with it means something: emitted code must give
 * the same logits bit for bit. */
typedef struct qf_intref qf_intref;
qf_intref *qf_intref_new(const qf_igraph *ig);
void qf_intref_free(qf_intref *r);
/* in: the input as H x W x C raw bytes; logits: ig->classes int8 values. */
void qf_intref_run(qf_intref *r, const uint8_t *in, int8_t *logits);
/* Tensor t of the last run: H x W x C values (4-bit ones sign-extended,
 * one per byte). */
const int8_t *qf_intref_tensor(const qf_intref *r, int t);
/* Image i of s as the H x W x C bytes a model takes (the centre crop when
 * ds crops, as qf_batch without augmentation). */
void qf_image_hwc(const qf_dataset *ds, const qf_images *s, int i, uint8_t *out);
/* Top-1 accuracy (percent) of the integer model over s; ties between
 * logits go to the lowest class, as on the MCU. confusion as qf_evaluate. */
double qf_intref_evaluate(const qf_igraph *ig, const qf_dataset *ds, const qf_images *s, int64_t *confusion);

/* ------------------------------------------------------------ QAT runs (qat.c) */

/* What a run does. qf_qat_cfg_from_policy sets each technique as the
 * policy's methods say; the benchmark's ablations turn them off one at a
 * time. */
typedef struct {
	bool lsq;                    /* learned steps; else min/max observers */
	bool statassist;             /* float warm-up, then QAT from its statistics */
	bool gradboost;
	bool gradmod;                /* targeted gradient modification */
	bool learned_precision;      /* bits learned per slice under the budget */
	bool multiphase;             /* the schedule's qat/precision/finetune phases; else one QAT phase */
	bool fold_bn;                /* conv weights quantized with the BN after them folded in */
	float delta;                 /* gradient modification strength */
	double warmup_frac;          /* StatAssist warm-up share of a run without a schedule */
	double ema;                  /* activation observers' averaging constant */
	double qlr;                  /* learning rate of the quantizers' steps, relative to the weights' */
	double bit_lr;               /* plain gradient step of the real bit-widths (no momentum) */
	qf_gradboost_cfg gb;
} qf_qat_cfg;
void qf_qat_cfg_from_policy(qf_qat_cfg *c, const qf_quant *q);

/* The quantizers of one graph under a policy: one per weight (per output
 * channel, bits per slice) and one per activation that the integer model
 * stores (a conv/fc's fused output, add, concat; pools share their input's
 * quantizer). */
typedef struct qf_qat qf_qat;
/* NULL after reporting through d: a policy the integer model cannot
 * follow (activations per channel), at the policy's line. The frontend
 * and passes/feasible.c have refused the rest (bits outside 2..8, slices
 * that do not divide a block's width, budgets below the smallest model);
 * a layer they do not check (the classifier) gets a shorter last slice. */
qf_qat *qf_qat_new(qf_graph *g, const qf_quant *policy, const qf_qat_cfg *c, qf_diag *d);
void qf_qat_free(qf_qat *q);

/* Phase: FLOAT observes only; QAT fake-quantizes and learns steps;
 * PRECISION also learns bits under the budget penalty; FINETUNE freezes
 * bits and steps. The first switch out of FLOAT initialises every step
 * (StatAssist: from the statistics the float phase gathered). */
void qf_qat_set_phase(qf_qat *q, qf_phase_kind k);
qf_phase_kind qf_qat_phase(const qf_qat *q);

/* The engine's parameters, whose gradients the weight quantizers rewrite. */
void qf_qat_bind(qf_qat *q, qf_param *params, int n);
/* Learned quantizer parameters (steps and offsets) for the optimiser:
 * their gradients are filled by qf_qat_end_step. The bits are not among
 * them: qf_qat_after_update steps them (bit_lr) from the gradients of
 * qf_qat_end_step and qf_qat_penalty. */
int qf_qat_n_params(const qf_qat *q);
qf_param *qf_qat_params(qf_qat *q);

/* Around one forward (and, in training, backward) of the engine: begin
 * puts the fake-quantized (BN-folded) weights where the engine reads them;
 * end restores the float weights and turns the gradients of the quantized
 * weights into gradients of the float weights and of the quantizers. */
void qf_qat_begin_step(qf_qat *q, bool train);
void qf_qat_end_step(qf_qat *q, bool train);
/* Budget penalty lambda max(0, bytes - budget) at the current bits; adds
 * its gradient to the bits in a PRECISION phase. Returns the penalty. */
double qf_qat_penalty(qf_qat *q);
/* The real bit-widths of the quantizer of tensor t (a weight, or an
 * activation that has its own), *n of them; NULL and 0 when none. */
const float *qf_qat_bits(const qf_qat *q, int t, int *n);
/* After the optimiser step: ranges kept valid; in PRECISION the bits take
 * their step and are rounded into their set. */
void qf_qat_after_update(qf_qat *q);

/* Activations (called by the engine on the output of a step): the
 * quantizer of tensor t, or -1 when t is not fake-quantized. */
int qf_qat_act_of(const qf_qat *q, int t);
/* The quantizer whose params tensor t carries (a chain's inside, a pool's
 * output: the chain's, the input's), whether or not it is applied there. */
int qf_qat_act_shared(const qf_qat *q, int t);
/* The same in pieces, for an engine that runs the kernels in parallel:
 * prepare feeds the observers (training) and sets up the step, and gives
 * the forward quantizer (false: nothing to quantize, the FLOAT phase);
 * bwd gives the backward's (with the gradient modification); grad takes
 * the summed qf_fq_grad of the backward over all n values. */
bool qf_qat_act_prepare(qf_qat *q, int a, const float *y, int64_t n, int64_t per_image, bool train, qf_fq *fwd);
bool qf_qat_act_bwd(const qf_qat *q, int a, qf_fq *bwd);
void qf_qat_act_grad(qf_qat *q, int a, const qf_fq_grad *g);
/* Serially: y (n values, per_image of them per image) fake-quantized in
 * place, the values before kept in save (may be NULL); then dy rewritten
 * in place to the gradient before the quantizer. */
void qf_qat_act_forward(qf_qat *q, int a, float *y, float *save, int64_t n, int64_t per_image, bool train);
void qf_qat_act_backward(qf_qat *q, int a, const float *save, float *dy, int64_t n);

/* The engine runs g's activation quantizers on the outputs of its steps:
 * a quantized step keeps the values it computed for its own backward and
 * its consumers read the quantized copy. q must be of the engine's graph
 * and outlive the engine or a later call with NULL, which detaches it.
 * Engine side: engine.c. */
void qf_engine_set_qat(qf_engine *e, qf_qat *q);

/* Bytes the budget counts at the current bits (weights, peak activations,
 * as qf_graph_counts gives them). */
void qf_qat_bytes(qf_qat *q, int64_t *weights, int64_t *acts);
/* The hard guarantee: lowers bits, slice by slice, cheapest first, until
 * the budget holds; one history line per change and a summary in g. 0, or
 * -1 when even the narrowest widths do not fit (reported through d). */
int qf_qat_project(qf_qat *q, FILE *log, qf_diag *d);
/* Bits, steps (or powers of two) and zero points into g's quant params. */
void qf_qat_write(qf_qat *q);

/* A whole QAT run of g under policy on ds, phases from the policy's
 * schedule (or StatAssist warm-up and QAT over c->epochs), writing c->out
 * after every epoch. 0, or -1 after reporting through d. */
int qf_qat_train(qf_graph *g, const qf_quant *policy, const qf_dataset *ds, const qf_train_cfg *c,
		 const qf_qat_cfg *qc, qf_epoch_stats *last, qf_diag *d);
/* The same, and with resume (the checkpoint's path, for messages; NULL:
 * a fresh run) continuing the QAT run whose state g carries: the run's
 * (qf_train_save_state), both optimisers', every quantizer's (steps and
 * offsets, real and in-force widths, observer statistics), the phase and
 * whether the projection has run. Bit-identical to the run never stopped
 * (same threads) unless GradBoost is on: its statistics and draws start
 * afresh at the resume (docs/qat.md). Stops after c->stop_after epochs
 * or when *c->stop is set, as qf_train. */
int qf_qat_train_from(qf_graph *g, const qf_quant *policy, const qf_dataset *ds, const qf_train_cfg *c,
		      const qf_qat_cfg *qc, const char *resume, qf_epoch_stats *last, qf_diag *d);

/* ================================================================ PTQ
 * (additive section, owned by post-training fixed point: fxp.c,
 * fxp_exec.c; docs/ptq.md) */

/* ------------------------------------------------------------ fast integer executor (fxp_exec.c)
 * The arithmetic of intref.c, bit for bit, for a batch of images at once,
 * with the conv and fc dot products done by qf_sgemm in chunks short
 * enough that every partial sum is an integer a float holds exactly. For
 * the post-training search, which runs hundreds of candidate models. */
typedef struct qf_iexec qf_iexec;
/* ig QUANTIZED or PLANNED; batch: images per run, at most. */
qf_iexec *qf_iexec_new(const qf_igraph *ig, int batch);
void qf_iexec_free(qf_iexec *x);
/* in: n <= batch images, each H x W x C raw bytes, one after the other;
 * logits: n x ig->classes int8 values. */
void qf_iexec_run(qf_iexec *x, const uint8_t *in, int n, int8_t *logits);
/* Runs only nodes [from, nn): the tensors they read that earlier nodes
 * write (or the input, as int8 b - 128) must have been put in place through
 * qf_iexec_tensor_buf, n images each. For re-running a model that differs
 * from a known one from node `from` on. */
void qf_iexec_run_from(qf_iexec *x, int from, int n, int8_t *logits);
/* Tensor t's buffer: batch x H x W x C values, one per byte. */
int8_t *qf_iexec_tensor_buf(qf_iexec *x, int t);
/* Tensor t of the last run: n x H x W x C values, one per byte. */
const int8_t *qf_iexec_tensor(const qf_iexec *x, int t);
/* Weighted node `node`: per output channel, the sum of its int32
 * accumulators (bias included, before requant) over every output position
 * of every image run since qf_iexec_new or the last clear; *count (may be
 * NULL) gets the number of positions. */
const int64_t *qf_iexec_acc_sums(const qf_iexec *x, int node, int64_t *count);
void qf_iexec_clear_sums(qf_iexec *x);
/* Top-1 accuracy (percent) of ig over images [0, n) of s, as
 * qf_intref_evaluate gives it (ties to the lowest class), batch at a time. */
double qf_iexec_evaluate(const qf_igraph *ig, const qf_dataset *ds, const qf_images *s, int n, int batch);

/* ------------------------------------------------------------ prediction-error statistics (fxp.c) */
typedef struct {
	int n;                       /* images compared */
	int disagree;                /* images whose top-1 class differs from the reference's */
	double agree;                /* percent of images with the same top-1 class */
	double kl;                   /* mean KL(p_ref || p), nats, p = softmax of the logits */
	double drop;                 /* expected accuracy drop, points, if the reference's softmax were the
					truth: mean of p_ref(top-1 of ref) - p_ref(top-1 of the model) */
} qf_ptq_stats;
/* Compares n x classes logits q with the reference ref (top-1 ties to the
 * lowest class). */
void qf_ptq_compare(const float *ref, const float *q, int n, int classes, qf_ptq_stats *s);

/* What the bound on the drop is measured with. */
typedef enum {
	QF_PTQ_DISAGREE,             /* percent of images whose top-1 differs from the float model's: on those
					images no labelling can make the accuracy drop more */
	QF_PTQ_EXPECTED              /* the expected drop of qf_ptq_stats */
} qf_ptq_metric;
/* The value of s that the bound is compared with, in points. */
double qf_ptq_bound_value(const qf_ptq_stats *s, qf_ptq_metric m);

/* ------------------------------------------------------------ the search (fxp.c) */
typedef struct {
	int calib;                   /* calibration images: the first of ds->train (labels unread) */
	double max_drop;             /* points, on the calibration images, by `metric` */
	qf_ptq_metric metric;
	int64_t memory_goal;         /* constant bytes (qf_igraph_const_bytes) to reach; 0: lower while the bound holds */
	bool distill;                /* self-distillation after the lowering */
	bool relower;                /* lower again from the distilled model while that makes room */
	int wd_steps;                /* optimiser steps (32 images each) of the weight self-distillation; 0 none */
	float wd_lr;                 /* its AdamW learning rate */
	bool check;                  /* the final model's logits checked against intref.c */
	int batch, threads;
	FILE *log;                   /* progress lines; NULL: silent */
	bool verbose;                /* a line per candidate too */
} qf_ptq_cfg;
/* calib 512, max_drop 1, DISAGREE, no goal, distill, relower and check
 * on, 400 weight steps at lr 1e-3, batch 64, 2 threads, no log. */
void qf_ptq_defaults(qf_ptq_cfg *c);

/* One layer of the Int Graph, before (at 8 bits) and after. */
typedef struct {
	char name[48];
	char op[8];
	int wbits0, wbits;           /* weights; 0 for unweighted layers; a split layer: the widest */
	int wbits_min;               /* the narrowest (< wbits: a layer split in halves at two widths) */
	int w_fl_min, w_fl_max;      /* weight fraction lengths over the output channels */
	bool has_bias;
	int bbits;                   /* bias word length: 16 (int16), or 32 */
	int b_fl_min, b_fl_max;      /* bias fraction lengths over the output channels (at 32 bits the
					accumulator's, input's + weights'; at 16 that less the layer's bias shift) */
	int abits0, abits;           /* the output activation */
	int a_fl;                    /* its fraction length */
	int32_t a_zp;
	int64_t bytes0, bytes;       /* packed weights, biases, shifts (and multipliers): qf_inode_const_bytes */
	double err;                  /* KL divergence from the float model added by the steps that lowered this
					layer's weights or output (0 when it was not lowered) */
} qf_ptq_layer;

typedef struct {
	int64_t float_bytes;         /* float32 weights and biases of the BN-folded model */
	int64_t floor_bytes;         /* constants with every weight at 2 bits */
	int64_t start_bytes, lowered_bytes, quant_bytes; /* constants at 8 bits, after lowering, at the end */
	int64_t wb_bytes;            /* of quant_bytes, the packed weights and int32 biases (the rest: shifts) */
	int64_t start_act_bytes, act_bytes; /* every activation tensor at its width: at 8 bits, at the end */
	int64_t arena_bytes;         /* the planned arena of the final model */
	qf_ptq_stats start, corrected, lowered, final; /* on the calibration images, against the float
						  model: 8 bits, 8 bits with biases corrected, after
						  the last lowering step, after the last
						  self-distillation */
	int steps;                   /* lowering steps taken */
	int64_t *trace;              /* constant bytes after each step */
	int64_t *act_trace;          /* activation bytes after each step */
	qf_ptq_layer *layers;        /* one per Int Graph node */
	int n_layers;
	bool goal_met;
	int64_t evals;               /* candidate models run */
	double exec_ms, intref_ms;   /* CPU ms per image: fxp_exec on the 8-bit start, intref on the check */
} qf_ptq_report;
void qf_ptq_report_free(qf_ptq_report *r);

/* The first tensor of g whose quant params quantize it (not the
 * placeholders qforge sample writes), or -1. */
int qf_ptq_quantized_tensor(const qf_graph *g);

/* Post-training dynamic fixed point of the float model g (docs/ptq.md):
 * the BN-folded model with power-of-two quant params at the widths the
 * search chose, biases adjusted by the self-distillation, ready for
 * qf_lower. r is filled in. NULL after reporting through d: g already
 * quantized, more calibration images than ds->train has, a memory goal
 * under floor_bytes, a model the passes refuse, an 8-bit start already
 * past the bound. */
qf_graph *qf_ptq(const qf_graph *g, const qf_dataset *ds, const qf_ptq_cfg *c, qf_ptq_report *r, qf_diag *d);

#endif
