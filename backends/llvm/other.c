/* other.c: depthwise convolution, max and average pooling, residual add.
 *
 * Loops over output pixels and channels with the window unrolled; each
 * tap's validity and address are worked out once per pixel, outside the
 * channel loop. Padding follows the contract: a depthwise tap in the
 * padding reads the zero point (contributes 0), a pool leaves padded
 * positions out (max over, mean of, the valid ones). */
#include <stdlib.h>
#include <string.h>

#include "backends/llvm/llvm_internal.h"

typedef struct {
	LLVMValueRef ok[QF_LIMIT_KERNEL * QF_LIMIT_KERNEL];
	LLVMValueRef base[QF_LIMIT_KERNEL * QF_LIMIT_KERNEL]; /* element of channel 0 (0 when not ok) */
	/* (pools past POOL_UNROLL taps do not use this) */
	LLVMValueRef count;          /* valid taps (i32) */
} window;

static void taps(qf_lc *c, const qf_inode *n, LLVMValueRef q, window *w)
{
	LLVMBuilderRef b = c->b;
	const qf_itensor *x = &c->ig->t[n->in[0]], *y = &c->ig->t[n->out];
	LLVMValueRef oy = LLVMBuildUDiv(b, q, qf_lc_i32(c, y->w), "");
	LLVMValueRef ox = LLVMBuildSub(b, q, LLVMBuildMul(b, oy, qf_lc_i32(c, y->w), ""), "");
	LLVMValueRef iy0 = LLVMBuildSub(b, LLVMBuildMul(b, oy, qf_lc_i32(c, n->stride), ""), qf_lc_i32(c, n->pad_top), "");
	LLVMValueRef ix0 =
		LLVMBuildSub(b, LLVMBuildMul(b, ox, qf_lc_i32(c, n->stride), ""), qf_lc_i32(c, n->pad_left), "");
	w->count = qf_lc_i32(c, 0);
	for (int ky = 0; ky < n->k_h; ky++)
		for (int kx = 0; kx < n->k_w; kx++) {
			int t = ky * n->k_w + kx;
			LLVMValueRef iy = LLVMBuildAdd(b, iy0, qf_lc_i32(c, ky), "");
			LLVMValueRef ix = LLVMBuildAdd(b, ix0, qf_lc_i32(c, kx), "");
			LLVMValueRef ok = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntULT, iy, qf_lc_i32(c, x->h), ""),
						       LLVMBuildICmp(b, LLVMIntULT, ix, qf_lc_i32(c, x->w), ""), "");
			LLVMValueRef e = LLVMBuildMul(b, LLVMBuildAdd(b, LLVMBuildMul(b, iy, qf_lc_i32(c, x->w), ""), ix, ""),
						      qf_lc_i32(c, x->c), "");
			w->ok[t] = ok;
			w->base[t] = LLVMBuildSelect(b, ok, e, qf_lc_i32(c, 0), "");
			w->count = LLVMBuildAdd(b, w->count, LLVMBuildZExt(b, ok, c->i32, ""), "");
		}
}

/* ------------------------------------------------------------ depthwise */

/* DSP path, channels a multiple of 4: per tap, one word of 4 input
 * channels and one of their 4 weights (repacked to int8 per tap, whatever
 * their width: depthwise weights are few), two SXTAB16 (the zero point
 * subtracted) and two SXTB16 give the int16 pairs (c0, c2) and (c1, c3),
 * and SMLABB/SMLATT add each channel's product to its own accumulator:
 * 10 instructions per 4 MACs. Padded taps read a row of zero-point bytes.
 * The taps' addresses are worked out once per pixel. */
static void dwconv_dsp(qf_lc *c, const qf_inode *n, const qf_lc_rq *rq)
{
	const qf_igraph *ig = c->ig;
	LLVMBuilderRef b = c->b;
	const qf_itensor *x = &ig->t[n->in[0]], *y = &ig->t[n->out];
	int ntap = n->k_h * n->k_w, C = y->c;
	bool raw = n->in[0] == ig->input;
	int64_t rb = qf_packed_row_bytes(C, n->w_bits);
	uint8_t *wp = qf_xmalloc((size_t)(ntap * C));
	for (int t = 0; t < ntap; t++)
		for (int ch = 0; ch < C; ch++)
			wp[t * C + ch] = (uint8_t)qf_lc_wget(ig->w + n->w_off + t * rb, ch, n->w_bits);
	char nm[48];
	snprintf(nm, sizeof nm, "L%d_w", c->node);
	LLVMValueRef wt = qf_lc_const_bytes(c, nm, wp, (size_t)(ntap * C));
	free(wp);
	int32_t zb = raw ? 128 + x->zp : x->zp; /* the byte that means the zero point */
	uint8_t *row = qf_xmalloc((size_t)C);
	memset(row, zb & 0xFF, (size_t)C);
	snprintf(nm, sizeof nm, "L%d_pad", c->node);
	LLVMValueRef pad = qf_lc_const_bytes(c, nm, row, (size_t)C);
	free(row);
	int32_t nz = raw ? -(128 + x->zp) : -x->zp;
	LLVMValueRef nzz = qf_lc_i32(c, (int32_t)(((uint32_t)nz & 0xFFFFu) * 0x10001u));
	const char *ext = raw ? "llvm.arm.uxtab16" : "llvm.arm.sxtab16";
	LLVMValueRef X = qf_lc_tensor_ptr(c, n->in[0]), Y = qf_lc_tensor_ptr(c, n->out);
	bool yb8 = y->bits == 8;
	qf_lc_loop lq, lg;
	LLVMValueRef q = qf_lc_loop_begin(c, &lq, 0, (int64_t)y->h * y->w, 1, "pix");
	window w;
	taps(c, n, q, &w);
	LLVMValueRef src[QF_LIMIT_KERNEL * QF_LIMIT_KERNEL];
	for (int t = 0; t < ntap; t++)
		src[t] = LLVMBuildSelect(b, w.ok[t], qf_lc_byte_gep(c, X, w.base[t]), pad, "");
	LLVMValueRef ybase = qf_lc_byte_gep(c, Y, LLVMBuildMul(b, q, qf_lc_i32(c, C), ""));
	LLVMValueRef g = qf_lc_loop_begin(c, &lg, 0, C / 4, 1, "quad");
	LLVMValueRef off = LLVMBuildShl(b, g, qf_lc_i32(c, 2), "");
	qf_lc_rqch rf[4];
	LLVMValueRef acc[4];
	for (int k = 0; k < 4; k++) {
		qf_lc_rq_chan(c, rq, LLVMBuildAdd(b, off, qf_lc_i32(c, k), ""), &rf[k]);
		acc[k] = rf[k].bias;
	}
	LLVMValueRef wq = qf_lc_byte_gep(c, wt, off);
	for (int t = 0; t < ntap; t++) {
		LLVMValueRef xw = qf_lc_load(c, c->i32, qf_lc_byte_gep(c, src[t], off), NULL, raw ? 1 : 4);
		LLVMValueRef ww = qf_lc_load(c, c->i32, wq, qf_lc_i32(c, (int64_t)t * C), 4);
		LLVMValueRef r8x[3] = {xw, xw, qf_lc_i32(c, 8)}, r8w[3] = {ww, ww, qf_lc_i32(c, 8)};
		LLVMValueRef xr = qf_lc_intrinsic(c, "llvm.fshr", c->i32, r8x, 3);
		LLVMValueRef wr = qf_lc_intrinsic(c, "llvm.fshr", c->i32, r8w, 3);
		LLVMValueRef a0[2] = {nzz, xw}, a1[2] = {nzz, xr};
		LLVMValueRef xa = qf_lc_intrinsic(c, ext, NULL, a0, 2), xb = qf_lc_intrinsic(c, ext, NULL, a1, 2);
		LLVMValueRef wa = qf_lc_intrinsic(c, "llvm.arm.sxtb16", NULL, &ww, 1);
		LLVMValueRef wbv = qf_lc_intrinsic(c, "llvm.arm.sxtb16", NULL, &wr, 1);
		/* lanes: xa = (c0, c2), xb = (c1, c3) */
		LLVMValueRef m0[3] = {xa, wa, acc[0]}, m2[3] = {xa, wa, acc[2]};
		LLVMValueRef m1[3] = {xb, wbv, acc[1]}, m3[3] = {xb, wbv, acc[3]};
		acc[0] = qf_lc_intrinsic(c, "llvm.arm.smlabb", NULL, m0, 3);
		acc[2] = qf_lc_intrinsic(c, "llvm.arm.smlatt", NULL, m2, 3);
		acc[1] = qf_lc_intrinsic(c, "llvm.arm.smlabb", NULL, m1, 3);
		acc[3] = qf_lc_intrinsic(c, "llvm.arm.smlatt", NULL, m3, 3);
	}
	for (int k = 0; k < 4; k++) {
		LLVMValueRef v = qf_lc_rq_apply(c, rq, &rf[k], acc[k]);
		LLVMValueRef ch = LLVMBuildAdd(b, off, qf_lc_i32(c, k), "");
		if (yb8)
			qf_lc_store(c, LLVMBuildTrunc(b, v, c->i8, ""), ybase, ch, 1);
		else
			qf_lc_store_act(c, n->out, LLVMBuildAdd(b, LLVMBuildMul(b, q, qf_lc_i32(c, C), ""), ch, ""), v);
	}
	qf_lc_loop_end(c, &lg);
	qf_lc_loop_end(c, &lq);
}

void qf_lc_dwconv(qf_lc *c, const qf_inode *n)
{
	const qf_igraph *ig = c->ig;
	LLVMBuilderRef b = c->b;
	const qf_itensor *x = &ig->t[n->in[0]], *y = &ig->t[n->out];
	int ntap = n->k_h * n->k_w, C = y->c, wb = n->w_bits;
	/* weights repacked channel by channel: the taps of channel ch at wb
	 * bits from byte ch * cb, so the channel loop steps by whole bytes */
	int64_t cb = (ntap * wb + 7) / 8;
	uint8_t *wp = qf_xcalloc((size_t)(C * cb), 1);
	int64_t rb = qf_packed_row_bytes(C, wb);
	int64_t dev = 127 - x->zp > x->zp + 128 ? 127 - x->zp : x->zp + 128;
	int64_t *bound = qf_xcalloc((size_t)C, sizeof(int64_t));
	for (int ch = 0; ch < C; ch++)
		for (int t = 0; t < ntap; t++) {
			int32_t v = qf_lc_wget(ig->w + n->w_off + t * rb, ch, wb);
			int64_t bit = (int64_t)t * wb;
			wp[ch * cb + bit / 8] |= (uint8_t)(((uint32_t)v & ((1u << wb) - 1u)) << (bit % 8));
			bound[ch] += llabs((long long)v) * dev;
		}
	qf_lc_rq rq;
	qf_lc_rq_init(c, n, 0, bound, &rq);
	free(bound);
	char nm[48];
	snprintf(nm, sizeof nm, "L%d_w", c->node);
	if (c->dsp && C % 4 == 0 && x->bits == 8) {
		free(wp);
		dwconv_dsp(c, n, &rq);
		return;
	}
	LLVMValueRef wt = qf_lc_const_bytes(c, nm, wp, (size_t)(C * cb));
	free(wp);

	qf_lc_loop lq, lc;
	LLVMValueRef q = qf_lc_loop_begin(c, &lq, 0, (int64_t)y->h * y->w, 1, "pix");
	window w;
	taps(c, n, q, &w);
	LLVMValueRef ch = qf_lc_loop_begin(c, &lc, 0, C, 1, "chan");
	qf_lc_rqch rf;
	qf_lc_rq_chan(c, &rq, ch, &rf);
	LLVMValueRef acc = rf.bias;
	LLVMValueRef wrow = qf_lc_byte_gep(c, wt, LLVMBuildMul(b, ch, qf_lc_i32(c, cb), ""));
	for (int t = 0; t < ntap; t++) {
		LLVMValueRef v = qf_lc_load_act(c, n->in[0], LLVMBuildAdd(b, w.base[t], ch, ""));
		v = LLVMBuildSelect(b, w.ok[t], LLVMBuildSub(b, v, qf_lc_i32(c, x->zp), ""), qf_lc_i32(c, 0), "");
		int64_t bit = (int64_t)t * wb;
		LLVMValueRef wv = LLVMBuildSExt(b, qf_lc_load(c, c->i8, wrow, qf_lc_i32(c, bit / 8), 1), c->i32, "");
		if (wb < 8)
			wv = LLVMBuildAShr(b, LLVMBuildShl(b, wv, qf_lc_i32(c, 32 - bit % 8 - wb), ""), qf_lc_i32(c, 32 - wb), "");
		acc = LLVMBuildAdd(b, acc, LLVMBuildMul(b, v, wv, ""), "");
	}
	LLVMValueRef e = LLVMBuildAdd(b, LLVMBuildMul(b, q, qf_lc_i32(c, C), ""), ch, "");
	qf_lc_store_act(c, n->out, e, qf_lc_rq_apply(c, &rq, &rf, acc));
	qf_lc_loop_end(c, &lc);
	qf_lc_loop_end(c, &lq);
}

/* ------------------------------------------------------------ pools */

/* The mean rounded half away from zero: (2|s| + n) / 2n with the sign of s. */
static LLVMValueRef mean(qf_lc *c, LLVMValueRef s, LLVMValueRef cnt)
{
	LLVMBuilderRef b = c->b;
	LLVMValueRef neg = LLVMBuildICmp(b, LLVMIntSLT, s, qf_lc_i32(c, 0), "");
	LLVMValueRef m = LLVMBuildSelect(b, neg, LLVMBuildNeg(b, s, ""), s, "");
	LLVMValueRef two_n = LLVMBuildShl(b, cnt, qf_lc_i32(c, 1), "");
	LLVMValueRef qv = LLVMBuildUDiv(b, LLVMBuildAdd(b, LLVMBuildShl(b, m, qf_lc_i32(c, 1), ""), cnt, ""), two_n, "");
	return LLVMBuildSelect(b, neg, LLVMBuildNeg(b, qv, ""), qv, "");
}

enum { POOL_UNROLL = 64 }; /* windows up to this many taps are unrolled */

/* A window too large to unroll (a global pool over a big map): loops over
 * the channels, then the window's rows and columns. */
static void pool_large(qf_lc *c, const qf_inode *n)
{
	LLVMBuilderRef b = c->b;
	const qf_itensor *x = &c->ig->t[n->in[0]], *y = &c->ig->t[n->out];
	bool mx = n->op == QF_IOP_MAXPOOL;
	LLVMValueRef rp = qf_lc_alloca(c, c->i32, 1), np = qf_lc_alloca(c, c->i32, 1);
	qf_lc_loop lq, lc, ly, lx;
	LLVMValueRef q = qf_lc_loop_begin(c, &lq, 0, (int64_t)y->h * y->w, 1, "pix");
	LLVMValueRef oy = LLVMBuildUDiv(b, q, qf_lc_i32(c, y->w), "");
	LLVMValueRef ox = LLVMBuildSub(b, q, LLVMBuildMul(b, oy, qf_lc_i32(c, y->w), ""), "");
	LLVMValueRef iy0 = LLVMBuildSub(b, LLVMBuildMul(b, oy, qf_lc_i32(c, n->stride), ""), qf_lc_i32(c, n->pad_top), "");
	LLVMValueRef ix0 =
		LLVMBuildSub(b, LLVMBuildMul(b, ox, qf_lc_i32(c, n->stride), ""), qf_lc_i32(c, n->pad_left), "");
	LLVMValueRef ch = qf_lc_loop_begin(c, &lc, 0, y->c, 1, "chan");
	qf_lc_store(c, qf_lc_i32(c, mx ? -128 : 0), rp, NULL, 4);
	qf_lc_store(c, qf_lc_i32(c, 0), np, NULL, 4);
	LLVMValueRef ky = qf_lc_loop_begin(c, &ly, 0, n->k_h, 1, "ky");
	LLVMValueRef kx = qf_lc_loop_begin(c, &lx, 0, n->k_w, 1, "kx");
	LLVMValueRef iy = LLVMBuildAdd(b, iy0, ky, ""), ix = LLVMBuildAdd(b, ix0, kx, "");
	LLVMValueRef ok = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntULT, iy, qf_lc_i32(c, x->h), ""),
				       LLVMBuildICmp(b, LLVMIntULT, ix, qf_lc_i32(c, x->w), ""), "");
	LLVMValueRef e = LLVMBuildAdd(
		b, LLVMBuildMul(b, LLVMBuildAdd(b, LLVMBuildMul(b, iy, qf_lc_i32(c, x->w), ""), ix, ""), qf_lc_i32(c, x->c), ""),
		ch, "");
	LLVMValueRef v = qf_lc_load_act(c, n->in[0], LLVMBuildSelect(b, ok, e, qf_lc_i32(c, 0), ""));
	LLVMValueRef r = qf_lc_load(c, c->i32, rp, NULL, 4);
	r = mx ? LLVMBuildSelect(b, ok, qf_lc_smax(c, r, v), r, "")
	       : LLVMBuildAdd(b, r, LLVMBuildSelect(b, ok, v, qf_lc_i32(c, 0), ""), "");
	qf_lc_store(c, r, rp, NULL, 4);
	qf_lc_store(c, LLVMBuildAdd(b, qf_lc_load(c, c->i32, np, NULL, 4), LLVMBuildZExt(b, ok, c->i32, ""), ""), np, NULL, 4);
	qf_lc_loop_end(c, &lx);
	qf_lc_loop_end(c, &ly);
	r = qf_lc_load(c, c->i32, rp, NULL, 4);
	if (!mx)
		r = mean(c, r, qf_lc_load(c, c->i32, np, NULL, 4));
	r = qf_lc_clamp(c, r, n->act_min, n->act_max);
	qf_lc_store_act(c, n->out, LLVMBuildAdd(b, LLVMBuildMul(b, q, qf_lc_i32(c, y->c), ""), ch, ""), r);
	qf_lc_loop_end(c, &lc);
	qf_lc_loop_end(c, &lq);
}

/* Max pooling of 4 channels at a time with SSUB8 + SEL (the GE flags that
 * SSUB8 sets pick each byte of the larger word; LLVM keeps the two in
 * order, SSUB8 being an intrinsic with side effects), for windows without
 * padding over an int8 tensor in the arena with channels a multiple of 4. */
static void maxpool_dsp(qf_lc *c, const qf_inode *n)
{
	LLVMBuilderRef b = c->b;
	const qf_itensor *x = &c->ig->t[n->in[0]], *y = &c->ig->t[n->out];
	LLVMValueRef X = qf_lc_tensor_ptr(c, n->in[0]), Y = qf_lc_tensor_ptr(c, n->out);
	qf_lc_loop lq, lc;
	LLVMValueRef q = qf_lc_loop_begin(c, &lq, 0, (int64_t)y->h * y->w, 1, "pix");
	LLVMValueRef oy = LLVMBuildUDiv(b, q, qf_lc_i32(c, y->w), "");
	LLVMValueRef ox = LLVMBuildSub(b, q, LLVMBuildMul(b, oy, qf_lc_i32(c, y->w), ""), "");
	LLVMValueRef e0 = LLVMBuildMul(
		b,
		LLVMBuildAdd(b, LLVMBuildMul(b, oy, qf_lc_i32(c, (int64_t)n->stride * x->w), ""),
			     LLVMBuildMul(b, ox, qf_lc_i32(c, n->stride), ""), ""),
		qf_lc_i32(c, x->c), "");
	LLVMValueRef src = qf_lc_byte_gep(c, X, e0);
	LLVMValueRef dst = qf_lc_byte_gep(c, Y, LLVMBuildMul(b, q, qf_lc_i32(c, y->c), ""));
	LLVMValueRef g = qf_lc_loop_begin(c, &lc, 0, y->c / 4, 1, "quad");
	LLVMValueRef off = LLVMBuildShl(b, g, qf_lc_i32(c, 2), "");
	LLVMValueRef s = qf_lc_byte_gep(c, src, off);
	LLVMValueRef m = NULL;
	for (int ky = 0; ky < n->k_h; ky++)
		for (int kx = 0; kx < n->k_w; kx++) {
			LLVMValueRef v = qf_lc_load(c, c->i32, s, qf_lc_i32(c, ((int64_t)ky * x->w + kx) * x->c), 4);
			if (!m) {
				m = v;
				continue;
			}
			LLVMValueRef a[2] = {m, v};
			qf_lc_intrinsic(c, "llvm.arm.ssub8", NULL, a, 2);
			m = qf_lc_intrinsic(c, "llvm.arm.sel", NULL, a, 2);
		}
	/* the clamp, bytewise, when it is not the whole int8 range */
	int32_t bound[2] = {n->act_min, n->act_max};
	for (int k = 0; k < 2; k++) {
		if (bound[k] == (k ? 127 : -128))
			continue;
		LLVMValueRef bb = qf_lc_i32(c, (int32_t)((uint32_t)(uint8_t)bound[k] * 0x01010101u));
		LLVMValueRef a[2] = {m, bb};
		qf_lc_intrinsic(c, "llvm.arm.ssub8", NULL, a, 2);
		/* GE set where m >= bound: keep m for the lower bound, the bound for the upper */
		LLVMValueRef sel[2] = {k ? bb : m, k ? m : bb};
		m = qf_lc_intrinsic(c, "llvm.arm.sel", NULL, sel, 2);
	}
	qf_lc_store(c, m, qf_lc_byte_gep(c, dst, off), NULL, 4);
	qf_lc_loop_end(c, &lc);
	qf_lc_loop_end(c, &lq);
}

void qf_lc_pool(qf_lc *c, const qf_inode *n)
{
	LLVMBuilderRef b = c->b;
	const qf_itensor *x = &c->ig->t[n->in[0]], *y = &c->ig->t[n->out];
	int ntap = n->k_h * n->k_w;
	bool mx = n->op == QF_IOP_MAXPOOL, pad = n->pad_top || n->pad_left;
	if (ntap > POOL_UNROLL) {
		pool_large(c, n);
		return;
	}
	if (mx && c->dsp && !pad && x->c % 4 == 0 && n->in[0] != c->ig->input && x->bits == 8 && y->bits == 8) {
		maxpool_dsp(c, n);
		return;
	}
	qf_lc_loop lq, lc;
	LLVMValueRef q = qf_lc_loop_begin(c, &lq, 0, (int64_t)y->h * y->w, 1, "pix");
	window w;
	taps(c, n, q, &w);
	/* without padding every window is whole: the count is a constant */
	LLVMValueRef cnt = pad ? w.count : qf_lc_i32(c, ntap);
	LLVMValueRef ch = qf_lc_loop_begin(c, &lc, 0, y->c, 1, "chan");
	LLVMValueRef r = qf_lc_i32(c, mx ? -128 : 0);
	for (int t = 0; t < ntap; t++) {
		/* a padded tap reads element 0 (a valid address) and is left out */
		LLVMValueRef v = qf_lc_load_act(c, n->in[0], LLVMBuildAdd(b, w.base[t], ch, ""));
		if (mx)
			r = pad ? LLVMBuildSelect(b, w.ok[t], qf_lc_smax(c, r, v), r, "") : qf_lc_smax(c, r, v);
		else
			r = LLVMBuildAdd(b, r, pad ? LLVMBuildSelect(b, w.ok[t], v, qf_lc_i32(c, 0), "") : v, "");
	}
	if (!mx)
		r = mean(c, r, cnt);
	/* a pool of int8 values stays in int8: only a narrower clamp does anything */
	if (n->act_min > -128 || n->act_max < 127)
		r = qf_lc_clamp(c, r, n->act_min, n->act_max);
	LLVMValueRef e = LLVMBuildAdd(b, LLVMBuildMul(b, q, qf_lc_i32(c, y->c), ""), ch, "");
	qf_lc_store_act(c, n->out, e, r);
	qf_lc_loop_end(c, &lc);
	qf_lc_loop_end(c, &lq);
}

/* ------------------------------------------------------------ add */

void qf_lc_add(qf_lc *c, const qf_inode *n)
{
	const qf_igraph *ig = c->ig;
	LLVMBuilderRef b = c->b;
	const qf_itensor *xa = &ig->t[n->in[0]], *xb = &ig->t[n->in[1]], *y = &ig->t[n->out];
	qf_lc_loop l;
	LLVMValueRef i = qf_lc_loop_begin(c, &l, 0, qf_itensor_elems(y), 1, "elem");
	LLVMValueRef s = qf_lc_i32(c, 0);
	for (int k = 0; k < 2; k++) {
		const qf_itensor *x = k ? xb : xa;
		LLVMValueRef v = LLVMBuildSub(b, qf_lc_load_act(c, n->in[k], i), qf_lc_i32(c, x->zp), "");
		v = LLVMBuildShl(b, v, qf_lc_i32(c, n->add_ls), "");
		v = qf_lc_rescale_exact(c, v, qf_lc_i32(c, ig->pow2 ? 0 : n->add_mult[k]), qf_lc_i32(c, n->add_shift[k]));
		s = LLVMBuildAdd(b, s, v, "");
	}
	LLVMValueRef m = qf_lc_i32(c, n->mult >= 0 ? ig->i32[n->mult] : 0);
	LLVMValueRef v = qf_lc_rescale_exact(c, s, m, qf_lc_i32(c, ig->i32[n->shift]));
	v = qf_lc_clamp(c, v, n->act_min - y->zp, n->act_max - y->zp);
	qf_lc_store_act(c, n->out, i, LLVMBuildAdd(b, v, qf_lc_i32(c, y->zp), ""));
	qf_lc_loop_end(c, &l);
}
