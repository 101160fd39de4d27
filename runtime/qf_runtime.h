/* qf_runtime.h: the freestanding integer kernels that emitted models call.
 *
 * C99, no malloc, no float, nothing from libc beyond <stdint.h> and
 * <stddef.h>. Every kernel checks its arguments, returns a qf_rt_status and
 * writes nothing when it returns an error. docs/runtime.md has the
 * arithmetic in full; this header is the contract.
 *
 * Tensors
 *   Activations are NHWC with N = 1, so element (y, x, c) of an H x W x C
 *   tensor is at index (y * W + x) * C + c: the channels of one pixel are
 *   contiguous, which is what the DSP path reads four at a time.
 *   int8 activations: one int8_t per element, real = (q - zp) * scale with one
 *   scale and zero point per tensor. 4-bit activations: the same with q in
 *   [-8, 7], two per byte, element i in byte i / 2, low nibble first; a tensor
 *   of n elements takes (n + 1) / 2 bytes.
 *   Weights are symmetric (zero point 0) per output channel, 8, 4 or 2 bits
 *   two's complement, packed low bits first: element i of a row is bits
 *   [i*b, i*b + b) of the row read as a little-endian bit stream, so with
 *   4 bits element 0 is the low nibble of byte 0. Each row starts on a byte
 *   boundary; its unused high bits are ignored. See QF_PACKED_BYTES.
 *     conv   row = one output channel: k_h x k_w x in_c values in (ky, kx, ic)
 *            order (OHWI), out_c rows.
 *     dwconv row = one kernel tap (ky, kx): in_c values in channel order,
 *            k_h * k_w rows (1HWC, depth multiplier 1).
 *     fc     row = one output: in_n values, out_n rows.
 *   Bias: one per output channel, in units of s_in * s_w; NULL means 0.
 *   int32_t values (bias_bits 0 or 32), or int16_t values b stored for
 *   b * 2^bias_shift (bias_bits 16): a bias with its own word length and
 *   fraction length, as FxP-QNet gives it, 2 bytes per channel instead of 4.
 *
 * Accumulation is exact in int32 when |bias| + K * 255 * 2^(w_bits-1) < 2^31
 *   (K = values per row); the kernels refuse K > QF_RT_MAX_K.
 *
 * Requantisation (see requant.h for the helpers, bit for bit):
 *   multiplier mode  y = zp + MulByQuantizedMultiplier(acc, mult[c], shift[c])
 *                        (gemmlowp/TFLite rounding, shift > 0 is a left shift)
 *   power-of-two     y = zp + RoundingShift(acc, shift[c]) (mult == NULL)
 *   then y = min(max(y, min), max): fused ReLU/ReLU6 are this clamp.
 *
 * Scratch: kernels that need it take (scratch, scratch_bytes); the buffer is
 * 4-byte aligned, at least qf_*_scratch_size(params) bytes, and holds nothing
 * between calls. The size depends on the parameters only, not on whether the
 * DSP path is compiled, so a planner on the host gets the same figure.
 */
#ifndef QF_RUNTIME_H
#define QF_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
	QF_RT_OK = 0,           /* done, output written */
	QF_RT_ERR_NULL = -1,    /* a required pointer is NULL */
	QF_RT_ERR_SHAPE = -2,   /* a size is < 1, pad >= kernel, or K > QF_RT_MAX_K */
	QF_RT_ERR_BITS = -3,    /* a bit width this kernel does not take */
	QF_RT_ERR_SCRATCH = -4, /* scratch smaller than the size function says, or misaligned */
	QF_RT_ERR_PARAM = -5    /* zero point, clamp, multiplier, shift or bias format out of range */
} qf_rt_status;

/* Largest number of products summed into one accumulator (see above). */
#define QF_RT_MAX_K 65536

/* Bytes of a packed row of n values of b bits. */
#define QF_PACKED_BYTES(n, b) (((int32_t)(n) * (int32_t)(b) + 7) / 8)

/* Per-output-channel requantisation.
 * mult[c] in [1, INT32_MAX] is a Q31 multiplier (usually in [2^30, 2^31));
 * mult == NULL selects the power-of-two mode. shift[c] in [-31, 30] (a byte
 * each: on models of many narrow layers the shifts are a tenth of the
 * constants, and no shift needs more): the
 * value is multiplied by 2^shift[c] (> 0 left, wrapping like TFLite; < 0 a
 * rounding right shift). zp, min, max are in the output's integer domain;
 * min <= zp is not required, min <= max and both within the output type are. */
typedef struct {
	const int32_t *mult;
	const int8_t *shift;
	int32_t zp;
	int32_t min, max;
} qf_rt_requant;

/* Convolution and depthwise convolution. out_h/out_w are given, not derived:
 * input positions outside [0, in_h) x [0, in_w) read as in_zp (real 0), the
 * TFLite meaning of padding, so any pad_bottom/pad_right is implied.
 * out_stride: elements from one output pixel to the next; 0 (or out_c) is a
 * dense H x W x out_c tensor. A larger stride writes out_c channels of a
 * wider tensor: out points at its first channel (for 4-bit output the
 * caller keeps that channel even, out = tensor + c0 / 2), and the other
 * channels of each pixel are left as they were. A layer whose output
 * channels have weights of different widths runs as one call per run of
 * channels at one width, each into its channels of the common output.
 * Depthwise takes only a dense output (its channels are its inputs'). */
typedef struct {
	int32_t in_h, in_w, in_c;
	int32_t out_h, out_w, out_c;  /* dwconv: out_c == in_c */
	int32_t k_h, k_w;
	int32_t stride_h, stride_w;
	int32_t pad_top, pad_left;    /* 0 <= pad < k */
	int32_t in_zp;
	int32_t in_bits, out_bits;    /* 8 or 4 */
	int32_t w_bits;               /* 8, 4 or 2; must match the kernel's name */
	int32_t out_stride;           /* 0 or >= out_c (see above); dwconv: 0 or out_c */
	int32_t bias_bits;            /* 0 or 32: int32_t biases; 16: int16_t (see Bias above) */
	int32_t bias_shift;           /* 16-bit biases: in [0, 16]; else 0 */
} qf_rt_conv;

/* Fully connected: out[o] = requant(sum_i (in[i] - in_zp) * w[o][i] + bias[o]).
 * One output pixel, so a run of channels of a wider output needs no stride:
 * the caller passes out + c0 (4-bit: c0 even, out + c0 / 2). */
typedef struct {
	int32_t in_n, out_n;
	int32_t in_zp;
	int32_t in_bits, out_bits;
	int32_t w_bits;
	int32_t bias_bits, bias_shift; /* as in qf_rt_conv */
} qf_rt_fc;

/* Max and average pooling, int8, same scale and zero point in and out.
 * Padded positions are left out (max over / mean of the valid ones); a window
 * with no valid position is a shape error. min/max clamp the result. */
typedef struct {
	int32_t in_h, in_w, c;
	int32_t out_h, out_w;
	int32_t k_h, k_w;
	int32_t stride_h, stride_w;
	int32_t pad_top, pad_left;
	int32_t min, max;
} qf_rt_pool;

/* Residual add of two int8 tensors with their own scales (TFLite's scheme):
 *   a' = Rescale((a - a_zp) << left_shift, a_mult, a_shift)   same for b
 *   y  = clamp(out_zp + Rescale(a' + b', out_mult, out_shift), min, max)
 * Rescale is MulByQuantizedMultiplier, or RoundingShift when pow2 != 0 (the
 * mults are then ignored). left_shift in [0, 20] keeps precision (TFLite: 20). */
typedef struct {
	int32_t n;
	int32_t a_zp, b_zp;
	int32_t left_shift;
	int32_t a_mult, a_shift;
	int32_t b_mult, b_shift;
	int32_t out_mult, out_shift;
	int32_t out_zp, min, max;
	int32_t pow2;
} qf_rt_add;

/* --- scratch sizes (bytes; negative: a qf_rt_status for bad parameters) */
int32_t qf_conv_scratch_size(const qf_rt_conv *p);
int32_t qf_dwconv_scratch_size(const qf_rt_conv *p);
int32_t qf_fc_scratch_size(const qf_rt_fc *p);

/* --- convolution: in/out activations, w packed weights (see above).
 * One kernel per input-activation and weight type; each also writes 4-bit
 * output when p->out_bits == 4. in and out must not overlap. */
qf_rt_status qf_conv_s8(const qf_rt_conv *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out, void *scratch, size_t scratch_bytes);
qf_rt_status qf_conv_s8_s4w(const qf_rt_conv *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out, void *scratch, size_t scratch_bytes);
qf_rt_status qf_conv_s8_s2w(const qf_rt_conv *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out, void *scratch, size_t scratch_bytes);
/* 4-bit input activations; weights of p->w_bits (8, 4 or 2). */
qf_rt_status qf_conv_s4(const qf_rt_conv *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out, void *scratch, size_t scratch_bytes);

/* --- depthwise convolution, int8 activations in and out (in_bits = out_bits = 8). */
qf_rt_status qf_dwconv_s8(const qf_rt_conv *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out, void *scratch, size_t scratch_bytes);
qf_rt_status qf_dwconv_s8_s4w(const qf_rt_conv *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out, void *scratch, size_t scratch_bytes);
qf_rt_status qf_dwconv_s8_s2w(const qf_rt_conv *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out, void *scratch, size_t scratch_bytes);

/* --- fully connected */
qf_rt_status qf_fc_s8(const qf_rt_fc *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out, void *scratch, size_t scratch_bytes);
qf_rt_status qf_fc_s8_s4w(const qf_rt_fc *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out, void *scratch, size_t scratch_bytes);
qf_rt_status qf_fc_s8_s2w(const qf_rt_fc *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out, void *scratch, size_t scratch_bytes);
qf_rt_status qf_fc_s4(const qf_rt_fc *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out, void *scratch, size_t scratch_bytes);

/* --- pooling, add, argmax (int8) */
qf_rt_status qf_maxpool_s8(const qf_rt_pool *p, const int8_t *in, int8_t *out);
/* Mean rounded half away from zero: (sum +- count/2) / count, C division. */
qf_rt_status qf_avgpool_s8(const qf_rt_pool *p, const int8_t *in, int8_t *out);
qf_rt_status qf_add_s8(const qf_rt_add *p, const int8_t *a, const int8_t *b, int8_t *out);
/* Index of the largest of x[0..n), the lowest index on ties. */
qf_rt_status qf_argmax_s8(const int8_t *x, int32_t n, int32_t *index);

/* --- packing helpers: the contract above as code (used by tests and by
 * whoever packs weights). Element i of a packed row of b-bit values. */
static inline int32_t qf_packed_get(const void *row, int32_t i, int32_t b)
{
	const uint8_t *p = (const uint8_t *)row;
	int32_t bit = i * b;
	uint32_t v = ((uint32_t)p[bit >> 3] >> (bit & 7)) & ((1u << b) - 1u);
	uint32_t sign = 1u << (b - 1);
	return (int32_t)(v ^ sign) - (int32_t)sign;
}

static inline void qf_packed_set(void *row, int32_t i, int32_t b, int32_t v)
{
	uint8_t *p = (uint8_t *)row;
	int32_t bit = i * b;
	uint32_t mask = ((1u << b) - 1u) << (bit & 7);
	p[bit >> 3] = (uint8_t)((p[bit >> 3] & ~mask) | (((uint32_t)v << (bit & 7)) & mask));
}

#endif
