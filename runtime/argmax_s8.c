/* argmax_s8.c: index of the largest int8 value, the first one on ties. */
#include "qf_runtime.h"

qf_rt_status qf_argmax_s8(const int8_t *x, int32_t n, int32_t *index)
{
	if (!x || !index)
		return QF_RT_ERR_NULL;
	if (n < 1)
		return QF_RT_ERR_SHAPE;
	int32_t best = 0, m = x[0];
	for (int32_t i = 1; i < n; i++)
		if (x[i] > m) {
			m = x[i];
			best = i;
		}
	*index = best;
	return QF_RT_OK;
}
