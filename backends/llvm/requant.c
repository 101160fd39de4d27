/* requant.c: the integer contract (runtime/requant.h) as IR.
 *
 * Every weighted layer has a table of 4 int32 per output channel, loaded
 * once per channel from one base address (LDRD/LDM on ARM):
 *   [0] the Q31 multiplier (unused in power-of-two mode)
 *   [1] fast form: the rounding constant r; exact form: the shift
 *   [2] fast form: the right shift e; exact form: unused
 *   [3] the bias times 2^s, where the accumulators hold sum * 2^s (sub-byte
 *       weights on the DSP path are read scaled, see dense.c)
 *
 * The exact form is the contract written out: left shift, gemmlowp's
 * SaturatingRoundingDoublingHighMul in 64 bits, RoundingDivideByPOT with
 * its mask and threshold, clamp, zero point (about 20 instructions on a
 * Cortex-M4). The fast form gives the same result in 5 to 7 instructions
 * when the layer's numbers allow it, which is decided here at compile time
 * from each channel's largest possible accumulator |acc| <= B (the sum of
 * |w| times the largest |x - zp| the input type holds, plus |bias|):
 *
 *   multiplier mode, every shift <= -1 (e = -shift), 2B < 2^31:
 *     SRDHM(acc, m) = floor((acc*m + 2^30) / 2^31)
 *                   = floor((2acc*m + 2^31) / 2^32)    = SMMULR(2acc, m)
 *     RDPOT(v, e) + zp = (v + 2^(e-1) - [v < 0] + zp*2^e) >> e
 *   (|SRDHM| <= |acc| as m < 2^31, so with B + |r| < 2^31 nothing
 *   overflows), so y = clamp((SMMULR(2acc, m) + r - (v >>> 31)) >> e) with
 *   r = 2^(e-1) + zp*2^e;
 *
 *   power-of-two mode, every shift <= 0 (n = -shift):
 *     floor((acc + 2^(n-1)) / 2^n) + zp = (acc + r) >> n,
 *     r = [n > 0] 2^(n-1) + zp*2^n, when B + |r| < 2^31; a scaled
 *     accumulator folds its scale into r and the shift.
 *
 * Layers whose numbers do not allow it (a left shift, e = 0, a huge
 * accumulator) take the exact form; tests cover both. */
#include <stdlib.h>
#include <string.h>

#include "backends/llvm/llvm_internal.h"

#define LIM ((int64_t)INT32_MAX)

void qf_lc_rq_init(qf_lc *c, const qf_inode *n, int ws, const int64_t *bound, qf_lc_rq *rq)
{
	qf_lc_rq_init_run(c, n, -1, 0, c->ig->t[n->out].c, ws, bound, rq);
}

void qf_lc_rq_init_run(qf_lc *c, const qf_inode *n, int run, int c0, int c1, int ws, const int64_t *bound,
		       qf_lc_rq *rq)
{
	const qf_igraph *ig = c->ig;
	const qf_itensor *y = &ig->t[n->out];
	int64_t nch = c1 - c0;
	/* the run's channels of the layer's arrays: entry ch is channel c0 + ch */
	int64_t bias_at = n->bias >= 0 ? n->bias + c0 : -1, shift_at = n->shift + c0, mult_at = n->mult + c0;
	memset(rq, 0, sizeof(*rq));
	rq->wscale_log2 = ws;
	rq->zp = y->zp;
	rq->lo = n->act_min;
	rq->hi = n->act_max;
	bool fast = true;
	for (int64_t ch = 0; ch < nch && fast; ch++) {
		int64_t bias = bias_at >= 0 ? ig->i32[bias_at + ch] : 0;
		int64_t B = bound[ch] + llabs(bias);
		int32_t s = ig->i32[shift_at + ch];
		if ((B << ws) > LIM)
			fast = false;
		else if (ig->pow2) {
			int n_ = -s;
			int64_t r = (n_ > 0 ? (int64_t)1 << (n_ - 1) : 0) + (int64_t)y->zp * ((int64_t)1 << (n_ > 0 ? n_ : 0));
			fast = s <= 0 && n_ + ws <= 31 && ((B + llabs(r)) << ws) <= LIM;
		} else {
			int e = -s;
			int64_t r = (e >= 1 ? (int64_t)1 << (e - 1) : 0) + (int64_t)y->zp * ((int64_t)1 << (e >= 1 ? e : 0));
			fast = e >= 1 && 2 * B <= LIM && B + llabs(r) + 1 <= LIM;
		}
	}
	rq->fast = fast;
	int32_t *tab = qf_xcalloc((size_t)nch * 4, sizeof(int32_t));
	for (int64_t ch = 0; ch < nch; ch++) {
		int32_t *e = tab + 4 * ch;
		int64_t bias = bias_at >= 0 ? ig->i32[bias_at + ch] : 0;
		int32_t s = ig->i32[shift_at + ch];
		e[3] = (int32_t)(uint32_t)((uint64_t)bias << ws);
		e[0] = ig->pow2 ? 0 : ig->i32[mult_at + ch];
		if (!fast) {
			e[1] = s;
		} else if (ig->pow2) {
			int sh = -s;
			int64_t r = (sh > 0 ? (int64_t)1 << (sh - 1) : 0) + (int64_t)y->zp * ((int64_t)1 << sh);
			e[1] = (int32_t)(r * ((int64_t)1 << ws));
			e[2] = sh + ws;
		} else {
			int ex = -s;
			e[1] = (int32_t)(((int64_t)1 << (ex - 1)) + (int64_t)y->zp * ((int64_t)1 << ex));
			e[2] = ex;
		}
	}
	char nm[64];
	if (run < 0)
		snprintf(nm, sizeof nm, "L%d_rq", c->node);
	else
		snprintf(nm, sizeof nm, "L%d_r%d_rq", c->node, run);
	rq->table = qf_lc_const_bytes(c, nm, tab, (size_t)nch * 16);
	free(tab);
}

void qf_lc_rq_chan(qf_lc *c, const qf_lc_rq *rq, LLVMValueRef ch, qf_lc_rqch *f)
{
	qf_lc_rq_entry(c, qf_lc_byte_gep(c, rq->table, LLVMBuildShl(c->b, ch, qf_lc_i32(c, 4), "")), f);
}

void qf_lc_rq_entry(qf_lc *c, LLVMValueRef p, qf_lc_rqch *f)
{
	f->m = qf_lc_load(c, c->i32, p, NULL, 4);
	f->r = qf_lc_load(c, c->i32, p, qf_lc_i32(c, 4), 4);
	f->e = qf_lc_load(c, c->i32, p, qf_lc_i32(c, 8), 4);
	f->bias = qf_lc_load(c, c->i32, p, qf_lc_i32(c, 12), 4);
}

LLVMValueRef qf_lc_clamp(qf_lc *c, LLVMValueRef v, int32_t lo, int32_t hi)
{
	if (c->ssat) {
		/* SSAT to the narrowest two's complement range holding [lo, hi],
		 * then whatever of the clamp it did not do */
		int k = 1;
		while (k < 32 && !(lo >= -(1 << (k - 1)) && hi <= (1 << (k - 1)) - 1))
			k++;
		if (k < 32) {
			LLVMValueRef a[2] = {v, qf_lc_i32(c, k)};
			v = qf_lc_intrinsic(c, "llvm.arm.ssat", NULL, a, 2);
			if (lo > -(1 << (k - 1)))
				v = qf_lc_smax(c, v, qf_lc_i32(c, lo));
			if (hi < (1 << (k - 1)) - 1)
				v = qf_lc_smin(c, v, qf_lc_i32(c, hi));
			return v;
		}
	}
	return qf_lc_smin(c, qf_lc_smax(c, v, qf_lc_i32(c, lo)), qf_lc_i32(c, hi));
}

/* trunc((sext a * sext b + 2^k) >> (k + 1)): the rounded high part. */
static LLVMValueRef mul_round_hi(qf_lc *c, LLVMValueRef a, LLVMValueRef b, int k)
{
	LLVMValueRef p = LLVMBuildMul(c->b, LLVMBuildSExt(c->b, a, c->i64, ""), LLVMBuildSExt(c->b, b, c->i64, ""), "");
	p = LLVMBuildAdd(c->b, p, qf_lc_i64(c, (int64_t)1 << k), "");
	return LLVMBuildTrunc(c->b, LLVMBuildAShr(c->b, p, qf_lc_i64(c, k + 1), ""), c->i32, "");
}

LLVMValueRef qf_lc_rescale_exact(qf_lc *c, LLVMValueRef x, LLVMValueRef mult, LLVMValueRef shift)
{
	LLVMBuilderRef b = c->b;
	LLVMValueRef zero = qf_lc_i32(c, 0), one = qf_lc_i32(c, 1);
	LLVMValueRef pos = LLVMBuildICmp(b, LLVMIntSGT, shift, zero, "");
	LLVMValueRef left = LLVMBuildSelect(b, pos, shift, zero, "");
	LLVMValueRef right = LLVMBuildSelect(b, pos, zero, LLVMBuildNeg(b, shift, ""), "");
	/* a left shift wraps (x * 2^s modulo 2^32, as TFLite) */
	LLVMValueRef a = LLVMBuildShl(b, x, left, "");
	if (c->ig->pow2) {
		/* (a >> n) + ((a >> (n - 1)) & 1) for n >= 1; a itself for n = 0 */
		LLVMValueRef n1 = qf_lc_smax(c, LLVMBuildSub(b, right, one, ""), zero);
		LLVMValueRef q = LLVMBuildAShr(b, a, right, "");
		LLVMValueRef bit = LLVMBuildAnd(b, LLVMBuildAShr(b, a, n1, ""), one, "");
		LLVMValueRef isr = LLVMBuildICmp(b, LLVMIntSGT, right, zero, "");
		return LLVMBuildAdd(b, q, LLVMBuildSelect(b, isr, bit, zero, ""), "");
	}
	/* SaturatingRoundingDoublingHighMul; INT32_MIN * INT32_MIN saturates */
	LLVMValueRef v = mul_round_hi(c, a, mult, 30);
	LLVMValueRef both = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntEQ, a, qf_lc_i32(c, INT32_MIN), ""),
					 LLVMBuildICmp(b, LLVMIntEQ, mult, qf_lc_i32(c, INT32_MIN), ""), "");
	v = LLVMBuildSelect(b, both, qf_lc_i32(c, INT32_MAX), v, "");
	/* RoundingDivideByPOT: mask, remainder, threshold */
	LLVMValueRef mask = LLVMBuildSub(b, LLVMBuildShl(b, one, right, ""), one, "");
	LLVMValueRef rem = LLVMBuildAnd(b, v, mask, "");
	LLVMValueRef neg = LLVMBuildZExt(b, LLVMBuildICmp(b, LLVMIntSLT, v, zero, ""), c->i32, "");
	LLVMValueRef thr = LLVMBuildAdd(b, LLVMBuildAShr(b, mask, one, ""), neg, "");
	LLVMValueRef up = LLVMBuildZExt(b, LLVMBuildICmp(b, LLVMIntSGT, rem, thr, ""), c->i32, "");
	return LLVMBuildAdd(b, LLVMBuildAShr(b, v, right, ""), up, "");
}

LLVMValueRef qf_lc_rq_apply(qf_lc *c, const qf_lc_rq *rq, const qf_lc_rqch *f, LLVMValueRef acc)
{
	LLVMBuilderRef b = c->b;
	LLVMValueRef v;
	if (rq->fast && c->ig->pow2) {
		v = LLVMBuildAShr(b, LLVMBuildAdd(b, acc, f->r, ""), f->e, "");
	} else if (rq->fast) {
		LLVMValueRef t = rq->wscale_log2 ? LLVMBuildAShr(b, acc, qf_lc_i32(c, rq->wscale_log2 - 1), "")
						 : LLVMBuildShl(b, acc, qf_lc_i32(c, 1), "");
		/* SMMULR: (t * m + 2^31) >> 32 */
		LLVMValueRef h = mul_round_hi(c, t, f->m, 31);
		LLVMValueRef u = LLVMBuildAdd(b, h, f->r, "");
		u = LLVMBuildSub(b, u, LLVMBuildLShr(b, h, qf_lc_i32(c, 31), ""), "");
		v = LLVMBuildAShr(b, u, f->e, "");
	} else {
		LLVMValueRef x = rq->wscale_log2 ? LLVMBuildAShr(b, acc, qf_lc_i32(c, rq->wscale_log2), "") : acc;
		LLVMValueRef m = c->ig->pow2 ? qf_lc_i32(c, 0) : f->m;
		LLVMValueRef y = qf_lc_rescale_exact(c, x, m, f->r);
		/* clamp before adding zp: the same clamp, without overflow */
		y = qf_lc_clamp(c, y, (int32_t)((int64_t)rq->lo - rq->zp), (int32_t)((int64_t)rq->hi - rq->zp));
		return LLVMBuildAdd(b, y, qf_lc_i32(c, rq->zp), "");
	}
	return qf_lc_clamp(c, v, rq->lo, rq->hi);
}
