/* fxp.c: post-training mixed-precision dynamic fixed point with
 * self-distillation (FxP-QNet, docs/ptq.md).
 *
 * A float model becomes an integer-only one with every scale a power of two
 * (so requantisation is a rounding shift), without labels and without
 * retraining:
 *   1. BN is folded into a copy; the copy runs in float over the
 *      calibration images once, which gives the reference logits, a sample
 *      and the range of every activation the Int Graph stores, and the mean
 *      per channel of every layer's pre-activation output.
 *   2. Every data structure starts at 8 bits: the weights of each layer
 *      (symmetric, a fraction length per output channel), its int32 bias
 *      (fraction length that of input + weights: the accumulator's) and
 *      each stored activation (asymmetric: fraction length and an integer
 *      zero point). Fraction lengths are chosen by the squared error of the
 *      values they quantize, over the most that cover the range and up to
 *      three more (clipping).
 *   3. Greedy lowering: each step tries every data structure one width
 *      down (weights 8 -> 4 -> 2, activations 8 -> 4 where the runtime has
 *      4-bit kernels for every layer touching them), lowers each candidate
 *      to the Int Graph (passes/fuse.c, quantize.c), runs it with the exact
 *      integer arithmetic (fxp_exec.c) over the calibration images (a
 *      lowered layer's biases corrected for its new rounding) and compares
 *      its logits with the float model's. Of the candidates whose drop
 *      stays within the bound it takes the one that costs the least KL
 *      divergence per byte saved, weights first (the memory counted) and
 *      activations (RAM) once no weight can go lower; it stops when the
 *      memory goal is met or no candidate stays within the bound.
 *   4. Self-distillation: the weights trained a few hundred steps towards
 *      the float model's outputs (fake-quantized, straight through), biases
 *      corrected layer by layer so each layer's mean output per channel
 *      matches the float model's, fraction lengths moved one step. A change
 *      is kept only when fewer images get another top-1 class than from the
 *      float model, or as many and the KL divergence falls, so the
 *      disagreement can only fall. When that made room, back to 3.
 *   5. The final model is checked with the integer reference executor
 *      (intref.c): its logits must equal fxp_exec's bit for bit.
 * Candidates mostly differ from the current model from one layer on; they
 * run from there, on the current model's tensors before it (run()).
 * Labels are never read here. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "interp/interp.h"
#include "passes/passes.h"

enum { SAMPLE = 16384, PROBE_GROUP = 4, PROBE_BATCH = 16, CLIP_STEPS = 4, MAX_ADJ = 6 };
/* Images per step of the weight self-distillation; rounds of lowering and
 * distillation at most. */
enum { WD_BATCH = 32, MAX_ROUNDS = 4 };

/* What the float model does at one tensor over the calibration images. */
typedef struct {
	float lo, hi;
	bool set, bad;               /* bad: a value that is not finite */
	float *sample;               /* reservoir of at most SAMPLE values */
	int ns;
	int64_t seen;
	int c;                       /* channels, for the means */
	/* act_params results by width (8, 4) and fraction length shift */
	double cs[2][2 * MAX_ADJ + 1];
	int32_t cz[2][2 * MAX_ADJ + 1];
	bool cached[2][2 * MAX_ADJ + 1];
	double *csum;                /* per channel sums (pre-activations only) */
	int64_t cnt;                 /* values per channel summed */
} tstat;

/* One configuration of every data structure. */
typedef struct {
	int *wbits, *wadj;           /* per skeleton node: weight width (0: none), fraction length shift */
	int *wbits_hi;               /* per skeleton node: the width of the upper half of its output channels
					(= wbits unless the layer is split in halves, split()) */
	int *abits, *aadj;           /* per skeleton tensor */
	double **bfix;               /* per skeleton node: real offsets added to the biases, or NULL */
} state;

/* The integer tensors of the current model (see run()). */
typedef struct {
	qf_igraph *ig;               /* a copy of the model's Int Graph; NULL: empty */
	int8_t **val;                /* per tensor: n x H x W x C */
	int64_t **sums;              /* per weighted node: accumulator sums per channel */
	int64_t *counts;
} tcache;

typedef struct {
	const qf_ptq_cfg *c;
	const qf_dataset *ds;
	qf_graph *plain;             /* BN folded: the float reference */
	qf_graph *base;              /* plain with the input scale compensated: what gets quantized (the
					weight self-distillation replaces its weights and biases) */
	qf_igraph *sk;               /* the FUSED skeleton of base */
	int n;                       /* calibration images */
	uint8_t *img;                /* n x H x W x C bytes */
	int64_t img_elems;
	float *ref;                  /* n x classes float logits */
	int classes;
	tstat *ts;                   /* per skeleton tensor (src of its values) */
	tstat *pre;                  /* per skeleton node: its pre-activation output (weighted nodes) */
	int *same_as;                /* skeleton tensor whose params a tensor takes (pools keep them) */
	bool *can4;                  /* activation the runtime can take at 4 bits */
	FILE *quiet_f;
	qf_diag *quiet;              /* candidate failures are not the user's errors */
	qf_rng rng;
	int64_t evals;
	double *werr, *aerr;         /* KL added by the steps that lowered each node's weights, each tensor */
	tcache cache;
	int64_t nodes_run, nodes_all; /* layers run, and what running every model whole would have been */
	double exec_ms;              /* CPU ms per image of the first whole run (fxp_exec) */
} ptq;

/* One evaluated candidate. */
typedef struct {
	qf_graph *g;
	qf_igraph *ig;
	qf_ptq_stats st;
	int64_t bytes, act_bytes;
	float *logits;               /* n x classes, dequantized */
	int64_t **sums;              /* per skeleton node: accumulator sums per channel (weighted nodes) */
	int64_t *counts;
} cand;

/* ------------------------------------------------------------ small helpers */

/* CPU seconds of the calling thread: the executors run on it alone, while
 * the engine's workers may be spinning on other cores. */
static double thread_cpu(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int ilog2(double s)
{
	int e;
	double f = frexp(s, &e);
	QF_ASSERT(f == 0.5);
	return e - 1;
}

static bool weighted(qf_iop op)
{
	return op == QF_IOP_CONV || op == QF_IOP_DWCONV || op == QF_IOP_FC;
}

/* Whether node i's weights are lowered a half of its output channels at a
 * time: conv and fc layers whose channels split into two even runs (a
 * depthwise layer cannot be split, quantize.c; a run of a 4-bit output
 * must start on an even channel). Finer steps let the lowering take the
 * half of a layer that costs least and stop nearer a memory goal. */
static bool split(const qf_igraph *sk, int i)
{
	const qf_inode *n = &sk->n[i];
	int c = sk->t[n->out].c;
	return (n->op == QF_IOP_CONV || n->op == QF_IOP_FC) && c >= 8 && c % 4 == 0;
}

static int64_t act_bytes(const qf_igraph *ig)
{
	int64_t b = 0;
	for (int i = 0; i < ig->nt; i++)
		b += ig->t[i].bytes;
	return b;
}

/* ------------------------------------------------------------ statistics */

static int top1(const float *z, int k)
{
	int b = 0;
	for (int i = 1; i < k; i++)
		if (z[i] > z[b])
			b = i;
	return b;
}

static void softmax(const float *z, int k, double *p)
{
	double m = z[0], s = 0;
	for (int i = 1; i < k; i++)
		m = z[i] > m ? z[i] : m;
	for (int i = 0; i < k; i++)
		s += p[i] = exp((double)z[i] - m);
	for (int i = 0; i < k; i++)
		p[i] /= s;
}

void qf_ptq_compare(const float *ref, const float *q, int n, int classes, qf_ptq_stats *s)
{
	QF_ASSERT(classes >= 1);
	double *pf = qf_xmalloc(2 * (size_t)classes * sizeof(double)), *pq = pf + classes;
	memset(s, 0, sizeof *s);
	s->n = n;
	for (int i = 0; i < n; i++) {
		const float *a = ref + (int64_t)i * classes, *b = q + (int64_t)i * classes;
		softmax(a, classes, pf);
		softmax(b, classes, pq);
		int ta = top1(a, classes), tb = top1(b, classes);
		if (ta != tb) {
			s->disagree++;
			s->drop += pf[ta] - pf[tb];
		}
		double kl = 0;
		for (int k = 0; k < classes; k++)
			if (pf[k] > 0)
				kl += pf[k] * (log(pf[k]) - log(pq[k] > 1e-300 ? pq[k] : 1e-300));
		s->kl += kl;
	}
	free(pf);
	if (n) {
		s->kl /= n;
		s->drop = 100.0 * s->drop / n;
		s->agree = 100.0 * (n - s->disagree) / n;
	}
}

double qf_ptq_bound_value(const qf_ptq_stats *s, qf_ptq_metric m)
{
	return m == QF_PTQ_EXPECTED ? s->drop : s->n ? 100.0 * s->disagree / s->n : 0;
}

/* ------------------------------------------------------------ float statistics (step 1) */

static void observe(ptq *p, tstat *t, const float *v, int64_t n, int c)
{
	for (int64_t i = 0; i < n; i++) {
		float x = v[i];
		if (!isfinite(x)) {
			t->bad = true;
			continue;
		}
		if (!t->set) {
			t->lo = t->hi = x;
			t->set = true;
		}
		t->lo = x < t->lo ? x : t->lo;
		t->hi = x > t->hi ? x : t->hi;
		if (t->sample) {
			/* reservoir sampling: every value equally likely to be kept */
			if (t->ns < SAMPLE)
				t->sample[t->ns++] = x;
			else {
				uint64_t j = qf_rng_u64(&p->rng) % (uint64_t)(t->seen + 1);
				if (j < SAMPLE)
					t->sample[j] = x;
			}
			t->seen++;
		}
		if (t->csum)
			t->csum[i % c] += x;
	}
	if (t->csum)
		t->cnt += n / c;
}

/* Runs the calibration images through the float model, PROBE_GROUP probed
 * tensors at a time (each probe holds an engine per tensor). */
static int float_pass(ptq *p, qf_diag *d)
{
	const qf_graph *g = p->plain;
	int nk = 0;
	int *tens = qf_xmalloc((size_t)(p->sk->nt + p->sk->nn + 2) * sizeof(int));
	tstat **dst = qf_xmalloc((size_t)(p->sk->nt + p->sk->nn + 2) * sizeof(tstat *));
	for (int i = 0; i < p->sk->nt; i++) {
		if (i == p->sk->input || p->same_as[i] != i)
			continue;
		tens[nk] = p->sk->t[i].src;
		dst[nk++] = &p->ts[i];
		p->ts[i].sample = qf_xmalloc(SAMPLE * sizeof(float));
	}
	for (int i = 0; i < p->sk->nn; i++) {
		const qf_inode *n = &p->sk->n[i];
		if (!weighted(n->op))
			continue;
		tens[nk] = g->n[n->src].out;
		p->pre[i].c = p->sk->t[n->out].c;
		p->pre[i].csum = qf_xcalloc((size_t)p->pre[i].c, sizeof(double));
		dst[nk++] = &p->pre[i];
	}
	/* the logits, when nothing above probes them (a model ending in a pool) */
	tstat out;
	memset(&out, 0, sizeof out);
	bool seen = false;
	for (int k = 0; k < nk; k++)
		seen |= tens[k] == g->output;
	if (!seen) {
		tens[nk] = g->output;
		dst[nk++] = &out;
	}
	int rc = 0;
	int32_t idx[PROBE_BATCH];
	uint8_t lab[PROBE_BATCH];
	for (int k0 = 0; k0 < nk && !rc; k0 += PROBE_GROUP) {
		int m = nk - k0 < PROBE_GROUP ? nk - k0 : PROBE_GROUP;
		qf_probe *pr = qf_probe_new(g, tens + k0, m, PROBE_BATCH, p->c->threads > 0 ? p->c->threads : 1, d);
		if (!pr) {
			rc = -1;
			break;
		}
		for (int i0 = 0; i0 < p->n; i0 += PROBE_BATCH) {
			int b = p->n - i0 < PROBE_BATCH ? p->n - i0 : PROBE_BATCH;
			for (int j = 0; j < b; j++)
				idx[j] = i0 + j;
			qf_batch(p->ds, &p->ds->train, idx, b, false, NULL, qf_probe_input(pr), lab);
			qf_probe_forward(pr, b);
			for (int k = 0; k < m; k++) {
				int64_t e;
				const float *v = qf_probe_values(pr, k, &e);
				int t = tens[k0 + k];
				observe(p, dst[k0 + k], v, e * b, g->t[t].dim[0]);
				if (t == g->output)
					memcpy(p->ref + (int64_t)i0 * p->classes, v, (size_t)(b * p->classes) * sizeof(float));
			}
		}
		qf_probe_free(pr);
	}
	for (int k = 0; k < nk && !rc; k++)
		if (dst[k]->bad) {
			qf_diag_error(d, (qf_loc){0, 0},
				      "tensor '%s' of model '%s' takes non-finite values on the calibration images: the "
				      "float model is broken",
				      g->t[tens[k]].name, g->name);
			rc = -1;
		}
	free(tens);
	free(dst);
	return rc;
}

/* ------------------------------------------------------------ fraction lengths (step 2) */

static double act_mse(const tstat *t, double s, int32_t zp, int bits)
{
	int32_t qmin = -(1 << (bits - 1)), qmax = (1 << (bits - 1)) - 1;
	double e = 0;
	for (int i = 0; i < t->ns; i++) {
		double q = round(t->sample[i] / s) + zp;
		q = q < qmin ? qmin : q > qmax ? qmax : q;
		double r = (q - zp) * s - t->sample[i];
		e += r * r;
	}
	return e;
}

/* The zero point, among those that anchor the low end, the high end or
 * split the clipping between them, with the least error at step s. */
static int32_t act_zp(const tstat *t, double s, int bits, double *mse)
{
	int32_t qmin = -(1 << (bits - 1)), qmax = (1 << (bits - 1)) - 1;
	double lo = t->lo < 0 ? t->lo : 0, hi = t->hi > 0 ? t->hi : 0;
	double zl = round(qmin - lo / s), zh = round(qmax - hi / s);
	zl = zl < qmin ? qmin : zl > qmax ? qmax : zl;
	zh = zh < qmin ? qmin : zh > qmax ? qmax : zh;
	int32_t best = (int32_t)zl;
	double be = INFINITY;
	for (int k = 0; k <= 4; k++) {
		int32_t z = (int32_t)round(zl + (zh - zl) * k / 4);
		double e = act_mse(t, s, z, bits);
		if (e < be) {
			be = e;
			best = z;
		}
	}
	if (mse)
		*mse = be;
	return best;
}

/* Step (a power of two) and zero point of an activation at bits, moved
 * adj fraction bits from the least-error choice. */
static void act_params_(const tstat *t, int bits, int adj, double *s, int32_t *zp)
{
	double lo = t->lo < 0 ? t->lo : 0, hi = t->hi > 0 ? t->hi : 0;
	double span = hi - lo;
	if (!(span > 0)) {
		*s = 1.0;
		*zp = act_zp(t, 1.0, bits, NULL);
		return;
	}
	double s0 = qf_pow2_up(span / (double)((1 << bits) - 1)), best = s0, be = INFINITY;
	for (int j = 0; j < CLIP_STEPS; j++) {
		double e, sj = s0 / (double)(1 << j);
		act_zp(t, sj, bits, &e);
		if (e < be) {
			be = e;
			best = sj;
		}
	}
	*s = ldexp(best, -adj);
	*zp = act_zp(t, *s, bits, NULL);
}

/* act_params_, remembered: every candidate model asks again. */
static void act_params(tstat *t, int bits, int adj, double *s, int32_t *zp)
{
	int b = bits == 8 ? 0 : 1, a = adj + MAX_ADJ;
	QF_ASSERT((bits == 8 || bits == 4) && a >= 0 && a <= 2 * MAX_ADJ);
	if (!t->cached[b][a]) {
		act_params_(t, bits, adj, &t->cs[b][a], &t->cz[b][a]);
		t->cached[b][a] = true;
	}
	*s = t->cs[b][a];
	*zp = t->cz[b][a];
}

/* Step of one output channel's weights at bits: the power of two, among
 * those from covering max |w| down CLIP_STEPS - 1 halvings, with the least
 * squared error, moved adj fraction bits; raised where the bias would
 * crowd the int32 accumulator (as qf_calibrate does). */
static double weight_step(const float *w, int64_t per, int bits, int adj, double bias, double s_in)
{
	double m = 0, qmax = (double)((1 << (bits - 1)) - 1);
	for (int64_t k = 0; k < per; k++)
		m = fabs((double)w[k]) > m ? fabs((double)w[k]) : m;
	if (m == 0)
		return 1.0;
	double s0 = qf_pow2_up(m / qmax), best = s0, be = INFINITY;
	for (int j = 0; j < CLIP_STEPS; j++) {
		double s = s0 / (double)(1 << j), e = 0;
		for (int64_t k = 0; k < per; k++) {
			double q = round((double)w[k] / s);
			q = q > qmax ? qmax : q < -qmax ? -qmax : q;
			double r = q * s - (double)w[k];
			e += r * r;
		}
		if (e < be) {
			be = e;
			best = s;
		}
	}
	double s = ldexp(best, -adj);
	if (fabs(bias) / (s_in * s) > (double)(1 << 28))
		s = qf_pow2_up(fabs(bias) / (s_in * (double)(1 << 28)));
	return s;
}

/* A layer's biases at 16 bits (their own word length, FxP-QNet's bias data
 * structure): per channel the accumulator's step s_in * s_w[c] times one
 * 2^k for the layer, the smallest k that holds every bias. weight_step keeps
 * |b| / (s_in s_w) under 2^28, so k <= 13. */
static void bias_qparam(qf_graph *g, int bsrc, const float *b, const double *ws, double s_in, int cout)
{
	int k = 0;
	for (int c = 0; c < cout; c++)
		while (k < 16 && fabs(round((double)b[c] / (s_in * ws[c] * ldexp(1.0, k)))) > 32767)
			k++;
	double *bs = qf_xmalloc((size_t)cout * sizeof(double));
	for (int c = 0; c < cout; c++)
		bs[c] = s_in * ws[c] * ldexp(1.0, k);
	qf_graph_add_qparam(g, bsrc, cout, bs, NULL, 16, true, true);
	free(bs);
}

/* The model a state describes: base with its quant params and bias offsets. */
static qf_graph *build(ptq *p, const state *st)
{
	const qf_igraph *sk = p->sk;
	qf_graph *g = qf_graph_clone(p->base);
	for (int i = 0; i < g->nt; i++)
		g->t[i].quant = -1;
	g->nq = 0;
	double *sc = qf_xmalloc((size_t)sk->nt * sizeof(double));
	int32_t *zp = qf_xmalloc((size_t)sk->nt * sizeof(int32_t));
	for (int i = 0; i < sk->nt; i++) {
		int bits = st->abits[i];
		if (i == sk->input) {
			/* raw bytes b as b - 128 at 2^-8: real b / 256 (the base
			 * model's first layers make up for the 255) */
			sc[i] = 1.0 / 256;
			zp[i] = -128;
			bits = 8;
		} else if (p->same_as[i] != i) {
			sc[i] = sc[p->same_as[i]];
			zp[i] = zp[p->same_as[i]];
			bits = st->abits[p->same_as[i]];
		} else {
			act_params(&p->ts[i], bits, st->aadj[i], &sc[i], &zp[i]);
		}
		qf_graph_add_qparam(g, sk->t[i].src, 1, &sc[i], &zp[i], bits, false, true);
	}
	int64_t maxc = 1;
	for (int i = 0; i < sk->nn; i++)
		maxc = sk->t[sk->n[i].out].c > maxc ? sk->t[sk->n[i].out].c : maxc;
	double *ws = qf_xmalloc((size_t)maxc * sizeof(double));
	for (int i = 0; i < sk->nn; i++) {
		const qf_inode *n = &sk->n[i];
		if (!weighted(n->op))
			continue;
		int cout = sk->t[n->out].c;
		int64_t per = qf_tensor_elems(&g->t[n->wsrc]) / cout;
		const float *w = qf_tensor_data(g, n->wsrc);
		float *b = n->bsrc >= 0 ? qf_tensor_data(g, n->bsrc) : NULL;
		if (b && st->bfix[i])
			for (int c = 0; c < cout; c++)
				b[c] = (float)((double)b[c] + st->bfix[i][c]);
		for (int c = 0; c < cout; c++)
			ws[c] = weight_step(w + c * per, per, c < cout / 2 ? st->wbits[i] : st->wbits_hi[i], st->wadj[i],
					    b ? (double)b[c] : 0, sc[n->in[0]]);
		qf_graph_add_qparam(g, n->wsrc, cout, ws, NULL, st->wbits[i], true, true);
		if (st->wbits_hi[i] != st->wbits[i]) {
			/* two slices of cout / 2 channels: a split layer (passes/quantize.c) */
			int32_t two[2] = {st->wbits[i], st->wbits_hi[i]};
			qf_graph_slice_bits(g, n->wsrc, cout / 2, 2, two);
		}
		if (b)
			bias_qparam(g, n->bsrc, b, ws, sc[n->in[0]], cout);
	}
	free(ws);
	free(sc);
	free(zp);
	return g;
}

/* ------------------------------------------------------------ candidates */

static void cand_free(cand *k)
{
	if (k->sums)
		for (int i = 0; i < k->ig->nn; i++)
			free(k->sums[i]);
	free(k->sums);
	free(k->counts);
	free(k->logits);
	qf_igraph_free(k->ig);
	qf_graph_free(k->g);
	memset(k, 0, sizeof *k);
}

/* ------------------------------------------------------------ the prefix cache
 * Most candidates differ from the current model in one layer and what
 * follows it: the integer tensors of the current model on every
 * calibration image are kept, and a candidate runs from its first layer
 * that differs, reading the tensors before it from here. */

static qf_igraph *ig_copy(const qf_igraph *a)
{
	qf_igraph *c = qf_xmalloc(sizeof *c);
	*c = *a;
	c->name = qf_xstrdup(a->name);
	c->t = qf_xmalloc((size_t)(a->nt ? a->nt : 1) * sizeof(qf_itensor));
	memcpy(c->t, a->t, (size_t)a->nt * sizeof(qf_itensor));
	c->n = qf_xmalloc((size_t)(a->nn ? a->nn : 1) * sizeof(qf_inode));
	memcpy(c->n, a->n, (size_t)a->nn * sizeof(qf_inode));
	c->w = qf_xmalloc((size_t)(a->nw ? a->nw : 1));
	memcpy(c->w, a->w, (size_t)a->nw);
	c->i32 = qf_xmalloc((size_t)(a->ni32 ? a->ni32 : 1) * sizeof(int32_t));
	memcpy(c->i32, a->i32, (size_t)a->ni32 * sizeof(int32_t));
	c->part = qf_xmalloc((size_t)(a->npart ? a->npart : 1) * sizeof(qf_ipart));
	if (a->npart)
		memcpy(c->part, a->part, (size_t)a->npart * sizeof(qf_ipart));
	c->cappart = a->npart;
	c->capt = a->nt;
	c->capn = a->nn;
	c->capw = a->nw;
	c->capi32 = a->ni32;
	return c;
}

static bool same_i32(const qf_igraph *a, int64_t ia, const qf_igraph *b, int64_t ib, int64_t n)
{
	if ((ia < 0) != (ib < 0))
		return false;
	return ia < 0 || memcmp(a->i32 + ia, b->i32 + ib, (size_t)n * sizeof(int32_t)) == 0;
}

static bool same_tensor(const qf_igraph *a, const qf_igraph *b, int t)
{
	return t < 0 || (a->t[t].bits == b->t[t].bits && a->t[t].zp == b->t[t].zp);
}

/* The first node of a whose output can differ from b's (same skeleton). */
static int first_diff(const qf_igraph *a, const qf_igraph *b)
{
	QF_ASSERT(a->nn == b->nn && a->nt == b->nt && a->pow2 == b->pow2);
	for (int i = 0; i < a->nn; i++) {
		const qf_inode *x = &a->n[i], *y = &b->n[i];
		int64_t c = x->op == QF_IOP_ADD ? 1 : a->t[x->out].c;
		if (!same_tensor(a, b, x->out) || !same_tensor(a, b, x->in[0]) || !same_tensor(a, b, x->in[1]) ||
		    x->w_bits != y->w_bits || x->w_bytes != y->w_bytes || x->act_min != y->act_min ||
		    x->act_max != y->act_max || x->add_ls != y->add_ls || memcmp(x->add_mult, y->add_mult, sizeof x->add_mult) ||
		    memcmp(x->add_shift, y->add_shift, sizeof x->add_shift) ||
		    memcmp(a->w + x->w_off, b->w + y->w_off, (size_t)x->w_bytes) ||
		    !same_i32(a, x->bias, b, y->bias, c) || !same_i32(a, x->shift, b, y->shift, c) ||
		    !same_i32(a, x->mult, b, y->mult, c))
			return i;
	}
	return a->nn;
}

static void cache_free(tcache *c)
{
	if (!c->ig)
		return;
	for (int i = 0; i < c->ig->nt; i++)
		free(c->val[i]);
	for (int i = 0; i < c->ig->nn; i++)
		free(c->sums[i]);
	free(c->val);
	free(c->sums);
	free(c->counts);
	qf_igraph_free(c->ig);
	memset(c, 0, sizeof *c);
}

/* Runs k->ig over the calibration images from its first node that differs
 * from the cache's model, into logits (n x classes, dequantized) and
 * k->sums; with store, the tensors it computes replace the cache's and k
 * becomes the cache's model. */
static void run(ptq *p, cand *k, bool store)
{
	tcache *c = &p->cache;
	const qf_igraph *ig = k->ig;
	int from = c->ig ? first_diff(ig, c->ig) : 0;
	if (store && !c->ig) {
		c->val = qf_xcalloc((size_t)ig->nt, sizeof(int8_t *));
		for (int t = 0; t < ig->nt; t++)
			c->val[t] = qf_xmalloc((size_t)(p->n * qf_itensor_elems(&ig->t[t])));
		c->sums = qf_xcalloc((size_t)ig->nn, sizeof(int64_t *));
		c->counts = qf_xcalloc((size_t)ig->nn, sizeof(int64_t));
		for (int i = 0; i < ig->nn; i++)
			if (weighted(ig->n[i].op))
				c->sums[i] = qf_xcalloc((size_t)ig->t[ig->n[i].out].c, sizeof(int64_t));
	}
	/* tensors read from the cache: written before `from`, read from it on */
	bool *load = qf_xcalloc((size_t)ig->nt, sizeof(bool));
	for (int i = from; i < ig->nn; i++)
		for (int j = 0; j < 2; j++) {
			int t = ig->n[i].in[j];
			if (t >= 0 && ig->t[t].producer < from)
				load[t] = true;
		}
	/* a model equal to the cache's (from == nn: 16-bit biases make that
	 * common, a correction smaller than the bias step) runs no layer: its
	 * logits are the cache's */
	if (ig->t[ig->output].producer < from)
		load[ig->output] = true;
	const qf_itensor *out = &ig->t[ig->output];
	int batch = p->c->batch > 0 ? p->c->batch : 64;
	qf_iexec *x = qf_iexec_new(ig, batch);
	int8_t *z = qf_xmalloc((size_t)batch * (size_t)p->classes);
	double t0 = thread_cpu();
	for (int i0 = 0; i0 < p->n; i0 += batch) {
		int m = p->n - i0 < batch ? p->n - i0 : batch;
		if (from == 0) {
			qf_iexec_run(x, p->img + (int64_t)i0 * p->img_elems, m, z);
		} else {
			for (int t = 0; t < ig->nt; t++)
				if (load[t]) {
					int64_t e = qf_itensor_elems(&ig->t[t]);
					memcpy(qf_iexec_tensor_buf(x, t), c->val[t] + i0 * e, (size_t)(m * e));
				}
			qf_iexec_run_from(x, from, m, z);
		}
		if (store)
			for (int t = 0; t < ig->nt; t++)
				if (t == ig->input || ig->t[t].producer >= from) {
					int64_t e = qf_itensor_elems(&ig->t[t]);
					memcpy(c->val[t] + i0 * e, qf_iexec_tensor(x, t), (size_t)(m * e));
				}
		for (int64_t j = 0; j < (int64_t)m * p->classes; j++)
			k->logits[(int64_t)i0 * p->classes + j] = (float)((z[j] - out->zp) * out->scale);
	}
	if (from == 0 && p->exec_ms == 0)
		p->exec_ms = 1000.0 * (thread_cpu() - t0) / p->n;
	for (int i = 0; i < ig->nn; i++) {
		if (!weighted(ig->n[i].op))
			continue;
		size_t bytes = (size_t)ig->t[ig->n[i].out].c * sizeof(int64_t);
		if (i >= from)
			memcpy(k->sums[i], qf_iexec_acc_sums(x, i, &k->counts[i]), bytes);
		else {
			memcpy(k->sums[i], c->sums[i], bytes);
			k->counts[i] = c->counts[i];
		}
		if (store) {
			memcpy(c->sums[i], k->sums[i], bytes);
			c->counts[i] = k->counts[i];
		}
	}
	if (store) {
		qf_igraph_free(c->ig);
		c->ig = ig_copy(ig);
	}
	p->nodes_run += ig->nn - from;
	p->nodes_all += ig->nn;
	free(load);
	free(z);
	qf_iexec_free(x);
}

/* Builds, lowers and runs st over the calibration images. -1 when the
 * passes refuse the model (reported through d). */
static int evaluate(ptq *p, const state *st, cand *k, qf_diag *d)
{
	memset(k, 0, sizeof *k);
	k->g = build(p, st);
	k->ig = qf_fuse(k->g, d);
	if (!k->ig || qf_quantize(k->ig, k->g, d) != 0) {
		cand_free(k);
		return -1;
	}
	QF_ASSERT(k->ig->pow2 && k->ig->nn == p->sk->nn);
	k->logits = qf_xmalloc((size_t)p->n * (size_t)p->classes * sizeof(float));
	k->sums = qf_xcalloc((size_t)k->ig->nn, sizeof(int64_t *));
	k->counts = qf_xcalloc((size_t)k->ig->nn, sizeof(int64_t));
	for (int i = 0; i < k->ig->nn; i++)
		if (weighted(k->ig->n[i].op))
			k->sums[i] = qf_xmalloc((size_t)k->ig->t[k->ig->n[i].out].c * sizeof(int64_t));
	run(p, k, false);
	qf_ptq_compare(p->ref, k->logits, p->n, p->classes, &k->st);
	k->bytes = qf_igraph_const_bytes(k->ig);
	k->act_bytes = act_bytes(k->ig);
	p->evals++;
	return 0;
}

/* k becomes the current model: best, and the cache's. */
static void adopt(ptq *p, cand *best, cand *k)
{
	cand_free(best);
	*best = *k;
	memset(k, 0, sizeof *k);
	run(p, best, true);
}

/* ------------------------------------------------------------ states */

static void state_init(state *s, const qf_igraph *sk)
{
	s->wbits = qf_xcalloc((size_t)sk->nn, sizeof(int));
	s->wbits_hi = qf_xcalloc((size_t)sk->nn, sizeof(int));
	s->wadj = qf_xcalloc((size_t)sk->nn, sizeof(int));
	s->abits = qf_xcalloc((size_t)sk->nt, sizeof(int));
	s->aadj = qf_xcalloc((size_t)sk->nt, sizeof(int));
	s->bfix = qf_xcalloc((size_t)sk->nn, sizeof(double *));
	for (int i = 0; i < sk->nn; i++)
		s->wbits[i] = s->wbits_hi[i] = weighted(sk->n[i].op) ? 8 : 0;
	for (int i = 0; i < sk->nt; i++)
		s->abits[i] = 8;
}

static void state_copy(state *dst, const state *src, const qf_igraph *sk)
{
	memcpy(dst->wbits, src->wbits, (size_t)sk->nn * sizeof(int));
	memcpy(dst->wbits_hi, src->wbits_hi, (size_t)sk->nn * sizeof(int));
	memcpy(dst->wadj, src->wadj, (size_t)sk->nn * sizeof(int));
	memcpy(dst->abits, src->abits, (size_t)sk->nt * sizeof(int));
	memcpy(dst->aadj, src->aadj, (size_t)sk->nt * sizeof(int));
	for (int i = 0; i < sk->nn; i++) {
		if (!src->bfix[i]) {
			free(dst->bfix[i]);
			dst->bfix[i] = NULL;
			continue;
		}
		size_t c = (size_t)sk->t[sk->n[i].out].c;
		if (!dst->bfix[i])
			dst->bfix[i] = qf_xmalloc(c * sizeof(double));
		memcpy(dst->bfix[i], src->bfix[i], c * sizeof(double));
	}
}

static void state_free(state *s, const qf_igraph *sk)
{
	for (int i = 0; i < sk->nn; i++)
		free(s->bfix[i]);
	free(s->bfix);
	free(s->wbits);
	free(s->wbits_hi);
	free(s->wadj);
	free(s->abits);
	free(s->aadj);
}

/* ------------------------------------------------------------ the skeleton */

/* Which tensors may be 4-bit: written by a conv or fc and read only by
 * convs and fcs (the runtime's depthwise, pools and add are 8-bit; the
 * input and logits are 8-bit by contract). */
static void find_4bit(ptq *p)
{
	const qf_igraph *sk = p->sk;
	for (int t = 0; t < sk->nt; t++) {
		int pr = sk->t[t].producer;
		bool ok = t != sk->input && t != sk->output && pr >= 0 &&
			  (sk->n[pr].op == QF_IOP_CONV || sk->n[pr].op == QF_IOP_FC);
		for (int i = 0; i < sk->nn && ok; i++) {
			const qf_inode *n = &sk->n[i];
			if ((n->in[0] == t || n->in[1] == t) && n->op != QF_IOP_CONV && n->op != QF_IOP_FC)
				ok = false;
		}
		p->can4[t] = ok;
	}
}

/* The float model the Int Graph stands for reads bytes / 255; the integer
 * input is bytes / 256 (the power-of-two step nearest). The layers reading
 * the input take weights * 256 / 255 so the product is the same. A layer of
 * another kind reading the input (a pool) is left: the 0.4 % then stays. */
static void compensate_input(qf_graph *g)
{
	for (int i = 0; i < g->nn; i++) {
		qf_node *n = &g->n[i];
		if ((n->op != QF_OP_CONV2D && n->op != QF_OP_FC) || n->in[0] != g->input)
			continue;
		float *w = qf_tensor_data(g, n->in[1]);
		for (int64_t k = 0; k < qf_tensor_elems(&g->t[n->in[1]]); k++)
			w[k] = (float)((double)w[k] * 256.0 / 255.0);
	}
}

/* ------------------------------------------------------------ reporting */

static void logf_(const ptq *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(const ptq *p, const char *fmt, ...)
{
	if (!p->c->log)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(p->c->log, fmt, ap);
	va_end(ap);
	fflush(p->c->log);
}

static void log_stats(const ptq *p, const qf_ptq_stats *s)
{
	logf_(p, "agreement %.2f%%, KL %.5f, est. drop %.2f points", s->agree, s->kl, s->drop);
}

/* Weight structures: a whole layer (half 2), or, for a layer split(), the
 * lower (0) or upper (1) half of its output channels. Their width in s
 * (a whole layer's: its widest half), and one width down. */
static int width_of(const state *s, int i, int half)
{
	int lo = s->wbits[i], hi = s->wbits_hi[i];
	return half == 0 ? lo : half == 1 ? hi : lo > hi ? lo : hi;
}

static int width_down(int bits)
{
	return bits == 8 ? 4 : 2;
}

static const char *struct_name(const ptq *p, bool weights, int i, int half, char *buf, size_t size)
{
	int c = p->sk->t[p->sk->n[i].out].c;
	if (weights && half < 2)
		snprintf(buf, size, "%s weights [%d, %d)", p->sk->n[i].name, half ? c / 2 : 0, half ? c : c / 2);
	else if (weights)
		snprintf(buf, size, "%s weights", p->sk->n[i].name);
	else
		snprintf(buf, size, "%s output", p->sk->t[i].name);
	return buf;
}

/* ------------------------------------------------------------ lowering (step 3) */

/* The rule every self-distillation change must pass: fewer images whose
 * top-1 differs from the float model's, or as many and a lower KL
 * divergence from it. */
static bool better(const cand *k, const cand *than)
{
	if (k->st.disagree != than->st.disagree)
		return k->st.disagree < than->st.disagree;
	return k->st.kl < than->st.kl;
}

static void correct_bias(const ptq *p, state *st, const cand *k, int i);
static bool correctable(const ptq *p, const cand *k, int i);

/* Is s within the bound, and (memory) is k better than nothing? */
static bool within(const ptq *p, const qf_ptq_stats *s)
{
	return qf_ptq_bound_value(s, p->c->metric) <= p->c->max_drop + 1e-9;
}

static void trace_add(qf_ptq_report *r, const cand *k)
{
	r->trace = qf_xrealloc(r->trace, (size_t)(r->steps + 1) * sizeof(int64_t));
	r->act_trace = qf_xrealloc(r->act_trace, (size_t)(r->steps + 1) * sizeof(int64_t));
	r->trace[r->steps] = k->bytes;
	r->act_trace[r->steps++] = k->act_bytes;
}

/* Candidate: one data structure of cur one width down (weights of node i
 * when w, all of them or one half (struct_name), else activation tensor
 * i); with lowered weights, the layer's
 * biases are corrected for the new rounding too, when that brings the
 * model closer to the float one. 0 and k, st set; -1 when the passes
 * refuse it. */
static int candidate(ptq *p, const state *cur, bool w, int i, int half, state *st, cand *k)
{
	const qf_igraph *sk = p->sk;
	state_copy(st, cur, sk);
	if (w && half != 1)
		st->wbits[i] = width_down(cur->wbits[i]);
	if (w && half != 0)
		st->wbits_hi[i] = width_down(cur->wbits_hi[i]);
	if (!w)
		st->abits[i] = 4;
	if (evaluate(p, st, k, p->quiet) != 0)
		return -1;
	if (!w || !correctable(p, k, i))
		return 0;
	state tr;
	state_init(&tr, sk);
	state_copy(&tr, st, sk);
	correct_bias(p, &tr, k, i);
	cand k2;
	if (evaluate(p, &tr, &k2, p->quiet) == 0) {
		if (better(&k2, k)) {
			cand_free(k);
			*k = k2;
			state_copy(st, &tr, sk);
		} else {
			cand_free(&k2);
		}
	}
	state_free(&tr, sk);
	return 0;
}

static int lower(ptq *p, state *cur, cand *best, qf_ptq_report *r)
{
	const qf_igraph *sk = p->sk;
	state tr, pick_st;
	state_init(&tr, sk);
	state_init(&pick_st, sk);
	for (;;) {
		if (p->c->memory_goal > 0 && best->bytes <= p->c->memory_goal)
			break;
		cand pick;
		memset(&pick, 0, sizeof pick);
		double pick_score = INFINITY;
		bool pick_w = false;
		int pick_i = -1, pick_half = 2, tried = 0;
		/* weights first: they are what the memory counts; activations
		 * (RAM) only once no weight can go lower within the bound */
		for (int pass = 0; pass < 2 && pick_i < 0; pass++) {
			bool w = pass == 0;
			/* weights: unit u is node u / 2, half u % 2 of a split
			 * layer, or the whole of any other (half 0 stands for it) */
			for (int u = 0; u < (w ? 2 * sk->nn : sk->nt); u++) {
				int i = w ? u / 2 : u, half = w ? (split(sk, i) ? u % 2 : 2) : 2;
				if (w && half == 2 && u % 2)
					continue;
				if (w ? width_of(cur, i, half) <= 2 : !p->can4[i] || cur->abits[i] != 8)
					continue;
				cand k;
				if (candidate(p, cur, w, i, half, &tr, &k) != 0)
					continue;
				tried++;
				char nm[96];
				if (p->c->verbose) {
					logf_(p, "ptq:   try %s -> %d bits: ", struct_name(p, w, i, half, nm, sizeof nm),
					      w ? width_of(&tr, i, half) : tr.abits[i]);
					log_stats(p, &k.st);
					logf_(p, "; %lld bytes\n", (long long)k.bytes);
				}
				int64_t saved = w ? best->bytes - k.bytes : best->act_bytes - k.act_bytes;
				/* bytes saved past the memory goal are worth nothing:
				 * a step that overshoots it is scored by the bytes
				 * the goal still needed (the lowering ends there) */
				int64_t need = best->bytes - p->c->memory_goal;
				int64_t useful = w && p->c->memory_goal > 0 && saved > need ? need : saved;
				double score = saved > 0 ? (k.st.kl - best->st.kl) / (double)useful : INFINITY;
				if (saved > 0 && within(p, &k.st) && score < pick_score) {
					cand_free(&pick);
					pick = k;
					pick_score = score;
					pick_w = w;
					pick_i = i;
					pick_half = half;
					state_copy(&pick_st, &tr, sk);
				} else {
					cand_free(&k);
				}
			}
		}
		if (pick_i < 0) {
			logf_(p, "ptq: no data structure can go lower within the bound (%d tried)\n", tried);
			break;
		}
		char nm[96];
		state_copy(cur, &pick_st, sk);
		logf_(p, "ptq: step %d: %s -> %d bits: ", r->steps + 1,
		      struct_name(p, pick_w, pick_i, pick_half, nm, sizeof nm),
		      pick_w ? width_of(cur, pick_i, pick_half) : cur->abits[pick_i]);
		log_stats(p, &pick.st);
		logf_(p, "; %lld bytes (%d candidates)\n", (long long)pick.bytes, tried);
		if (pick_w)
			p->werr[pick_i] += pick.st.kl - best->st.kl;
		else
			p->aerr[pick_i] += pick.st.kl - best->st.kl;
		adopt(p, best, &pick);
		trace_add(r, best);
	}
	state_free(&tr, sk);
	state_free(&pick_st, sk);
	return 0;
}

/* ------------------------------------------------------------ self-distillation (step 4) */

/* Moves layer i's biases in st by the float model's mean pre-activation
 * per channel minus the integer model's, as k (a run of st) measured it. */
static void correct_bias(const ptq *p, state *st, const cand *k, int i)
{
	const qf_inode *n = &k->ig->n[i];
	const qf_qparam *wq = &k->g->q[k->g->t[n->wsrc].quant];
	double s_in = k->ig->t[n->in[0]].scale;
	int cout = k->ig->t[n->out].c;
	if (!st->bfix[i])
		st->bfix[i] = qf_xcalloc((size_t)cout, sizeof(double));
	for (int c = 0; c < cout; c++) {
		double sw = (double)k->g->data[wq->scale + (wq->n == 1 ? 0 : c)];
		double mq = (double)k->sums[i][c] / (double)k->counts[i] * s_in * sw;
		double mf = p->pre[i].csum[c] / (double)p->pre[i].cnt;
		st->bfix[i][c] += mf - mq;
	}
}

static bool correctable(const ptq *p, const cand *k, int i)
{
	const qf_inode *n = &p->sk->n[i];
	return weighted(n->op) && n->bsrc >= 0 && k->counts[i] > 0;
}

/* One pass of bias correction in execution order, each layer measured
 * with everything before it already corrected. */
static void bias_pass(ptq *p, state *cur, cand *best, int *kept)
{
	const qf_igraph *sk = p->sk;
	state tr;
	state_init(&tr, sk);
	for (int i = 0; i < sk->nn; i++) {
		if (!correctable(p, best, i))
			continue;
		state_copy(&tr, cur, sk);
		correct_bias(p, &tr, best, i);
		cand k;
		if (evaluate(p, &tr, &k, p->quiet) != 0)
			continue;
		if (better(&k, best)) {
			state_copy(cur, &tr, sk);
			adopt(p, best, &k);
			(*kept)++;
		} else {
			cand_free(&k);
		}
	}
	state_free(&tr, sk);
}

/* One pass over every fraction length: one bit more, then one bit less. */
static void fl_pass(ptq *p, state *cur, cand *best, int *kept)
{
	const qf_igraph *sk = p->sk;
	state tr;
	state_init(&tr, sk);
	for (int pass = 0; pass < 2; pass++) {
		int nitems = pass == 0 ? sk->nn : sk->nt;
		for (int i = 0; i < nitems; i++) {
			if (pass == 0 && !cur->wbits[i])
				continue;
			if (pass == 1 && (i == sk->input || p->same_as[i] != i))
				continue;
			for (int dir = 1; dir >= -1; dir -= 2) {
				state_copy(&tr, cur, sk);
				int *adj = pass == 0 ? &tr.wadj[i] : &tr.aadj[i];
				if (abs(*adj + dir) > MAX_ADJ)
					continue;
				*adj += dir;
				cand k;
				if (evaluate(p, &tr, &k, p->quiet) != 0)
					continue;
				if (better(&k, best)) {
					state_copy(cur, &tr, sk);
					adopt(p, best, &k);
					(*kept)++;
					break;
				}
				cand_free(&k);
			}
		}
	}
	state_free(&tr, sk);
}

/* Weights and biases of g as the model of st quantizes them, into dst:
 * the weights dequantized, so quantizing them again gives the same
 * integers at the same steps. */
static void fake_quant(const ptq *p, const qf_graph *g, const float *const *master, qf_graph *dst)
{
	const qf_igraph *sk = p->sk;
	for (int i = 0; i < sk->nn; i++) {
		const qf_inode *n = &sk->n[i];
		if (!weighted(n->op))
			continue;
		const qf_qparam *q = &g->q[g->t[n->wsrc].quant];
		int cout = sk->t[n->out].c;
		int64_t per = qf_tensor_elems(&g->t[n->wsrc]) / cout;
		float *w = qf_tensor_data(dst, n->wsrc);
		for (int c = 0; c < cout; c++) {
			int bits = g->ints[q->bits + (q->slice ? c / q->slice : 0)];
			double qmax = (double)((1 << (bits - 1)) - 1);
			double sw = (double)g->data[q->scale + (q->n == 1 ? 0 : c)];
			for (int64_t k = 0; k < per; k++) {
				double v = round((double)master[i][c * per + k] / sw);
				v = v > qmax ? qmax : v < -qmax ? -qmax : v;
				w[c * per + k] = (float)(v * sw);
			}
		}
	}
}

/* A few hundred steps on the weights and biases over three quarters of
 * the calibration images, with the weights fake-quantized at the steps of
 * the current model (straight through: the gradient at the quantized
 * weights moves the float ones) and, as the target of each image, a class
 * drawn from the float model's softmax: in expectation the cross-entropy
 * gradient is that of the KL divergence from the float model, which the
 * engine's hard-label loss cannot take directly, and no label is read.
 * Activations stay float here: the integer run that judges the result is
 * what counts, after its biases are corrected, and the result replaces
 * base when it is better on all calibration images and closer to the
 * float model on the quarter it did not train on. */
static void weight_pass(ptq *p, state *cur, cand *best, int *kept, qf_diag *d)
{
	const qf_igraph *sk = p->sk;
	if (p->c->wd_steps <= 0)
		return;
	qf_graph *g = build(p, cur);
	qf_engine *e = qf_engine_new(g, WD_BATCH, p->c->threads > 0 ? p->c->threads : 1, d);
	if (!e) {
		qf_graph_free(g);
		return;
	}
	float **master = qf_xcalloc((size_t)sk->nn, sizeof(float *));
	for (int i = 0; i < sk->nn; i++)
		if (weighted(sk->n[i].op)) {
			int64_t m = qf_tensor_elems(&g->t[sk->n[i].wsrc]);
			master[i] = qf_xmalloc((size_t)m * sizeof(float));
			memcpy(master[i], qf_tensor_data(g, sk->n[i].wsrc), (size_t)m * sizeof(float));
		}
	/* the optimiser moves the float weights and the biases; the engine's
	 * gradients are those of the quantized weights it ran */
	int np = qf_engine_n_params(e);
	qf_param *par = qf_xcalloc((size_t)np, sizeof(qf_param));
	for (int k = 0; k < np; k++) {
		par[k] = *qf_engine_param(e, k);
		par[k].decay = false;
		for (int i = 0; i < sk->nn; i++)
			if (master[i] && sk->n[i].wsrc == par[k].tensor)
				par[k].w = master[i];
	}
	qf_opt_cfg oc;
	qf_opt_defaults(&oc, QF_OPT_ADAMW);
	oc.weight_decay = 0;
	qf_optim *o = qf_optim_new(&oc, par, np);
	int32_t *perm = qf_xmalloc((size_t)p->n * sizeof(int32_t));
	uint8_t bl[WD_BATCH];
	double *pt = qf_xmalloc((size_t)p->n * (size_t)p->classes * sizeof(double));
	for (int i = 0; i < p->n; i++)
		softmax(p->ref + (int64_t)i * p->classes, p->classes, pt + (int64_t)i * p->classes);
	qf_rng r;
	qf_rng_seed(&r, 7);
	/* the last quarter is held out of the training, to see whether what
	 * it learnt carries over to images it did not see */
	int nt = p->n - p->n / 4;
	for (int step = 0; step < p->c->wd_steps;) {
		qf_shuffle(perm, nt, &r);
		for (int i0 = 0; i0 < nt && step < p->c->wd_steps; i0 += WD_BATCH, step++) {
			int m = nt - i0 < WD_BATCH ? nt - i0 : WD_BATCH;
			fake_quant(p, g, (const float *const *)master, g);
			qf_batch(p->ds, &p->ds->train, perm + i0, m, false, NULL, qf_engine_input(e), bl);
			/* a class drawn from the float model's softmax: the
			 * expected gradient is that of the KL divergence from it */
			for (int j = 0; j < m; j++) {
				const double *q = pt + (int64_t)perm[i0 + j] * p->classes;
				double u = qf_rng_uniform(&r), acc = 0;
				int c = 0;
				while (c < p->classes - 1 && (acc += q[c]) <= u)
					c++;
				bl[j] = (uint8_t)c;
			}
			qf_engine_zero_grad(e);
			qf_engine_forward(e, m, true);
			qf_engine_loss(e, bl, m, 0, NULL);
			qf_engine_backward(e, m);
			qf_optim_step(o, p->c->wd_lr);
		}
	}
	fake_quant(p, g, (const float *const *)master, g);
	qf_optim_free(o);
	qf_engine_free(e);
	free(par);
	free(perm);
	free(pt);
	/* the candidate: base with g's weights and biases, nothing else moved */
	qf_graph *nb = qf_graph_clone(p->base);
	for (int i = 0; i < sk->nn; i++) {
		const qf_inode *n = &sk->n[i];
		free(master[i]);
		if (!weighted(n->op))
			continue;
		memcpy(qf_tensor_data(nb, n->wsrc), qf_tensor_data(g, n->wsrc),
		       (size_t)qf_tensor_elems(&g->t[n->wsrc]) * sizeof(float));
		if (n->bsrc >= 0)
			memcpy(qf_tensor_data(nb, n->bsrc), qf_tensor_data(g, n->bsrc),
			       (size_t)qf_tensor_elems(&g->t[n->bsrc]) * sizeof(float));
	}
	free(master);
	qf_graph_free(g);
	state tr;
	state_init(&tr, sk);
	state_copy(&tr, cur, sk);
	for (int i = 0; i < sk->nn; i++) {
		free(tr.bfix[i]);
		tr.bfix[i] = NULL;
		tr.wadj[i] = 0;
	}
	qf_graph *old = p->base;
	p->base = nb;
	cand k;
	int ok = evaluate(p, &tr, &k, p->quiet);
	if (ok == 0 && p->c->verbose) {
		logf_(p, "ptq:   weights after %d steps: ", p->c->wd_steps);
		log_stats(p, &k.st);
		logf_(p, "\n");
	}
	/* the new weights move every layer's mean output: judged with their
	 * biases corrected, as the lowering judges a lowered layer */
	if (ok == 0) {
		int kb = 0;
		bias_pass(p, &tr, &k, &kb);
		if (p->c->verbose) {
			logf_(p, "ptq:   and biases corrected (%d layers): ", kb);
			log_stats(p, &k.st);
			logf_(p, "\n");
		}
	}
	/* kept when better on all calibration images, as every distillation
	 * change, and closer to the float model on the held-out quarter */
	qf_ptq_stats hk, hb;
	if (ok == 0) {
		int64_t off = (int64_t)nt * p->classes;
		qf_ptq_compare(p->ref + off, k.logits + off, p->n - nt, p->classes, &hk);
		qf_ptq_compare(p->ref + off, best->logits + off, p->n - nt, p->classes, &hb);
		if (p->c->verbose)
			logf_(p, "ptq:   held-out KL %.5f, before %.5f\n", hk.kl, hb.kl);
	}
	if (ok == 0 && better(&k, best) && hk.kl < hb.kl) {
		state_copy(cur, &tr, sk);
		adopt(p, best, &k);
		qf_graph_free(old);
		(*kept)++;
	} else {
		if (k.g)
			cand_free(&k);
		p->base = old;
		qf_graph_free(nb);
	}
	state_free(&tr, sk);
}

/* Weights, then biases, then fraction lengths, twice at most; the number
 * of changes kept. */
static int distill(ptq *p, state *cur, cand *best, qf_diag *d)
{
	int total = 0;
	for (int round = 0; round < 2; round++) {
		int kw = 0;
		weight_pass(p, cur, best, &kw, d);
		logf_(p, "ptq: self-distillation round %d, weights: %s; ", round + 1, kw ? "changed" : "kept");
		log_stats(p, &best->st);
		logf_(p, "\n");
		int kept = 0;
		bias_pass(p, cur, best, &kept);
		logf_(p, "ptq: self-distillation round %d, biases: %d layers changed; ", round + 1, kept);
		log_stats(p, &best->st);
		logf_(p, "\n");
		int k2 = 0;
		fl_pass(p, cur, best, &k2);
		logf_(p, "ptq: self-distillation round %d, fraction lengths: %d changed; ", round + 1, k2);
		log_stats(p, &best->st);
		logf_(p, "\n");
		total += kw + kept + k2;
		if (kw + kept + k2 == 0)
			break;
	}
	return total;
}

/* ------------------------------------------------------------ the report */

static void fl_range(const qf_graph *g, int t, int *lo, int *hi, int add)
{
	const qf_qparam *q = &g->q[g->t[t].quant];
	*lo = 1000;
	*hi = -1000;
	for (int c = 0; c < q->n; c++) {
		int fl = -ilog2((double)g->data[q->scale + c]) + add;
		*lo = fl < *lo ? fl : *lo;
		*hi = fl > *hi ? fl : *hi;
	}
}

static void fill_layers(const ptq *p, const cand *start, const cand *fin, qf_ptq_report *r)
{
	const qf_igraph *sk = p->sk, *ig = fin->ig;
	r->layers = qf_xcalloc((size_t)sk->nn, sizeof(qf_ptq_layer));
	for (int i = 0; i < sk->nn; i++) {
		const qf_inode *n = &ig->n[i];
		qf_ptq_layer *l = &r->layers[r->n_layers++];
		snprintf(l->name, sizeof l->name, "%s", n->name);
		snprintf(l->op, sizeof l->op, "%s", qf_iop_name[n->op]);
		l->wbits0 = start->ig->n[i].w_bits;
		l->wbits = l->wbits_min = n->w_bits;
		for (int k = 0; k < n->nparts; k++)
			if (ig->part[n->part + k].w_bits < l->wbits_min)
				l->wbits_min = ig->part[n->part + k].w_bits;
		const qf_itensor *y = &ig->t[n->out];
		l->abits0 = start->ig->t[n->out].bits;
		l->abits = y->bits;
		l->a_fl = -ilog2(y->scale);
		l->a_zp = y->zp;
		l->bytes0 = qf_inode_const_bytes(start->ig, &start->ig->n[i]);
		l->bytes = qf_inode_const_bytes(ig, n);
		if (weighted(n->op)) {
			int fin_lo, fin_hi;
			fl_range(fin->g, n->wsrc, &l->w_fl_min, &l->w_fl_max, 0);
			fl_range(fin->g, n->wsrc, &fin_lo, &fin_hi, -ilog2(ig->t[n->in[0]].scale));
			l->has_bias = n->bias >= 0;
			l->bbits = !l->has_bias ? 0 : n->bias_bits == 16 ? 16 : 32;
			l->b_fl_min = l->has_bias ? fin_lo - n->bias_shift : 0;
			l->b_fl_max = l->has_bias ? fin_hi - n->bias_shift : 0;
		}
		l->err = p->werr[i] + p->aerr[n->out];
	}
}

void qf_ptq_report_free(qf_ptq_report *r)
{
	free(r->layers);
	free(r->trace);
	free(r->act_trace);
	memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------ the check (step 5) */

/* The final model through the integer reference executor: its logits
 * must be fxp_exec's, image for image, bit for bit. CPU ms per image. */
static double check_intref(const ptq *p, const cand *k)
{
	double t0 = thread_cpu();
	qf_intref *r = qf_intref_new(k->ig);
	const qf_itensor *out = &k->ig->t[k->ig->output];
	int8_t *z = qf_xmalloc((size_t)p->classes);
	for (int i = 0; i < p->n; i++) {
		qf_intref_run(r, p->img + (int64_t)i * p->img_elems, z);
		for (int j = 0; j < p->classes; j++) {
			float v = (float)((z[j] - out->zp) * out->scale);
			if (v != k->logits[(int64_t)i * p->classes + j])
				qf_die("ptq: the fast executor and intref disagree on image %d, logit %d (%g vs %g)", i, j, v, k->logits[(int64_t)i * p->classes + j]);
		}
	}
	free(z);
	qf_intref_free(r);
	return 1000.0 * (thread_cpu() - t0) / p->n;
}

/* ------------------------------------------------------------ entry */

void qf_ptq_defaults(qf_ptq_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->calib = 512;
	c->max_drop = 1.0;
	c->metric = QF_PTQ_DISAGREE;
	c->distill = true;
	c->relower = true;
	c->wd_steps = 400;
	c->wd_lr = 1e-3f;
	c->batch = 64;
	c->threads = 2;
	c->check = true;
}

/* The first tensor whose quant params are a quantization, not the
 * placeholders qforge sample writes (scale 1, zero point 0); -1 none. */
int qf_ptq_quantized_tensor(const qf_graph *g)
{
	for (int i = 0; i < g->nt; i++) {
		if (g->t[i].quant < 0)
			continue;
		const qf_qparam *q = &g->q[g->t[i].quant];
		for (int k = 0; k < q->n; k++)
			if (g->data[q->scale + k] != 1.0f || g->ints[q->zero + k] != 0)
				return i;
	}
	return -1;
}

qf_graph *qf_ptq(const qf_graph *g, const qf_dataset *ds, const qf_ptq_cfg *c, qf_ptq_report *r, qf_diag *d)
{
	memset(r, 0, sizeof *r);
	int qt = qf_ptq_quantized_tensor(g);
	if (qt >= 0) {
		qf_diag_error(d, (qf_loc){0, 0},
			      "model '%s' is already quantized (tensor '%s' has quant params): qforge ptq takes a "
			      "float model, as qforge train writes it",
			      g->name, g->t[qt].name);
		return NULL;
	}
	if (c->calib < 1 || c->calib > ds->train.n) {
		qf_diag_error(d, (qf_loc){0, 0},
			      "%d calibration images asked for, but the data has %d training images", c->calib,
			      ds->train.n);
		return NULL;
	}
	ptq p;
	memset(&p, 0, sizeof p);
	p.c = c;
	p.ds = ds;
	p.n = c->calib;
	p.classes = g->classes;
	qf_rng_seed(&p.rng, 1);
	p.quiet_f = fopen("/dev/null", "w");
	p.quiet = qf_diag_new(p.quiet_f ? p.quiet_f : stderr);
	qf_graph *out = NULL;
	state cur;
	memset(&cur, 0, sizeof cur);
	cand best, start;
	memset(&best, 0, sizeof best);
	memset(&start, 0, sizeof start);

	p.plain = qf_graph_clone(g);
	for (int i = 0; i < p.plain->nt; i++)
		p.plain->t[i].quant = -1; /* placeholders go */
	p.plain->nq = 0;
	if (qf_fold_bn(p.plain, d) < 0)
		goto done;
	p.base = qf_graph_clone(p.plain);
	compensate_input(p.base);
	if (!(p.sk = qf_fuse(p.base, d)))
		goto done;
	const qf_igraph *sk = p.sk;
	p.ts = qf_xcalloc((size_t)sk->nt, sizeof(tstat));
	p.pre = qf_xcalloc((size_t)sk->nn, sizeof(tstat));
	p.same_as = qf_xmalloc((size_t)sk->nt * sizeof(int));
	p.can4 = qf_xcalloc((size_t)sk->nt, sizeof(bool));
	p.werr = qf_xcalloc((size_t)sk->nn, sizeof(double));
	p.aerr = qf_xcalloc((size_t)sk->nt, sizeof(double));
	for (int i = 0; i < sk->nt; i++)
		p.same_as[i] = i;
	for (int i = 0; i < sk->nn; i++)
		if (sk->n[i].op == QF_IOP_MAXPOOL || sk->n[i].op == QF_IOP_AVGPOOL)
			p.same_as[sk->n[i].out] = p.same_as[sk->n[i].in[0]];
	find_4bit(&p);

	/* float side: reference logits and statistics */
	p.ref = qf_xmalloc((size_t)p.n * (size_t)p.classes * sizeof(float));
	p.img_elems = qf_itensor_elems(&sk->t[sk->input]);
	p.img = qf_xmalloc((size_t)(p.n * p.img_elems));
	for (int i = 0; i < p.n; i++)
		qf_image_hwc(ds, &ds->train, i, p.img + (int64_t)i * p.img_elems);
	logf_(&p, "ptq: float model over %d calibration images\n", p.n);
	if (float_pass(&p, d) != 0)
		goto done;

	/* memory: float, the floor, the 8-bit start */
	int64_t fb = 0;
	for (int i = 0; i < sk->nn; i++) {
		const qf_inode *n = &sk->n[i];
		if (!weighted(n->op))
			continue;
		fb += 4 * qf_tensor_elems(&p.base->t[n->wsrc]);
		if (n->bsrc >= 0)
			fb += 4 * qf_tensor_elems(&p.base->t[n->bsrc]);
	}
	r->float_bytes = fb;
	state_init(&cur, sk);
	for (int i = 0; i < sk->nn; i++)
		if (cur.wbits[i])
			cur.wbits[i] = cur.wbits_hi[i] = 2;
	cand fl;
	if (evaluate(&p, &cur, &fl, d) != 0)
		goto done;
	r->floor_bytes = fl.bytes;
	cand_free(&fl);
	if (c->memory_goal > 0 && c->memory_goal < r->floor_bytes) {
		qf_diag_error(d, (qf_loc){0, 0},
			      "memory goal of %lld bytes is below the %lld bytes that every weight at 2 bits needs "
			      "(packed weights, 16-bit biases, 8-bit shifts); the float model has %lld",
			      (long long)c->memory_goal, (long long)r->floor_bytes, (long long)r->float_bytes);
		goto done;
	}
	for (int i = 0; i < sk->nn; i++)
		if (cur.wbits[i])
			cur.wbits[i] = cur.wbits_hi[i] = 8;
	if (evaluate(&p, &cur, &best, d) != 0)
		goto done;
	run(&p, &best, true);
	r->start_bytes = best.bytes;
	r->start_act_bytes = best.act_bytes;
	r->start = best.st;
	logf_(&p, "ptq: 8 bits everywhere: ");
	log_stats(&p, &best.st);
	logf_(&p, "; %lld bytes (float32: %lld)\n", (long long)best.bytes, (long long)r->float_bytes);
	/* a copy of the start for the table */
	state st0;
	state_init(&st0, sk);
	if (evaluate(&p, &st0, &start, d) != 0) {
		state_free(&st0, sk);
		goto done;
	}
	state_free(&st0, sk);

	/* room for the lowering: the start's biases corrected first */
	int kept = 0;
	bias_pass(&p, &cur, &best, &kept);
	logf_(&p, "ptq: 8-bit biases corrected (%d layers): ", kept);
	log_stats(&p, &best.st);
	logf_(&p, "\n");
	r->corrected = best.st;
	if (!within(&p, &best.st)) {
		qf_diag_error(d, (qf_loc){0, 0},
			      "at 8 bits everywhere, biases corrected, the model already differs from the float model by %.2f points "
			      "(%s) on the %d calibration images, over the allowed %.2f; allow more (--max-drop) "
			      "or calibrate on more images",
			      qf_ptq_bound_value(&best.st, c->metric),
			      c->metric == QF_PTQ_EXPECTED ? "estimated drop" : "top-1 disagreement", p.n, c->max_drop);
		goto done;
	}
	/* lower, distill, and while the distillation made room and the goal
	 * is not met, lower again from the distilled model */
	for (int round = 0;; round++) {
		int steps = r->steps;
		lower(&p, &cur, &best, r);
		if (round > 0 && r->steps == steps)
			break; /* the last distillation already followed the last step */
		r->lowered = best.st;
		r->lowered_bytes = best.bytes;
		if (!c->distill)
			break;
		int changed = distill(&p, &cur, &best, d);
		bool goal = c->memory_goal > 0 && best.bytes <= c->memory_goal;
		if (!c->relower || goal || !changed || round + 1 >= MAX_ROUNDS)
			break;
	}
	r->final = best.st;
	r->quant_bytes = best.bytes;
	r->act_bytes = best.act_bytes;
	r->wb_bytes = qf_igraph_weight_bias_bytes(best.ig);
	r->goal_met = c->memory_goal <= 0 || best.bytes <= c->memory_goal;
	if (c->check)
		r->intref_ms = check_intref(&p, &best);
	r->exec_ms = p.exec_ms;
	fill_layers(&p, &start, &best, r);
	r->evals = p.evals;
	logf_(&p, "ptq: %lld candidate models run; the prefix cache ran %.0f%% of their layers\n", (long long)p.evals,
	      p.nodes_all ? 100.0 * (double)p.nodes_run / (double)p.nodes_all : 0.0);
	out = best.g;
	best.g = NULL;
	qf_plan(best.ig);
	r->arena_bytes = best.ig->arena_bytes;
done:
	cand_free(&best);
	cand_free(&start);
	if (p.sk) {
		if (cur.wbits)
			state_free(&cur, p.sk);
		for (int i = 0; i < p.sk->nt; i++)
			free(p.ts[i].sample);
		for (int i = 0; i < p.sk->nn; i++)
			free(p.pre[i].csum);
	}
	free(p.ts);
	free(p.pre);
	free(p.same_as);
	free(p.can4);
	free(p.werr);
	free(p.aerr);
	free(p.ref);
	free(p.img);
	cache_free(&p.cache);
	qf_igraph_free(p.sk);
	qf_graph_free(p.base);
	qf_graph_free(p.plain);
	qf_diag_free(p.quiet);
	if (p.quiet_f)
		fclose(p.quiet_f);
	return out;
}
