/* vectors.h: one firmware test case: a kernel call, its inputs, and the
 * output the reference kernel computed on the host (see gen_vectors.c). */
#ifndef FW_VECTORS_H
#define FW_VECTORS_H

#include "runtime/qf_runtime.h"

enum { FW_CONV, FW_DWCONV, FW_FC, FW_MAXPOOL, FW_AVGPOOL, FW_ADD, FW_ARGMAX };

/* flags */
#define FW_REF 1 /* also time the reference kernel on the same case */

typedef struct {
	const char *name;
	int32_t kind, flags;
	qf_rt_conv conv; /* FW_CONV, FW_DWCONV */
	qf_rt_fc fc;     /* FW_FC */
	qf_rt_pool pool; /* FW_MAXPOOL, FW_AVGPOOL */
	qf_rt_add add;   /* FW_ADD; FW_ARGMAX uses add.n as the length */
	const int32_t *mult;
	const int8_t *shift;
	int32_t zp, min, max;
	const int8_t *in, *in2, *w;
	const void *bias; /* int32, or int16 when conv.bias_bits is 16 */
	const int8_t *expect; /* out_bytes bytes; FW_ARGMAX: the index as int32 */
	int32_t out_bytes;
	int32_t macs;     /* multiply-adds, for instructions per MAC */
	int32_t scratch;  /* bytes */
} fw_case;

extern const fw_case fw_cases[];
extern const int32_t fw_ncases;

#endif
