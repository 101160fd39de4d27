/* fakequant.c: fake quantizers with straight-through gradients, and the
 * parametrisation that turns learned ranges and bit-widths into steps.
 *
 * The kernels work on flat arrays of one quantizer entry (a channel of a
 * weight, a block of an activation), so the engine can call them while it
 * packs weights or in a GEMM epilogue, and a caller that splits the work
 * between threads sums the double partials of qf_fq_grad in a fixed order.
 *
 * Everything here is the arithmetic of docs/qat.md; the tests derive each
 * formula independently (tests/unit/test_fakequant.c). */
#include <math.h>

#include "interp/engine_internal.h"

void qf_fq_range(int bits, bool symmetric, int *qmin, int *qmax)
{
	QF_ASSERT(bits >= 2 && bits <= 16);
	int half = 1 << (bits - 1);
	*qmax = half - 1;
	*qmin = symmetric ? -(half - 1) : -half;
}

/* The kernels run over 16 lanes at a time with GCC vector extensions,
 * compiled for AVX-512, AVX2 and baseline, the copy picked at load time
 * (as the engine's element-wise kernels). In the vector loop rint is the
 * add-and-subtract of 1.5 * 2^23, which rounds half to even in the default
 * rounding mode for |u| < 2^22; u is first clamped to one step past the
 * integer range, which changes no result (anything beyond clamps anyway)
 * and keeps it small. */
#define VL 16
typedef float vf __attribute__((vector_size(64), aligned(4), may_alias));
typedef int32_t vi __attribute__((vector_size(64), aligned(4), may_alias));
#define CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define SPLAT(x) ((vf){0} + (float)(x))
#define SEL(m, a, b) ((vf)(((vi)(a) & (m)) | ((vi)(b) & ~(m))))
#define MAGIC 12582912.0f /* 1.5 * 2^23 */

static inline float round_even(float u)
{
	return rintf(u);
}

CLONES static void fq_fwd(const qf_fq *q, const float *x, float *y, int64_t n)
{
	/* Division, not a multiply by 1/s: the integer conversion divides,
	 * and x * (1/s) can land on the other side of a tie. */
	const float s = q->s, z = q->z, lo = q->qmin, hi = q->qmax, ulo = lo - z - 1, uhi = hi - z + 1;
	const vf vs = SPLAT(s), vz = SPLAT(z), vlo = SPLAT(lo), vhi = SPLAT(hi), vulo = SPLAT(ulo), vuhi = SPLAT(uhi),
		 vm = SPLAT(MAGIC);
	int64_t i = 0;
	for (; i + VL <= n; i += VL) {
		vf u = *(const vf *)(x + i) / vs;
		u = SEL(u < vulo, vulo, u);
		u = SEL(u > vuhi, vuhi, u);
		vf v = (u + vm) - vm + vz;
		v = SEL(v < vlo, vlo, v);
		v = SEL(v > vhi, vhi, v);
		*(vf *)(y + i) = (v - vz) * vs;
	}
	for (; i < n; i++) {
		float u = x[i] / s;
		u = u < ulo ? ulo : u > uhi ? uhi : u;
		float v = round_even(u) + z;
		v = v < lo ? lo : v > hi ? hi : v;
		y[i] = (v - z) * s;
	}
}

void qf_fq_forward(const qf_fq *q, const float *x, float *y, int64_t n)
{
	fq_fwd(q, x, y, n);
}

/* Scalar: written with vector selects GCC lowers this lane by lane (it
 * measured twice as slow as the branches); with branches the compiler
 * keeps the common inside case a straight line. */
static void fq_bwd(const qf_fq *q, const float *x, const float *dy, float *dx, int64_t n, bool acc, double sums[4])
{
	const float s = q->s, z = q->z, lo = q->qmin, hi = q->qmax, delta = q->delta, ulo = lo - z - 1,
		    uhi = hi - z + 1;
	double ds = 0, dz = 0, dlo = 0, dhi = 0;
	for (int64_t i = 0; i < n; i++) {
		float d = dy[i], u = x[i] / s, uc = u < ulo ? ulo : u > uhi ? uhi : u, r = round_even(uc), v = r + z, gx;
		if (v < lo) {
			gx = 0;
			ds += (double)d * (lo - z);
			dz -= (double)d * s;
			dlo += (double)d * s;
		} else if (v > hi) {
			gx = 0;
			ds += (double)d * (hi - z);
			dz -= (double)d * s;
			dhi += (double)d * s;
		} else {
			ds += (double)d * (r - u);
			/* Descent moves x against sign(d); the factor grows when
			 * that is toward the rounding point (u - r has the sign
			 * of d) and shrinks when it is away. */
			gx = delta != 0 ? d * (1 + delta * (d > 0 ? u - r : d < 0 ? r - u : 0)) : d;
		}
		dx[i] = acc ? dx[i] + gx : gx;
	}
	sums[0] = ds;
	sums[1] = dz;
	sums[2] = dlo;
	sums[3] = dhi;
}

void qf_fq_backward(const qf_fq *q, const float *x, const float *dy, float *dx, int64_t n, bool acc,
		    qf_fq_grad *g)
{
	double sums[4];
	if (dx) {
		fq_bwd(q, x, dy, dx, n, acc, sums);
	} else {
		/* sums only: into a scratch gradient, a block at a time */
		float tmp[1024];
		sums[0] = sums[1] = sums[2] = sums[3] = 0;
		for (int64_t i = 0; i < n; i += 1024) {
			double part[4];
			int64_t m = n - i < 1024 ? n - i : 1024;
			fq_bwd(q, x + i, dy + i, tmp, m, false, part);
			for (int k = 0; k < 4; k++)
				sums[k] += part[k];
		}
	}
	if (g) {
		g->ds += sums[0];
		g->dz += sums[1];
		g->dqmin += sums[2];
		g->dqmax += sums[3];
	}
}

typedef double qf_vd __attribute__((vector_size(32), aligned(8), may_alias));

/* The 8 float lanes of v as two 4-double halves (exact). */
#define LO4(v) __builtin_convertvector(*(const qf_v4 *)(const void *)&(v), qf_vd)
#define HI4(v) __builtin_convertvector(*((const qf_v4 *)(const void *)&(v) + 1), qf_vd)

/* fq_bwd's arithmetic on 8 lanes. Each per-element term is the same
 * product of two floats (exact in double) as in fq_bwd. The range ends'
 * terms (d s on the lanes below or above the range) are added only when
 * some lane is there, which is rare, and the zero point's sum is minus
 * theirs, formed at the end. */
QF_CLONES void qf_fq_bwd_block(const qf_fq *q, const float *x, float *dy, int64_t n, double sums[4])
{
	typedef uint64_t vu __attribute__((vector_size(32), aligned(4), may_alias));
	const float s = q->s, z = q->z, lo = q->qmin, hi = q->qmax, delta = q->delta, ulo = lo - z - 1,
		    uhi = hi - z + 1;
	const qf_vf vs = QF_VSPLAT(s), vz = QF_VSPLAT(z), vlo = QF_VSPLAT(lo), vhi = QF_VSPLAT(hi),
		    vulo = QF_VSPLAT(ulo), vuhi = QF_VSPLAT(uhi), vm = QF_VSPLAT(MAGIC), zero = {0},
		    tlo = QF_VSPLAT(lo - z), thi = QF_VSPLAT(hi - z), one = QF_VSPLAT(1), vdelta = QF_VSPLAT(delta);
	const qf_vd sd = (qf_vd){0} + (double)s;
	/* [0] low lanes, [1] high lanes */
	qf_vd ds[2] = {{0}}, dlo[2] = {{0}}, dhi[2] = {{0}};
	int64_t i = 0;
	for (; i + QF_VL <= n; i += QF_VL) {
		qf_vf d = QF_VLOAD(dy + i), u = QF_VLOAD(x + i) / vs;
		qf_vf uc = QF_VSEL(u < vulo, vulo, u);
		uc = QF_VSEL(uc > vuhi, vuhi, uc);
		qf_vf r = (uc + vm) - vm, v = r + vz;
		qf_vi below = v < vlo, above = v > vhi, out = below | above;
		qf_vf t = r - u;
		vu o = (vu)out;
		if (o[0] | o[1] | o[2] | o[3]) {
			t = QF_VSEL(below, tlo, QF_VSEL(above, thi, t));
			qf_vf dl = QF_VSEL(below, d, zero), dh = QF_VSEL(above, d, zero);
			dlo[0] += LO4(dl) * sd;
			dlo[1] += HI4(dl) * sd;
			dhi[0] += LO4(dh) * sd;
			dhi[1] += HI4(dh) * sd;
		}
		ds[0] += LO4(d) * LO4(t);
		ds[1] += HI4(d) * HI4(t);
		qf_vf g = d;
		if (delta != 0) {
			qf_vf f = QF_VSEL(d > zero, u - r, QF_VSEL(d < zero, r - u, zero));
			g = d * (one + vdelta * f);
		}
		QF_VSTORE(dy + i, QF_VSEL(out, zero, g));
	}
	double lane[4][QF_VL];
	for (int h = 0; h < 2; h++)
		for (int k = 0; k < 4; k++) {
			lane[0][4 * h + k] = ds[h][k];
			lane[1][4 * h + k] = -(dlo[h][k] + dhi[h][k]);
			lane[2][4 * h + k] = dlo[h][k];
			lane[3][4 * h + k] = dhi[h][k];
		}
	double tail[4];
	fq_bwd(q, x + i, dy + i, dy + i, n - i, false, tail);
	for (int k = 0; k < 4; k++) {
		double a = 0;
		for (int l = 0; l < QF_VL; l++)
			a += lane[k][l];
		sums[k] = a + tail[k];
	}
}

/* ------------------------------------------------------------ parametrisation */

static double range_width(const qf_fq_param *p)
{
	return p->pow2 ? exp2(p->theta) : p->theta;
}

/* Step and the unclamped real zero point of p at bits. */
static void step_of(const qf_fq_param *p, int bits, double *s, double *zr, int *qmin, int *qmax)
{
	qf_fq_range(bits, p->symmetric, qmin, qmax);
	double L = *qmax - *qmin, D = range_width(p);
	QF_ASSERT(D > 0);
	*s = p->pow2 ? exp2(round(log2(D / L))) : D / L;
	*zr = p->symmetric ? 0 : *qmin - p->lo / *s;
}

qf_fq qf_fq_make(const qf_fq_param *p, int bits, float delta)
{
	double s, zr;
	int qmin, qmax;
	step_of(p, bits, &s, &zr, &qmin, &qmax);
	double z = rint(zr);
	z = z < qmin ? qmin : z > qmax ? qmax : z;
	qf_fq q = {(float)s, (float)z, (float)qmin, (float)qmax, delta};
	return q;
}

void qf_fq_chain(const qf_fq_param *p, int bits, const qf_fq_grad *g, double *dtheta, double *dlo, double *dbits)
{
	double s, zr;
	int qmin, qmax;
	step_of(p, bits, &s, &zr, &qmin, &qmax);
	double L = qmax - qmin, D = range_width(p);
	/* z = qmin - lo/s, rounded straight through; where the clamp holds it
	 * z moves with nothing. */
	bool zfree = !p->symmetric && rint(zr) >= qmin && rint(zr) <= qmax;
	double dz_ds = zfree ? p->lo / (s * s) : 0, dz_dlo = zfree ? -1 / s : 0, dz_dqmin = zfree ? 1 : 0;
	double dL_ds = g->ds + g->dz * dz_ds;
	/* s = D / L (pow2: 2^round(log2(D / L)), so ds/dD = s/D either way) */
	double dL_dD = dL_ds * s / D;
	*dtheta = p->pow2 ? dL_dD * D * M_LN2 : dL_dD;
	*dlo = g->dz * dz_dlo;
	/* L(b) = 2^b - 2 or 2^b - 1: L' = 2^b ln 2; qmax' = 2^(b-1) ln 2 = -qmin' */
	double Lp = exp2(bits) * M_LN2, half = exp2(bits - 1) * M_LN2;
	*dbits = dL_ds * (-s / L) * Lp + (g->dqmin + g->dz * dz_dqmin) * -half + g->dqmax * half;
}

double qf_fq_dstep(const qf_fq_param *p, int bits)
{
	double s, zr;
	int qmin, qmax;
	step_of(p, bits, &s, &zr, &qmin, &qmax);
	return p->pow2 ? s * M_LN2 : 1.0 / (qmax - qmin);
}

double qf_lsq_gscale(int64_t n, int bits, bool symmetric)
{
	int qmin, qmax;
	qf_fq_range(bits, symmetric, &qmin, &qmax);
	/* LSQ's Qp: the positive levels. An asymmetric tensor is mostly a ReLU
	 * output with z at qmin, so all 2^b - 1 levels above it count. */
	double qp = symmetric ? qmax : qmax - qmin;
	return 1.0 / sqrt((double)(n > 0 ? n : 1) * qp);
}

int qf_fq_round_bits(float b, const int32_t *set, int n_set)
{
	QF_ASSERT(n_set >= 1);
	int best = set[0];
	for (int i = 1; i < n_set; i++) {
		float db = fabsf(b - (float)set[i]), dbest = fabsf(b - (float)best);
		if (db < dbest || (db == dbest && set[i] > best))
			best = set[i];
	}
	return best;
}
