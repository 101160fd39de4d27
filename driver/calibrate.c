/* calibrate.c: `qforge calibrate`: post-training quant params for a float
 * .qfm, from the ranges its activations take on training images. */
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "interp/interp.h"

enum { OPT_OUT, OPT_IMAGES, OPT_POW2, OPT_WBITS, OPT_DATA, OPT_QF, OPT_THREADS, OPT_JSON, N_OPTS };
static const qf_opt opts[N_OPTS] = {
	[OPT_OUT] = {"output", 'o', "FILE", "the calibrated .qfm to write (required)"},
	[OPT_IMAGES] = {"images", 0, "N", "training images to take ranges over (default 1000)"},
	[OPT_POW2] = {"pow2", 0, NULL, "every scale a power of two (shift-only requant)"},
	[OPT_WBITS] = {"wbits", 0, "B", "weights at B = 8, 4 or 2 bits in every layer, or a list\n"
					"                         B1,B2,... one per conv/fc layer in order (default:\n"
					"                         the model's widths, 8 when it has none)"},
	[OPT_DATA] = {"data", 0, "NAME", "the data block (default: the one the model was trained on)"},
	[OPT_QF] = {"qf", 0, "FILE", "the .qf holding the data block (default: the model's source)"},
	[OPT_THREADS] = {"threads", 0, "T", "worker threads (default 2)"},
	[OPT_JSON] = {"json", 0, NULL, "print one JSON object on stdout instead of the summary"},
};
#define MAX_LAYER_BITS 256

static int run(const char *path, const char *const *v, int images, int wbits, const int *lw, int nlw, int threads,
	       qf_diag *d)
{
	int rc = QF_EXIT_USER;
	qf_program *p = NULL;
	qf_dataset ds;
	memset(&ds, 0, sizeof ds);
	qf_graph *g = NULL;
	if (qf_probe_output(v[OPT_OUT], path, "the input model", d))
		goto done;
	if (!(g = qf_qfm_read(path, d)))
		goto done;
	if (qf_model_calib_data(g, path, v[OPT_QF], v[OPT_DATA], images, 1, &p, &ds, d) != 0)
		goto done;
	int n = ds.train.n < images ? ds.train.n : images;
	qf_calib_cfg c = {.pow2 = v[OPT_POW2] != NULL,
			  .wbits = wbits,
			  .layer_wbits = lw,
			  .n_layer_wbits = nlw,
			  .batch = 64,
			  .threads = threads};
	if (qf_calibrate(g, &ds, &ds.train, n, &c, d) != 0)
		goto done;
	char line[200];
	snprintf(line, sizeof line, "calibrate: %d training images, min/max ranges, %s scales, weights %s%s", n,
		 c.pow2 ? "power-of-two" : "float",
		 nlw ? "at " : wbits ? (wbits == 8 ? "8-bit" : wbits == 4 ? "4-bit" : "2-bit") : "at the model's widths",
		 nlw ? v[OPT_WBITS] : "");
	qf_prov_add_history(g, line);
	if (qf_qfm_write(g, v[OPT_OUT], d) != 0)
		goto done;
	int acts = 0, weights = 0;
	for (int i = 0; i < g->nt; i++)
		if (g->t[i].quant >= 0) {
			if (g->t[i].role == QF_ROLE_WEIGHT)
				weights++;
			else
				acts++;
		}
	if (v[OPT_JSON]) {
		qf_json j;
		qf_json_init(&j, stdout);
		qf_json_object(&j, false);
		qf_json_kstr(&j, "model", v[OPT_OUT]);
		qf_json_kint(&j, "images", n);
		qf_json_kbool(&j, "pow2", c.pow2);
		qf_json_kint(&j, "activations", acts);
		qf_json_kint(&j, "weights", weights);
		qf_json_end(&j);
		qf_json_finish(&j);
	} else {
		printf("calibrated %s on %d training images: %d activations, %d weight tensors, %s scales\nwrote %s\n",
		       path, n, acts, weights, c.pow2 ? "power-of-two" : "float", v[OPT_OUT]);
	}
	rc = QF_EXIT_OK;
done:
	qf_dataset_free(&ds);
	qf_program_free(p);
	qf_graph_free(g);
	return rc;
}

int qf_cmd_calibrate(int argc, char **argv)
{
	static const char usage[] =
		"qforge calibrate MODEL.qfm -o OUT.qfm [--images N] [--pow2] [--wbits 8|4|2] [--json]";
	qf_diag *d = qf_diag_new(stderr);
	const char *path = NULL, *v[N_OPTS] = {0};
	int rc = QF_EXIT_USER;
	switch (qf_args_one(argc, argv, opts, N_OPTS, usage,
			"Runs the float model in MODEL.qfm (batch norm folded) over the first N\n"
			"training images of its data block, records every activation's range and\n"
			"writes OUT.qfm with post-training quant params: activations asymmetric\n"
			"per tensor, weights symmetric per output channel, the input raw bytes.\n"
			"qforge emit, lower and bench take the result.",
			".qfm file", &path, v, d)) {
	case QF_ARG_HELP:
		rc = QF_EXIT_OK;
		goto out;
	case QF_ARG_ERROR:
		goto usage;
	}
	if (!v[OPT_OUT]) {
		qf_usage_error(d, "calibrate", "no output given (-o OUT.qfm)");
		goto usage;
	}
	int images = 1000, wbits = 0, threads = 2, lw[MAX_LAYER_BITS], nlw = 0;
	if (v[OPT_IMAGES] && !qf_arg_int(v[OPT_IMAGES], 1, 1000000, &images)) {
		qf_usage_error(d, "calibrate", "--images '%s' is not a number from 1 to 1000000", v[OPT_IMAGES]);
		goto usage;
	}
	if (v[OPT_WBITS] && strchr(v[OPT_WBITS], ',')) {
		/* one width per layer */
		char buf[4 * MAX_LAYER_BITS];
		snprintf(buf, sizeof buf, "%s", v[OPT_WBITS]);
		for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			int b;
			if (nlw == MAX_LAYER_BITS || !qf_arg_int(tok, 2, 8, &b) || (b != 2 && b != 4 && b != 8)) {
				qf_usage_error(d, "calibrate", "--wbits '%s': '%s' is not 8, 4 or 2", v[OPT_WBITS], tok);
				goto usage;
			}
			lw[nlw++] = b;
		}
	} else if (v[OPT_WBITS] &&
		   (!qf_arg_int(v[OPT_WBITS], 2, 8, &wbits) || (wbits != 2 && wbits != 4 && wbits != 8))) {
		qf_usage_error(d, "calibrate", "--wbits '%s' is not 8, 4 or 2", v[OPT_WBITS]);
		goto usage;
	}
	if (v[OPT_THREADS] && !qf_arg_int(v[OPT_THREADS], 1, 256, &threads)) {
		qf_usage_error(d, "calibrate", "--threads '%s' is not a number from 1 to 256", v[OPT_THREADS]);
		goto usage;
	}
	rc = run(path, v, images, wbits, lw, nlw, threads, d);
	if (rc != QF_EXIT_OK)
		qf_diag_summary(d);
	goto out;
usage:
	qf_usage_hint("calibrate");
out:
	qf_diag_free(d);
	return rc;
}
