/* dense.c: convolution and fully connected layers.
 *
 * An fc layer is a 1x1 convolution over a 1x1 image whose channels are
 * the input's H*W*C values in NHWC order (the order of its weight rows),
 * so one generator serves both. For a tile of P output pixels:
 *
 *  1. im2col: each pixel's K = k_h*k_w*in_c input values, minus the input
 *     zero point (padding gives 0), become int16 in the scratch buffer.
 *  2. For each tile of C output channels, P*C accumulators start at the
 *     biases and take the dot products over K, in a loop whose body is
 *     unrolled over constant offsets (up to MAX_UNROLL values per pass).
 *  3. Each accumulator is requantised (requant.c) and stored.
 * The last pixel tile and the last channel tile are moved back so that
 * they end at the last pixel/channel (recomputing a few outputs with the
 * same values) instead of needing a second copy of the code for the rest.
 *
 * DSP path (ARMv7E-M): the column holds, for each group of 4 values
 * x0..x3 and each of the P pixels, the int16 pairs (x0, x2) and (x1, x3)
 * side by side (LDRD reads both), which is what SXTAB16
 * makes from one 32-bit load of 4 int8 values (and subtracts the zero point
 * in the same instruction). The weights are repacked at compile time so
 * that one 32-bit word gives, through SXTB16 (with ROR #8), the matching
 * pairs (w0, w2), (w1, w3), and SMLAD adds two products at a time:
 *   8-bit  word = w0..w3 of one group;
 *   4-bit  word = two groups: byte j = w[4g+j] (low nibble) | w[4g+4+j] (high);
 *          (word << 4) & 0xF0F0F0F0 and word & 0xF0F0F0F0 give 16*w in
 *          each byte, so the accumulators hold 16x the sum and the requant
 *          takes that into account (no shifts back per weight);
 *   2-bit  word = four groups: bits 2f..2f+1 of byte j = w[4(g+f)+j], and
 *          (word << (6-2f)) & 0xC0C0C0C0 gives 64*w.
 * A split layer (runs of output channels with weights at different widths,
 * ir.h qf_ipart) is generated once per run: the run's channels are the
 * layer's Cout, its width the layer's, and its outputs go to channels
 * c0.. of pixels Ys elements apart in the common output tensor.
 * Plain path (Cortex-M0+, RISC-V, host): int16 column values in natural
 * order, weights stored tile by tile in the order the loop reads them at
 * their own width, widened with shifts, multiply-adds in int32.
 */
#include <stdlib.h>
#include <string.h>

#include "backends/llvm/llvm_internal.h"

enum {
	MAX_UNROLL = 144,            /* DSP: values of K per pass of the unrolled body */
	PLAIN_UNROLL = 32,           /* plain: the same (each value is P*C multiply-adds of a few instructions) */
	GATHER_UNROLL = 64           /* up to this K the gather is straight-line code */
};

typedef struct {
	const qf_inode *n;
	int xt, yt;                  /* tensors */
	const qf_itensor *x, *y;
	int H, W, Cin, OH, OW, Cout, KH, KW, S, PT, PL;
	int c0, Ys;                  /* first output channel of the run; elements per output pixel */
	int run;                     /* run of a split layer; -1: the whole layer */
	int64_t w_off;               /* the run's packed rows in ig->w */
	int64_t K, Kp;               /* values per output; padded to the weight word (DSP) */
	int64_t npix;
	bool dsp;
	int wb, ws;                  /* weight bits; accumulators hold sum * 2^ws */
	int vpw;                     /* DSP: values per weight word (4, 8, 16) */
	int P, C, ntc;               /* tile; channel tiles */
	int32_t xmin, xmax;          /* range of the input's values */
	int64_t *bound;              /* per channel: max |sum of products| */
	/* a max pool fused in (module.c decides): tiles are its windows */
	const qf_inode *pool;
	int POW;                     /* its output width */
} dense;

/* ------------------------------------------------------------ the plan */

static void shape(const qf_lc *c, const qf_inode *n, dense *L)
{
	const qf_igraph *ig = c->ig;
	memset(L, 0, sizeof(*L));
	L->n = n;
	L->xt = n->in[0];
	L->yt = n->out;
	L->x = &ig->t[L->xt];
	L->y = &ig->t[L->yt];
	if (n->op == QF_IOP_FC) {
		L->H = L->W = 1;
		L->Cin = (int)qf_itensor_elems(L->x);
		L->KH = L->KW = L->S = 1;
		L->OH = L->OW = 1;
	} else {
		L->H = L->x->h;
		L->W = L->x->w;
		L->Cin = L->x->c;
		L->KH = n->k_h;
		L->KW = n->k_w;
		L->S = n->stride;
		L->PT = n->pad_top;
		L->PL = n->pad_left;
		L->OH = L->y->h;
		L->OW = L->y->w;
	}
	L->Cout = L->Ys = L->y->c;
	L->run = -1;
	L->w_off = n->w_off;
	L->K = (int64_t)L->KH * L->KW * L->Cin;
	L->npix = (int64_t)L->OH * L->OW;
	L->wb = n->w_bits;
	L->xmin = L->x->bits == 4 ? -8 : -128;
	L->xmax = L->x->bits == 4 ? 7 : 127;
	int f = c->fused[n - ig->n];
	if (f >= 0) {
		L->pool = &ig->n[f];
		L->POW = ig->t[L->pool->out].w;
	}
}

/* L narrowed to run r of its split layer. */
static void narrow(const qf_igraph *ig, dense *L, int r)
{
	const qf_ipart *p = &ig->part[L->n->part + r];
	L->run = r;
	L->c0 = p->c0;
	L->Cout = p->c1 - p->c0;
	L->wb = p->w_bits;
	L->w_off = p->w_off;
}

/* Largest |sum of products| of each output channel over every input. */
static int64_t *bounds(const qf_igraph *ig, const dense *L)
{
	int64_t dev = L->xmax - L->x->zp > L->x->zp - L->xmin ? L->xmax - L->x->zp : L->x->zp - L->xmin;
	int64_t rb = qf_packed_row_bytes(L->K, L->wb);
	int64_t *b = qf_xcalloc((size_t)L->Cout, sizeof(int64_t));
	for (int c = 0; c < L->Cout; c++) {
		const uint8_t *row = ig->w + L->w_off + c * rb;
		for (int64_t k = 0; k < L->K; k++)
			b[c] += llabs((long long)qf_lc_wget(row, k, L->wb));
		b[c] *= dev;
	}
	return b;
}

static void tiles(const qf_lc *c, dense *L, bool dsp)
{
	L->dsp = dsp;
	L->P = c->o->tile_p > 0 ? c->o->tile_p : dsp ? 4 : 2;
	L->C = c->o->tile_c > 0 ? c->o->tile_c : dsp ? 1 : 2;
	if (L->pool)
		L->P = L->pool->k_h * L->pool->k_w;
	else if (L->P > L->npix)
		L->P = (int)L->npix;
	if (L->C > L->Cout)
		L->C = L->Cout;
	L->ntc = (L->Cout + L->C - 1) / L->C;
	L->vpw = dsp ? 32 / L->wb : 1;
	L->ws = dsp ? 8 - L->wb : 0;
	L->Kp = dsp ? (L->K + L->vpw - 1) / L->vpw * L->vpw : L->K;
}

/* The DSP path, when the target has it and the accumulators scaled for
 * sub-byte weights still fit int32. */
static bool want_dsp(const qf_lc *c, const qf_igraph *ig, const dense *L)
{
	if (!c->dsp)
		return false;
	int ws = 8 - L->wb;
	for (int ch = 0; ch < L->Cout; ch++) {
		int64_t bias = L->n->bias >= 0 ? ig->i32[L->n->bias + L->c0 + ch] : 0;
		if ((L->bound[ch] + llabs((long long)bias)) << ws > INT32_MAX)
			return false;
	}
	return true;
}

int64_t qf_lc_dense_scratch(const qf_lc *c, const qf_inode *n)
{
	/* the larger of the two paths' columns: P pixels of K values padded to
	 * a weight word, int16 each */
	int64_t most = 0;
	for (int r = 0; r < (n->nparts ? n->nparts : 1); r++) {
		dense L;
		shape(c, n, &L);
		if (n->nparts)
			narrow(c->ig, &L, r); /* narrower weights pad K to longer words */
		tiles(c, &L, true);
		int64_t need = ((int64_t)L.P * L.Kp * 2 + 3) / 4 * 4;
		most = need > most ? need : most;
	}
	return most;
}

/* ------------------------------------------------------------ weights */

static int32_t wval(const qf_igraph *ig, const dense *L, int ch, int64_t k)
{
	if (k >= L->K)
		return 0;
	int64_t rb = qf_packed_row_bytes(L->K, L->wb);
	return qf_lc_wget(ig->w + L->w_off + ch * rb, k, L->wb);
}

static int tile_start(const dense *L, int j)
{
	int s = j * L->C;
	return s + L->C > L->Cout ? L->Cout - L->C : s;
}

/* DSP: for channel tile j, word gw, channel c: the word described above. */
static uint8_t *pack_dsp(const qf_igraph *ig, const dense *L, size_t *len)
{
	int64_t nw = L->Kp / L->vpw;
	*len = (size_t)(L->ntc * nw * L->C * 4);
	uint8_t *p = qf_xcalloc(*len, 1);
	for (int j = 0; j < L->ntc; j++)
		for (int64_t gw = 0; gw < nw; gw++)
			for (int c = 0; c < L->C; c++) {
				uint8_t *w = p + ((j * nw + gw) * L->C + c) * 4;
				int ch = tile_start(L, j) + c;
				int64_t k0 = gw * L->vpw;
				for (int b = 0; b < 4; b++) {
					uint32_t v = 0;
					if (L->wb == 8)
						v = (uint8_t)wval(ig, L, ch, k0 + b);
					else if (L->wb == 4)
						v = ((uint32_t)wval(ig, L, ch, k0 + b) & 15u) |
						    (((uint32_t)wval(ig, L, ch, k0 + 4 + b) & 15u) << 4);
					else
						for (int f = 0; f < 4; f++)
							v |= ((uint32_t)wval(ig, L, ch, k0 + 4 * f + b) & 3u) << (2 * f);
					w[b] = (uint8_t)v;
				}
			}
	return p;
}

/* Plain: for channel tile j, the values (k, c) in that order, wb bits each,
 * low bits first; each tile starts on 4 bytes. */
static uint8_t *pack_plain(const qf_igraph *ig, const dense *L, size_t *len, int64_t *tile_bytes)
{
	*tile_bytes = ((L->K * L->C * L->wb + 7) / 8 + 3) / 4 * 4;
	*len = (size_t)(L->ntc * *tile_bytes);
	uint8_t *p = qf_xcalloc(*len ? *len : 1, 1);
	for (int j = 0; j < L->ntc; j++)
		for (int64_t k = 0; k < L->K; k++)
			for (int c = 0; c < L->C; c++) {
				int64_t bit = (k * L->C + c) * L->wb;
				uint32_t v = (uint32_t)wval(ig, L, tile_start(L, j) + c, k) & ((1u << L->wb) - 1u);
				p[j * *tile_bytes + bit / 8] |= (uint8_t)(v << (bit % 8));
			}
	return p;
}

/* ------------------------------------------------------------ im2col */

/* Value k (constant or not) of pixel (iy0, ix0)'s window, minus the zero
 * point; 0 in the padding. */
static LLVMValueRef window_value(qf_lc *c, const dense *L, LLVMValueRef iy0, LLVMValueRef ix0, LLVMValueRef ky,
				 LLVMValueRef kx, LLVMValueRef ic)
{
	LLVMBuilderRef b = c->b;
	LLVMValueRef iy = LLVMBuildAdd(b, iy0, ky, ""), ix = LLVMBuildAdd(b, ix0, kx, "");
	LLVMValueRef ok = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntULT, iy, qf_lc_i32(c, L->H), ""),
				       LLVMBuildICmp(b, LLVMIntULT, ix, qf_lc_i32(c, L->W), ""), "");
	/* read a valid address either way, then choose */
	LLVMValueRef zero = qf_lc_i32(c, 0);
	iy = LLVMBuildSelect(b, ok, iy, zero, "");
	ix = LLVMBuildSelect(b, ok, ix, zero, "");
	LLVMValueRef e = LLVMBuildAdd(
		b, LLVMBuildMul(b, LLVMBuildAdd(b, LLVMBuildMul(b, iy, qf_lc_i32(c, L->W), ""), ix, ""), qf_lc_i32(c, L->Cin), ""),
		ic, "");
	LLVMValueRef v = LLVMBuildSub(b, qf_lc_load_act(c, L->xt, e), qf_lc_i32(c, L->x->zp), "");
	return LLVMBuildSelect(b, ok, v, zero, "");
}

/* Pixel q's window origin. */
static void origin(qf_lc *c, const dense *L, LLVMValueRef q, LLVMValueRef *iy0, LLVMValueRef *ix0)
{
	LLVMBuilderRef b = c->b;
	LLVMValueRef oy = LLVMBuildUDiv(b, q, qf_lc_i32(c, L->OW), "");
	LLVMValueRef ox = LLVMBuildSub(b, q, LLVMBuildMul(b, oy, qf_lc_i32(c, L->OW), ""), "");
	*iy0 = LLVMBuildSub(b, LLVMBuildMul(b, oy, qf_lc_i32(c, L->S), ""), qf_lc_i32(c, L->PT), "");
	*ix0 = LLVMBuildSub(b, LLVMBuildMul(b, ox, qf_lc_i32(c, L->S), ""), qf_lc_i32(c, L->PL), "");
}

/* The output pixel of slot p (a value) of the tile that starts at t0:
 * t0 + p, or with a fused pool, pixel p of pool window t0 (row-major). */
static LLVMValueRef tile_pixel(qf_lc *c, const dense *L, LLVMValueRef t0, LLVMValueRef p)
{
	LLVMBuilderRef b = c->b;
	if (!L->pool)
		return LLVMBuildAdd(b, t0, p, "");
	const qf_inode *pl = L->pool;
	LLVMValueRef py = LLVMBuildUDiv(b, t0, qf_lc_i32(c, L->POW), "");
	LLVMValueRef px = LLVMBuildSub(b, t0, LLVMBuildMul(b, py, qf_lc_i32(c, L->POW), ""), "");
	LLVMValueRef dy = LLVMBuildUDiv(b, p, qf_lc_i32(c, pl->k_w), "");
	LLVMValueRef dx = LLVMBuildSub(b, p, LLVMBuildMul(b, dy, qf_lc_i32(c, pl->k_w), ""), "");
	LLVMValueRef oy = LLVMBuildAdd(b, LLVMBuildMul(b, py, qf_lc_i32(c, pl->stride), ""), dy, "");
	LLVMValueRef ox = LLVMBuildAdd(b, LLVMBuildMul(b, px, qf_lc_i32(c, pl->stride), ""), dx, "");
	return LLVMBuildAdd(b, LLVMBuildMul(b, oy, qf_lc_i32(c, L->OW), ""), ox, "");
}

/* Stores column value v (i32) for value k of pixel p. k may be a value. */
static void put_value(qf_lc *c, const dense *L, LLVMValueRef buf, LLVMValueRef k, int p, LLVMValueRef v)
{
	LLVMBuilderRef b = c->b;
	LLVMValueRef off;
	if (L->dsp) {
		/* group g = k / 4, j = k % 4: word (g*P + p)*2 + (j & 1), half j >> 1 */
		LLVMValueRef g = LLVMBuildLShr(b, k, qf_lc_i32(c, 2), "");
		LLVMValueRef j = LLVMBuildAnd(b, k, qf_lc_i32(c, 3), "");
		LLVMValueRef word = LLVMBuildAdd(
			b, LLVMBuildMul(b, LLVMBuildAdd(b, LLVMBuildMul(b, g, qf_lc_i32(c, L->P), ""), qf_lc_i32(c, p), ""),
					qf_lc_i32(c, 2), ""),
			LLVMBuildAnd(b, j, qf_lc_i32(c, 1), ""), "");
		off = LLVMBuildAdd(b, LLVMBuildShl(b, word, qf_lc_i32(c, 2), ""),
				   LLVMBuildShl(b, LLVMBuildLShr(b, j, qf_lc_i32(c, 1), ""), qf_lc_i32(c, 1), ""), "");
	} else {
		off = LLVMBuildShl(b, LLVMBuildAdd(b, LLVMBuildMul(b, k, qf_lc_i32(c, L->P), ""), qf_lc_i32(c, p), ""),
				   qf_lc_i32(c, 1), "");
	}
	qf_lc_store(c, LLVMBuildTrunc(b, v, c->i16, ""), buf, off, 2);
}

/* DSP, int8 input with in_c a multiple of 4: one 32-bit load and two
 * SXTAB16 (UXTAB16 for the raw input bytes) per group of 4 values; taps in
 * the padding read a row of bytes that equal the zero point. */
static void im2col_words(qf_lc *c, const dense *L, LLVMValueRef buf, LLVMValueRef q0)
{
	LLVMBuilderRef b = c->b;
	bool raw = qf_lc_is_input(c, L->xt);
	int32_t zb = raw ? 128 + L->x->zp : L->x->zp; /* the byte that means the zero point */
	/* without padding every tap is inside (the window arithmetic) */
	bool padded = L->PT || L->PL;
	LLVMValueRef pad = NULL;
	if (padded) {
		uint8_t *row = qf_xmalloc((size_t)L->Cin);
		memset(row, zb & 0xFF, (size_t)L->Cin);
		char nm[48];
		snprintf(nm, sizeof nm, "L%d_pad", c->node);
		pad = qf_lc_const_bytes(c, nm, row, (size_t)L->Cin);
		free(row);
	}
	int32_t nz = raw ? -(128 + L->x->zp) : -L->x->zp;
	LLVMValueRef nzz = qf_lc_i32(c, (int32_t)(((uint32_t)nz & 0xFFFFu) * 0x10001u));
	const char *ext = raw ? "llvm.arm.uxtab16" : "llvm.arm.sxtab16";
	LLVMValueRef X = qf_lc_tensor_ptr(c, L->xt);
	unsigned align = raw ? 1 : 4;
	/* loops over the pixels and taps, the words of a tap unrolled */
	qf_lc_loop lp, ly, lx;
	LLVMValueRef p = qf_lc_loop_begin(c, &lp, 0, L->P, 1, "colp");
	LLVMValueRef iy0, ix0;
	origin(c, L, tile_pixel(c, L, q0, p), &iy0, &ix0);
	LLVMValueRef ky = qf_lc_loop_begin(c, &ly, 0, L->KH, 1, "ky");
	LLVMValueRef iy = LLVMBuildAdd(b, iy0, ky, "");
	LLVMValueRef rowok = LLVMBuildICmp(b, LLVMIntULT, iy, qf_lc_i32(c, L->H), "");
	LLVMValueRef kx = qf_lc_loop_begin(c, &lx, 0, L->KW, 1, "kx");
	LLVMValueRef ix = LLVMBuildAdd(b, ix0, kx, "");
	LLVMValueRef ok = LLVMBuildAnd(b, rowok, LLVMBuildICmp(b, LLVMIntULT, ix, qf_lc_i32(c, L->W), ""), "");
	LLVMValueRef e = LLVMBuildMul(b, LLVMBuildAdd(b, LLVMBuildMul(b, iy, qf_lc_i32(c, L->W), ""), ix, ""),
				      qf_lc_i32(c, L->Cin), "");
	/* the address only when valid: a select of pointers */
	LLVMValueRef src;
	if (padded) {
		e = LLVMBuildSelect(b, ok, e, qf_lc_i32(c, 0), "");
		src = LLVMBuildSelect(b, ok, qf_lc_byte_gep(c, X, e), pad, "");
	} else {
		src = qf_lc_byte_gep(c, X, e);
	}
	LLVMValueRef tap = LLVMBuildAdd(b, LLVMBuildMul(b, ky, qf_lc_i32(c, L->KW), ""), kx, "");
	/* word (g * P + p) * 2 of the column, g = tap * in_c / 4 + gi */
	LLVMValueRef dst = qf_lc_byte_gep(
		c, buf,
		LLVMBuildAdd(b, LLVMBuildMul(b, tap, qf_lc_i32(c, (int64_t)L->Cin / 4 * L->P * 8), ""),
			     LLVMBuildMul(b, p, qf_lc_i32(c, 8), ""), ""));
	for (int gi = 0; gi < L->Cin / 4; gi++) {
		LLVMValueRef w = qf_lc_load(c, c->i32, src, qf_lc_i32(c, 4 * gi), align);
		LLVMValueRef r8[3] = {w, w, qf_lc_i32(c, 8)};
		LLVMValueRef wr = qf_lc_intrinsic(c, "llvm.fshr", c->i32, r8, 3);
		LLVMValueRef a0[2] = {nzz, w}, a1[2] = {nzz, wr};
		LLVMValueRef lo = qf_lc_intrinsic(c, ext, NULL, a0, 2);
		LLVMValueRef hi = qf_lc_intrinsic(c, ext, NULL, a1, 2);
		qf_lc_store(c, lo, dst, qf_lc_i32(c, (int64_t)gi * L->P * 8), 4);
		qf_lc_store(c, hi, dst, qf_lc_i32(c, (int64_t)gi * L->P * 8 + 4), 4);
	}
	qf_lc_loop_end(c, &lx);
	qf_lc_loop_end(c, &ly);
	qf_lc_loop_end(c, &lp);
}

/* Any input: value by value (constant k up to GATHER_UNROLL, else a loop
 * that derives the tap and channel of each k). DSP values past K are 0. */
static void im2col_values(qf_lc *c, const dense *L, LLVMValueRef buf, LLVMValueRef q0)
{
	LLVMBuilderRef b = c->b;
	int64_t kend = L->dsp ? (L->K + 3) / 4 * 4 : L->K;
	for (int p = 0; p < L->P; p++) {
		LLVMValueRef iy0, ix0;
		origin(c, L, tile_pixel(c, L, q0, qf_lc_i32(c, p)), &iy0, &ix0);
		if (kend <= GATHER_UNROLL) {
			for (int64_t k = 0; k < kend; k++) {
				LLVMValueRef v;
				if (k >= L->K) {
					v = qf_lc_i32(c, 0);
				} else {
					int64_t tap = k / L->Cin, ic = k % L->Cin;
					v = window_value(c, L, iy0, ix0, qf_lc_i32(c, tap / L->KW), qf_lc_i32(c, tap % L->KW),
							 qf_lc_i32(c, ic));
				}
				put_value(c, L, buf, qf_lc_i32(c, k), p, v);
			}
			continue;
		}
		qf_lc_loop l;
		LLVMValueRef k = qf_lc_loop_begin(c, &l, 0, kend, 1, "gather");
		LLVMValueRef tap = LLVMBuildUDiv(b, k, qf_lc_i32(c, L->Cin), "");
		LLVMValueRef ic = LLVMBuildSub(b, k, LLVMBuildMul(b, tap, qf_lc_i32(c, L->Cin), ""), "");
		LLVMValueRef ky = LLVMBuildUDiv(b, tap, qf_lc_i32(c, L->KW), "");
		LLVMValueRef kx = LLVMBuildSub(b, tap, LLVMBuildMul(b, ky, qf_lc_i32(c, L->KW), ""), "");
		LLVMValueRef v = window_value(c, L, iy0, ix0, ky, kx, ic);
		if (kend > L->K)
			v = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntULT, k, qf_lc_i32(c, L->K), ""), v, qf_lc_i32(c, 0), "");
		put_value(c, L, buf, k, p, v);
		qf_lc_loop_end(c, &l);
	}
}

/* ------------------------------------------------------------ dot products */

static LLVMValueRef sxtb16(qf_lc *c, LLVMValueRef w, int ror)
{
	if (ror) {
		LLVMValueRef r[3] = {w, w, qf_lc_i32(c, ror)};
		w = qf_lc_intrinsic(c, "llvm.fshr", c->i32, r, 3);
	}
	return qf_lc_intrinsic(c, "llvm.arm.sxtb16", NULL, &w, 1);
}

/* DSP: nwords weight words per channel from word w0 (a value) on, into the
 * accumulators acc[p*C + c] (SSA values, updated). */
/* Two adjacent words at p + off with one LDRD, the low word first.
 * LLVM has no intrinsic for it, and from two i32 loads, or one i64 load
 * (which its DAG combiner splits again), its ARM backend pairs only some:
 * measured on fmnist-small, 4 of the 6 words of a 2x2 tile's group came
 * in single LDRs. So it is one line of inline assembly: any two registers
 * suit LDRD in Thumb-2, and the offset is baked in. It says it touches
 * memory (~{memory}), so LLVM keeps it after the im2col stores when a
 * short tile is inlined into its layer (without it, the random-chain test
 * caught LLVM reading the column before writing it). */
static void load_pair(qf_lc *c, LLVMValueRef p, int64_t off, LLVMValueRef *lo, LLVMValueRef *hi)
{
	QF_ASSERT(off >= 0 && off % 4 == 0);
	if (off > 1020) {
		/* LDRD reaches 1020 bytes: a base per KiB (LLVM keeps each once) */
		p = qf_lc_byte_gep(c, p, qf_lc_i32(c, off / 1024 * 1024));
		off %= 1024;
	}
	char text[64];
	snprintf(text, sizeof text, "ldrd $0, $1, [$2, #%lld]", (long long)off);
	LLVMTypeRef two[2] = {c->i32, c->i32};
	LLVMTypeRef rt = LLVMStructTypeInContext(c->cx, two, 2, 0);
	LLVMTypeRef ft = LLVMFunctionType(rt, &c->p8, 1, 0);
	char cons[] = "=r,=r,r,~{memory}";
	LLVMValueRef asmv = LLVMGetInlineAsm(ft, text, strlen(text), cons, strlen(cons), 0, 0, LLVMInlineAsmDialectATT, 0);
	LLVMValueRef v = LLVMBuildCall2(c->b, ft, asmv, &p, 1, "");
	*lo = LLVMBuildExtractValue(c->b, v, 0, "");
	*hi = LLVMBuildExtractValue(c->b, v, 1, "");
}

static void dot_dsp(qf_lc *c, const dense *L, LLVMValueRef wt, LLVMValueRef buf, LLVMValueRef w0, int64_t nwords,
		    LLVMValueRef *acc)
{
	LLVMBuilderRef b = c->b;
	int gpw = L->vpw / 4; /* groups per weight word */
	/* byte offsets of this pass: weights (w0 * C words), column (w0 * gpw groups) */
	LLVMValueRef wbase = qf_lc_byte_gep(c, wt, LLVMBuildMul(b, w0, qf_lc_i32(c, 4 * L->C), ""));
	LLVMValueRef xbase = qf_lc_byte_gep(c, buf, LLVMBuildMul(b, w0, qf_lc_i32(c, gpw * L->P * 8), ""));
	/* the pass's weight words in storage order ([word][channel]), loaded
	 * two at a time */
	int64_t nw = nwords * L->C;
	LLVMValueRef *w = qf_xcalloc((size_t)nw, sizeof(LLVMValueRef));
	for (int64_t gw = 0; gw < nwords; gw++)
		for (int ch = 0; ch < L->C; ch++) {
			int64_t i = gw * L->C + ch;
			/* loaded where first needed, which keeps them out of the registers meanwhile */
			if (!w[i] && i % 2 == 0 && i + 1 < nw)
				load_pair(c, wbase, 4 * i, &w[i], &w[i + 1]);
			else if (!w[i])
				w[i] = qf_lc_load(c, c->i32, wbase, qf_lc_i32(c, 4 * i), 4);
			LLVMValueRef wd = w[i];
			for (int f = 0; f < gpw; f++) {
				LLVMValueRef m = wd;
				if (L->wb == 4)
					m = LLVMBuildAnd(b, f == 0 ? LLVMBuildShl(b, wd, qf_lc_i32(c, 4), "") : wd,
							 qf_lc_i32(c, (int32_t)0xF0F0F0F0u), "");
				else if (L->wb == 2)
					m = LLVMBuildAnd(b, 6 - 2 * f ? LLVMBuildShl(b, wd, qf_lc_i32(c, 6 - 2 * f), "") : wd,
							 qf_lc_i32(c, (int32_t)0xC0C0C0C0u), "");
				LLVMValueRef wa = sxtb16(c, m, 0), wbv = sxtb16(c, m, 8);
				int64_t g = gw * gpw + f;
				for (int p = 0; p < L->P; p++) {
					/* the pixel's two words of this group side by side: one LDRD */
					LLVMValueRef xa, xb;
					load_pair(c, xbase, 4 * (g * L->P + p) * 2, &xa, &xb);
					LLVMValueRef *a = &acc[p * L->C + ch];
					LLVMValueRef s1[3] = {wa, xa, *a};
					*a = qf_lc_intrinsic(c, "llvm.arm.smlad", NULL, s1, 3);
					LLVMValueRef s2[3] = {wbv, xb, *a};
					*a = qf_lc_intrinsic(c, "llvm.arm.smlad", NULL, s2, 3);
				}
			}
		}
	free(w);
}

/* Plain: values k0 .. k0+nk of the tile's stream (k0 a value, a multiple
 * of 8 so that every value's bit position within the pass is constant). */
static void dot_plain(qf_lc *c, const dense *L, LLVMValueRef wt, LLVMValueRef buf, LLVMValueRef k0, int64_t nk,
		      LLVMValueRef *acc)
{
	LLVMBuilderRef b = c->b;
	LLVMValueRef wbase = qf_lc_byte_gep(
		c, wt, LLVMBuildLShr(b, LLVMBuildMul(b, k0, qf_lc_i32(c, L->C * L->wb), ""), qf_lc_i32(c, 3), ""));
	LLVMValueRef xbase = qf_lc_byte_gep(c, buf, LLVMBuildMul(b, k0, qf_lc_i32(c, 2 * L->P), ""));
	for (int64_t k = 0; k < nk; k++) {
		LLVMValueRef xv[16];
		for (int p = 0; p < L->P; p++)
			xv[p] = LLVMBuildSExt(b, qf_lc_load(c, c->i16, xbase, qf_lc_i32(c, (k * L->P + p) * 2), 2), c->i32, "");
		for (int ch = 0; ch < L->C; ch++) {
			int64_t bit = (k * L->C + ch) * L->wb;
			LLVMValueRef w = LLVMBuildSExt(b, qf_lc_load(c, c->i8, wbase, qf_lc_i32(c, bit / 8), 1), c->i32, "");
			if (L->wb < 8) {
				int lo = (int)(bit % 8);
				w = LLVMBuildAShr(b, LLVMBuildShl(b, w, qf_lc_i32(c, 32 - lo - L->wb), ""),
						  qf_lc_i32(c, 32 - L->wb), "");
			}
			for (int p = 0; p < L->P; p++) {
				LLVMValueRef *a = &acc[p * L->C + ch];
				*a = LLVMBuildAdd(b, *a, LLVMBuildMul(b, xv[p], w, ""), "");
			}
		}
	}
}

/* ------------------------------------------------------------ the tile */

/* The work on one tile, as a function of its own, never inlined:
 *   void qf_<name>_L<i>_tile(const int8_t *w, const int16_t *col,
 *                            const int32_t *rq, int8_t *y, int32_t e0)
 * w: the channel tile's weights, col: the column buffer, rq: the first
 * channel's requant entry, y: the output tensor, e0: the element of the
 * tile's first output. Only these are live in it, so the dot product has
 * the registers to itself (in the layer's loop, the loops' own values
 * crowded the accumulators out onto the stack); the call costs a few
 * instructions per P*C*K multiply-accumulates. */
static LLVMValueRef tile_function(qf_lc *c, const dense *L, const qf_lc_rq *rq)
{
	LLVMBuilderRef b = c->b;
	LLVMBasicBlockRef back = LLVMGetInsertBlock(b);
	LLVMValueRef outer = c->fn;
	LLVMTypeRef at[5] = {c->p8, c->p8, c->p8, c->p8, c->i32};
	char nm[128];
	if (L->run < 0)
		snprintf(nm, sizeof nm, "qf_%s_L%d_tile", c->name, c->node);
	else
		snprintf(nm, sizeof nm, "qf_%s_L%d_r%d_tile", c->name, c->node, L->run);
	LLVMValueRef f = LLVMAddFunction(c->m, nm, LLVMFunctionType(c->vd, at, 5, 0));
	LLVMSetLinkage(f, LLVMInternalLinkage);
	qf_lc_fn_attrs(c, f, true);
	c->fn = f;
	LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(c->cx, f, "entry"));
	LLVMValueRef wtile = LLVMGetParam(f, 0), buf = LLVMGetParam(f, 1), rqp = LLVMGetParam(f, 2);
	LLVMValueRef y = LLVMGetParam(f, 3), e0 = LLVMGetParam(f, 4);
	LLVMValueRef accp = qf_lc_alloca(c, c->i32, L->P * L->C);
	qf_lc_rqch rf[16];
	for (int ch = 0; ch < L->C; ch++) {
		qf_lc_rq_entry(c, qf_lc_byte_gep(c, rqp, qf_lc_i32(c, 16 * ch)), &rf[ch]);
		for (int p = 0; p < L->P; p++)
			qf_lc_store(c, rf[ch].bias, accp, qf_lc_i32(c, 4 * (p * L->C + ch)), 4);
	}
	/* passes over K: units are weight words (DSP) or values (plain) */
	int64_t units = L->dsp ? L->Kp / L->vpw : L->K;
	int64_t per = L->dsp ? MAX_UNROLL / L->vpw : PLAIN_UNROLL;
	if (per < 1)
		per = 1;
	if (units > per) {
		/* equal passes when a divisor is close, else a tail */
		int64_t np = (units + per - 1) / per;
		for (int64_t t = np; t < np + 4; t++)
			if (units % t == 0 && (L->dsp || (units / t) % 8 == 0)) {
				np = t;
				break;
			}
		per = units / np;
		if (!L->dsp)
			per = per / 8 * 8;
		if (per < 1)
			per = 1;
	} else {
		per = units;
	}
	int64_t full = units / per, tail = units - full * per;
	LLVMValueRef acc[256];
	LLVMValueRef u0 = qf_lc_i32(c, 0);
	qf_lc_loop lk;
	if (full > 1)
		u0 = LLVMBuildMul(b, qf_lc_loop_begin(c, &lk, 0, full, 1, "k"), qf_lc_i32(c, per), "");
	for (int i = 0; i < L->P * L->C; i++)
		acc[i] = qf_lc_load(c, c->i32, accp, qf_lc_i32(c, 4 * i), 4);
	if (L->dsp)
		dot_dsp(c, L, wtile, buf, u0, per, acc);
	else
		dot_plain(c, L, wtile, buf, u0, per, acc);
	for (int i = 0; i < L->P * L->C; i++)
		qf_lc_store(c, acc[i], accp, qf_lc_i32(c, 4 * i), 4);
	if (full > 1)
		qf_lc_loop_end(c, &lk);
	if (tail) {
		for (int i = 0; i < L->P * L->C; i++)
			acc[i] = qf_lc_load(c, c->i32, accp, qf_lc_i32(c, 4 * i), 4);
		if (L->dsp)
			dot_dsp(c, L, wtile, buf, qf_lc_i32(c, full * per), tail, acc);
		else
			dot_plain(c, L, wtile, buf, qf_lc_i32(c, full * per), tail, acc);
		for (int i = 0; i < L->P * L->C; i++)
			qf_lc_store(c, acc[i], accp, qf_lc_i32(c, 4 * i), 4);
	}
	/* requantise and store: 8-bit outputs at constant offsets from the
	 * tile's first */
	LLVMValueRef ybase = L->y->bits == 8 ? qf_lc_byte_gep(c, y, e0) : NULL;
	if (L->pool) {
		/* the requant is monotonic (positive multipliers, no left shift:
		 * module.c checks), so the max of the requantised values is the
		 * requantised max of the accumulators: one requant and one store
		 * per window and channel, then the pool's own clamp */
		for (int ch = 0; ch < L->C; ch++) {
			LLVMValueRef m = NULL;
			for (int p = 0; p < L->P; p++) {
				LLVMValueRef a = qf_lc_load(c, c->i32, accp, qf_lc_i32(c, 4 * (p * L->C + ch)), 4);
				m = m ? qf_lc_smax(c, m, a) : a;
			}
			LLVMValueRef v = qf_lc_rq_apply(c, rq, &rf[ch], m);
			if (L->pool->act_min > -128)
				v = qf_lc_smax(c, v, qf_lc_i32(c, L->pool->act_min));
			if (L->pool->act_max < 127)
				v = qf_lc_smin(c, v, qf_lc_i32(c, L->pool->act_max));
			qf_lc_store(c, LLVMBuildTrunc(b, v, c->i8, ""), ybase, qf_lc_i32(c, ch), 1);
		}
		LLVMBuildRetVoid(b);
		c->fn = outer;
		LLVMPositionBuilderAtEnd(b, back);
		return f;
	}
	for (int ch = 0; ch < L->C; ch++)
		for (int p = 0; p < L->P; p++) {
			LLVMValueRef a = qf_lc_load(c, c->i32, accp, qf_lc_i32(c, 4 * (p * L->C + ch)), 4);
			LLVMValueRef v = qf_lc_rq_apply(c, rq, &rf[ch], a);
			if (ybase)
				qf_lc_store(c, LLVMBuildTrunc(b, v, c->i8, ""), ybase, qf_lc_i32(c, p * L->Ys + ch), 1);
			else
				qf_lc_store_nibble(c, y, LLVMBuildAdd(b, e0, qf_lc_i32(c, p * L->Ys + ch), ""), v);
		}
	LLVMBuildRetVoid(b);
	c->fn = outer;
	LLVMPositionBuilderAtEnd(b, back);
	return f;
}

/* ------------------------------------------------------------ the layer */

/* The code of layer n, or of run r of it when it is split (r >= 0). */
static void dense_run(qf_lc *c, const qf_inode *n, int r)
{
	const qf_igraph *ig = c->ig;
	LLVMBuilderRef b = c->b;
	dense L;
	shape(c, n, &L);
	if (r >= 0) {
		QF_ASSERT(!L.pool); /* module.c fuses no pool into a split layer */
		narrow(ig, &L, r);
	}
	L.bound = bounds(ig, &L);
	tiles(c, &L, want_dsp(c, ig, &L));
	QF_ASSERT(L.P <= 16 && L.C <= 16);
	qf_lc_rq rq;
	if (r >= 0)
		qf_lc_rq_init_run(c, n, r, L.c0, L.c0 + L.Cout, L.ws, L.bound, &rq);
	else
		qf_lc_rq_init(c, n, L.ws, L.bound, &rq);

	/* the weights, repacked */
	size_t wlen;
	int64_t tile_bytes = 0;
	uint8_t *wp = L.dsp ? pack_dsp(ig, &L, &wlen) : pack_plain(ig, &L, &wlen, &tile_bytes);
	if (L.dsp)
		tile_bytes = L.Kp / L.vpw * L.C * 4;
	char nm[48];
	if (r >= 0)
		snprintf(nm, sizeof nm, "L%d_r%d_w", c->node, r);
	else
		snprintf(nm, sizeof nm, "L%d_w", c->node);
	LLVMValueRef wt = qf_lc_const_bytes(c, nm, wp, wlen ? wlen : 1);
	free(wp);

	LLVMValueRef tile = tile_function(c, &L, &rq);

	QF_ASSERT(c->scratch_off[c->node] >= 0);
	LLVMValueRef buf = qf_lc_byte_gep(c, c->arena, qf_lc_i32(c, c->scratch_off[c->node]));
	bool words = L.dsp && L.x->bits == 8 && L.Cin % 4 == 0 && L.Cin / 4 <= 64;

	/* tiles: P consecutive pixels, the last one moved back; or the fused
	 * pool's windows, one per output pixel of the pool */
	int64_t npt = L.pool ? qf_itensor_elems(&ig->t[L.pool->out]) / L.Cout : (L.npix + L.P - 1) / L.P;
	qf_lc_loop lp;
	LLVMValueRef it = qf_lc_loop_begin(c, &lp, 0, npt, 1, "pix");
	LLVMValueRef q0 = L.pool ? it
				 : qf_lc_smin(c, LLVMBuildMul(b, it, qf_lc_i32(c, L.P), ""), qf_lc_i32(c, L.npix - L.P));
	if (words)
		im2col_words(c, &L, buf, q0);
	else
		im2col_values(c, &L, buf, q0);

	qf_lc_loop lc;
	LLVMValueRef j = qf_lc_loop_begin(c, &lc, 0, L.ntc, 1, "chan");
	LLVMValueRef s = qf_lc_smin(c, LLVMBuildMul(b, j, qf_lc_i32(c, L.C), ""), qf_lc_i32(c, L.Cout - L.C));
	/* the run's first channel in the output (0 unless split) */
	LLVMValueRef os = L.c0 ? LLVMBuildAdd(b, s, qf_lc_i32(c, L.c0), "") : s;
	LLVMValueRef args[5] = {
		qf_lc_byte_gep(c, wt, LLVMBuildMul(b, j, qf_lc_i32(c, tile_bytes), "")),
		buf,
		qf_lc_byte_gep(c, rq.table, LLVMBuildShl(b, s, qf_lc_i32(c, 4), "")),
		qf_lc_tensor_ptr(c, L.pool ? L.pool->out : L.yt),
		LLVMBuildAdd(b, LLVMBuildMul(b, q0, qf_lc_i32(c, L.Ys), ""), os, ""),
	};
	LLVMBuildCall2(b, LLVMGlobalGetValueType(tile), tile, args, 5, "");
	qf_lc_loop_end(c, &lc);
	qf_lc_loop_end(c, &lp);
	free(L.bound);
}

void qf_lc_dense(qf_lc *c, const qf_inode *n)
{
	if (!n->nparts) {
		dense_run(c, n, -1);
		return;
	}
	/* one pass over the input per run: im2col again for each, the price of
	 * keeping each run's inner loop at one width */
	for (int r = 0; r < n->nparts; r++)
		dense_run(c, n, r);
}
