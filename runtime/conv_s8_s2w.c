/* conv_s8_s2w.c: 2-D convolution, int8 input activations, 2-bit weights.
 * The work is in conv_core.h; this file fixes the bit widths so the compiler
 * keeps one specialised copy of it. */
#include "conv_core.h"

qf_rt_status qf_conv_s8_s2w(const qf_rt_conv *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out, void *scratch, size_t scratch_bytes)
{
	return qf__conv_run(p, rq, in, w, bias, out, scratch, scratch_bytes, 2, 8);
}
