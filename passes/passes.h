/* passes.h: the one public header of passes/.
 *
 * Each pass is one file and states at its top what it requires of its
 * input and what it guarantees of its output; the Graph IR verifier
 * (QF_VERIFY) runs after each in debug builds.
 */
#ifndef QF_PASSES_H
#define QF_PASSES_H

#include "ir/ir.h"

/* sample: the selected space of p (p->sel_space) and its quant policy
 * (p->sel_quant, may be -1) + a choice vector -> a Graph IR network with
 * He-initialised weights (seeded), BN gamma 1, beta 0, mean 0, var 1.
 * Requires: a checked program. Guarantees: a verified graph with shapes
 * inferred, input tensor C x H x W of the space, output = logits. NULL
 * after reporting through d (a choice that collapses a shape, sizes past
 * the limits). */
qf_graph *qf_sample(const qf_program *p, const qf_choice *ch, uint64_t seed, qf_diag *d);

/* Counts of the network a choice names (samples it without weights). */
int qf_choice_counts(const qf_program *p, const qf_choice *ch, qf_counts *c, qf_diag *d);

/* feasible: budgets and constraints that no network in the space can
 * meet (the quant budget, search flash/ram constraints, the target's
 * flash and RAM), judged on the smallest network; each reported at its
 * line in the .qf with the smallest network's figure. Returns the number
 * of errors reported. */
int qf_check_feasible(const qf_program *p, qf_diag *d);

#endif
