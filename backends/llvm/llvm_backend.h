/* llvm_backend.h: the one public header of backends/llvm/, the LLVM backend.
 *
 * A PLANNED Int Graph becomes one LLVM module (through the LLVM C API of
 * LLVM 14): a function per layer, every shape, stride, zero point and
 * requant constant baked in, loops with constant trip counts, weights
 * repacked into the order the loops read them. The module is verified,
 * optimised (default<O2> or default<Os>) and compiled for the target's
 * triple, CPU and features (the target XML's <llvm> element) into an
 * object that exports the same function as the C backend's model.c:
 *
 *   int qf_<name>_run(const uint8_t *in, int8_t *out_logits, void *arena);
 *
 * and is described by the same model.h. docs/backend-llvm.md has the code
 * each layer becomes and the measured figures. */
#ifndef QF_LLVM_BACKEND_H
#define QF_LLVM_BACKEND_H

#include "ir/ir.h"

typedef enum {
	QF_LLVM_O2,                  /* default<O2>: speed */
	QF_LLVM_OS                   /* default<Os>: size */
} qf_llvm_level;

typedef struct {
	const char *name;            /* C identifier part of qf_<name>_run; NULL: the graph's name */
	const char *source;          /* the .qfm path, for model.h's comment; may be NULL */
	qf_llvm_level level;
	bool emit_llvm;              /* also model.ll: the optimised module */
	bool emit_asm;               /* also model.s */
	const char *layer_hook;      /* when set, the run function calls void <layer_hook>(int i)
				      * before layer i and, with i = the layer count, after the
				      * last (the firmware harness counts instructions per layer) */
	bool plain;                  /* no DSP instructions even where the target has them */
	int tile_p, tile_c;          /* conv/fc tile: output pixels x channels (0: 2 x 2) */
} qf_llvm_opts;

/* What one compilation made. Sizes are the object's sections. */
typedef struct {
	char name[64];               /* the identifier used */
	int64_t text_bytes;          /* code */
	int64_t const_bytes;         /* read-only data: weights, per-channel constants */
	int64_t arena_bytes;         /* QF_<NAME>_ARENA_BYTES: may exceed the plan's (see docs) */
	int layers;
	int fused_pools;             /* max pools computed inside the conv before them */
	bool dsp;                    /* DSP instructions used */
	double build_ms, opt_ms, codegen_ms; /* IR building and verification, passes, object (and .s) */
} qf_llvm_summary;

/* One compilation in memory. */
typedef struct {
	uint8_t *obj;                /* the object file */
	size_t obj_len;
	char *model_h;               /* model.h */
	char *ll;                    /* the optimised module as text, when opts->emit_llvm */
	char *s;                     /* assembly, when opts->emit_asm */
	qf_llvm_summary sum;
} qf_llvm_result;

/* Whether this LLVM can compile for t: the triple names a backend linked in
 * (ARM, RISC-V, x86), and LLVM knows t's CPU and every feature. 0, or -1
 * after reporting through d. */
int qf_llvm_check_target(const qf_target *t, qf_diag *d);

/* Compiles ig (PLANNED) for t into r. 0, or -1 after reporting through d
 * (a target this LLVM cannot compile for). A module that fails LLVM's
 * verifier is an internal error. */
int qf_llvm_compile(const qf_igraph *ig, const qf_target *t, const qf_llvm_opts *o, qf_llvm_result *r, qf_diag *d);
void qf_llvm_result_free(qf_llvm_result *r);

/* The module before any pass, verified, as text (golden tests). NULL after
 * reporting through d. Malloc'd. */
char *qf_llvm_module_text(const qf_igraph *ig, const qf_target *t, const qf_llvm_opts *o, qf_diag *d);

/* Compiles and writes out_dir/model.o and model.h (and model.ll, model.s
 * when asked). The folder is replaced whole: written beside it, then
 * renamed, so a failure leaves it as it was; a folder that holds something
 * other than a previous emission is refused. s (may be NULL) gets the
 * summary. 0, or -1 after reporting through d. */
int qf_emit_llvm(const qf_igraph *ig, const qf_target *t, const char *out_dir, const qf_llvm_opts *o,
		 qf_llvm_summary *s, qf_diag *d);

#endif
