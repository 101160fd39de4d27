/* ptq.c: `qforge ptq`: post-training mixed-precision dynamic fixed point
 * with self-distillation (FxP-QNet) of a float .qfm (docs/ptq.md). */
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "interp/interp.h"
#include "passes/passes.h"

enum {
	OPT_OUT,
	OPT_CALIB,
	OPT_MAX_DROP,
	OPT_GOAL,
	OPT_METRIC,
	OPT_NO_DISTILL,
	OPT_TEST,
	OPT_INT8,
	OPT_DATA,
	OPT_QF,
	OPT_THREADS,
	OPT_JSON,
	N_OPTS
};
static const qf_opt opts[N_OPTS] = {
	[OPT_OUT] = {"output", 'o', "FILE", "the fixed-point .qfm to write (required)"},
	[OPT_CALIB] = {"calib", 0, "N", "calibration images: the first N training images, their labels\n"
					"                         unread (required)"},
	[OPT_MAX_DROP] = {"max-drop", 0, "P", "allowed drop on the calibration images, in points (default 1)"},
	[OPT_GOAL] = {"memory-goal", 0, "BYTES", "stop lowering once the model's constants (packed weights,\n"
						 "                         16-bit biases, 8-bit shifts) fit in BYTES (default:\n"
						 "                         lower while the drop allows)"},
	[OPT_METRIC] = {"metric", 0, "M", "what the drop is measured with: disagree (top-1 disagreement\n"
					  "                         with the float model, default) or expected (expected drop\n"
					  "                         under the float model's probabilities)"},
	[OPT_NO_DISTILL] = {"no-distill", 0, NULL, "skip the self-distillation after the lowering"},
	[OPT_TEST] = {"test", 0, "N", "test images for the accuracies reported (default: all)"},
	[OPT_INT8] = {"compare-int8", 0, NULL, "also report plain int8 post-training quantization (qforge\n"
					       "                         calibrate: per channel, min-max) of the same model"},
	[OPT_DATA] = {"data", 0, "NAME", "the data block (default: the one the model was trained on)"},
	[OPT_QF] = {"qf", 0, "FILE", "the .qf holding the data block (default: the model's source)"},
	[OPT_THREADS] = {"threads", 0, "T", "worker threads of the float model (default 2)"},
	[OPT_JSON] = {"json", 0, NULL, "print one JSON object on stdout; progress goes to stderr"},
};

typedef struct {
	double float_acc, quant_acc;
	double int8_acc;
	int64_t int8_bytes, int8_wb_bytes;
	bool int8;
	int test;
} results;

static void fl_text(char *buf, size_t size, int lo, int hi)
{
	if (lo == hi)
		snprintf(buf, size, "%d", lo);
	else
		snprintf(buf, size, "%d..%d", lo, hi);
}

static void print_table(FILE *f, const qf_ptq_report *r)
{
	char b0[QF_FMT_INT_SIZE], b1[QF_FMT_INT_SIZE], fw[24], fb[40];
	fprintf(f, "\n%-22s %-7s %-6s %-8s %-10s %-14s %9s %9s %10s\n", "layer", "op", "wbits", "w FL", "bias b:FL",
		"out bits FL zp", "bytes@8", "bytes", "error (KL)");
	for (int i = 0; i < r->n_layers; i++) {
		const qf_ptq_layer *l = &r->layers[i];
		char wb[16] = "-", out[32];
		fw[0] = fb[0] = '-';
		fw[1] = fb[1] = 0;
		if (l->wbits) {
			if (l->wbits_min != l->wbits)
				snprintf(wb, sizeof wb, "%d->%d/%d", l->wbits0, l->wbits, l->wbits_min);
			else
				snprintf(wb, sizeof wb, "%d->%d", l->wbits0, l->wbits);
			fl_text(fw, sizeof fw, l->w_fl_min, l->w_fl_max);
			if (l->has_bias) {
				char t[24];
				fl_text(t, sizeof t, l->b_fl_min, l->b_fl_max);
				snprintf(fb, sizeof fb, "%d:%s", l->bbits, t);
			}
		}
		snprintf(out, sizeof out, "%d->%d %d %d", l->abits0, l->abits, l->a_fl, l->a_zp);
		fprintf(f, "%-22s %-7s %-6s %-8s %-10s %-14s %9s %9s", l->name, l->op, wb, fw, fb, out,
			qf_fmt_int(b0, sizeof b0, l->bytes0), qf_fmt_int(b1, sizeof b1, l->bytes));
		if (l->wbits != l->wbits0 || l->abits != l->abits0)
			fprintf(f, " %10.5f\n", l->err);
		else
			fprintf(f, " %10s\n", "-");
	}
	fprintf(f, "%-22s %-7s %-6s %-8s %-10s %-14s %9s %9s\n", "total", "", "", "", "", "",
		qf_fmt_int(b0, sizeof b0, r->start_bytes), qf_fmt_int(b1, sizeof b1, r->quant_bytes));
}

static void json_stats(qf_json *j, const char *key, const qf_ptq_stats *s)
{
	qf_json_key(j, key);
	qf_json_object(j, true);
	qf_json_kdouble(j, "agreement", s->agree);
	qf_json_kint(j, "disagree", s->disagree);
	qf_json_kdouble(j, "kl", s->kl);
	qf_json_kdouble(j, "expected_drop", s->drop);
	qf_json_end(j);
}

static void print_json(const char *out, const qf_ptq_cfg *c, const qf_ptq_report *r, const results *res)
{
	qf_json j;
	qf_json_init(&j, stdout);
	qf_json_object(&j, false);
	qf_json_kstr(&j, "model", out);
	qf_json_kint(&j, "calib", c->calib);
	qf_json_kint(&j, "test_images", res->test);
	qf_json_kdouble(&j, "max_drop", c->max_drop);
	qf_json_kstr(&j, "metric", c->metric == QF_PTQ_EXPECTED ? "expected" : "disagree");
	if (c->memory_goal > 0)
		qf_json_kint(&j, "memory_goal", c->memory_goal);
	qf_json_kint(&j, "float_bytes", r->float_bytes);
	qf_json_kint(&j, "quant_bytes", r->quant_bytes);
	qf_json_kdouble(&j, "ratio", (double)r->float_bytes / (double)r->quant_bytes);
	qf_json_kint(&j, "weight_bias_bytes", r->wb_bytes);
	qf_json_kint(&j, "int8_start_bytes", r->start_bytes);
	qf_json_kint(&j, "floor_bytes", r->floor_bytes);
	qf_json_kint(&j, "act_bytes", r->act_bytes);
	qf_json_kint(&j, "arena_bytes", r->arena_bytes);
	qf_json_kdouble(&j, "float_accuracy", res->float_acc);
	qf_json_kdouble(&j, "quant_accuracy", res->quant_acc);
	qf_json_kdouble(&j, "drop", res->float_acc - res->quant_acc);
	if (res->int8) {
		qf_json_kint(&j, "int8_bytes", res->int8_bytes);
		qf_json_kint(&j, "int8_weight_bias_bytes", res->int8_wb_bytes);
		qf_json_kdouble(&j, "int8_accuracy", res->int8_acc);
	}
	qf_json_kint(&j, "steps", r->steps);
	qf_json_kint(&j, "candidates_run", r->evals);
	qf_json_kdouble(&j, "exec_ms_per_image", r->exec_ms);
	qf_json_kdouble(&j, "intref_ms_per_image", r->intref_ms);
	qf_json_kbool(&j, "goal_met", r->goal_met);
	json_stats(&j, "calib_start", &r->start);
	json_stats(&j, "calib_lowered", &r->lowered);
	json_stats(&j, "calib_final", &r->final);
	qf_json_key(&j, "trace");
	qf_json_array(&j, true);
	for (int i = 0; i < r->steps; i++)
		qf_json_int(&j, r->trace[i]);
	qf_json_end(&j);
	qf_json_key(&j, "layers");
	qf_json_array(&j, false);
	for (int i = 0; i < r->n_layers; i++) {
		const qf_ptq_layer *l = &r->layers[i];
		qf_json_object(&j, true);
		qf_json_kstr(&j, "name", l->name);
		qf_json_kstr(&j, "op", l->op);
		if (l->wbits) {
			qf_json_kint(&j, "wbits_before", l->wbits0);
			qf_json_kint(&j, "wbits", l->wbits);
			qf_json_kint(&j, "wbits_min", l->wbits_min);
			qf_json_kint(&j, "w_fl_min", l->w_fl_min);
			qf_json_kint(&j, "w_fl_max", l->w_fl_max);
			if (l->has_bias) {
				qf_json_kint(&j, "bbits", l->bbits);
				qf_json_kint(&j, "b_fl_min", l->b_fl_min);
				qf_json_kint(&j, "b_fl_max", l->b_fl_max);
			}
		}
		qf_json_kint(&j, "abits_before", l->abits0);
		qf_json_kint(&j, "abits", l->abits);
		qf_json_kint(&j, "a_fl", l->a_fl);
		qf_json_kint(&j, "a_zp", l->a_zp);
		qf_json_kint(&j, "bytes_before", l->bytes0);
		qf_json_kint(&j, "bytes", l->bytes);
		qf_json_kdouble(&j, "error", l->err);
		qf_json_end(&j);
	}
	qf_json_end(&j);
	qf_json_end(&j);
	qf_json_finish(&j);
}

/* Plain int8 post-training quantization of g, as qforge calibrate does it
 * (per-channel weights, min-max activations, multiplier requant), over the
 * same calibration images: bytes and test accuracy. */
static int int8_baseline(const qf_graph *g, const qf_dataset *ds, int calib, int test, int threads, results *res,
			 qf_diag *d)
{
	qf_graph *c = qf_graph_clone(g);
	/* qf_calibrate holds an engine per activation at once: a small batch
	 * keeps that to tens of MB on a network with thirty of them */
	qf_calib_cfg cc = {.pow2 = false, .wbits = 8, .batch = 8, .threads = threads};
	int rc = -1;
	qf_igraph *ig = NULL;
	if (qf_calibrate(c, ds, &ds->train, calib, &cc, d) == 0 && (ig = qf_lower(c, d))) {
		res->int8_bytes = qf_igraph_const_bytes(ig);
		res->int8_wb_bytes = qf_igraph_weight_bias_bytes(ig);
		res->int8_acc = qf_iexec_evaluate(ig, ds, &ds->test, test, 64);
		res->int8 = true;
		rc = 0;
	}
	qf_igraph_free(ig);
	qf_graph_free(c);
	return rc;
}

static int run(const char *path, const char *const *v, qf_ptq_cfg *c, int test, qf_diag *d)
{
	int rc = QF_EXIT_USER;
	qf_program *p = NULL;
	qf_dataset ds;
	memset(&ds, 0, sizeof ds);
	qf_graph *g = NULL, *q = NULL, *lq = NULL;
	qf_igraph *ig = NULL;
	qf_ptq_report r;
	memset(&r, 0, sizeof r);
	results res;
	memset(&res, 0, sizeof res);
	FILE *log = v[OPT_JSON] ? stderr : stdout;
	if (qf_probe_output(v[OPT_OUT], path, "the input model", d))
		goto done;
	if (!(g = qf_qfm_read(path, d)))
		goto done;
	int qt = qf_ptq_quantized_tensor(g);
	if (qt >= 0) {
		qf_diag_file_error(d, path, 0,
				   "model '%s' is already quantized (tensor '%s' has quant params): qforge ptq takes "
				   "a float model, as qforge train writes it",
				   g->name, g->t[qt].name);
		goto done;
	}
	if (qf_model_calib_data(g, path, v[OPT_QF], v[OPT_DATA], c->calib, test, &p, &ds, d) != 0)
		goto done;
	if (ds.train.n < c->calib) {
		qf_diag_file_error(d, ds.train_path, 0,
				   "--calib %d asks for more calibration images than the training data has (%d)",
				   c->calib, ds.train.n);
		goto done;
	}
	res.test = ds.test.n;
	res.float_acc = qf_evaluate(g, &ds, &ds.test, 64, c->threads, NULL, d);
	if (res.float_acc < 0)
		goto done;
	c->log = log;
	c->verbose = getenv("QF_PTQ_VERBOSE") != NULL;
	/* what follows is about the model, not the .qf its data block came
	 * from: errors name MODEL.qfm */
	qf_diag_set_source(d, path, NULL, 0);
	if (!(q = qf_ptq(g, &ds, c, &r, d)))
		goto done;
	lq = qf_graph_clone(q);
	if (!(ig = qf_lower(lq, d)))
		goto done;
	res.quant_acc = qf_iexec_evaluate(ig, &ds, &ds.test, ds.test.n, 64);
	if (v[OPT_INT8] && int8_baseline(g, &ds, c->calib, ds.test.n, c->threads, &res, d) != 0)
		goto done;
	print_table(log, &r);
	char b0[QF_FMT_INT_SIZE], b1[QF_FMT_INT_SIZE];
	char b2[QF_FMT_INT_SIZE];
	fprintf(log, "\nmemory: float32 %s bytes, fixed point %s bytes: %.2fx (weights and biases %s bytes: %.2fx)\n",
		qf_fmt_int(b0, sizeof b0, r.float_bytes), qf_fmt_int(b1, sizeof b1, r.quant_bytes),
		(double)r.float_bytes / (double)r.quant_bytes, qf_fmt_int(b2, sizeof b2, r.wb_bytes),
		(double)r.float_bytes / (double)r.wb_bytes);
	fprintf(log, "test accuracy (%d images): float %.2f%%, fixed point %.2f%% (drop %.2f points)\n", res.test,
		res.float_acc, res.quant_acc, res.float_acc - res.quant_acc);
	if (res.int8)
		fprintf(log, "plain int8 PTQ: %s bytes (%.2fx), test accuracy %.2f%%\n",
			qf_fmt_int(b0, sizeof b0, res.int8_bytes), (double)r.float_bytes / (double)res.int8_bytes,
			res.int8_acc);
	if (!r.goal_met) {
		qf_diag_error(d, (qf_loc){0, 0},
			      "memory goal of %lld bytes not met: %lld bytes is as far as the lowering goes within "
			      "a drop of %.2f points; allow more (--max-drop) or a larger goal; nothing written",
			      (long long)c->memory_goal, (long long)r.quant_bytes, c->max_drop);
		goto done;
	}
	char line[256];
	snprintf(line, sizeof line,
		 "ptq: %d calibration images, %d lowering steps, %s; constants %lld -> %lld bytes; calibration "
		 "agreement %.2f%%",
		 c->calib, r.steps, c->distill ? "self-distilled" : "no self-distillation", (long long)r.float_bytes,
		 (long long)r.quant_bytes, r.final.agree);
	qf_prov_add_history(q, line);
	q->prov.accuracy = res.quant_acc;
	if (qf_qfm_write(q, v[OPT_OUT], d) != 0)
		goto done;
	if (v[OPT_JSON])
		print_json(v[OPT_OUT], c, &r, &res);
	else
		printf("wrote %s\n", v[OPT_OUT]);
	rc = QF_EXIT_OK;
done:
	qf_ptq_report_free(&r);
	qf_igraph_free(ig);
	qf_graph_free(lq);
	qf_graph_free(q);
	qf_dataset_free(&ds);
	qf_program_free(p);
	qf_graph_free(g);
	return rc;
}

int qf_cmd_ptq(int argc, char **argv)
{
	static const char usage[] = "qforge ptq MODEL.qfm --calib N -o OUT.qfm [--max-drop P] [--memory-goal BYTES] "
				    "[--json]";
	qf_diag *d = qf_diag_new(stderr);
	const char *path = NULL, *v[N_OPTS] = {0};
	int rc = QF_EXIT_USER;
	switch (qf_args_one(argc, argv, opts, N_OPTS, usage,
			"Turns the float model in MODEL.qfm into an integer-only one with power-of-two\n"
			"scales (dynamic fixed point), without labels and without retraining: every\n"
			"data structure starts at 8 bits and the one that hurts least per byte is\n"
			"lowered, one at a time (weights 8 -> 4 -> 2 bits; then activations 8 -> 4\n"
			"where the runtime has 4-bit kernels), each candidate run with the exact\n"
			"integer arithmetic on the calibration images and compared with the float\n"
			"model, until the memory goal is met or the drop would pass its bound; then\n"
			"self-distillation moves weights, biases and fraction lengths towards the\n"
			"float model's outputs, and the lowering goes on while that made room.\n"
			"Test labels are read only for the accuracies reported. docs/ptq.md.",
			".qfm file", &path, v, d)) {
	case QF_ARG_HELP:
		rc = QF_EXIT_OK;
		goto out;
	case QF_ARG_ERROR:
		goto usage;
	}
	if (!v[OPT_OUT]) {
		qf_usage_error(d, "ptq", "no output given (-o OUT.qfm)");
		goto usage;
	}
	qf_ptq_cfg c;
	qf_ptq_defaults(&c);
	int test = 0;
	if (!v[OPT_CALIB]) {
		qf_usage_error(d, "ptq", "no calibration count given (--calib N)");
		goto usage;
	}
	if (!qf_arg_int(v[OPT_CALIB], 1, 1000000, &c.calib)) {
		qf_usage_error(d, "ptq", "--calib '%s' is not a number from 1 to 1000000", v[OPT_CALIB]);
		goto usage;
	}
	if (v[OPT_MAX_DROP] && !qf_arg_double(v[OPT_MAX_DROP], 0, 100, &c.max_drop)) {
		qf_usage_error(d, "ptq", "--max-drop '%s' is not a number of points from 0 to 100", v[OPT_MAX_DROP]);
		goto usage;
	}
	if (v[OPT_GOAL]) {
		uint64_t g;
		if (!qf_parse_u64(v[OPT_GOAL], &g) || g < 1 || g > ((uint64_t)1 << 40)) {
			qf_usage_error(d, "ptq", "--memory-goal '%s' is not a number of bytes", v[OPT_GOAL]);
			goto usage;
		}
		c.memory_goal = (int64_t)g;
	}
	if (v[OPT_METRIC]) {
		if (strcmp(v[OPT_METRIC], "disagree") == 0)
			c.metric = QF_PTQ_DISAGREE;
		else if (strcmp(v[OPT_METRIC], "expected") == 0)
			c.metric = QF_PTQ_EXPECTED;
		else {
			qf_usage_error(d, "ptq", "--metric '%s' is not disagree or expected", v[OPT_METRIC]);
			goto usage;
		}
	}
	c.distill = !v[OPT_NO_DISTILL];
	if (v[OPT_TEST] && !qf_arg_int(v[OPT_TEST], 1, 1000000, &test)) {
		qf_usage_error(d, "ptq", "--test '%s' is not a number from 1 to 1000000", v[OPT_TEST]);
		goto usage;
	}
	if (v[OPT_THREADS] && !qf_arg_int(v[OPT_THREADS], 1, 256, &c.threads)) {
		qf_usage_error(d, "ptq", "--threads '%s' is not a number from 1 to 256", v[OPT_THREADS]);
		goto usage;
	}
	rc = run(path, v, &c, test, d);
	if (rc != QF_EXIT_OK)
		qf_diag_summary(d);
	goto out;
usage:
	qf_usage_hint("ptq");
out:
	qf_diag_free(d);
	return rc;
}
