/* cgen_internal.h: what the files of backends/c share (cgen.c writes the
 * folder, cgen_spec.c the layers it generates code for). Private to
 * backends/c; the interface is cgen.h. */
#ifndef QF_CGEN_INTERNAL_H
#define QF_CGEN_INTERNAL_H

#include "backends/c/cgen.h"

/* Text built up in memory. */
/* const arrays, a few values to a line */
void qf_cgen_i32_array(qf_sbuf *b, const char *type, const char *name, const int32_t *v, int64_t n, int rshift);
void qf_cgen_w_array(qf_sbuf *b, const char *name, const uint8_t *v, int64_t n);
void qf_cgen_upper(const char *s, char *o, size_t size);

/* ------------------------------------------------------------ generated layers (cgen_spec.c)
 * Some layers run better as a loop generated for their shape than through
 * the generic runtime kernel: convolutions with few values per output
 * (first layers, on every core) and, where the runtime's portable C runs
 * (no DSP: Cortex-M3, M0), int8 convolutions and max pools. The generated
 * code follows the same contract bit for bit (requant through the
 * runtime's requant.h); model.c picks it with the preprocessor. */
typedef enum {
	QF_SPEC_NONE,                /* the runtime kernel */
	QF_SPEC_ALWAYS,              /* generated code on every core */
	QF_SPEC_NODSP                /* generated without __ARM_FEATURE_DSP, the runtime kernel with it */
} qf_spec;
qf_spec qf_cgen_spec(const qf_igraph *ig, const qf_inode *n);
/* The repacked constants of generated layer i (weights.h / weights.c). */
void qf_cgen_spec_weights(qf_sbuf *h, qf_sbuf *c, const qf_igraph *ig, const char *nm, int i);
/* Helpers every generated layer uses, once per model.c. */
void qf_cgen_spec_helpers(qf_sbuf *b);
/* The static function of generated layer i, and the statement calling it. */
void qf_cgen_spec_layer(qf_sbuf *b, const qf_igraph *ig, const char *nm, int i);
void qf_cgen_spec_call(qf_sbuf *b, const qf_igraph *ig, int i);

#endif
