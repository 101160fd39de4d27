/* scratch.c: how many bytes of scratch each kernel needs.
 * Sizes follow from the parameters alone (not from QF_DSP), so the memory
 * planner on the host and the firmware agree. */
#include "conv_core.h"

int32_t qf_conv_scratch_size(const qf_rt_conv *p)
{
	if (!p)
		return QF_RT_ERR_NULL;
	if (p->w_bits != 8 && p->w_bits != 4 && p->w_bits != 2)
		return QF_RT_ERR_BITS;
	if (p->k_h < 1 || p->k_w < 1 || p->in_c < 1 || (int64_t)p->k_h * p->k_w * p->in_c > QF_RT_MAX_K)
		return QF_RT_ERR_SHAPE;
	/* a column pair (output pixels go through two at a time) of kpad int16
	 * values each, then a gather buffer of kpad int8, then for short rows
	 * the weights padded to whole words (see qf__pad_rows) */
	int32_t k = p->k_h * p->k_w * p->in_c, kpad = qf__kpad(k, p->w_bits);
	int32_t n = 5 * kpad;
	if (qf__pad_rows(k, p->out_c, p->w_bits))
		n += p->out_c * QF_PACKED_BYTES(kpad, p->w_bits);
	return n;
}

int32_t qf_fc_scratch_size(const qf_rt_fc *p)
{
	if (!p)
		return QF_RT_ERR_NULL;
	if (p->w_bits != 8 && p->w_bits != 4 && p->w_bits != 2)
		return QF_RT_ERR_BITS;
	if (p->in_n < 1 || p->in_n > QF_RT_MAX_K)
		return QF_RT_ERR_SHAPE;
	/* one column of kpad int16 values; 4-bit input is unpacked after it */
	int32_t kpad = qf__kpad(p->in_n, p->w_bits);
	return p->in_bits == 4 ? 3 * kpad : 2 * kpad;
}

int32_t qf_dwconv_scratch_size(const qf_rt_conv *p)
{
	if (!p)
		return QF_RT_ERR_NULL;
	if (p->w_bits != 8 && p->w_bits != 4 && p->w_bits != 2)
		return QF_RT_ERR_BITS;
	if (p->k_h < 1 || p->k_w < 1 || p->in_c < 1 || (int64_t)p->k_h * p->k_w > QF_RT_MAX_K ||
		p->in_c > (1 << 20))
		return QF_RT_ERR_SHAPE;
	/* bias corrected for the input zero point, one int32 per channel; with
	 * sub-byte weights also the taps unpacked to int8, 4-byte aligned rows */
	int32_t n = 4 * p->in_c;
	if (p->w_bits != 8)
		n += p->k_h * p->k_w * ((p->in_c + 3) & ~3);
	return n;
}
