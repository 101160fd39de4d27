/* frontend.h: the one public header of frontend/.
 *
 * The frontend turns .qf text into a checked qf_program (ir/ir.h): a
 * reentrant flex scanner and a pure bison parser build a syntax tree in
 * an arena, semantic checks report every error they find through qf_diag,
 * and lowering expands the spaces into the Space IR. The language is
 * described in docs/dsl.md.
 *
 * Depends on ir/ only.
 */
#ifndef QF_FRONTEND_H
#define QF_FRONTEND_H

#include "ir/ir.h"

/* Parses, checks and lowers one .qf text (len bytes; NUL bytes in it are
 * errors, not ends). path names it in messages. Carets point into the
 * source d was given (qf_diag_set_source); when d has none, into text,
 * for the length of the call. NULL when there was any error (all are
 * reported). */
qf_program *qf_parse(const char *path, const char *text, size_t len, qf_diag *d);

/* Reads path (at most QF_LIMIT_SOURCE_BYTES), points d at its text and
 * parses it. The text stays alive, owned by the program, so later
 * diagnostics against the program's locations still show source lines;
 * d keeps pointing into it, so reset d's source (or stop reporting with
 * locations) before qf_program_free. On failure d's source is reset. */
qf_program *qf_load_program(const char *path, qf_diag *d);

/* The closest of n candidate words to word (edit distance, case folded),
 * or NULL when none is close enough to be a likely misspelling. For
 * "did you mean" notes elsewhere (target names, command options). */
const char *qf_suggest(const char *word, const char *const *cands, int n);

#endif
