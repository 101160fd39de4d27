/* sched.c: learning rate as a function of the optimiser step.
 *
 * One-cycle is PyTorch's OneCycleLR (two phases, cosine annealing, the
 * same phase boundaries and defaults), so the benchmark's schedule is the
 * peer's to the last bit of a double. Cosine and constant take a linear
 * warm-up first. Pure functions of the step: a resumed run needs only the
 * step count to be back on the curve.
 */
#include <math.h>

#include "interp.h"

const char *const qf_sched_name[QF_SCHED_COUNT] = {"onecycle", "cosine", "constant"};

void qf_sched_init(qf_sched *s, qf_sched_kind kind, double lr, int64_t total)
{
	QF_ASSERT(kind >= 0 && kind < QF_SCHED_COUNT);
	*s = (qf_sched){
		.kind = kind,
		.lr = lr,
		.total = total,
		.warmup = 0,
		.pct_start = 0.3,
		.div_factor = 25.0,
		.final_div = 1e4,
		.min_lr = 0.0,
	};
}

/* From a to b as pct goes from 0 to 1, along half a cosine. */
static double anneal_cos(double a, double b, double pct)
{
	return b + (a - b) / 2.0 * (cos(M_PI * pct) + 1.0);
}

static double onecycle(const qf_sched *s, int64_t step)
{
	double initial = s->lr / s->div_factor, final = initial / s->final_div;
	/* OneCycleLR's phase ends are step indices: the rise ends at step
	 * pct_start * total - 1 and the fall at total - 1. */
	double end1 = s->pct_start * (double)s->total - 1.0, end2 = (double)s->total - 1.0;
	double t = (double)step;
	if (t <= end1)
		return anneal_cos(initial, s->lr, end1 > 0 ? t / end1 : 1.0);
	double len = end2 - end1;
	return anneal_cos(s->lr, final, len > 0 ? (t - end1) / len : 1.0);
}

double qf_sched_lr(const qf_sched *s, int64_t step)
{
	QF_ASSERT(step >= 0);
	if (s->total > 0 && step >= s->total)
		step = s->total - 1;
	switch (s->kind) {
	case QF_SCHED_ONECYCLE:
		return onecycle(s, step);
	case QF_SCHED_COSINE:
	case QF_SCHED_CONSTANT:
		if (step < s->warmup)
			return s->lr * (double)(step + 1) / (double)s->warmup;
		if (s->kind == QF_SCHED_CONSTANT)
			return s->lr;
		{
			int64_t len = s->total - s->warmup;
			double pct = len > 1 ? (double)(step - s->warmup) / (double)(len - 1) : 1.0;
			return anneal_cos(s->lr, s->min_lr, pct);
		}
	default:
		qf_die("schedule kind %d", (int)s->kind);
	}
}
