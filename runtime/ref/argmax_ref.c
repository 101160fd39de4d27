/* argmax_ref.c: reference argmax, the first index of the largest value. */
#include "ref.h"

qf_rt_status qf_ref_argmax(const int8_t *x, int32_t n, int32_t *index)
{
	if (!x || !index)
		return QF_RT_ERR_NULL;
	if (n < 1)
		return QF_RT_ERR_SHAPE;
	int32_t best = 0;
	for (int32_t i = 1; i < n; i++)
		if (x[i] > x[best])
			best = i;
	*index = best;
	return QF_RT_OK;
}
