/* dwconv_s8_s2w.c: depthwise convolution, int8 activations, 2-bit weights.
 * The work is in dwconv_core.h. */
#include "dwconv_core.h"

qf_rt_status qf_dwconv_s8_s2w(const qf_rt_conv *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out, void *scratch, size_t scratch_bytes)
{
	return qf__dw_run(p, rq, in, w, bias, out, scratch, scratch_bytes, 2);
}
