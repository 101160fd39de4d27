/* fc_s8_s2w.c: fully connected, int8 input activations, 2-bit weights.
 * The work is in conv_core.h (a one-pixel convolution). */
#include "conv_core.h"

qf_rt_status qf_fc_s8_s2w(const qf_rt_fc *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out, void *scratch, size_t scratch_bytes)
{
	return qf__fc_run(p, rq, in, w, bias, out, scratch, scratch_bytes, 2, 8);
}
