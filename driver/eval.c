/* eval.c: `qforge eval`: test accuracy and confusion matrix of a trained
 * .qfm on the test set of its data block, in float (the training engine)
 * or, with --int, as the integer-only model (qf_lower, then the integer
 * reference executor of interp/intref.c, the images split among threads). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "interp/interp.h"
#include "passes/passes.h"

enum { OPT_INT, OPT_DATA, OPT_QF, OPT_THREADS, OPT_BATCH, OPT_JSON, N_OPTS };
static const qf_opt opts[N_OPTS] = {
	[OPT_INT] = {"int", 0, NULL, "evaluate the integer-only model (needs quant params: from\n"
				     "                         qforge calibrate, qforge ptq or QAT)"},
	[OPT_DATA] = {"data", 0, "NAME", "the data block (default: the one the model was trained on)"},
	[OPT_QF] = {"qf", 0, "FILE", "the .qf holding the data block (default: the model's source)"},
	[OPT_THREADS] = {"threads", 0, "T", "worker threads (default 2)"},
	[OPT_BATCH] = {"batch", 0, "B", "images per forward pass (default 256)"},
	[OPT_JSON] = {"json", 0, NULL, "print one JSON object on stdout"},
};

/* One thread's share of the integer evaluation: images [from, to). */
typedef struct {
	const qf_igraph *ig;
	const qf_dataset *ds;
	int from, to;
	int64_t *conf;               /* classes x classes, this thread's */
} int_part;

static void *int_worker(void *arg)
{
	int_part *w = arg;
	const qf_igraph *ig = w->ig;
	const qf_images *s = &w->ds->test;
	qf_intref *r = qf_intref_new(ig);
	uint8_t *img = qf_xmalloc((size_t)qf_itensor_elems(&ig->t[ig->input]));
	int8_t *z = qf_xmalloc((size_t)ig->classes);
	for (int i = w->from; i < w->to; i++) {
		qf_image_hwc(w->ds, s, i, img);
		qf_intref_run(r, img, z);
		/* ties go to the lowest class, as on the MCU */
		int best = 0;
		for (int k = 1; k < ig->classes; k++)
			if (z[k] > z[best])
				best = k;
		w->conf[s->label[i] * ig->classes + best]++;
	}
	free(img);
	free(z);
	qf_intref_free(r);
	return NULL;
}

/* Accuracy (percent) of the integer model over the test split; conf
 * gets the confusion counts. The sums do not depend on the thread count. */
static double int_evaluate(const qf_igraph *ig, const qf_dataset *ds, int threads, int64_t *conf)
{
	const int n = ds->test.n, k = ig->classes;
	if (threads > n)
		threads = n > 0 ? n : 1;
	int_part *w = qf_xcalloc((size_t)threads, sizeof(*w));
	pthread_t *tid = qf_xcalloc((size_t)threads, sizeof(*tid));
	for (int i = 0; i < threads; i++) {
		w[i] = (int_part){ig, ds, (int)((int64_t)n * i / threads), (int)((int64_t)n * (i + 1) / threads),
				  qf_xcalloc((size_t)k * (size_t)k, sizeof(int64_t))};
		if (i > 0 && pthread_create(&tid[i], NULL, int_worker, &w[i]) != 0)
			qf_die("eval: cannot start a thread");
	}
	int_worker(&w[0]);
	int64_t hits = 0;
	for (int i = 0; i < threads; i++) {
		if (i > 0)
			pthread_join(tid[i], NULL);
		for (int j = 0; j < k * k; j++)
			conf[j] += w[i].conf[j];
		free(w[i].conf);
	}
	for (int c = 0; c < k; c++)
		hits += conf[c * k + c];
	free(w);
	free(tid);
	return n ? 100.0 * (double)hits / n : 0;
}

static void report(const qf_dataset *ds, double acc, const int64_t *conf, bool json, bool integer)
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
		qf_json_kbool(&j, "integer", integer);
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
	printf("test accuracy%s %.2f%% (%s of %s images)\n", integer ? " (integer model)" : "", acc, qf_fmt_int(a, sizeof a, correct),
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
	qf_igraph *ig = NULL;
	const bool integer = v[OPT_INT] != NULL;
	qf_graph *g = qf_qfm_read(path, d);
	if (!g)
		goto done;
	if (integer && qf_ptq_quantized_tensor(g) < 0) {
		qf_diag_file_error(d, path, 0,
				   "model '%s' is a float model (no tensor has quant params), so there is no integer "
				   "model to evaluate: give it quant params with 'qforge calibrate' or 'qforge ptq', "
				   "or train it with QAT ('qforge train' of a .qf with a quant policy)",
				   g->name);
		goto done;
	}
	p = qf_model_program(g, path, v[OPT_QF], d);
	if (!p)
		goto done;
	const qf_data *spec = qf_model_data(p, g, v[OPT_DATA], d);
	if (!spec || qf_dataset_load(spec, -1, 0, &ds, d) != 0)
		goto done;
	conf = qf_xcalloc((size_t)ds.classes * (size_t)ds.classes, sizeof(int64_t));
	double acc;
	if (integer) {
		if (qf_dataset_check_input(&ds, g, d) != 0)
			goto done;
		if (g->classes != ds.classes) {
			qf_diag_file_error(d, ds.test_path, 0, "the data has %d classes but the network '%s' gives %d",
					   ds.classes, g->name, g->classes);
			goto done;
		}
		/* the pipeline of qforge lower and qforge bench */
		if (!(ig = qf_lower(g, d)))
			goto done;
		acc = int_evaluate(ig, &ds, threads, conf);
	} else {
		acc = qf_evaluate(g, &ds, &ds.test, batch, threads, conf, d);
	}
	if (acc < 0)
		goto done;
	report(&ds, acc, conf, v[OPT_JSON] != NULL, integer);
	/* A QAT model's float weights were trained for their quantized
	 * values and can score far from what train reported (a 2-bit
	 * learned-precision net: 10% in float, 69% fake-quantized) */
	if (!integer && qf_ptq_quantized_tensor(g) >= 0)
		fprintf(stderr,
			"%s: note: the model has quant params; this is the accuracy of its float weights, "
			"'qforge eval %s --int' gives the integer model's\n",
			path, path);
	rc = QF_EXIT_OK;
done:
	qf_igraph_free(ig);
	free(conf);
	qf_dataset_free(&ds);
	qf_program_free(p);
	qf_graph_free(g);
	return rc;
}

int qf_cmd_eval(int argc, char **argv)
{
	static const char usage[] = "qforge eval MODEL.qfm [--int] [--json] [--threads T] [--data NAME] [--qf FILE]";
	qf_diag *d = qf_diag_new(stderr);
	const char *path = NULL, *v[N_OPTS] = {0};
	int rc = QF_EXIT_USER;
	switch (qf_args_one(argc, argv, opts, N_OPTS, usage,
			"Runs the float model in MODEL.qfm over the test set of its data block\n"
			"(the .qf it came from, the block it was trained on) and prints the\n"
			"top-1 accuracy and the confusion matrix. With --int, the model is\n"
			"lowered as qforge lower and qforge bench do (BN folded, layers fused,\n"
			"integer weights and requant) and the integer reference executor runs\n"
			"it: the accuracy the microcontroller will have (qforge bench checks\n"
			"emitted code against the same executor, bit for bit).",
			".qfm file", &path, v, d)) {
	case QF_ARG_HELP:
		rc = QF_EXIT_OK;
		goto out;
	case QF_ARG_ERROR:
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
