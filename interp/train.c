/* train.c: the training loop, its progress output, and checkpoints.
 *
 * A checkpoint is the trained graph itself written as a .qfm at the end of
 * every epoch, plus what it takes to carry on exactly where it stopped:
 * the optimiser's state as blobs (optim.c), and as meta the settings, the
 * epoch and step counts and the random generator's state. Data order and
 * augmentation draw from that one generator, the schedule is a function of
 * the step, and the engine is deterministic for a thread count, so a run
 * resumed from epoch k ends with the same bits as one that never stopped.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "interp.h"

/* How often the progress bar is redrawn: often enough to look live, rarely
 * enough that a terminal or a log capturing it stays small. */
#define PROGRESS_EVERY_S 0.1

void qf_train_defaults(qf_train_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->epochs = 10;
	c->batch = 64;
	c->threads = 2;
	c->seed = 1;
	qf_opt_defaults(&c->opt, QF_OPT_SGD);
	c->sched = QF_SCHED_ONECYCLE;
	c->lr = 0.1;
	c->warmup = 0;
	c->smoothing = 0;
}

static double clock_s(clockid_t id)
{
	struct timespec t;
	clock_gettime(id, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* ------------------------------------------------------------ meta */

static void meta_int(qf_graph *g, const char *key, long long v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", v);
	qf_graph_set_meta(g, key, buf);
}

static void meta_double(qf_graph *g, const char *key, double v)
{
	char buf[40];
	snprintf(buf, sizeof buf, "%.17g", v); /* reads back to the same double */
	qf_graph_set_meta(g, key, buf);
}

static void meta_u64(qf_graph *g, const char *key, uint64_t v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
	qf_graph_set_meta(g, key, buf);
}

typedef struct {
	const qf_graph *g;
	const char *path;
	qf_diag *d;
	int bad;
} meta_reader;

static const char *meta_get(meta_reader *m, const char *key, bool need)
{
	const char *v = qf_graph_meta(m->g, key);
	if (!v && need) {
		qf_diag_file_error(m->d, m->path, 0, "checkpoint entry '%s' is missing", key);
		m->bad++;
	}
	return v;
}

static void meta_bad(meta_reader *m, const char *key, const char *v, const char *want)
{
	qf_diag_file_error(m->d, m->path, 0, "checkpoint entry '%s' is '%s', not %s", key, v, want);
	m->bad++;
}

static void read_long(meta_reader *m, const char *key, bool need, long long lo, long long hi, long long *out)
{
	const char *v = meta_get(m, key, need);
	if (!v)
		return;
	char *end;
	long long x = strtoll(v, &end, 10);
	if (!*v || *end || x < lo || x > hi) {
		char want[64];
		snprintf(want, sizeof want, "an integer in [%lld, %lld]", lo, hi);
		meta_bad(m, key, v, want);
		return;
	}
	*out = x;
}

static void read_int(meta_reader *m, const char *key, bool need, int lo, int hi, int *out)
{
	long long x = *out;
	read_long(m, key, need, lo, hi, &x);
	*out = (int)x;
}

static void read_double(meta_reader *m, const char *key, double lo, double hi, double *out)
{
	const char *v = meta_get(m, key, false);
	if (!v)
		return;
	char *end;
	double x = strtod(v, &end);
	if (!*v || *end || !(x >= lo && x <= hi)) {
		char want[64];
		snprintf(want, sizeof want, "a number in [%g, %g]", lo, hi);
		meta_bad(m, key, v, want);
		return;
	}
	*out = x;
}

static void read_float(meta_reader *m, const char *key, double lo, double hi, float *out)
{
	double x = *out;
	read_double(m, key, lo, hi, &x);
	*out = (float)x;
}

static void read_u64(meta_reader *m, const char *key, uint64_t *out)
{
	const char *v = meta_get(m, key, false);
	if (!v)
		return;
	char *end;
	unsigned long long x = strtoull(v, &end, 10);
	if (!*v || *v == '-' || *end) {
		meta_bad(m, key, v, "an unsigned integer");
		return;
	}
	*out = x;
}

static void read_enum(meta_reader *m, const char *key, const char *const *names, int n, int *out)
{
	const char *v = meta_get(m, key, false);
	if (!v)
		return;
	for (int i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return;
		}
	meta_bad(m, key, v, "a known name");
}

int qf_train_cfg_from_meta(const qf_graph *g, qf_train_cfg *c, const char *path, qf_diag *d)
{
	meta_reader m = {g, path, d, 0};
	read_int(&m, "train.epochs", false, 1, 1000000, &c->epochs);
	read_int(&m, "train.batch", false, 1, 1 << 16, &c->batch);
	read_int(&m, "train.threads", false, 1, 1024, &c->threads);
	read_u64(&m, "train.seed", &c->seed);
	int k = c->opt.kind;
	read_enum(&m, "train.opt", qf_opt_name, QF_OPT_COUNT, &k);
	c->opt.kind = (qf_opt_kind)k;
	read_float(&m, "train.momentum", 0, 1, &c->opt.momentum);
	int nest = c->opt.nesterov;
	read_int(&m, "train.nesterov", false, 0, 1, &nest);
	c->opt.nesterov = nest;
	read_float(&m, "train.weight_decay", 0, 1, &c->opt.weight_decay);
	read_float(&m, "train.beta1", 0, 1, &c->opt.beta1);
	read_float(&m, "train.beta2", 0, 1, &c->opt.beta2);
	read_float(&m, "train.eps", 0, 1, &c->opt.eps);
	k = c->sched;
	read_enum(&m, "train.sched", qf_sched_name, QF_SCHED_COUNT, &k);
	c->sched = (qf_sched_kind)k;
	read_double(&m, "train.lr", 0, 1e6, &c->lr);
	read_double(&m, "train.warmup", 0, 1e6, &c->warmup);
	read_float(&m, "train.smoothing", 0, 1, &c->smoothing);
	return m.bad ? -1 : 0;
}

static void save_cfg(qf_graph *g, const qf_train_cfg *c)
{
	meta_int(g, "train.epochs", c->epochs);
	meta_int(g, "train.batch", c->batch);
	meta_int(g, "train.threads", c->threads);
	meta_u64(g, "train.seed", c->seed);
	qf_graph_set_meta(g, "train.opt", qf_opt_name[c->opt.kind]);
	meta_double(g, "train.momentum", c->opt.momentum);
	meta_int(g, "train.nesterov", c->opt.nesterov);
	meta_double(g, "train.weight_decay", c->opt.weight_decay);
	meta_double(g, "train.beta1", c->opt.beta1);
	meta_double(g, "train.beta2", c->opt.beta2);
	meta_double(g, "train.eps", c->opt.eps);
	qf_graph_set_meta(g, "train.sched", qf_sched_name[c->sched]);
	meta_double(g, "train.lr", c->lr);
	meta_double(g, "train.warmup", c->warmup);
	meta_double(g, "train.smoothing", c->smoothing);
}

/* ------------------------------------------------------------ the loop */

typedef struct {
	qf_graph *g;
	const qf_dataset *ds;
	const qf_train_cfg *c;
	qf_diag *d;
	qf_engine *e;
	qf_optim *o;
	qf_param *params;
	qf_sched sched;
	qf_rng rng;
	int epoch;                   /* epochs completed */
	int64_t step;                /* optimiser steps taken */
	int64_t steps_per_epoch;
	int32_t *perm, *order;
	uint8_t *y;
} trainer;

/* Accuracy of the engine's network on s in eval mode, in percent. */
static double evaluate(qf_engine *e, const qf_dataset *ds, const qf_images *s, int batch, int classes,
		       int32_t *order, uint8_t *y, int64_t *confusion)
{
	int64_t hits = 0;
	for (int i = 0; i < s->n; i += batch) {
		int n = s->n - i < batch ? s->n - i : batch;
		for (int b = 0; b < n; b++)
			order[b] = i + b;
		qf_batch(ds, s, order, n, false, NULL, qf_engine_input(e), y);
		qf_engine_forward(e, n, false);
		const float *z = qf_engine_logits(e);
		for (int b = 0; b < n; b++) {
			const float *row = z + (int64_t)b * classes;
			int best = 0;
			for (int k = 1; k < classes; k++)
				if (row[k] > row[best])
					best = k;
			hits += best == y[b];
			if (confusion)
				confusion[y[b] * classes + best]++;
		}
	}
	return s->n ? 100.0 * (double)hits / s->n : -1.0;
}

/* The bar is this epoch's; the ETA is the run's (at this epoch's speed,
 * evaluation not counted). */
static void progress(FILE *f, int epoch, int epochs, int64_t done, int64_t total, double rate, double loss)
{
	enum { WIDTH = 24 };
	int fill = total ? (int)(WIDTH * done / total) : WIDTH;
	char bar[WIDTH + 1];
	for (int i = 0; i < WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[WIDTH] = 0;
	double left = (double)(total - done) + (double)(epochs - epoch) * (double)total;
	double eta = rate > 0 ? left / rate : 0;
	int e = (int)eta;
	fprintf(f, "\repoch %d/%d [%s] %3d%%  %6.0f img/s  loss %.4f  ETA %d:%02d:%02d \033[K", epoch, epochs, bar,
		total ? (int)(100 * done / total) : 100, rate, loss, e / 3600, e / 60 % 60, e % 60);
	fflush(f);
}

void qf_train_save_state(qf_graph *g, const qf_train_cfg *c, int epoch, int64_t step, const qf_rng *r)
{
	save_cfg(g, c);
	meta_int(g, "train.epoch", epoch);
	meta_int(g, "train.step", step);
	char rng[80];
	snprintf(rng, sizeof rng, "%016llx %016llx %016llx %016llx", (unsigned long long)r->s[0],
		 (unsigned long long)r->s[1], (unsigned long long)r->s[2], (unsigned long long)r->s[3]);
	qf_graph_set_meta(g, "train.rng", rng);
}

int qf_train_load_state(const qf_graph *g, const char *path, int64_t steps_per_epoch, int *epoch, int64_t *step,
			qf_rng *r, qf_diag *d)
{
	meta_reader m = {g, path, d, 0};
	read_int(&m, "train.epoch", true, 0, 1000000, epoch);
	long long st = 0;
	read_long(&m, "train.step", true, 0, INT64_MAX, &st);
	*step = st;
	const char *rng = meta_get(&m, "train.rng", true);
	if (m.bad)
		return -1;
	unsigned long long s[4];
	int used = 0;
	if (sscanf(rng, "%16llx %16llx %16llx %16llx%n", &s[0], &s[1], &s[2], &s[3], &used) != 4 ||
	    rng[used] || (s[0] | s[1] | s[2] | s[3]) == 0) {
		meta_bad(&m, "train.rng", rng, "four 64-bit hex words, not all zero");
		return -1;
	}
	for (int i = 0; i < 4; i++)
		r->s[i] = s[i];
	if (*step != (int64_t)*epoch * steps_per_epoch) {
		qf_diag_file_error(d, path, 0,
				   "checkpoint step %lld is not epoch %d x %lld steps: it was trained with "
				   "other data or batch size",
				   (long long)*step, *epoch, (long long)steps_per_epoch);
		return -1;
	}
	return 0;
}

void qf_train_drop_state(qf_graph *g, const char *prefix)
{
	size_t n = strlen(prefix);
	int j = 0;
	for (int i = 0; i < g->n_blobs; i++) {
		if (strncmp(g->blobs[i].name, prefix, n) == 0) {
			free(g->blobs[i].name);
			free(g->blobs[i].f);
		} else {
			g->blobs[j++] = g->blobs[i];
		}
	}
	g->n_blobs = j;
	j = 0;
	for (int i = 0; i < g->n_meta; i++) {
		if (strncmp(g->meta[i].key, prefix, n) == 0) {
			free(g->meta[i].key);
			free(g->meta[i].value);
		} else {
			g->meta[j++] = g->meta[i];
		}
	}
	g->n_meta = j;
}

static void write_state(trainer *t)
{
	qf_train_save_state(t->g, t->c, t->epoch, t->step, &t->rng);
	qf_optim_save(t->o, t->g);
}

static int read_state(trainer *t, const char *path)
{
	if (qf_train_load_state(t->g, path, t->steps_per_epoch, &t->epoch, &t->step, &t->rng, t->d) != 0)
		return -1;
	if (qf_optim_load(t->o, t->g, path, t->d) != 0)
		return -1;
	if (qf_optim_steps(t->o) != t->step) {
		qf_diag_file_error(t->d, path, 0, "optimiser step %lld does not match training step %lld",
				   (long long)qf_optim_steps(t->o), (long long)t->step);
		return -1;
	}
	return 0;
}

/* One epoch of training; -1 after reporting a diverged loss. */
static int train_epoch(trainer *t, qf_epoch_stats *st)
{
	const qf_train_cfg *c = t->c;
	const qf_images *s = &t->ds->train;
	double t0 = now(), last_draw = t0, loss_sum = 0, cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	int64_t hits = 0, seen = 0;
	qf_shuffle(t->perm, s->n, &t->rng);
	for (int i = 0; i < s->n; i += c->batch) {
		int n = s->n - i < c->batch ? s->n - i : c->batch;
		qf_batch(t->ds, s, t->perm + i, n, true, &t->rng, qf_engine_input(t->e), t->y);
		qf_engine_zero_grad(t->e);
		qf_engine_forward(t->e, n, true);
		int correct = 0;
		float loss = qf_engine_loss(t->e, t->y, n, c->smoothing, &correct);
		if (!isfinite(loss)) {
			qf_diag_error(t->d, (qf_loc){0, 0},
				      "training diverged in epoch %d at step %lld (loss %g); a lower --lr may help",
				      t->epoch + 1, (long long)t->step, (double)loss);
			return -1;
		}
		if (c->stop && *c->stop) {
			if (c->tty && c->log)
				fputs("\r\033[K", c->log);
			if (c->out && t->epoch > 0)
				qf_diag_error(t->d, (qf_loc){0, 0}, "interrupted in epoch %d; %s holds epoch %d",
					      t->epoch + 1, c->out, t->epoch);
			else
				qf_diag_error(t->d, (qf_loc){0, 0}, "interrupted in epoch %d", t->epoch + 1);
			return -1;
		}
		qf_engine_backward(t->e, n);
		qf_optim_step(t->o, (float)qf_sched_lr(&t->sched, t->step));
		t->step++;
		loss_sum += (double)loss * n;
		hits += correct;
		seen += n;
		if (c->log && c->tty) {
			double tn = now();
			if (tn - last_draw >= PROGRESS_EVERY_S || seen == s->n) {
				last_draw = tn;
				progress(c->log, t->epoch + 1, c->epochs, seen, s->n, (double)seen / (tn - t0),
					 loss_sum / (double)seen);
			}
		}
	}
	double t1 = now();
	*st = (qf_epoch_stats){
		.epoch = t->epoch + 1,
		.loss = loss_sum / (double)seen,
		.train_acc = 100.0 * (double)hits / (double)seen,
		.seconds = t1 - t0,
		.images_per_s = (double)seen / (t1 - t0),
		.cpu_seconds = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0,
	};
	return 0;
}

static void epoch_line(FILE *f, bool tty, int epochs, const qf_epoch_stats *st)
{
	if (tty)
		fputs("\r\033[K", f);
	fprintf(f, "epoch %d/%d: loss %.4f, train %.2f%%", st->epoch, epochs, st->loss, st->train_acc);
	if (st->val_acc >= 0)
		fprintf(f, ", val %.2f%%", st->val_acc);
	fprintf(f, ", test %.2f%% (%.0f img/s, %.1f s)\n", st->test_acc, st->images_per_s, st->seconds);
	fflush(f);
}

int qf_train(qf_graph *g, const qf_dataset *ds, const qf_train_cfg *c, const char *resume,
	     qf_epoch_stats *last, qf_diag *d)
{
	QF_ASSERT(c->epochs >= 1 && c->batch >= 1 && c->threads >= 1 && ds->train.n > 0);
	if (qf_dataset_check_input(ds, g, d) != 0)
		return -1;
	if (g->classes != ds->classes) {
		qf_diag_file_error(d, ds->train_path, 0, "the data has %d classes but the network '%s' gives %d",
				   ds->classes, g->name, g->classes);
		return -1;
	}
	trainer t = {.g = g, .ds = ds, .c = c, .d = d};
	t.e = qf_engine_new(g, c->batch, c->threads, d);
	if (!t.e)
		return -1;
	int np = qf_engine_n_params(t.e);
	t.params = qf_xcalloc((size_t)(np ? np : 1), sizeof(qf_param));
	for (int i = 0; i < np; i++)
		t.params[i] = *qf_engine_param(t.e, i);
	t.o = qf_optim_new(&c->opt, t.params, np);
	t.steps_per_epoch = (ds->train.n + c->batch - 1) / c->batch;
	qf_sched_init(&t.sched, c->sched, c->lr, (int64_t)c->epochs * t.steps_per_epoch);
	t.sched.warmup = (int64_t)llround(c->warmup * (double)t.steps_per_epoch);
	qf_rng_seed(&t.rng, c->seed);
	int rc = -1;
	if (resume) {
		if (read_state(&t, resume) != 0)
			goto out;
	} else {
		/* blobs of an earlier optimiser, or a QAT run's state, would
		 * ride along into the checkpoint as stale state */
		qf_train_drop_state(g, "opt.");
		qf_train_drop_state(g, "qat.");
	}
	t.perm = qf_xmalloc((size_t)(ds->train.n ? ds->train.n : 1) * sizeof(int32_t));
	t.order = qf_xmalloc((size_t)c->batch * sizeof(int32_t));
	t.y = qf_xmalloc((size_t)c->batch);
	int stop = c->stop_after > 0 && c->stop_after < c->epochs ? c->stop_after : c->epochs;
	qf_epoch_stats st = {.epoch = t.epoch, .val_acc = -1, .test_acc = -1};
	if (t.epoch >= stop && c->log)
		fprintf(c->log, "already trained %d of %d epochs\n", t.epoch, c->epochs);
	while (t.epoch < stop) {
		if (train_epoch(&t, &st) != 0)
			goto out;
		t.epoch++;
		st.val_acc = ds->val.n ? evaluate(t.e, ds, &ds->val, c->batch, ds->classes, t.order, t.y, NULL) : -1;
		st.test_acc = evaluate(t.e, ds, &ds->test, c->batch, ds->classes, t.order, t.y, NULL);
		write_state(&t);
		g->prov.accuracy = st.test_acc;
		char line[160];
		snprintf(line, sizeof line, "train epoch %d/%d: loss %.4f, test %.2f%% (%s, %s lr %g, batch %d, seed %llu)",
			 t.epoch, c->epochs, st.loss, st.test_acc, qf_opt_name[c->opt.kind], qf_sched_name[c->sched],
			 c->lr, c->batch, (unsigned long long)c->seed);
		qf_prov_add_history(g, line);
		if (c->out && qf_qfm_write(g, c->out, d) != 0)
			goto out;
		if (c->log)
			epoch_line(c->log, c->tty, c->epochs, &st);
		if (c->on_epoch)
			c->on_epoch(c->ctx, &st);
	}
	if (last)
		*last = st;
	rc = 0;
out:
	free(t.perm);
	free(t.order);
	free(t.y);
	qf_optim_free(t.o);
	free(t.params);
	qf_engine_free(t.e);
	return rc;
}

double qf_evaluate(qf_graph *g, const qf_dataset *ds, const qf_images *s, int batch, int threads,
		   int64_t *confusion, qf_diag *d)
{
	if (qf_dataset_check_input(ds, g, d) != 0)
		return -1;
	if (g->classes != ds->classes) {
		qf_diag_file_error(d, ds->test_path, 0, "the data has %d classes but the network '%s' gives %d",
				   ds->classes, g->name, g->classes);
		return -1;
	}
	qf_engine *e = qf_engine_new(g, batch, threads, d);
	if (!e)
		return -1;
	int32_t *order = qf_xmalloc((size_t)batch * sizeof(int32_t));
	uint8_t *y = qf_xmalloc((size_t)batch);
	if (confusion)
		memset(confusion, 0, (size_t)ds->classes * (size_t)ds->classes * sizeof(int64_t));
	double acc = evaluate(e, ds, s, batch, ds->classes, order, y, confusion);
	free(order);
	free(y);
	qf_engine_free(e);
	return acc;
}
