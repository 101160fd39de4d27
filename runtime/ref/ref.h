/* ref.h: reference kernels. Plain loops that read straight off the contract
 * in qf_runtime.h, one per op, every bit width through qf_packed_get. They
 * are never optimised: the tests hold every optimised kernel to them bit for
 * bit, and the firmware test vectors are computed with them on the host. */
#ifndef QF_REF_H
#define QF_REF_H

#include "../qf_runtime.h"

/* Bias of channel c as the contract words it, independently of
 * requant.h's qf_bias_at (which the optimised kernels use). */
static inline int32_t qf_ref_bias(const void *bias, int32_t bits, int32_t shift, int32_t c)
{
	if (!bias)
		return 0;
	if (bits == 16)
		return (int32_t)((int64_t)((const int16_t *)bias)[c] * ((int64_t)1 << shift));
	return ((const int32_t *)bias)[c];
}

qf_rt_status qf_ref_conv(const qf_rt_conv *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out);
qf_rt_status qf_ref_dwconv(const qf_rt_conv *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out);
qf_rt_status qf_ref_fc(const qf_rt_fc *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const void *bias, int8_t *out);
qf_rt_status qf_ref_maxpool(const qf_rt_pool *p, const int8_t *in, int8_t *out);
qf_rt_status qf_ref_avgpool(const qf_rt_pool *p, const int8_t *in, int8_t *out);
qf_rt_status qf_ref_add(const qf_rt_add *p, const int8_t *a, const int8_t *b, int8_t *out);
qf_rt_status qf_ref_argmax(const int8_t *x, int32_t n, int32_t *index);

#endif
