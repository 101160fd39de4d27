/* lower: the integer lowering pipeline, fold_bn -> fuse -> quantize ->
 * plan, with the verifiers between the steps (each pass runs its own at its
 * end in debug builds; see passes.h). Not a pass itself: the one place that
 * fixes their order. */
#include "passes/passes.h"

qf_igraph *qf_lower(qf_graph *g, qf_diag *d)
{
	QF_VERIFY(g);
	if (qf_fold_bn(g, d) < 0)
		return NULL;
	qf_igraph *ig = qf_fuse(g, d);
	if (!ig)
		return NULL;
	if (qf_quantize(ig, g, d) != 0) {
		qf_igraph_free(ig);
		return NULL;
	}
	qf_plan(ig);
	return ig;
}
