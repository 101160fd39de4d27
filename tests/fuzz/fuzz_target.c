/* fuzz_target.c: the target description reader on arbitrary bytes. */
#include <stdlib.h>

#include "ir/ir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	if (!null)
		null = fopen("/dev/null", "w");
	qf_diag *d = qf_diag_new(null);
	qf_target t;
	if (qf_target_parse("fuzz.xml", (const char *)data, size, &t, d) == 0) {
		/* What was accepted holds up. */
		if (!t.name[0] || t.flash < 1 || t.ram < 1 || t.clock_hz < 1 || t.n_costs > QF_MAX_COSTS)
			abort();
		for (int i = 0; i < t.n_costs; i++)
			if (!qf_target_cost(&t, t.costs[i].op, t.costs[i].wbits ? t.costs[i].wbits : 8,
					    t.costs[i].abits ? t.costs[i].abits : 8, 1))
				abort();
	}
	qf_diag_free(d);
	return 0;
}
