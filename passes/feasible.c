/* feasible.c: memory limits that no network of the space can meet.
 *
 * Requires: a checked program. Reports nothing for a program whose
 * smallest network fits every limit.
 *
 * Every limit is judged on the smallest network (QF_PICK_SMALLEST: the
 * narrowest, shallowest, most strided choice of every dim) at the
 * narrowest widths the quant policy allows: pinned layers keep their pin,
 * every other weight and activation takes the smallest width of its set,
 * since learned precision or bit search may go that low. If that network
 * does not fit, none does. The figures are those of qf_graph_counts:
 * weights are WEIGHT tensors at their bits, activations the naive peak.
 *
 * Limits: the quant budget (weights, activations or both, as it says),
 * the search constraints flash (weight bytes) and ram (peak activation
 * bytes), and the selected target's flash and RAM (the .qf overrides, else
 * the target file; an unloadable target is left to the frontend, which
 * reports unknown names).
 */
#include <stdio.h>

#include "passes/passes.h"

static int narrowest(const qf_qtensor *t)
{
	int b = 0;
	for (int i = 0; i < t->n_bits; i++)
		if (!b || t->bits[i] < b)
			b = t->bits[i];
	return b ? b : 8;
}

/* A target's limits: the .qf overrides, else the target file's, loaded
 * quietly (its errors belong to the frontend). -1 when unknown. */
static void target_limits(const qf_target_ref *ref, int64_t *flash, int64_t *ram)
{
	*flash = ref->flash;
	*ram = ref->ram;
	if ((*flash >= 0 && *ram >= 0) || !ref->name)
		return;
	FILE *sink = fopen("/dev/null", "w");
	if (!sink)
		return;
	qf_diag *quiet = qf_diag_new(sink);
	qf_target t;
	if (qf_target_load(ref->name, &t, quiet) == 0) {
		if (*flash < 0)
			*flash = t.flash;
		if (*ram < 0)
			*ram = t.ram;
	}
	qf_diag_free(quiet);
	fclose(sink);
}

int qf_check_feasible(const qf_program *p, qf_diag *d)
{
	if (p->sel_space < 0 || p->sel_space >= p->n_spaces)
		return 0;
	int before = qf_diag_errors(d);
	const qf_space *sp = &p->spaces[p->sel_space];

	/* The same program with the policy's sets cut to their narrowest
	 * member: sampling gives unsearched layers the widest of the set, so
	 * this makes it the narrowest. Pins are kept. */
	qf_program narrow = *p;
	qf_quant q;
	const qf_quant *policy = NULL;
	int wbits = 8, abits = 8;
	if (p->sel_quant >= 0 && p->sel_quant < p->n_quants) {
		policy = &p->quants[p->sel_quant];
		q = *policy;
		wbits = narrowest(&q.w);
		abits = narrowest(&q.a);
		q.w.n_bits = q.a.n_bits = 1;
		q.w.bits[0] = wbits;
		q.a.bits[0] = abits;
		narrow.quants = &q;
		narrow.n_quants = 1;
		narrow.sel_quant = 0;
	}
	qf_choice ch;
	qf_choice_init(&ch, sp);
	qf_choice_pick(&ch, sp, QF_PICK_SMALLEST, NULL);
	qf_counts c;
	int rc = qf_choice_counts(&narrow, &ch, &c, d);
	qf_choice_free(&ch);
	if (rc)
		return qf_diag_errors(d) - before;

	if (policy && policy->has_budget) {
		int64_t need = (policy->budget_w ? c.weight_bytes : 0) + (policy->budget_a ? c.peak_act_bytes : 0);
		if (need > policy->budget_bytes) {
			char parts[160];
			if (policy->budget_w && policy->budget_a)
				snprintf(parts, sizeof parts, "weights %lld at %d bits + activations %lld at %d bits",
					 (long long)c.weight_bytes, wbits, (long long)c.peak_act_bytes, abits);
			else if (policy->budget_w)
				snprintf(parts, sizeof parts, "weights at %d bits", wbits);
			else
				snprintf(parts, sizeof parts, "activations at %d bits", abits);
			qf_diag_error(d, policy->budget_loc,
				      "budget of %lld bytes cannot be met: the smallest network needs %lld bytes (%s)",
				      (long long)policy->budget_bytes, (long long)need, parts);
		}
	}
	const qf_search *s = p->search;
	if (s && s->max_flash >= 0 && c.weight_bytes > s->max_flash)
		qf_diag_error(d, s->flash_loc,
			      "flash constraint of %lld bytes cannot be met: the smallest network's weights need "
			      "%lld bytes at %d bits",
			      (long long)s->max_flash, (long long)c.weight_bytes, wbits);
	if (s && s->max_ram >= 0 && c.peak_act_bytes > s->max_ram)
		qf_diag_error(d, s->ram_loc,
			      "ram constraint of %lld bytes cannot be met: the smallest network's activations "
			      "need %lld bytes at %d bits",
			      (long long)s->max_ram, (long long)c.peak_act_bytes, abits);
	if (p->sel_target >= 0 && p->sel_target < p->n_targets) {
		const qf_target_ref *ref = &p->targets[p->sel_target];
		int64_t flash, ram;
		target_limits(ref, &flash, &ram);
		if (flash >= 0 && c.weight_bytes > flash)
			qf_diag_error(d, ref->loc,
				      "target '%s' has %lld bytes of flash; the smallest network's weights need "
				      "%lld bytes at %d bits",
				      ref->name ? ref->name : "?", (long long)flash, (long long)c.weight_bytes, wbits);
		if (ram >= 0 && c.peak_act_bytes > ram)
			qf_diag_error(d, ref->loc,
				      "target '%s' has %lld bytes of RAM; the smallest network's activations need "
				      "%lld bytes at %d bits",
				      ref->name ? ref->name : "?", (long long)ram, (long long)c.peak_act_bytes, abits);
	}
	return qf_diag_errors(d) - before;
}
