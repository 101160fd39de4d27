/* llvm_internal.h: what the files of backends/llvm/ share; not for others.
 *
 *   target.c   LLVM's targets, target machines, checks of triple/CPU/features
 *   module.c   the module: run function, layer functions, constants, scratch
 *   ir.c       small IR helpers: constants, intrinsics, loops, activations
 *   requant.c  the integer contract as IR: per-channel tables, the fast and exact forms
 *   dense.c    conv and fc: im2col into int16 columns, tiles of pixels x channels
 *   other.c    depthwise conv, pools, add
 *   emit.c     verify, passes, object and text, model.h, the output folder
 */
#ifndef QF_LLVM_INTERNAL_H
#define QF_LLVM_INTERNAL_H

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>

#include "backends/llvm/llvm_backend.h"

/* Everything the IR builders need while one module is built. */
typedef struct {
	LLVMContextRef cx;
	LLVMModuleRef m;
	LLVMBuilderRef b;
	LLVMTypeRef i1, i8, i16, i32, i64, vd, p8, p16, p32;
	const qf_igraph *ig;
	const qf_target *t;
	const qf_llvm_opts *o;
	const char *name;            /* the C identifier */
	bool dsp;                    /* ARMv7E-M DSP instructions (SMLAD, SXTB16, ...) */
	bool ssat;                   /* ARMv7-M SSAT */
	/* the layer function being built */
	LLVMValueRef fn;
	LLVMValueRef in;             /* const uint8_t *: the network input (raw bytes) */
	LLVMValueRef arena;          /* int8_t * */
	LLVMValueRef out;            /* int8_t *: the logits */
	int node;                    /* index of the layer */
	/* per node: byte offset of this backend's scratch in the arena (-1: none) */
	int64_t *scratch_off;
	/* per node: the max pool fused into this conv (-1: none); that pool's
	 * own function does nothing (see module.c) */
	int *fused;
	int64_t arena_bytes;
	bool out_direct;             /* the last layer writes out_logits itself */
} qf_lc;

/* ------------------------------------------------------------ target.c */

/* Initialises LLVM's ARM, RISC-V and x86 backends (once). */
void qf_llvm_init(void);
/* A target machine for t (static relocation on MCUs, PIC on the host so
 * the object links into position-independent executables). NULL after
 * reporting. */
LLVMTargetMachineRef qf_llvm_machine(const qf_target *t, LLVMCodeGenOptLevel level, qf_diag *d);
/* Whether t gets the DSP code path (ARM with the dsp feature). */
bool qf_llvm_target_dsp(const qf_target *t);

/* ------------------------------------------------------------ ir.c */

LLVMValueRef qf_lc_i32(qf_lc *c, int64_t v);
LLVMValueRef qf_lc_i8(qf_lc *c, int64_t v);
LLVMValueRef qf_lc_i64(qf_lc *c, int64_t v);
/* A call of the intrinsic called name; over = the overloaded type (NULL when not). */
LLVMValueRef qf_lc_intrinsic(qf_lc *c, const char *name, LLVMTypeRef over, LLVMValueRef *args, unsigned n);
/* Signed min/max (llvm.smin/smax). */
LLVMValueRef qf_lc_smin(qf_lc *c, LLVMValueRef a, LLVMValueRef b);
LLVMValueRef qf_lc_smax(qf_lc *c, LLVMValueRef a, LLVMValueRef b);
/* p + off bytes (i8 *). */
LLVMValueRef qf_lc_byte_gep(qf_lc *c, LLVMValueRef p, LLVMValueRef off);
/* Loads and stores of ty at p + off bytes with the given alignment. */
LLVMValueRef qf_lc_load(qf_lc *c, LLVMTypeRef ty, LLVMValueRef p, LLVMValueRef off, unsigned align);
void qf_lc_store(qf_lc *c, LLVMValueRef v, LLVMValueRef p, LLVMValueRef off, unsigned align);
/* n values of ty on the stack, allocated in the function's entry block
 * (where SROA turns them into registers); an i8 *. */
LLVMValueRef qf_lc_alloca(qf_lc *c, LLVMTypeRef ty, int64_t n);
/* A private constant global holding the bytes given, aligned to 4; an i8 *. */
LLVMValueRef qf_lc_const_bytes(qf_lc *c, const char *name, const void *bytes, size_t n);

/* A counted loop: for (iv = from; iv < to; iv += step), bounds constant.
 * qf_lc_loop_begin leaves the builder in the body; qf_lc_loop_end closes
 * it and leaves the builder after the loop. */
typedef struct {
	LLVMBasicBlockRef body, exit;
	LLVMValueRef iv, to;
	int64_t step;
} qf_lc_loop;
LLVMValueRef qf_lc_loop_begin(qf_lc *c, qf_lc_loop *l, int64_t from, int64_t to, int64_t step, const char *name);
void qf_lc_loop_end(qf_lc *c, qf_lc_loop *l);

/* Activation tensors. The network input lives in `in` (raw bytes, value
 * b - 128), the logits may live in `out`, everything else in the arena. */
LLVMValueRef qf_lc_tensor_ptr(qf_lc *c, int t);
/* Element e (an i32) of tensor t as its integer value q (i32). */
LLVMValueRef qf_lc_load_act(qf_lc *c, int t, LLVMValueRef e);
/* Stores q (i32, already in the tensor's range) as element e of tensor t;
 * 4-bit tensors change only their nibble. */
void qf_lc_store_act(qf_lc *c, int t, LLVMValueRef e, LLVMValueRef q);
/* The nibble store of qf_lc_store_act into a 4-bit tensor at base. */
void qf_lc_store_nibble(qf_lc *c, LLVMValueRef base, LLVMValueRef e, LLVMValueRef q);
/* nounwind, and noinline when asked (layers and long tiles; see module.c). */
void qf_lc_fn_attrs(qf_lc *c, LLVMValueRef f, bool noinline);
/* Whether tensor t is the network input (raw bytes in `in`). */
static inline bool qf_lc_is_input(const qf_lc *c, int t) { return t == c->ig->input; }

/* ------------------------------------------------------------ requant.c */

/* How a weighted layer (or add) turns accumulators into outputs. */
typedef struct {
	bool fast;                   /* the short form (see requant.c); else the contract literally */
	int wscale_log2;             /* accumulators hold sum * 2^this (sub-byte DSP weights) */
	LLVMValueRef table;          /* i8 *: per channel 4 x i32 (see requant.c) */
	int32_t zp, lo, hi;          /* output zero point and clamp */
} qf_lc_rq;

/* Builds the table of node n for accumulators scaled by 2^wscale_log2;
 * bound: per channel the largest |sum of products| (without bias) the layer
 * can reach, for the choice of the fast form. */
void qf_lc_rq_init(qf_lc *c, const qf_inode *n, int wscale_log2, const int64_t *bound, qf_lc_rq *rq);
/* The same for run `run` (channels [c0, c1)) of a split layer: entry ch of
 * the table, and bound[ch], are channel c0 + ch. */
void qf_lc_rq_init_run(qf_lc *c, const qf_inode *n, int run, int c0, int c1, int wscale_log2, const int64_t *bound,
		       qf_lc_rq *rq);
/* One channel's table entry, loaded. */
typedef struct {
	LLVMValueRef m, r, e;        /* multiplier, rounding constant or shift, right shift */
	LLVMValueRef bias;           /* scaled: the accumulator's start */
} qf_lc_rqch;
void qf_lc_rq_chan(qf_lc *c, const qf_lc_rq *rq, LLVMValueRef ch, qf_lc_rqch *f);
/* The same from the entry's address (an i8 *). */
void qf_lc_rq_entry(qf_lc *c, LLVMValueRef p, qf_lc_rqch *f);
/* Output value (i32, clamped, zero point added) of accumulator acc (which
 * includes the bias) of the channel f was loaded for. */
LLVMValueRef qf_lc_rq_apply(qf_lc *c, const qf_lc_rq *rq, const qf_lc_rqch *f, LLVMValueRef acc);
/* v clamped to [lo, hi] (SSAT where the target has it). */
LLVMValueRef qf_lc_clamp(qf_lc *c, LLVMValueRef v, int32_t lo, int32_t hi);
/* The contract's rescale of x by mult and shift (i32 values), multiplier or
 * power-of-two mode as the graph says: exact for every input. */
LLVMValueRef qf_lc_rescale_exact(qf_lc *c, LLVMValueRef x, LLVMValueRef mult, LLVMValueRef shift);

/* ------------------------------------------------------------ layers */

void qf_lc_dense(qf_lc *c, const qf_inode *n);  /* dense.c: conv, fc */
void qf_lc_dwconv(qf_lc *c, const qf_inode *n); /* other.c */
void qf_lc_pool(qf_lc *c, const qf_inode *n);
void qf_lc_add(qf_lc *c, const qf_inode *n);
/* Bytes of scratch the layer's code needs (4-byte multiple; 0: none). */
int64_t qf_lc_dense_scratch(const qf_lc *c, const qf_inode *n);

/* ------------------------------------------------------------ module.c */

/* Builds the whole module into c->m (c->cx, ig, t, o set); the caller
 * verifies it. */
void qf_lc_build(qf_lc *c);
void qf_lc_free(qf_lc *c);
/* Signed value of element i of a packed row of b-bit values. */
int32_t qf_lc_wget(const uint8_t *row, int64_t i, int b);

#endif
