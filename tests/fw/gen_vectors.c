/* gen_vectors.c: writes the firmware test vectors (a C file) to stdout.
 *
 * How they are generated: every input, weight, bias and requant parameter
 * comes from a xorshift64* generator with a fixed seed per case, so the file
 * is the same on every run and machine; the expected output of each case is
 * computed on the host by the reference kernels in runtime/ref/ (plain loops,
 * never optimised). The firmware runs the optimised kernels on the same
 * inputs and must match byte for byte. fw.mk builds and runs this program.
 *
 * The cases: the layers of fmnist-small (conv 1->16, maxpool, conv 16->32,
 * maxpool, conv 32->64, global average pool, fc 64->10, argmax), the convs
 * again with 4-bit and 2-bit weights, and odd shapes that reach every path:
 * stride 2, edge padding, Cin = 3, channel counts not multiples of 4, 1x1,
 * 4-bit activations, depthwise, residual add in both requant modes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/ref/add_ref.c"
#include "runtime/ref/argmax_ref.c"
#include "runtime/ref/avgpool_ref.c"
#include "runtime/ref/conv_ref.c"
#include "runtime/ref/dwconv_ref.c"
#include "runtime/ref/fc_ref.c"
#include "runtime/ref/maxpool_ref.c"
#include "runtime/scratch.c"
#include "tests/fw/vectors.h"

static uint64_t rng;

static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ull) >> 32);
}

static int32_t rr(int32_t lo, int32_t hi)
{
	return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1));
}

static int ncase;

static void *xmalloc(size_t n)
{
	void *p = calloc(n ? n : 1, 1);
	if (!p) {
		fprintf(stderr, "gen_vectors: out of memory\n");
		exit(1);
	}
	return p;
}

static void rand_bytes(int8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (int8_t)rnd();
}

static void emit8(const char *what, const int8_t *p, size_t n)
{
	printf("static const int8_t c%d_%s[%zu] = {", ncase, what, n);
	for (size_t i = 0; i < n; i++)
		printf("%s%d", i == 0 ? "\n\t" : i % 24 ? "," : ",\n\t", p[i]);
	printf("\n};\n");
}

static void emit16(const char *what, const int16_t *p, size_t n)
{
	printf("static const int16_t c%d_%s[%zu] = {", ncase, what, n);
	for (size_t i = 0; i < n; i++)
		printf("%s%d", i == 0 ? "\n\t" : i % 16 ? "," : ",\n\t", p[i]);
	printf("\n};\n");
}

/* >= 0: the next conv case stores its biases as int16 shifted by this. */
static int32_t bias16_shift = -1;

static void emit32(const char *what, const int32_t *p, size_t n)
{
	printf("static const int32_t c%d_%s[%zu] = {", ncase, what, n);
	for (size_t i = 0; i < n; i++)
		printf("%s%ld", i == 0 ? "\n\t" : i % 8 ? "," : ",\n\t", (long)p[i]);
	printf("\n};\n");
}

/* The case table is printed after the arrays; collect its rows here. */
static char table[1 << 16];
static size_t table_len;

#define ROW(...) (table_len += (size_t)snprintf(table + table_len, sizeof table - table_len, __VA_ARGS__))

static int32_t log2i(int64_t v)
{
	int32_t n = 0;
	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

/* Requant that spreads accumulators of size ~mag over the output range;
 * ReLU clamp; multiplier mode unless pow2. */
static qf_rt_requant make_rq(int32_t n, int32_t out_bits, int64_t mag, int pow2, int32_t *mult, int8_t *shift)
{
	int32_t target = log2i(mag) - (out_bits == 8 ? 7 : 3);
	for (int32_t c = 0; c < n; c++) {
		mult[c] = rr(1 << 30, INT32_MAX);
		shift[c] = (int8_t)(-target + rr(-1, 1));
	}
	qf_rt_requant rq;
	rq.mult = pow2 ? NULL : mult;
	rq.shift = shift;
	rq.zp = out_bits == 8 ? rr(-128, -100) : -8;
	rq.min = rq.zp;
	rq.max = out_bits == 8 ? 127 : 7;
	return rq;
}

static void emit_rq(const qf_rt_requant *rq, int32_t n)
{
	if (rq->mult)
		emit32("mult", rq->mult, (size_t)n);
	emit8("shift", rq->shift, (size_t)n);
	if (rq->mult)
		ROW("\t\t.mult = c%d_mult,\n", ncase);
	ROW("\t\t.shift = c%d_shift, .zp = %d, .min = %d, .max = %d,\n", ncase, rq->zp, rq->min, rq->max);
}

static void conv_case(const char *name, int dw, int flags, int32_t h, int32_t w, int32_t cin, int32_t cout,
	int32_t k, int32_t s, int32_t pad, int32_t wbits, int32_t ibits, int32_t obits, int pow2)
{
	rng = 0x5EED0000u + (uint64_t)ncase * 7919u;
	qf_rt_conv p = {0};
	p.in_h = h;
	p.in_w = w;
	p.in_c = cin;
	p.out_c = dw ? cin : cout;
	p.k_h = p.k_w = k;
	p.stride_h = p.stride_w = s;
	p.pad_top = p.pad_left = pad;
	p.out_h = (h + 2 * pad - k) / s + 1;
	p.out_w = (w + 2 * pad - k) / s + 1;
	p.in_bits = ibits;
	p.out_bits = obits;
	p.w_bits = wbits;
	p.in_zp = ibits == 8 ? rr(-128, -64) : -8;
	int32_t kk = k * k * (dw ? 1 : cin);
	int32_t rows = dw ? k * k : p.out_c, rowlen = dw ? cin : kk;
	size_t in_n = (size_t)QF_PACKED_BYTES(h * w * cin, ibits);
	size_t w_n = (size_t)rows * (size_t)QF_PACKED_BYTES(rowlen, wbits);
	size_t out_n = (size_t)QF_PACKED_BYTES(p.out_h * p.out_w * p.out_c, obits);
	int8_t *in = xmalloc(in_n), *wt = xmalloc(w_n), *out = xmalloc(out_n);
	memset(out, 0x5A, out_n); /* what the harness fills its buffer with: unused nibbles stay */
	int32_t *bias = xmalloc(sizeof(int32_t) * (size_t)p.out_c);
	int32_t *mult = xmalloc(sizeof(int32_t) * (size_t)p.out_c);
	int8_t *shift = xmalloc((size_t)p.out_c);
	rand_bytes(in, in_n);
	rand_bytes(wt, w_n);
	int64_t mag = (int64_t)kk * 64 * (1 << (wbits - 1)) / 2;
	for (int32_t c = 0; c < p.out_c; c++)
		bias[c] = rr(-(int32_t)mag, (int32_t)mag);
	int16_t *bias16 = xmalloc(sizeof(int16_t) * (size_t)p.out_c);
	const void *bv = bias;
	if (bias16_shift >= 0) {
		p.bias_bits = 16;
		p.bias_shift = bias16_shift;
		for (int32_t c = 0; c < p.out_c; c++)
			bias16[c] = (int16_t)(bias[c] >> bias16_shift);
		bv = bias16;
	}
	qf_rt_requant rq = make_rq(p.out_c, obits, mag, pow2, mult, shift);
	qf_rt_status st = dw ? qf_ref_dwconv(&p, &rq, in, wt, bv, out) : qf_ref_conv(&p, &rq, in, wt, bv, out);
	if (st != QF_RT_OK) {
		fprintf(stderr, "gen_vectors: %s: reference kernel failed (%d)\n", name, st);
		exit(1);
	}
	emit8("in", in, in_n);
	emit8("w", wt, w_n);
	if (bias16_shift >= 0)
		emit16("bias", bias16, (size_t)p.out_c);
	else
		emit32("bias", bias, (size_t)p.out_c);
	emit8("out", out, out_n);
	ROW("\t{\n\t\t.name = \"%s\", .kind = %s, .flags = %d,\n", name, dw ? "FW_DWCONV" : "FW_CONV", flags);
	ROW("\t\t.conv = {%d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, 0, %d, %d},\n", p.in_h,
		p.in_w, p.in_c, p.out_h, p.out_w, p.out_c, p.k_h, p.k_w, p.stride_h, p.stride_w, p.pad_top, p.pad_left,
		p.in_zp, p.in_bits, p.out_bits, p.w_bits, p.bias_bits, p.bias_shift);
	emit_rq(&rq, p.out_c);
	ROW("\t\t.in = c%d_in, .w = c%d_w, .bias = c%d_bias, .expect = c%d_out, .out_bytes = %zu,\n", ncase, ncase,
		ncase, ncase, out_n);
	ROW("\t\t.macs = %d, .scratch = %d,\n\t},\n", p.out_h * p.out_w * p.out_c * kk,
		dw ? qf_dwconv_scratch_size(&p) : qf_conv_scratch_size(&p));
	free(in);
	free(wt);
	free(out);
	free(bias);
	free(bias16);
	free(mult);
	free(shift);
	bias16_shift = -1;
	ncase++;
}

static void fc_case(const char *name, int flags, int32_t n_in, int32_t n_out, int32_t wbits, int32_t ibits,
	int32_t obits)
{
	rng = 0xFC000000u + (uint64_t)ncase * 7919u;
	qf_rt_fc p = {n_in, n_out, ibits == 8 ? rr(-128, -64) : -8, ibits, obits, wbits, 0, 0};
	size_t in_n = (size_t)QF_PACKED_BYTES(n_in, ibits), w_n = (size_t)n_out * QF_PACKED_BYTES(n_in, wbits);
	size_t out_n = (size_t)QF_PACKED_BYTES(n_out, obits);
	int8_t *in = xmalloc(in_n), *wt = xmalloc(w_n), *out = xmalloc(out_n);
	memset(out, 0x5A, out_n); /* what the harness fills its buffer with: unused nibbles stay */
	int32_t *bias = xmalloc(sizeof(int32_t) * (size_t)n_out);
	int32_t *mult = xmalloc(sizeof(int32_t) * (size_t)n_out);
	int8_t *shift = xmalloc((size_t)n_out);
	rand_bytes(in, in_n);
	rand_bytes(wt, w_n);
	int64_t mag = (int64_t)n_in * 32 * (1 << (wbits - 1));
	for (int32_t c = 0; c < n_out; c++)
		bias[c] = rr(-(int32_t)mag, (int32_t)mag);
	qf_rt_requant rq = make_rq(n_out, obits, mag, 0, mult, shift);
	if (qf_ref_fc(&p, &rq, in, wt, bias, out) != QF_RT_OK) {
		fprintf(stderr, "gen_vectors: %s: reference kernel failed\n", name);
		exit(1);
	}
	emit8("in", in, in_n);
	emit8("w", wt, w_n);
	emit32("bias", bias, (size_t)n_out);
	emit8("out", out, out_n);
	ROW("\t{\n\t\t.name = \"%s\", .kind = FW_FC, .flags = %d,\n", name, flags);
	ROW("\t\t.fc = {%d, %d, %d, %d, %d, %d},\n", p.in_n, p.out_n, p.in_zp, p.in_bits, p.out_bits, p.w_bits);
	emit_rq(&rq, n_out);
	ROW("\t\t.in = c%d_in, .w = c%d_w, .bias = c%d_bias, .expect = c%d_out, .out_bytes = %zu,\n", ncase, ncase,
		ncase, ncase, out_n);
	ROW("\t\t.macs = %d, .scratch = %d,\n\t},\n", n_in * n_out, qf_fc_scratch_size(&p));
	free(in);
	free(wt);
	free(out);
	free(bias);
	free(mult);
	free(shift);
	ncase++;
}

static void pool_case(const char *name, int avg, int flags, int32_t h, int32_t w, int32_t c, int32_t k, int32_t s,
	int32_t pad)
{
	rng = 0x9001000u + (uint64_t)ncase * 7919u;
	qf_rt_pool p = {h, w, c, 0, 0, k, k, s, s, pad, pad, rr(-128, 0), 127};
	p.out_h = (h + 2 * pad - k) / s + 1;
	p.out_w = (w + 2 * pad - k) / s + 1;
	size_t in_n = (size_t)(h * w * c), out_n = (size_t)(p.out_h * p.out_w * c);
	int8_t *in = xmalloc(in_n), *out = xmalloc(out_n);
	rand_bytes(in, in_n);
	if ((avg ? qf_ref_avgpool(&p, in, out) : qf_ref_maxpool(&p, in, out)) != QF_RT_OK) {
		fprintf(stderr, "gen_vectors: %s: reference kernel failed\n", name);
		exit(1);
	}
	emit8("in", in, in_n);
	emit8("out", out, out_n);
	ROW("\t{\n\t\t.name = \"%s\", .kind = %s, .flags = %d,\n", name, avg ? "FW_AVGPOOL" : "FW_MAXPOOL", flags);
	ROW("\t\t.pool = {%d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d},\n", p.in_h, p.in_w, p.c, p.out_h,
		p.out_w, p.k_h, p.k_w, p.stride_h, p.stride_w, p.pad_top, p.pad_left, p.min, p.max);
	ROW("\t\t.in = c%d_in, .expect = c%d_out, .out_bytes = %zu,\n\t},\n", ncase, ncase, out_n);
	free(in);
	free(out);
	ncase++;
}

static void add_case(const char *name, int32_t n, int pow2)
{
	rng = 0xADD0000u + (uint64_t)ncase * 7919u;
	qf_rt_add p = {n, rr(-128, 127), rr(-128, 127), pow2 ? 4 : 20, rr(1 << 30, INT32_MAX), rr(-2, 0),
		rr(1 << 30, INT32_MAX), rr(-2, 0), rr(1 << 30, INT32_MAX), 0, rr(-128, 127), -128, 127, pow2};
	p.out_shift = -p.left_shift + rr(-1, 1);
	int8_t *a = xmalloc((size_t)n), *b = xmalloc((size_t)n), *out = xmalloc((size_t)n);
	rand_bytes(a, (size_t)n);
	rand_bytes(b, (size_t)n);
	if (qf_ref_add(&p, a, b, out) != QF_RT_OK) {
		fprintf(stderr, "gen_vectors: %s: reference kernel failed\n", name);
		exit(1);
	}
	emit8("a", a, (size_t)n);
	emit8("b", b, (size_t)n);
	emit8("out", out, (size_t)n);
	ROW("\t{\n\t\t.name = \"%s\", .kind = FW_ADD,\n", name);
	ROW("\t\t.add = {%d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d},\n", p.n, p.a_zp, p.b_zp,
		p.left_shift, p.a_mult, p.a_shift, p.b_mult, p.b_shift, p.out_mult, p.out_shift, p.out_zp, p.min,
		p.max, p.pow2);
	ROW("\t\t.in = c%d_a, .in2 = c%d_b, .expect = c%d_out, .out_bytes = %d,\n\t},\n", ncase, ncase, ncase, n);
	free(a);
	free(b);
	free(out);
	ncase++;
}

static void argmax_case(const char *name, int32_t n)
{
	rng = 0xA7000000u + (uint64_t)ncase * 7919u;
	int8_t *x = xmalloc((size_t)n);
	for (int32_t i = 0; i < n; i++)
		x[i] = (int8_t)rr(-5, 5); /* ties */
	int32_t idx;
	if (qf_ref_argmax(x, n, &idx) != QF_RT_OK) {
		fprintf(stderr, "gen_vectors: %s: reference kernel failed\n", name);
		exit(1);
	}
	int8_t e[4];
	memcpy(e, &idx, 4); /* little-endian on the host and on Cortex-M */
	emit8("in", x, (size_t)n);
	emit8("out", e, 4);
	ROW("\t{\n\t\t.name = \"%s\", .kind = FW_ARGMAX, .add = {.n = %d},\n", name, n);
	ROW("\t\t.in = c%d_in, .expect = c%d_out, .out_bytes = 4,\n\t},\n", ncase, ncase);
	free(x);
	ncase++;
}

int main(void)
{
	printf("/* Generated by tests/fw/gen_vectors.c (reference kernels on the host,\n"
	       " * fixed seeds); do not edit. */\n#include \"tests/fw/vectors.h\"\n\n");
	/* fmnist-small, int8 (conv1..3 also timed with the reference kernels) */
	conv_case("conv1 28x28 1->16 k3 s8", 0, FW_REF, 28, 28, 1, 16, 3, 1, 1, 8, 8, 8, 0);
	pool_case("maxpool1 28x28x16 k2 s2", 0, 0, 28, 28, 16, 2, 2, 0);
	conv_case("conv2 14x14 16->32 k3 s8", 0, FW_REF, 14, 14, 16, 32, 3, 1, 1, 8, 8, 8, 0);
	pool_case("maxpool2 14x14x32 k2 s2", 0, 0, 14, 14, 32, 2, 2, 0);
	conv_case("conv3 7x7 32->64 k3 s8", 0, FW_REF, 7, 7, 32, 64, 3, 1, 1, 8, 8, 8, 0);
	pool_case("gap 7x7x64", 1, 0, 7, 7, 64, 7, 1, 0);
	fc_case("fc 64->10 s8", 0, 64, 10, 8, 8, 8);
	argmax_case("argmax 10", 10);
	/* the same convs with sub-byte weights */
	conv_case("conv2 14x14 16->32 k3 s4w", 0, 0, 14, 14, 16, 32, 3, 1, 1, 4, 8, 8, 0);
	conv_case("conv3 7x7 32->64 k3 s4w", 0, 0, 7, 7, 32, 64, 3, 1, 1, 4, 8, 8, 0);
	conv_case("conv2 14x14 16->32 k3 s2w", 0, 0, 14, 14, 16, 32, 3, 1, 1, 2, 8, 8, 0);
	conv_case("conv3 7x7 32->64 k3 s2w pow2", 0, 0, 7, 7, 32, 64, 3, 1, 1, 2, 8, 8, 1);
	/* odd shapes */
	conv_case("conv 9x9 3->5 k3 s2 pad1", 0, 0, 9, 9, 3, 5, 3, 2, 1, 8, 8, 8, 0);
	conv_case("conv 11x7 5->7 k5 pad2 s4w", 0, 0, 11, 7, 5, 7, 5, 1, 2, 4, 8, 8, 1);
	conv_case("conv 7x7 13->9 k1", 0, 0, 7, 7, 13, 9, 1, 1, 0, 8, 8, 8, 0);
	conv_case("conv 7x7 13->9 k1 s2 s2w", 0, 0, 7, 7, 13, 9, 1, 2, 0, 2, 8, 8, 0);
	conv_case("conv s4 act 6x6 8->8 k3 s4w", 0, 0, 6, 6, 8, 8, 3, 1, 1, 4, 4, 4, 0);
	conv_case("conv s8->s4 act 6x5 7->6 k3 s2w", 0, 0, 6, 5, 7, 6, 3, 1, 1, 2, 8, 4, 1);
	conv_case("conv s4->s8 act 5x5 9->3 k3 s8w", 0, 0, 5, 5, 9, 3, 3, 2, 1, 8, 4, 8, 0);
	conv_case("dwconv 10x10x13 k3 pad1", 1, 0, 10, 10, 13, 13, 3, 1, 1, 8, 8, 8, 0);
	conv_case("dwconv 9x9x8 k3 s2 s4w", 1, 0, 9, 9, 8, 8, 3, 2, 1, 4, 8, 8, 1);
	conv_case("dwconv 8x8x20 k5 pad2 s2w", 1, 0, 8, 8, 20, 20, 5, 1, 2, 2, 8, 8, 0);
	/* 16-bit biases (qforge ptq's), shifted by 2 and by 0 */
	bias16_shift = 2;
	conv_case("conv 7x7 13->9 k3 s4w pow2 b16", 0, 0, 7, 7, 13, 9, 3, 1, 1, 4, 8, 8, 1);
	bias16_shift = 0;
	conv_case("dwconv 9x9x12 k3 pow2 b16", 1, 0, 9, 9, 12, 12, 3, 1, 1, 8, 8, 8, 1);
	fc_case("fc 300->17 s4w", 0, 300, 17, 4, 8, 8);
	fc_case("fc s4 act 77->9 s2w", 0, 77, 9, 2, 4, 4);
	pool_case("maxpool 9x7x6 k3 s2 pad1", 0, 0, 9, 7, 6, 3, 2, 1);
	pool_case("avgpool 7x7x5 k2 s2", 1, 0, 7, 7, 5, 2, 2, 0);
	add_case("add 301", 301, 0);
	add_case("add 64 pow2", 64, 1);
	printf("\nconst fw_case fw_cases[] = {\n%s};\nconst int32_t fw_ncases = %d;\n", table, ncase);
	return 0;
}
