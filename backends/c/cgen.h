/* cgen.h: the one public header of backends/c/, the C99 backend.
 *
 * qf_cgen_emit writes a folder that compiles alone with any C99 compiler:
 *   model.h    the API (qf_<name>_run), shapes, zero points, arena size
 *   model.c    one runtime kernel call per fused layer, parameters baked in
 *   weights.h, weights.c   const packed weights, int32 biases, requant
 *   the runtime kernels it calls and their headers (copied from runtime/)
 *   model.mk   a Makefile snippet naming the sources
 * The Int Graph must be PLANNED (passes/passes.h: qf_lower). */
#ifndef QF_CGEN_H
#define QF_CGEN_H

#include "ir/ir.h"

typedef struct {
	const char *out_dir;         /* replaced atomically: written beside it, then renamed */
	const char *name;            /* C identifier in qf_<name>_run; NULL: from the model's name */
	const char *source;          /* the .qfm path, for the header comment; may be NULL */
	bool ref_kernels;            /* call runtime/ref's plain reference kernels instead
					(for comparisons: qforge bench --kernels ref) */
} qf_cgen_opts;

/* What a build of the folder takes. Flash and RAM of code and stack are
 * estimates from measured kernel sizes (the figures in cgen.c); qforge
 * bench measures the real ones. */
typedef struct {
	char name[64];               /* the C identifier used */
	int64_t const_bytes;         /* weights, biases, requant and layer constants */
	int64_t code_bytes;          /* estimate: kernels called + model.c */
	int64_t arena_bytes;
	int64_t stack_bytes;         /* estimate */
	int n_files;
	int n_kernels;               /* distinct runtime kernels called */
} qf_cgen_summary;

/* The summary without writing anything. */
void qf_cgen_measure(const qf_igraph *ig, const char *name, qf_cgen_summary *s);

/* Writes the folder. 0, or -1 after reporting through d (the folder is then
 * as it was: an existing emission is replaced only whole, and a folder
 * that is not one is refused). */
int qf_cgen_emit(const qf_igraph *ig, const qf_cgen_opts *o, qf_cgen_summary *s, qf_diag *d);

/* Whether the model fits t's flash and RAM: 0, or -1 after an error that
 * says by how much, with a note per layer (its weights for flash, what is
 * live while it runs for RAM). */
int qf_cgen_check_fit(const qf_igraph *ig, const qf_cgen_summary *s, const qf_target *t, qf_diag *d);

/* A file of the qforge source tree that emitted code or the firmware
 * harness needs (runtime/..., tests/fw/...): compiled into the binary when
 * the build embeds it, else read from the tree: $QFORGE_SRC, then the
 * folder above the qforge binary, then the current folder. Malloc'd,
 * NUL-terminated; NULL after reporting through d. */
char *qf_source_file(const char *rel, size_t *len, qf_diag *d);

/* The runtime kernel that runs node n ("qf_conv_s8", ...; of a split layer at its widest run's width). */
const char *qf_cgen_kernel(const qf_igraph *ig, const qf_inode *n);
/* More than the runtime's distinct kernels (14: four convs, three depthwise,
 * four fc, two pools, add): the bound of a model's kernel list. */
#define QF_CGEN_MAX_KERNELS 16
/* What runs node n in the emitted code on a core with (dsp) or without
 * the DSP extension: "generated" (a loop emitted for this layer's shape,
 * see cgen_spec.c) or the runtime kernel's name. */
const char *qf_cgen_impl(const qf_igraph *ig, const qf_inode *n, bool dsp);

#endif
