/* eval.c: `qforge eval`: test accuracy and confusion matrix of a trained
 * .qfm on the test set of its data block. */
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "interp/interp.h"

enum { OPT_DATA, OPT_QF, OPT_THREADS, OPT_BATCH, OPT_JSON, N_OPTS };
static const qf_opt opts[N_OPTS] = {
	[OPT_DATA] = {"data", 0, "NAME", "the data block (default: the one the model was trained on)"},
	[OPT_QF] = {"qf", 0, "FILE", "the .qf holding the data block (default: the model's source)"},
	[OPT_THREADS] = {"threads", 0, "T", "worker threads (default 2)"},
	[OPT_BATCH] = {"batch", 0, "B", "images per forward pass (default 256)"},
	[OPT_JSON] = {"json", 0, NULL, "print one JSON object on stdout"},
};

static void report(const qf_dataset *ds, double acc, const int64_t *conf, bool json)
{
	const int k = ds->classes;
	int64_t correct = 0;
	for (int i = 0; i < k; i++)
		correct += conf[i * k + i];
	if (json) {
		qf_json j;
		qf_json_init(&j, stdout);
		qf_json_object(&j, false);
		qf_json_kdouble(&j, "accuracy", acc);
		qf_json_kint(&j, "images", ds->test.n);
		qf_json_kint(&j, "correct", correct);
		qf_json_key(&j, "confusion");
		qf_json_array(&j, false);
		for (int t = 0; t < k; t++) {
			qf_json_array(&j, true);
			for (int p = 0; p < k; p++)
				qf_json_int(&j, conf[t * k + p]);
			qf_json_end(&j);
		}
		qf_json_end(&j);
		qf_json_end(&j);
		qf_json_finish(&j);
		return;
	}
	char a[QF_FMT_INT_SIZE], b[QF_FMT_INT_SIZE];
	printf("test accuracy %.2f%% (%s of %s images)\n", acc, qf_fmt_int(a, sizeof a, correct),
	       qf_fmt_int(b, sizeof b, ds->test.n));
	/* columns wide enough for the largest count */
	int64_t most = 0;
	for (int i = 0; i < k * k; i++)
		most = conf[i] > most ? conf[i] : most;
	int w = 3;
	for (int64_t m = most; m >= 100; m /= 10)
		w++;
	printf("confusion matrix (rows: true class, columns: predicted)\n%*s", 5, "");
	for (int p = 0; p < k; p++)
		printf(" %*d", w, p);
	putchar('\n');
	for (int t = 0; t < k; t++) {
		printf("%5d", t);
		for (int p = 0; p < k; p++)
			printf(" %*lld", w, (long long)conf[t * k + p]);
		putchar('\n');
	}
}

static int run(const char *path, const char *const *v, int threads, int batch, qf_diag *d)
{
	int rc = QF_EXIT_USER;
	qf_program *p = NULL;
	qf_dataset ds;
	memset(&ds, 0, sizeof ds);
	int64_t *conf = NULL;
	qf_graph *g = qf_qfm_read(path, d);
	if (!g)
		goto done;
	p = qf_model_program(g, path, v[OPT_QF], d);
	if (!p)
		goto done;
	const qf_data *spec = qf_model_data(p, g, v[OPT_DATA], d);
	if (!spec || qf_dataset_load(spec, -1, 0, &ds, d) != 0)
		goto done;
	conf = qf_xcalloc((size_t)ds.classes * (size_t)ds.classes, sizeof(int64_t));
	double acc = qf_evaluate(g, &ds, &ds.test, batch, threads, conf, d);
	if (acc < 0)
		goto done;
	report(&ds, acc, conf, v[OPT_JSON] != NULL);
	rc = QF_EXIT_OK;
done:
	free(conf);
	qf_dataset_free(&ds);
	qf_program_free(p);
	qf_graph_free(g);
	return rc;
}

int qf_cmd_eval(int argc, char **argv)
{
	static const char usage[] = "qforge eval MODEL.qfm [--json] [--threads T] [--data NAME] [--qf FILE]";
	qf_diag *d = qf_diag_new(stderr);
	qf_args a;
	const char *path = NULL, *v[N_OPTS] = {0};
	int o, rc = QF_EXIT_USER;
	qf_args_init(&a, argc, argv, opts, N_OPTS, d);
	while ((o = qf_args_next(&a)) != QF_ARG_END) {
		if (o == QF_ARG_HELP) {
			qf_print_help(stdout, usage,
				      "Runs the float model in MODEL.qfm over the test set of its data block\n"
				      "(the .qf it came from, the block it was trained on) and prints the\n"
				      "top-1 accuracy and the confusion matrix.",
				      opts, N_OPTS);
			rc = QF_EXIT_OK;
			goto out;
		}
		if (o == QF_ARG_ERROR)
			goto usage;
		if (o == QF_ARG_POS) {
			if (path) {
				qf_usage_error(d, "eval", "one .qfm file expected, got '%s' and '%s'", path, a.value);
				goto usage;
			}
			path = a.value;
			continue;
		}
		v[o] = a.value ? a.value : "";
	}
	if (!path) {
		qf_usage_error(d, "eval", "no .qfm file given");
		goto usage;
	}
	uint64_t threads = 2, batch = 256;
	if (v[OPT_THREADS] && (!qf_parse_u64(v[OPT_THREADS], &threads) || threads < 1 || threads > 256)) {
		qf_usage_error(d, "eval", "--threads '%s' is not a number from 1 to 256", v[OPT_THREADS]);
		goto usage;
	}
	if (v[OPT_BATCH] && (!qf_parse_u64(v[OPT_BATCH], &batch) || batch < 1 || batch > 65536)) {
		qf_usage_error(d, "eval", "--batch '%s' is not a number from 1 to 65536", v[OPT_BATCH]);
		goto usage;
	}
	rc = run(path, v, (int)threads, (int)batch, d);
	if (rc != QF_EXIT_OK)
		qf_diag_summary(d);
	goto out;
usage:
	qf_usage_hint("eval");
out:
	qf_diag_free(d);
	return rc;
}
