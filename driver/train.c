/* train.c: `qforge train`: training of one network of a .qf space, or of
 * a .qfm model, in float or, when the .qf has a quant policy, with
 * quantization-aware training; a checkpoint after every epoch. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "driver.h"
#include "frontend/frontend.h"
#include "interp/interp.h"
#include "passes/passes.h"

enum {
	OPT_OUT,
	OPT_DATA,
	OPT_QF,
	OPT_PICK,
	OPT_EPOCHS,
	OPT_BATCH,
	OPT_THREADS,
	OPT_SEED,
	OPT_LR,
	OPT_OPT,
	OPT_SCHED,
	OPT_WARMUP,
	OPT_WD,
	OPT_MOMENTUM,
	OPT_SMOOTHING,
	OPT_RESUME,
	OPT_STOP,
	OPT_JSON,
	N_OPTS
};
static const qf_opt opts[N_OPTS] = {
	[OPT_OUT] = {"output", 'o', "FILE", "the .qfm to write; rewritten after every epoch (required)"},
	[OPT_DATA] = {"data", 0, "NAME", "the data block to train on (default: the search block's,\n"
					 "                         or the only one)"},
	[OPT_QF] = {"qf", 0, "FILE", "the .qf holding the data block, for a .qfm input\n"
				     "                         (default: the .qf the model was sampled from)"},
	[OPT_PICK] = {"pick", 0, "HOW", "smallest, largest or random: the network of a space with\n"
					"                         several (a space of one needs none)"},
	[OPT_EPOCHS] = {"epochs", 0, "N", "epochs of the whole run (default 10)"},
	[OPT_BATCH] = {"batch", 0, "B", "images per step (default 64)"},
	[OPT_THREADS] = {"threads", 0, "T", "worker threads (default 2); results are reproducible\n"
					    "                         for a given seed and thread count"},
	[OPT_SEED] = {"seed", 0, "S", "seed of the initial weights, data order and augmentation\n"
				      "                         (default 1)"},
	[OPT_LR] = {"lr", 0, "X", "peak learning rate (default 0.1)"},
	[OPT_OPT] = {"opt", 0, "NAME", "sgd (Nesterov momentum, the default) or adamw"},
	[OPT_SCHED] = {"sched", 0, "NAME", "onecycle (default), cosine or constant"},
	[OPT_WARMUP] = {"warmup", 0, "EPOCHS", "linear warm-up before cosine or constant (default 0)"},
	[OPT_WD] = {"wd", 0, "X", "weight decay (default 5e-4 for sgd, 0.01 for adamw)"},
	[OPT_MOMENTUM] = {"momentum", 0, "X", "sgd momentum (default 0.9; 0 for plain SGD)"},
	[OPT_SMOOTHING] = {"smoothing", 0, "X", "label smoothing (default 0)"},
	[OPT_RESUME] = {"resume", 0, "CKPT", "continue the run a checkpoint stopped, with its settings"},
	[OPT_STOP] = {"stop-after", 0, "N", "end after epoch N, leaving a checkpoint for --resume"},
	[OPT_JSON] = {"json", 0, NULL, "print one JSON object on stdout at the end; progress on stderr"},
};

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

const qf_data *qf_model_data(const qf_program *p, const qf_graph *g, const char *name, qf_diag *d)
{
	if (!name && g)
		name = qf_graph_meta(g, "train.data");
	if (name) {
		const char *names[64];
		int n = 0;
		for (int i = 0; i < p->n_datas; i++) {
			if (strcmp(p->datas[i].name, name) == 0)
				return &p->datas[i];
			if (n < 64)
				names[n++] = p->datas[i].name;
		}
		const char *near = qf_closest(name, names, n);
		qf_diag_file_error(d, p->path, 0, "has no data block '%s'%s%s%s", name, near ? "; did you mean '" : "",
				   near ? near : "", near ? "'?" : "");
		return NULL;
	}
	if (p->sel_data < 0) {
		qf_diag_file_error(d, p->path, 0, "has no data block to train on");
		return NULL;
	}
	return &p->datas[p->sel_data];
}

qf_program *qf_model_program(const qf_graph *g, const char *model_path, const char *qf_path, qf_diag *d)
{
	if (!qf_path)
		qf_path = g->prov.source;
	if (!qf_path) {
		qf_diag_file_error(d, model_path, 0,
				   "does not say which .qf it came from; give the one with its data block with --qf");
		return NULL;
	}
	qf_program *p = qf_load_program(qf_path, d);
	if (p && qf_diag_errors(d)) {
		qf_program_free(p);
		return NULL;
	}
	return p;
}
int qf_model_calib_data(const qf_graph *g, const char *model_path, const char *qf_path, const char *data_name,
			int max_train, int max_test, qf_program **p, qf_dataset *ds, qf_diag *d)
{
	if (!(*p = qf_model_program(g, model_path, qf_path, d)))
		return -1;
	const qf_data *spec = qf_model_data(*p, g, data_name, d);
	if (!spec)
		return -1;
	qf_data whole = *spec;
	whole.validate = 0;
	if (qf_dataset_load(&whole, max_train, max_test, ds, d) != 0 || qf_dataset_check_input(ds, g, d) != 0)
		return -1;
	return 0;
}

typedef struct {
	const char *vals[N_OPTS];
	const char *path;
} cli;

/* Settings given on the command line, over c (defaults or a checkpoint's). */
static int apply_cli(const cli *cl, qf_train_cfg *c, qf_diag *d)
{
	const char *const *v = cl->vals;
	int bad = 0;
	double x;
	if (v[OPT_OPT]) {
		int k = -1;
		for (int i = 0; i < QF_OPT_COUNT; i++)
			if (strcmp(v[OPT_OPT], qf_opt_name[i]) == 0)
				k = i;
		if (k < 0) {
			qf_usage_error(d, "train", "--opt '%s' is not sgd or adamw", v[OPT_OPT]);
			bad++;
		} else if ((qf_opt_kind)k != c->opt.kind) {
			qf_opt_defaults(&c->opt, (qf_opt_kind)k);
		}
	}
	if (v[OPT_SCHED]) {
		int k = -1;
		for (int i = 0; i < QF_SCHED_COUNT; i++)
			if (strcmp(v[OPT_SCHED], qf_sched_name[i]) == 0)
				k = i;
		if (k < 0) {
			qf_usage_error(d, "train", "--sched '%s' is not onecycle, cosine or constant", v[OPT_SCHED]);
			bad++;
		} else {
			c->sched = (qf_sched_kind)k;
		}
	}
	if (v[OPT_EPOCHS] && !qf_arg_int(v[OPT_EPOCHS], 1, 100000, &c->epochs)) {
		qf_usage_error(d, "train", "--epochs '%s' is not a number from 1 to 100000", v[OPT_EPOCHS]);
		bad++;
	}
	if (v[OPT_BATCH] && !qf_arg_int(v[OPT_BATCH], 1, 65536, &c->batch)) {
		qf_usage_error(d, "train", "--batch '%s' is not a number from 1 to 65536", v[OPT_BATCH]);
		bad++;
	}
	if (v[OPT_THREADS] && !qf_arg_int(v[OPT_THREADS], 1, 256, &c->threads)) {
		qf_usage_error(d, "train", "--threads '%s' is not a number from 1 to 256", v[OPT_THREADS]);
		bad++;
	}
	if (v[OPT_STOP] && !qf_arg_int(v[OPT_STOP], 1, 100000, &c->stop_after)) {
		qf_usage_error(d, "train", "--stop-after '%s' is not a number from 1 to 100000", v[OPT_STOP]);
		bad++;
	}
	if (v[OPT_SEED] && !qf_parse_u64(v[OPT_SEED], &c->seed)) {
		qf_usage_error(d, "train", "--seed '%s' is not a number from 0 to 18446744073709551615", v[OPT_SEED]);
		bad++;
	}
	if (v[OPT_LR]) {
		if (qf_arg_double(v[OPT_LR], 1e-12, 100, &x))
			c->lr = x;
		else {
			qf_usage_error(d, "train", "--lr '%s' is not a number in (0, 100]", v[OPT_LR]);
			bad++;
		}
	}
	if (v[OPT_WARMUP]) {
		if (qf_arg_double(v[OPT_WARMUP], 0, 100000, &x))
			c->warmup = x;
		else {
			qf_usage_error(d, "train", "--warmup '%s' is not a number of epochs", v[OPT_WARMUP]);
			bad++;
		}
	}
	if (v[OPT_WD]) {
		if (qf_arg_double(v[OPT_WD], 0, 1, &x))
			c->opt.weight_decay = (float)x;
		else {
			qf_usage_error(d, "train", "--wd '%s' is not a number in [0, 1]", v[OPT_WD]);
			bad++;
		}
	}
	if (v[OPT_MOMENTUM]) {
		if (qf_arg_double(v[OPT_MOMENTUM], 0, 0.999999, &x))
			c->opt.momentum = (float)x;
		else {
			qf_usage_error(d, "train", "--momentum '%s' is not a number in [0, 1)", v[OPT_MOMENTUM]);
			bad++;
		}
	}
	if (v[OPT_SMOOTHING]) {
		if (qf_arg_double(v[OPT_SMOOTHING], 0, 0.999999, &x))
			c->smoothing = (float)x;
		else {
			qf_usage_error(d, "train", "--smoothing '%s' is not a number in [0, 1)", v[OPT_SMOOTHING]);
			bad++;
		}
	}
	return bad ? -1 : 0;
}

/* The network of a .qf space: the only one, or the one --pick names. */
static qf_graph *sample_net(const qf_program *p, const char *pick, uint64_t seed, qf_diag *d)
{
	if (p->sel_space < 0) {
		qf_diag_file_error(d, p->path, 0, "defines no space to train a network of");
		return NULL;
	}
	const qf_space *sp = &p->spaces[p->sel_space];
	static const char *const picks[] = {"smallest", "largest", "random"};
	static const qf_pick kinds[] = {QF_PICK_SMALLEST, QF_PICK_LARGEST, QF_PICK_RANDOM};
	int how = 1; /* with one network, every pick is that network */
	if (pick) {
		how = -1;
		for (int i = 0; i < 3; i++)
			if (strcmp(pick, picks[i]) == 0)
				how = i;
		if (how < 0) {
			const char *near = qf_closest(pick, picks, 3);
			qf_usage_error(d, "train", "--pick '%s' is not smallest, largest or random%s%s%s", pick,
				       near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
			return NULL;
		}
	} else if (qf_space_networks(sp) > 1) {
		qf_diag_file_error(d, p->path, 0,
				   "space '%s' holds %.0f networks; choose one to train with --pick "
				   "smallest|largest|random",
				   sp->name, qf_space_networks(sp));
		return NULL;
	}
	qf_choice ch;
	qf_rng rng;
	qf_rng_seed(&rng, seed);
	qf_choice_init(&ch, sp);
	qf_choice_pick(&ch, sp, kinds[how], &rng);
	qf_graph *g = qf_sample(p, &ch, seed, d);
	qf_choice_free(&ch);
	if (g && qf_diag_errors(d)) {
		qf_graph_free(g);
		g = NULL;
	}
	return g;
}

/* Ctrl-C or SIGTERM ends the run after the current step, so a signal
 * that comes during a checkpoint's write does not leave its temporary
 * file behind; the handler is one-shot, a second signal kills at once. */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* The epochs this run trained, for --json. */
typedef struct {
	qf_epoch_stats *st;
	int n;
	int64_t cap;
} epoch_log;

static void log_epoch(void *ctx, const qf_epoch_stats *st)
{
	epoch_log *l = ctx;
	qf_grow(&l->st, &l->cap, l->n + 1, sizeof(*st));
	l->st[l->n++] = *st;
}

static void report_json(const qf_graph *g, const char *out, const qf_train_cfg *c, const epoch_log *l,
			int64_t train_images)
{
	qf_json j;
	qf_json_init(&j, stdout);
	qf_json_object(&j, false);
	qf_json_kstr(&j, "file", out);
	qf_json_kint(&j, "batch", c->batch);
	qf_json_kint(&j, "threads", c->threads);
	qf_json_key(&j, "seed");
	qf_json_u64(&j, c->seed);
	qf_json_kint(&j, "train_images", train_images);
	double secs = 0, cpu = 0;
	qf_json_key(&j, "epochs");
	qf_json_array(&j, false);
	for (int i = 0; i < l->n; i++) {
		const qf_epoch_stats *st = &l->st[i];
		secs += st->seconds;
		cpu += st->cpu_seconds;
		qf_json_object(&j, true);
		qf_json_kint(&j, "epoch", st->epoch);
		qf_json_kdouble(&j, "loss", st->loss);
		qf_json_kdouble(&j, "train_accuracy", st->train_acc);
		if (st->val_acc >= 0)
			qf_json_kdouble(&j, "val_accuracy", st->val_acc);
		qf_json_kdouble(&j, "test_accuracy", st->test_acc);
		qf_json_kdouble(&j, "images_per_s", st->images_per_s);
		qf_json_kdouble(&j, "seconds", st->seconds);
		qf_json_kdouble(&j, "cpu_seconds", st->cpu_seconds);
		qf_json_end(&j);
	}
	qf_json_end(&j);
	qf_json_kdouble(&j, "accuracy", g->prov.accuracy);
	/* over the training steps of this run, evaluation excluded */
	if (l->n) {
		qf_json_kdouble(&j, "images_per_s", (double)train_images * l->n / secs);
		/* CPU time moves less than wall time on a shared machine */
		qf_json_kdouble(&j, "images_per_cpu_s", (double)train_images * l->n / cpu);
	}
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		qf_json_kdouble(&j, "peak_rss_mb", (double)ru.ru_maxrss / 1024.0);
	qf_json_end(&j);
	qf_json_finish(&j);
}

static int run(const cli *cl, qf_diag *d)
{
	const char *const *v = cl->vals;
	const char *out = v[OPT_OUT], *resume = v[OPT_RESUME], *path = cl->path;
	bool json = v[OPT_JSON] != NULL;
	int rc = QF_EXIT_USER;
	qf_program *p = NULL;
	qf_graph *g = NULL;
	qf_dataset ds;
	memset(&ds, 0, sizeof ds);
	epoch_log elog = {NULL, 0, 0};
	qf_train_cfg c;
	qf_train_defaults(&c);
	const char *model_in = resume ? resume : (path && !has_suffix(path, ".qf") ? path : NULL);
	if (resume && path && !has_suffix(path, ".qf")) {
		qf_usage_error(d, "train", "with --resume, give no model or the .qf of its data ('%s' is not a .qf)", path);
		goto done;
	}
	const char *qf_path = v[OPT_QF] ? v[OPT_QF] : (path && has_suffix(path, ".qf") ? path : NULL);
	/* -o may name the model read (a checkpoint is rewritten in place), never the .qf */
	if (qf_probe_output(out, qf_path, "the .qf file", d) != 0)
		goto done;
	if (model_in) {
		g = qf_qfm_read(model_in, d);
		if (!g)
			goto done;
		if (resume && qf_train_cfg_from_meta(g, &c, resume, d) != 0)
			goto done;
		p = qf_model_program(g, model_in, qf_path, d);
	} else {
		p = qf_load_program(path, d);
	}
	if (!p || qf_diag_errors(d))
		goto done;
	if (apply_cli(cl, &c, d) != 0)
		goto done;
	if (!g && !(g = sample_net(p, v[OPT_PICK], c.seed, d)))
		goto done;
	const qf_data *spec = qf_model_data(p, g, v[OPT_DATA], d);
	if (!spec || qf_dataset_load(spec, 0, 0, &ds, d) != 0)
		goto done;
	if (!g->prov.source)
		g->prov.source = qf_xstrdup(p->path);
	qf_graph_set_meta(g, "train.data", spec->name);
	FILE *log = json ? stderr : stdout;
	c.out = out;
	c.log = log;
	c.tty = isatty(fileno(log));
	qf_counts cnt;
	qf_graph_counts(g, &cnt);
	char np[QF_FMT_INT_SIZE], nt[QF_FMT_INT_SIZE], nv[QF_FMT_INT_SIZE], ne[QF_FMT_INT_SIZE];
	/* under a quant policy with a schedule block, each phase has its own
	 * schedule and rate (printed as it starts), not the run's */
	char sched[96];
	if (p->sel_quant >= 0 && p->quants[p->sel_quant].n_phases > 0)
		snprintf(sched, sizeof sched, "the schedule of quant policy '%s'", p->quants[p->sel_quant].name);
	else
		snprintf(sched, sizeof sched, "%s lr %g", qf_sched_name[c.sched], c.lr);
	fprintf(log,
		"training '%s' (%s params) on '%s': %s train, %s validation, %s test images; "
		"batch %d, %s, %s, %d thread%s, seed %llu\n",
		g->name, qf_fmt_int(np, sizeof np, cnt.params), spec->name, qf_fmt_int(nt, sizeof nt, ds.train.n),
		qf_fmt_int(nv, sizeof nv, ds.val.n), qf_fmt_int(ne, sizeof ne, ds.test.n), c.batch,
		qf_opt_name[c.opt.kind], sched, c.threads, c.threads == 1 ? "" : "s", (unsigned long long)c.seed);
	c.on_epoch = log_epoch;
	c.stop = &stop_requested;
	catch_signals();
	c.ctx = &elog;
	qf_epoch_stats st;
	/* a .qf quant policy is trained for (QAT, interp/qat.c); a resumed
	 * run continues as its checkpoint was trained: QAT when it holds a
	 * QAT run's state, else in float */
	bool qat = resume ? qf_graph_meta(g, "qat.phase") != NULL : p->sel_quant >= 0;
	if (qat && p->sel_quant < 0) {
		qf_diag_file_error(d, p->path, 0,
				   "has no quant policy, but '%s' is a checkpoint of a QAT run: resume it with the .qf "
				   "that has its policy (--qf)",
				   resume);
		goto done;
	}
	if (qat) {
		qf_qat_cfg qc;
		qf_qat_cfg_from_policy(&qc, &p->quants[p->sel_quant]);
		if (qf_qat_train_from(g, &p->quants[p->sel_quant], &ds, &c, &qc, resume, &st, d) != 0)
			goto done;
	} else if (qf_train(g, &ds, &c, resume, &st, d) != 0) {
		goto done;
	}
	if (st.test_acc < 0) {
		/* a resume with nothing left to do still leaves the model at -o */
		if (qf_qfm_write(g, out, d) != 0)
			goto done;
	}
	if (json)
		report_json(g, out, &c, &elog, ds.train.n);
	else
		printf("wrote %s: %d epoch%s, test accuracy %.2f%%\n", out, st.epoch, st.epoch == 1 ? "" : "s",
		       g->prov.accuracy);
	rc = QF_EXIT_OK;
done:
	free(elog.st);
	qf_dataset_free(&ds);
	qf_graph_free(g);
	qf_program_free(p);
	return rc;
}

int qf_cmd_train(int argc, char **argv)
{
	static const char usage[] = "qforge train FILE.qf|MODEL.qfm [options] -o OUT.qfm\n"
				    "       qforge train --resume CKPT.qfm [FILE.qf] [options] -o OUT.qfm";
	qf_diag *d = qf_diag_new(stderr);
	qf_args a;
	cli cl;
	memset(&cl, 0, sizeof cl);
	int o, rc = QF_EXIT_USER;
	qf_args_init(&a, argc, argv, opts, N_OPTS, d);
	while ((o = qf_args_next(&a)) != QF_ARG_END) {
		if (o == QF_ARG_HELP) {
			qf_print_help(stdout, usage,
				      "Trains a network: the one network of the space in FILE.qf (or the\n"
				      "one --pick names), or the model in MODEL.qfm, on the data block of\n"
				      "the .qf. In float, or quantization-aware when the .qf has a quant\n"
				      "policy: its fake quantizers, methods and schedule (docs/qat.md), the\n"
				      "learned steps, zero points and bits written into OUT.qfm, which then\n"
				      "lowers to integers (qforge eval --int, qforge emit). Defaults are the\n"
				      "benchmark's: batch 64, SGD with Nesterov momentum 0.9 and weight decay\n"
				      "5e-4, one-cycle schedule to lr 0.1, 2 threads, seed 1. Prints train\n"
				      "loss and accuracy, validation accuracy (when the data block holds\n"
				      "images out) and test accuracy (fake-quantized under QAT) after every\n"
				      "epoch, and writes OUT.qfm atomically after every epoch, so an\n"
				      "interrupted run keeps its last finished epoch: --resume OUT.qfm\n"
				      "continues it (a QAT run in QAT, its quantizers restored) and ends with\n"
				      "the same weights as a run never stopped (same threads).",
				      opts, N_OPTS);
			rc = QF_EXIT_OK;
			goto out;
		}
		if (o == QF_ARG_ERROR)
			goto usage;
		if (o == QF_ARG_POS) {
			if (cl.path) {
				qf_usage_error(d, "train", "one .qf or .qfm file expected, got '%s' and '%s'", cl.path,
					       a.value);
				goto usage;
			}
			cl.path = a.value;
			continue;
		}
		cl.vals[o] = a.value ? a.value : "";
	}
	if (!cl.path && !cl.vals[OPT_RESUME]) {
		qf_usage_error(d, "train", "no .qf or .qfm file given");
		goto usage;
	}
	if (!cl.vals[OPT_OUT] || !cl.vals[OPT_OUT][0]) {
		qf_usage_error(d, "train", "-o OUT.qfm is required: where the checkpoints and the model go");
		goto usage;
	}
	{
		/* option values are checked before any file is read */
		qf_train_cfg c;
		qf_train_defaults(&c);
		if (apply_cli(&cl, &c, d) != 0)
			goto usage;
	}
	rc = run(&cl, d);
	if (rc != QF_EXIT_OK)
		qf_diag_summary(d);
	goto out;
usage:
	qf_usage_hint("train");
out:
	qf_diag_free(d);
	return rc;
}
