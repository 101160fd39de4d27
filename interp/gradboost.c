/* gradboost.c: GradBoost (FrostNet), as its released code does it.
 *
 * Rounding in the forward pass makes the loss flat in steps and noisy
 * between them; SGD settles in the first flat spot. GradBoost adds to each
 * gradient, before the optimiser sees it, a kick in the gradient's own
 * direction whose size follows the spread of that tensor's gradients and
 * decays over training:
 *     g += clip(|Laplace(0,1)| (max - min) (1 - d)^t coin sign(g), +-clip)
 * with min and max the bias-corrected running averages (beta) of the
 * smallest and largest |g| of the tensor, coin a fair 0/1 per element, and
 * t the steps since the warm-up ended (warm-up steps only feed the
 * averages). |Laplace(0,1)| is an Exp(1) draw, -log(1 - u).
 *
 * Draws come from one seeded generator in parameter and element order, so
 * a run is reproducible for a seed; the averages, the step count and the
 * generator go into a checkpoint (qf_gradboost_save), so a resumed run is
 * the same run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "interp.h"

struct qf_gradboost {
	qf_gradboost_cfg c;
	qf_param *p;
	int n;
	double *mmin, *mmax;         /* running averages, not yet bias-corrected */
	int64_t steps;
	qf_rng rng;
};

void qf_gradboost_defaults(qf_gradboost_cfg *c)
{
	c->beta = 0.9;
	c->decay = 5e-4;
	c->clip = 1e-3;
	c->warmup = 0;
}

qf_gradboost *qf_gradboost_new(const qf_gradboost_cfg *c, qf_param *params, int n, uint64_t seed)
{
	QF_ASSERT(n >= 0 && c->beta >= 0 && c->beta < 1 && c->decay >= 0 && c->decay < 1 && c->clip >= 0);
	qf_gradboost *b = qf_xcalloc(1, sizeof(*b));
	b->c = *c;
	b->p = params;
	b->n = n;
	b->mmin = qf_xcalloc((size_t)(n ? n : 1), sizeof(double));
	b->mmax = qf_xcalloc((size_t)(n ? n : 1), sizeof(double));
	qf_rng_seed(&b->rng, seed);
	return b;
}

void qf_gradboost_free(qf_gradboost *b)
{
	if (!b)
		return;
	free(b->mmin);
	free(b->mmax);
	free(b);
}

int64_t qf_gradboost_steps(const qf_gradboost *b)
{
	return b->steps;
}

void qf_gradboost_stats(const qf_gradboost *b, int i, double *min, double *max)
{
	QF_ASSERT(i >= 0 && i < b->n);
	double corr = b->steps ? 1 - pow(b->c.beta, (double)b->steps) : 1;
	*min = b->steps ? b->mmin[i] / corr : 0;
	*max = b->steps ? b->mmax[i] / corr : 0;
}

void qf_gradboost_step(qf_gradboost *b)
{
	const double beta = b->c.beta;
	b->steps++;
	for (int i = 0; i < b->n; i++) {
		const qf_param *p = &b->p[i];
		if (p->n == 0)
			continue;
		float lo = fabsf(p->grad[0]), hi = lo;
		for (int64_t k = 1; k < p->n; k++) {
			float a = fabsf(p->grad[k]);
			lo = a < lo ? a : lo;
			hi = a > hi ? a : hi;
		}
		b->mmin[i] = beta * b->mmin[i] + (1 - beta) * lo;
		b->mmax[i] = beta * b->mmax[i] + (1 - beta) * hi;
	}
	int64_t t = b->steps - 1 - b->c.warmup;
	if (t < 0)
		return;
	const double fade = pow(1 - b->c.decay, (double)t), clip = b->c.clip;
	for (int i = 0; i < b->n; i++) {
		const qf_param *p = &b->p[i];
		double mn, mx;
		qf_gradboost_stats(b, i, &mn, &mx);
		double amp = (mx - mn) * fade;
		for (int64_t k = 0; k < p->n; k++) {
			uint64_t r = qf_rng_u64(&b->rng);
			/* one draw: the top bit is the coin, the rest the uniform */
			if (!(r >> 63))
				continue;
			float gk = p->grad[k];
			if (gk == 0)
				continue;
			double u = (double)(r & ((1ull << 53) - 1)) * 0x1.0p-53;
			double v = -log1p(-u) * amp;
			v = v > clip ? clip : v;
			p->grad[k] = gk + (float)(gk > 0 ? v : -v);
		}
	}
}

/* Meta entries: "gradboost" holds the step count, the parameter count
 * and the generator; "gradboost.<i>" the two averages of parameter i,
 * each to 17 digits so that they come back bit for bit. */
void qf_gradboost_save(const qf_gradboost *b, qf_graph *g)
{
	char v[160];
	snprintf(v, sizeof v, "%lld %d %016llx %016llx %016llx %016llx", (long long)b->steps, b->n,
		 (unsigned long long)b->rng.s[0], (unsigned long long)b->rng.s[1], (unsigned long long)b->rng.s[2],
		 (unsigned long long)b->rng.s[3]);
	qf_graph_set_meta(g, "gradboost", v);
	for (int i = 0; i < b->n; i++) {
		char key[32];
		snprintf(key, sizeof key, "gradboost.%d", i);
		snprintf(v, sizeof v, "%.17g %.17g", b->mmin[i], b->mmax[i]);
		qf_graph_set_meta(g, key, v);
	}
}

int qf_gradboost_load(qf_gradboost *b, const qf_graph *g, const char *path, qf_diag *d)
{
	const char *v = qf_graph_meta(g, "gradboost");
	long long steps;
	unsigned long long s[4];
	int n, used = 0;
	if (!v || sscanf(v, "%lld %d %16llx %16llx %16llx %16llx%n", &steps, &n, &s[0], &s[1], &s[2], &s[3], &used) != 6 ||
	    v[used] || steps < 0 || n != b->n || (s[0] | s[1] | s[2] | s[3]) == 0) {
		qf_diag_file_error(d, path, 0, "GradBoost state 'gradboost' is %s%s%s (expected a step count, %d, and "
				   "four 64-bit hex words)", v ? "'" : "missing", v ? v : "", v ? "'" : "", b->n);
		return -1;
	}
	for (int i = 0; i < b->n; i++) {
		char key[32];
		snprintf(key, sizeof key, "gradboost.%d", i);
		const char *m = qf_graph_meta(g, key);
		used = 0;
		if (!m || sscanf(m, "%lf %lf%n", &b->mmin[i], &b->mmax[i], &used) != 2 || m[used] ||
		    !(b->mmin[i] >= 0 && b->mmax[i] >= 0)) {
			qf_diag_file_error(d, path, 0, "GradBoost state '%s' is missing or malformed", key);
			return -1;
		}
	}
	b->steps = steps;
	for (int k = 0; k < 4; k++)
		b->rng.s[k] = s[k];
	return 0;
}
