/* fc_ref.c: reference fully connected layer. */
#include "../requant.h"
#include "ref.h"

qf_rt_status qf_ref_fc(const qf_rt_fc *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out)
{
	if (!p || !rq || !rq->shift || !in || !w || !out)
		return QF_RT_ERR_NULL;
	if (!qf_bias_fmt_ok(p->bias_bits, p->bias_shift))
		return QF_RT_ERR_PARAM;
	int32_t wrow = QF_PACKED_BYTES(p->in_n, p->w_bits);
	for (int32_t o = 0; o < p->out_n; o++) {
		int32_t acc = 0;
		for (int32_t i = 0; i < p->in_n; i++)
			acc += (qf_packed_get(in, i, p->in_bits) - p->in_zp) * qf_packed_get(w + o * wrow, i, p->w_bits);
		acc += qf_ref_bias(bias, p->bias_bits, p->bias_shift, o);
		qf_packed_set(out, o, p->out_bits, qf_requant1(acc, rq->mult, rq->shift, o, rq->zp, rq->min, rq->max));
	}
	return QF_RT_OK;
}
