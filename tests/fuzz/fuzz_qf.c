/* fuzz_qf.c: libFuzzer target for the .qf frontend. Any bytes go through
 * the scanner, parser, checks and lowering; whatever they are, qf_parse
 * must return (a program or NULL) without crashing, leaking or tripping
 * a sanitizer. Seed corpus: tests/fuzz/corpus/fuzz_qf/. */
#include <stdint.h>
#include <stdio.h>

#include "frontend/frontend.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	if (!sink)
		sink = fopen("/dev/null", "w");
	if (!sink)
		return 0;
	qf_diag *d = qf_diag_new(sink);
	const char *text = (const char *)data;
	/* carets read the source line: exercise that path too */
	qf_diag_set_source(d, "fuzz.qf", text, size);
	qf_program *p = qf_parse("fuzz.qf", text, size, d);
	if (p) {
		/* a program that checks is internally consistent */
		if (p->sel_space >= p->n_spaces || p->sel_data >= p->n_datas || p->sel_quant >= p->n_quants ||
		    p->sel_target >= p->n_targets)
			__builtin_trap();
		for (int s = 0; s < p->n_spaces; s++) {
			const qf_space *sp = &p->spaces[s];
			for (int b = 0; b < sp->n_blocks; b++) {
				const qf_block *bl = &sp->blocks[b];
				const qf_attr *at[] = {&bl->c, &bl->k, &bl->s, &bl->e, &bl->r, &bl->wbits, &bl->abits};
				for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
					if (at[i]->dim >= sp->n_dims)
						__builtin_trap();
			}
			(void)qf_space_networks(sp);
		}
	}
	qf_program_free(p);
	qf_diag_free(d);
	return 0;
}
