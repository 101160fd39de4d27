/* ref.h: reference kernels. Plain loops that read straight off the contract
 * in qf_runtime.h, one per op, every bit width through qf_packed_get. They
 * are never optimised: the tests hold every optimised kernel to them bit for
 * bit, and the firmware test vectors are computed with them on the host. */
#ifndef QF_REF_H
#define QF_REF_H

#include "../qf_runtime.h"

qf_rt_status qf_ref_conv(const qf_rt_conv *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const int32_t *bias, int8_t *out);
qf_rt_status qf_ref_dwconv(const qf_rt_conv *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const int32_t *bias, int8_t *out);
qf_rt_status qf_ref_fc(const qf_rt_fc *p, const qf_rt_requant *rq, const int8_t *in, const int8_t *w,
	const int32_t *bias, int8_t *out);
qf_rt_status qf_ref_maxpool(const qf_rt_pool *p, const int8_t *in, int8_t *out);
qf_rt_status qf_ref_avgpool(const qf_rt_pool *p, const int8_t *in, int8_t *out);
qf_rt_status qf_ref_add(const qf_rt_add *p, const int8_t *a, const int8_t *b, int8_t *out);
qf_rt_status qf_ref_argmax(const int8_t *x, int32_t n, int32_t *index);

#endif
