/* add_ref.c: reference residual add with two input scales. */
#include "../requant.h"
#include "ref.h"

static int32_t rescale(int32_t x, int32_t mult, int32_t shift, int32_t pow2)
{
	return pow2 ? qf_shift_round(x, shift) : qf_mul_qmult(x, mult, shift);
}

qf_rt_status qf_ref_add(const qf_rt_add *p, const int8_t *a, const int8_t *b, int8_t *out)
{
	if (!p || !a || !b || !out)
		return QF_RT_ERR_NULL;
	for (int32_t i = 0; i < p->n; i++) {
		int32_t x = rescale((a[i] - p->a_zp) * (1 << p->left_shift), p->a_mult, p->a_shift, p->pow2);
		int32_t y = rescale((b[i] - p->b_zp) * (1 << p->left_shift), p->b_mult, p->b_shift, p->pow2);
		/* clamped before adding the zero point, as qf_requant1 does */
		int32_t s = rescale(x + y, p->out_mult, p->out_shift, p->pow2);
		if (s < p->min - p->out_zp)
			s = p->min - p->out_zp;
		if (s > p->max - p->out_zp)
			s = p->max - p->out_zp;
		out[i] = (int8_t)(s + p->out_zp);
	}
	return QF_RT_OK;
}
