/* add_s8.c: residual add of two int8 tensors with their own scales. Each
 * input is rescaled to a common scale with left_shift bits of headroom, the
 * two are added and the sum rescaled to the output (TFLite's scheme, gemmlowp
 * rounding; see qf_rt_add). */
#include "requant.h"
#include "qf_runtime.h"

qf_rt_status qf_add_s8(const qf_rt_add *p, const int8_t *a, const int8_t *b, int8_t *out)
{
	if (!p || !a || !b || !out)
		return QF_RT_ERR_NULL;
	if (p->n < 1)
		return QF_RT_ERR_SHAPE;
	if (p->a_zp < -128 || p->a_zp > 127 || p->b_zp < -128 || p->b_zp > 127 || p->out_zp < -128 ||
		p->out_zp > 127 || p->min < -128 || p->max > 127 || p->min > p->max || p->left_shift < 0 ||
		p->left_shift > 20 || p->a_shift < -31 || p->a_shift > 0 || p->b_shift < -31 || p->b_shift > 0 ||
		p->out_shift < -31 || p->out_shift > 30)
		return QF_RT_ERR_PARAM;
	if (!p->pow2 && (p->a_mult < 1 || p->b_mult < 1 || p->out_mult < 1))
		return QF_RT_ERR_PARAM;
	const int32_t ls = p->left_shift, lo = p->min - p->out_zp, hi = p->max - p->out_zp;
	for (int32_t i = 0; i < p->n; i++) {
		int32_t x = (a[i] - p->a_zp) * (1 << ls), y = (b[i] - p->b_zp) * (1 << ls), s;
		if (p->pow2) {
			s = qf_shift_round(qf_shift_round(x, p->a_shift) + qf_shift_round(y, p->b_shift), p->out_shift);
		} else {
			s = qf_mul_qmult(qf_mul_qmult(x, p->a_mult, p->a_shift) + qf_mul_qmult(y, p->b_mult, p->b_shift),
				p->out_mult, p->out_shift);
		}
		s = s < lo ? lo : s;
		out[i] = (int8_t)((s > hi ? hi : s) + p->out_zp);
	}
	return QF_RT_OK;
}
