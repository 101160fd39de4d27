/* fc_s4.c: fully connected, 4-bit packed input activations, weights of
 * p->w_bits (8, 4 or 2). */
#include "conv_core.h"

qf_rt_status qf_fc_s4(const qf_rt_fc *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out, void *scratch, size_t scratch_bytes)
{
	if (!p)
		return QF_RT_ERR_NULL;
	switch (p->w_bits) {
	case 8:
		return qf__fc_run(p, rq, in, w, bias, out, scratch, scratch_bytes, 8, 4);
	case 4:
		return qf__fc_run(p, rq, in, w, bias, out, scratch, scratch_bytes, 4, 4);
	case 2:
		return qf__fc_run(p, rq, in, w, bias, out, scratch, scratch_bytes, 2, 4);
	default:
		return QF_RT_ERR_BITS;
	}
}
