/* test_fakequant.c: the fake quantizers and GradBoost against formulas
 * computed here independently.
 *
 * Forward: (clamp(round(x/s) + z, qmin, qmax) - z) s with rounding half
 * to even written out by hand. Gradients: straight-through estimators are
 * not derivatives of the rounded function, so they are checked against
 * finite differences of a surrogate in which every rounding residual
 * (x/s, z, log2 s) is frozen at the point of evaluation: the surrogate is
 * smooth, agrees with the quantizer there, and its derivative is what a
 * straight-through gradient means. Elements held at a clamp have a true
 * derivative, checked against the real function. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "interp/interp.h"

/* Round half to even, by hand. */
static double round_even(double t)
{
	double f = floor(t), frac = t - f;
	if (frac > 0.5 || (frac == 0.5 && fmod(f, 2.0) != 0))
		f += 1;
	return f;
}

static double ref_fq(float x, float s, int z, int qmin, int qmax)
{
	double u = (double)(float)((double)x / (double)s); /* float division, correctly rounded */
	double q = round_even(u) + z;
	q = q < qmin ? qmin : q > qmax ? qmax : q;
	return (q - z) * (double)s;
}

static void fill(qf_rng *r, float *x, int n, double scale)
{
	for (int i = 0; i < n; i++)
		x[i] = (float)(qf_rng_normal(r) * scale);
}

/* ------------------------------------------------------------ forward */

static void test_range(void **state)
{
	(void)state;
	int lo, hi;
	qf_fq_range(8, true, &lo, &hi);
	assert_int_equal(lo, -127);
	assert_int_equal(hi, 127);
	qf_fq_range(8, false, &lo, &hi);
	assert_int_equal(lo, -128);
	assert_int_equal(hi, 127);
	qf_fq_range(4, false, &lo, &hi);
	assert_int_equal(lo, -8);
	assert_int_equal(hi, 7);
	qf_fq_range(2, true, &lo, &hi);
	assert_int_equal(lo, -1);
	assert_int_equal(hi, 1);
	qf_fq_range(3, true, &lo, &hi);
	assert_int_equal(lo, -3);
	assert_int_equal(hi, 3);
}

static void test_forward_matches_formula(void **state)
{
	(void)state;
	qf_rng r;
	qf_rng_seed(&r, 7);
	enum { N = 4000 };
	static float x[N], y[N];
	int checked = 0, clamped = 0;
	for (int bits = 2; bits <= 8; bits++)
		for (int sym = 0; sym <= 1; sym++) {
			int qmin, qmax;
			qf_fq_range(bits, sym, &qmin, &qmax);
			for (int trial = 0; trial < 4; trial++) {
				float s = (float)(0.01 + qf_rng_uniform(&r));
				int z = sym ? 0 : qmin + (int)qf_rng_below(&r, (uint32_t)(qmax - qmin + 1));
				fill(&r, x, N, s * (qmax - qmin) * 0.4);
				/* exact ties: k + 1/2 steps */
				for (int i = 0; i < 64; i++)
					x[i] = (float)((i - 32) + 0.5) * s;
				qf_fq q = {s, (float)z, (float)qmin, (float)qmax, 0};
				qf_fq_forward(&q, x, y, N);
				for (int i = 0; i < N; i++) {
					double want = ref_fq(x[i], s, z, qmin, qmax);
					if (fabs(y[i] - want) > 1e-6 * fabs(want) + 1e-7)
						fail_msg("bits %d sym %d: x %.9g s %.9g z %d: got %.9g want %.9g", bits, sym,
							 (double)x[i], (double)s, z, (double)y[i], want);
					checked++;
					clamped += fabs(y[i] - x[i]) > s;
				}
				/* in place gives the same */
				float x2[64];
				memcpy(x2, x, sizeof x2);
				qf_fq_forward(&q, x2, x2, 64);
				assert_memory_equal(x2, y, sizeof x2);
			}
		}
	assert_true(checked == 7 * 2 * 4 * N);
	assert_true(clamped > 100); /* the clamps were exercised */
}

static void test_forward_idempotent_on_grid(void **state)
{
	(void)state;
	/* Values already on the grid come back bit for bit. */
	qf_fq q = {0.0625f, -3, -8, 7, 0};
	float x[16], y[16];
	for (int i = 0; i < 16; i++)
		x[i] = (float)(i - 8 + 3) * 0.0625f;
	qf_fq_forward(&q, x, y, 16);
	assert_memory_equal(x, y, sizeof x);
}

/* ------------------------------------------------------------ backward */

static void test_ste_and_clamp_gradient(void **state)
{
	(void)state;
	qf_rng r;
	qf_rng_seed(&r, 3);
	enum { N = 2000 };
	static float x[N], dy[N], dx[N];
	for (int sym = 0; sym <= 1; sym++) {
		int qmin, qmax;
		qf_fq_range(4, sym, &qmin, &qmax);
		float s = 0.3f, z = sym ? 0 : -5;
		fill(&r, x, N, 2.0);
		fill(&r, dy, N, 1.0);
		qf_fq q = {s, z, (float)qmin, (float)qmax, 0};
		qf_fq_grad g = {0};
		qf_fq_backward(&q, x, dy, dx, N, false, &g);
		double ds = 0, dz = 0, dlo = 0, dhi = 0;
		int inside = 0;
		for (int i = 0; i < N; i++) {
			double u = (double)(float)((double)x[i] / s), rr = round_even(u), v = rr + z;
			if (v < qmin) {
				assert_true(dx[i] == 0);
				ds += dy[i] * (qmin - z);
				dz -= dy[i] * s;
				dlo += dy[i] * s;
			} else if (v > qmax) {
				assert_true(dx[i] == 0);
				ds += dy[i] * (qmax - z);
				dz -= dy[i] * s;
				dhi += dy[i] * s;
			} else {
				assert_true(dx[i] == dy[i]);
				ds += dy[i] * (rr - u);
				inside++;
			}
		}
		assert_true(inside > 100 && inside < N - 100);
		assert_float_equal(g.ds, ds, 1e-6 * (fabs(ds) + 1));
		assert_float_equal(g.dz, dz, 1e-6 * (fabs(dz) + 1));
		assert_float_equal(g.dqmin, dlo, 1e-6 * (fabs(dlo) + 1));
		assert_float_equal(g.dqmax, dhi, 1e-6 * (fabs(dhi) + 1));
		/* accumulate adds */
		float dx2[N];
		for (int i = 0; i < N; i++)
			dx2[i] = 1;
		qf_fq_backward(&q, x, dy, dx2, N, true, NULL);
		for (int i = 0; i < N; i++)
			assert_true(dx2[i] == dx[i] + 1);
	}
}

/* The clamp derivative with respect to s is a true derivative: check it
 * against central differences of the real function where every element
 * is clamped. */
static void test_lsq_clamp_fd(void **state)
{
	(void)state;
	float x[6] = {-9, -7.5f, -6, 5, 6.5f, 8};
	float w[6] = {0.3f, -1.2f, 0.7f, 1.1f, -0.4f, 0.9f};
	const float s = 0.5f, z = -2;
	const int qmin = -8, qmax = 7;
	qf_fq q = {s, z, qmin, qmax, 0};
	qf_fq_grad g = {0};
	qf_fq_backward(&q, x, w, NULL, 6, false, &g);
	double h = 1e-3, lp = 0, lm = 0;
	for (int i = 0; i < 6; i++) {
		lp += w[i] * ref_fq(x[i], s + (float)h, (int)z, qmin, qmax);
		lm += w[i] * ref_fq(x[i], s - (float)h, (int)z, qmin, qmax);
	}
	assert_float_equal(g.ds, (lp - lm) / (2 * h), 1e-3);
}

/* Surrogate of a parametrised quantizer at continuous (theta, lo, b) with
 * the roundings of the point p0, bits0 frozen. */
typedef struct {
	const float *x;
	int n;
	bool sym, pow2;
	double *res;                 /* per element: rint(u) - u, or NAN below / INFINITY above */
	double res_z, res_p;         /* z and log2 s roundings */
	int zclamp;                  /* 0 free, -1 at qmin, +1 at qmax */
} surrogate;

static void sur_step(const surrogate *S, double theta, double lo, double b, double *s, double *z, double *qmin,
		     double *qmax)
{
	*qmax = exp2(b - 1) - 1;
	*qmin = S->sym ? -*qmax : -exp2(b - 1);
	double L = *qmax - *qmin, D = S->pow2 ? exp2(theta) : theta;
	*s = S->pow2 ? exp2(log2(D / L) + S->res_p) : D / L;
	*z = S->sym ? 0 : S->zclamp < 0 ? *qmin : S->zclamp > 0 ? *qmax : *qmin - lo / *s + S->res_z;
}

static double sur_loss(const surrogate *S, const float *w, double theta, double lo, double b)
{
	double s, z, qmin, qmax, l = 0;
	sur_step(S, theta, lo, b, &s, &z, &qmin, &qmax);
	for (int i = 0; i < S->n; i++) {
		double y = isnan(S->res[i]) ? (qmin - z) * s : isinf(S->res[i]) ? (qmax - z) * s
										  : S->x[i] + S->res[i] * s;
		l += w[i] * y;
	}
	return l;
}

static void check_chain(bool sym, bool pow2, int bits, uint64_t seed)
{
	enum { N = 3000 };
	static float x[N], w[N];
	static double res[N];
	qf_rng r;
	qf_rng_seed(&r, seed);
	qf_fq_param p = {sym, pow2, 0, 0};
	double D = 2.0 + qf_rng_uniform(&r);
	p.theta = (float)(pow2 ? log2(D) : D);
	p.lo = sym ? 0 : (float)(-0.27 * D); /* z away from a rounding tie */
	qf_fq q = qf_fq_make(&p, bits, 0);
	fill(&r, x, N, 0.45 * D);
	if (!sym)
		for (int i = 0; i < N; i++)
			x[i] += (float)(0.2 * D);
	fill(&r, w, N, 1.0);
	/* keep elements away from rounding ties and clamp edges, where the
	 * frozen pattern would change under the perturbation */
	int kept = 0;
	for (int i = 0; i < N; i++) {
		double u = x[i] / q.s, fr = u - floor(u);
		if (fabs(fr - 0.5) < 0.02 || fabs(u + q.z - q.qmin + 0.5) < 0.05 || fabs(u + q.z - q.qmax - 0.5) < 0.05)
			w[i] = 0;
		else
			kept++;
	}
	assert_true(kept > N / 2);
	qf_fq_grad g = {0};
	qf_fq_backward(&q, x, w, NULL, N, false, &g);
	double dth, dlo, db;
	qf_fq_chain(&p, bits, &g, &dth, &dlo, &db);

	int qmin, qmax;
	qf_fq_range(bits, sym, &qmin, &qmax);
	surrogate S = {x, N, sym, pow2, res, 0, 0, 0};
	double L = qmax - qmin, Dn = pow2 ? exp2(p.theta) : p.theta;
	S.res_p = pow2 ? round(log2(Dn / L)) - log2(Dn / L) : 0;
	if (!sym) {
		double zr = qmin - p.lo / q.s;
		S.res_z = round_even(zr) - zr;
	}
	for (int i = 0; i < N; i++) {
		double u = (double)(float)((double)x[i] / q.s), rr = round_even(u), v = rr + q.z;
		res[i] = v < qmin ? NAN : v > qmax ? INFINITY : rr - u;
	}
	/* the surrogate agrees with the quantizer at the point */
	double l0 = 0;
	for (int i = 0; i < N; i++)
		l0 += w[i] * ref_fq(x[i], q.s, (int)q.z, qmin, qmax);
	if (fabs(sur_loss(&S, w, p.theta, p.lo, bits) - l0) > 1e-3 * (fabs(l0) + 1))
		fail_msg("sym %d pow2 %d bits %d: surrogate %g, quantizer %g", sym, pow2, bits,
			 sur_loss(&S, w, p.theta, p.lo, bits), l0);

	double h = 1e-4;
	double fth = (sur_loss(&S, w, p.theta + h, p.lo, bits) - sur_loss(&S, w, p.theta - h, p.lo, bits)) / (2 * h);
	double fb = (sur_loss(&S, w, p.theta, p.lo, bits + h) - sur_loss(&S, w, p.theta, p.lo, bits - h)) / (2 * h);
	assert_float_equal(dth, fth, 2e-3 * (fabs(fth) + 1));
	assert_float_equal(db, fb, 2e-3 * (fabs(fb) + 1));
	if (!sym) {
		double flo = (sur_loss(&S, w, p.theta, p.lo + h, bits) - sur_loss(&S, w, p.theta, p.lo - h, bits)) / (2 * h);
		assert_float_equal(dlo, flo, 2e-3 * (fabs(flo) + 1));
		assert_true(fabs(flo) > 1e-3); /* the offset does move the loss */
	}
	assert_true(fabs(fth) > 1e-3 && fabs(fb) > 1e-3);
}

static void test_chain_fd(void **state)
{
	(void)state;
	uint64_t seed = 11;
	for (int bits = 2; bits <= 8; bits += 2)
		for (int sym = 0; sym <= 1; sym++)
			for (int pow2 = 0; pow2 <= 1; pow2++)
				check_chain(sym, pow2, bits, seed++);
	check_chain(true, false, 3, 99);
}

/* ds/dtheta as qf_fq_dstep gives it, and the preconditioned step moving s
 * as LSQ's would. */
static void test_dstep_and_precondition(void **state)
{
	(void)state;
	qf_fq_param p = {true, false, 3.0f, 0};
	double J = qf_fq_dstep(&p, 8);
	assert_float_equal(J, 1.0 / 254, 1e-12);
	qf_fq q0 = qf_fq_make(&p, 8, 0);
	assert_float_equal(q0.s, 3.0 / 254, 1e-7);
	/* an LSQ step of size e on s, mapped to theta */
	double e = 1e-4, dL_ds = 2.5;
	double dL_dth = dL_ds * J;
	p.theta -= (float)(e * dL_dth / (J * J));
	qf_fq q1 = qf_fq_make(&p, 8, 0);
	assert_float_equal(q1.s, q0.s - e * dL_ds, 1e-7);

	qf_fq_param p2 = {false, true, 2.0f, -1.0f};
	qf_fq q2 = qf_fq_make(&p2, 8, 0);
	assert_float_equal(qf_fq_dstep(&p2, 8), q2.s * M_LN2, 1e-12);
	assert_float_equal(qf_lsq_gscale(100, 8, true), 1 / sqrt(100.0 * 127), 1e-12);
	assert_float_equal(qf_lsq_gscale(100, 4, false), 1 / sqrt(100.0 * 15), 1e-12);
}

static void test_pow2_steps(void **state)
{
	(void)state;
	qf_rng r;
	qf_rng_seed(&r, 5);
	for (int i = 0; i < 500; i++) {
		qf_fq_param p = {i % 2 == 0, true, (float)(qf_rng_uniform(&r) * 20 - 10), 0};
		int bits = 2 + (int)qf_rng_below(&r, 7);
		qf_fq q = qf_fq_make(&p, bits, 0);
		int ex;
		float m = frexpf(q.s, &ex);
		assert_true(m == 0.5f);
		/* nearest power of two to D/L in the log domain */
		int qmin, qmax;
		qf_fq_range(bits, p.symmetric, &qmin, &qmax);
		double want = log2(exp2(p.theta) / (qmax - qmin));
		assert_true(fabs(log2(q.s) - want) <= 0.5 + 1e-9);
	}
}

static void test_asymmetric_zero_point(void **state)
{
	(void)state;
	/* a ReLU range [0, 2.55] at 8 bits: z at qmin, step 0.01 */
	qf_fq_param p = {false, false, 2.55f, 0};
	qf_fq q = qf_fq_make(&p, 8, 0);
	assert_float_equal(q.s, 0.01, 1e-7);
	assert_true(q.z == -128);
	/* [-1, 1.55]: zero exact, so z = qmin + 100 */
	p.lo = -1.0f;
	q = qf_fq_make(&p, 8, 0);
	assert_true(q.z == -28);
	float x = 0, y;
	qf_fq_forward(&q, &x, &y, 1);
	assert_true(y == 0);
}

static void test_gradmod(void **state)
{
	(void)state;
	const float s = 1.0f, delta = 0.4f;
	qf_fq q = {s, 0, -127, 127, delta};
	/* x above its rounding point (r = +0.25): descent with dy > 0 moves x
	 * down, toward 3: boosted; dy < 0 moves it up, away: damped */
	float x[4] = {3.25f, 3.25f, -2.25f, -2.25f}, dy[4] = {1, -1, 1, -1}, dx[4];
	qf_fq_backward(&q, x, dy, dx, 4, false, NULL);
	assert_float_equal(dx[0], 1 * (1 + delta * 0.25), 1e-6);
	assert_float_equal(dx[1], -1 * (1 - delta * 0.25), 1e-6);
	/* x = -2.25 is above -2... no: rint(-2.25) = -2, r = -0.25: x below
	 * its rounding point. dy > 0 moves it further down: damped. */
	assert_float_equal(dx[2], 1 * (1 - delta * 0.25), 1e-6);
	assert_float_equal(dx[3], -1 * (1 + delta * 0.25), 1e-6);
	/* and it always points the update toward the rounding point harder
	 * than away from it */
	qf_rng r;
	qf_rng_seed(&r, 9);
	enum { M = 1000 };
	static float xs[M], ds[M], gs[M];
	for (int i = 0; i < M; i++) {
		xs[i] = (float)(qf_rng_normal(&r) * 20);
		ds[i] = (float)qf_rng_normal(&r);
	}
	/* all at once: the vector path */
	qf_fq_backward(&q, xs, ds, gs, M, false, NULL);
	int toward_n = 0;
	for (int i = 0; i < M; i++) {
		float xi = xs[i], di = ds[i], gi = gs[i];
		if (fabsf(xi) > 127)
			continue;
		float res = xi - rintf(xi);
		/* the update -gi moves x by -gi; toward rint(x) means -gi and res of opposite signs */
		bool toward = (-di) * res < 0;
		toward_n += toward;
		assert_float_equal(gi, di * (1 + delta * (di > 0 ? res : -res)), 1e-5);
		if (res != 0 && di != 0)
			assert_true(toward ? fabsf(gi) >= fabsf(di) : fabsf(gi) <= fabsf(di));
	}
	assert_true(toward_n > 300 && toward_n < 700);
}

static void test_round_bits(void **state)
{
	(void)state;
	int32_t set[3] = {2, 4, 8};
	assert_int_equal(qf_fq_round_bits(2.9f, set, 3), 2);
	assert_int_equal(qf_fq_round_bits(3.0f, set, 3), 4); /* tie: wider */
	assert_int_equal(qf_fq_round_bits(5.9f, set, 3), 4);
	assert_int_equal(qf_fq_round_bits(6.1f, set, 3), 8);
	assert_int_equal(qf_fq_round_bits(-3.0f, set, 3), 2);
	assert_int_equal(qf_fq_round_bits(11.0f, set, 3), 8);
	int32_t all[7] = {2, 3, 4, 5, 6, 7, 8};
	assert_int_equal(qf_fq_round_bits(4.4f, all, 7), 4);
	assert_int_equal(qf_fq_round_bits(4.6f, all, 7), 5);
}

/* ------------------------------------------------------------ GradBoost */

static void test_gradboost(void **state)
{
	(void)state;
	enum { N = 4000 };
	static float w[2][N], g[2][N], g0[2][N];
	qf_param p[2] = {{0, w[0], g[0], N, true}, {1, w[1], g[1], N, false}};
	qf_gradboost_cfg c;
	qf_gradboost_defaults(&c);
	assert_float_equal(c.beta, 0.9, 0);
	c.warmup = 2;
	c.decay = 0.1;
	qf_gradboost *b = qf_gradboost_new(&c, p, 2, 42);
	qf_rng r;
	qf_rng_seed(&r, 1);
	double mn[2] = {0, 0}, mx[2] = {0, 0};
	for (int step = 1; step <= 6; step++) {
		for (int t = 0; t < 2; t++) {
			fill(&r, g[t], N, t ? 1e-3 : 1e-2);
			g[t][7] = 0;
			memcpy(g0[t], g[t], sizeof g0[t]);
			float lo = INFINITY, hi = 0;
			for (int i = 0; i < N; i++) {
				lo = fminf(lo, fabsf(g[t][i]));
				hi = fmaxf(hi, fabsf(g[t][i]));
			}
			mn[t] = 0.9 * mn[t] + 0.1 * lo;
			mx[t] = 0.9 * mx[t] + 0.1 * hi;
		}
		qf_gradboost_step(b);
		assert_int_equal(qf_gradboost_steps(b), step);
		double corr = 1 - pow(0.9, step);
		for (int t = 0; t < 2; t++) {
			double smin, smax;
			qf_gradboost_stats(b, t, &smin, &smax);
			assert_float_equal(smin, mn[t] / corr, 1e-9);
			assert_float_equal(smax, mx[t] / corr, 1e-9);
			double amp = (smax - smin) * pow(0.9, step - 1 - 2);
			int changed = 0;
			for (int i = 0; i < N; i++) {
				float d = g[t][i] - g0[t][i];
				if (step <= 2) {
					assert_true(d == 0);
					continue;
				}
				if (d == 0)
					continue;
				changed++;
				assert_true((d > 0) == (g0[t][i] > 0));                /* along the gradient */
				assert_true(fabsf(d) <= 1e-3f * 1.0001f);             /* clipped */
				assert_true(fabsf(d) <= amp * 40 + 1e-12);            /* scaled by the spread */
			}
			assert_true(g[t][7] == 0); /* a zero gradient gets no kick */
			if (step > 2)
				assert_true(changed > N / 2 - 200 && changed < N / 2 + 200); /* a fair coin */
		}
	}
	qf_gradboost_free(b);

	/* the same seed gives the same kicks */
	float a1[N], a2[N];
	for (int k = 0; k < 2; k++) {
		float *a = k ? a2 : a1;
		qf_param q1 = {0, w[0], a, N, true};
		qf_gradboost_cfg c2;
		qf_gradboost_defaults(&c2);
		qf_gradboost *b2 = qf_gradboost_new(&c2, &q1, 1, 5);
		qf_rng_seed(&r, 8);
		fill(&r, a, N, 1e-2);
		qf_gradboost_step(b2);
		qf_gradboost_free(b2);
	}
	assert_memory_equal(a1, a2, sizeof a1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_forward_matches_formula),
		cmocka_unit_test(test_forward_idempotent_on_grid),
		cmocka_unit_test(test_ste_and_clamp_gradient),
		cmocka_unit_test(test_lsq_clamp_fd),
		cmocka_unit_test(test_chain_fd),
		cmocka_unit_test(test_dstep_and_precondition),
		cmocka_unit_test(test_pow2_steps),
		cmocka_unit_test(test_asymmetric_zero_point),
		cmocka_unit_test(test_gradmod),
		cmocka_unit_test(test_round_bits),
		cmocka_unit_test(test_gradboost),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
