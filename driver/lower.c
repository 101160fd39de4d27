/* lower.c: `qforge lower`: a .qfm model through the integer lowering
 * (fold BN, fuse, quantize, plan), printed as the Int Graph the backends
 * compile. */
#include <string.h>

#include "driver.h"
#include "passes/passes.h"

enum { N_OPTS = 0 };

int qf_cmd_lower(int argc, char **argv)
{
	static const char usage[] = "qforge lower MODEL.qfm";
	qf_diag *d = qf_diag_new(stderr);
	qf_args a;
	const char *path = NULL;
	int o, rc = QF_EXIT_USER;
	qf_args_init(&a, argc, argv, NULL, N_OPTS, d);
	while ((o = qf_args_next(&a)) != QF_ARG_END) {
		if (o == QF_ARG_HELP) {
			qf_print_help(stdout, usage,
				      "Lowers the model in MODEL.qfm (which needs quant params: see qforge\n"
				      "calibrate) to the integer-only Int Graph and prints it: every tensor\n"
				      "with its shape, bits, zero point, scale and place in the arena, every\n"
				      "fused layer with its window, clamp, requant and scratch.",
				      NULL, N_OPTS);
			rc = QF_EXIT_OK;
			goto out;
		}
		if (o == QF_ARG_ERROR)
			goto usage;
		if (path) {
			qf_usage_error(d, "lower", "one .qfm file expected, got '%s' and '%s'", path, a.value);
			goto usage;
		}
		path = a.value;
	}
	if (!path) {
		qf_usage_error(d, "lower", "no .qfm file given");
		goto usage;
	}
	qf_graph *g = qf_qfm_read(path, d);
	qf_igraph *ig = g ? qf_lower(g, d) : NULL;
	if (ig) {
		qf_igraph_print(stdout, ig);
		rc = QF_EXIT_OK;
	} else {
		qf_diag_summary(d);
	}
	qf_igraph_free(ig);
	qf_graph_free(g);
	goto out;
usage:
	qf_usage_hint("lower");
out:
	qf_diag_free(d);
	return rc;
}
