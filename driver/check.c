/* check.c: `qforge check`: every diagnostic of a .qf file, and on success
 * a summary of its selected space (choice dimensions, number of networks,
 * the smallest and largest network's size). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "driver.h"
#include "frontend/frontend.h"
#include "passes/passes.h"

enum { OPT_JSON, N_OPTS };
static const qf_opt opts[N_OPTS] = {
	[OPT_JSON] = {"json", 0, NULL, "print one JSON object on stdout instead of the summary"},
};

/* Below this, a double holds the count exactly and it prints as an
 * integer; above, in e-notation. */
#define EXACT_LIMIT 1e15

typedef struct {
	double networks, networks_log10;
	qf_counts lo, hi;
} summary;

/* Counts of the network a pick names. */
static int counts_of(const qf_program *p, qf_pick how, qf_counts *c, qf_diag *d)
{
	const qf_space *sp = &p->spaces[p->sel_space];
	qf_choice ch;
	qf_choice_init(&ch, sp);
	qf_choice_pick(&ch, sp, how, NULL);
	int rc = qf_choice_counts(p, &ch, c, d);
	qf_choice_free(&ch);
	return rc;
}

static void print_text(const qf_program *p, const char *path, const summary *s)
{
	if (p->sel_space < 0) {
		printf("%s: ok; it defines no space to summarise\n", path);
		return;
	}
	const qf_space *sp = &p->spaces[p->sel_space];
	char nets[64], dims[QF_FMT_INT_SIZE];
	if (s->networks < EXACT_LIMIT)
		qf_fmt_int(nets, sizeof(nets), (int64_t)s->networks);
	else if (isfinite(s->networks))
		snprintf(nets, sizeof(nets), "%.3e", s->networks);
	else
		snprintf(nets, sizeof(nets), "about 10^%.1f", s->networks_log10);
	printf("space '%s': %s choice dimension%s, %s network%s\n", sp->name, qf_fmt_int(dims, sizeof(dims), sp->n_dims),
	       sp->n_dims == 1 ? "" : "s", nets, s->networks == 1 ? "" : "s");
	const qf_counts *c[2] = {&s->lo, &s->hi};
	const char *label[2] = {"smallest:", "largest:"};
	for (int i = 0; i < 2; i++) {
		char a[QF_FMT_INT_SIZE], b[QF_FMT_INT_SIZE], e[QF_FMT_INT_SIZE];
		printf("  %-9s %s params, %s MACs, %s peak activation bytes\n", label[i],
		       qf_fmt_int(a, sizeof(a), c[i]->params), qf_fmt_int(b, sizeof(b), c[i]->macs),
		       qf_fmt_int(e, sizeof(e), c[i]->peak_act_bytes));
	}
}

static void print_json(const qf_program *p, const summary *s)
{
	const qf_space *sp = p->sel_space >= 0 ? &p->spaces[p->sel_space] : NULL;
	qf_json j;
	qf_json_init(&j, stdout);
	qf_json_object(&j, false);
	qf_json_kstr(&j, "space", sp ? sp->name : NULL);
	qf_json_kint(&j, "choice_dims", sp ? sp->n_dims : 0);
	/* past the range of a double the count is null: JSON has no infinity */
	if (s->networks < EXACT_LIMIT)
		qf_json_kint(&j, "networks", (int64_t)s->networks);
	else
		qf_json_kdouble(&j, "networks", s->networks);
	qf_json_kdouble(&j, "networks_log10", sp ? s->networks_log10 : 0);
	qf_json_kint(&j, "min_params", s->lo.params);
	qf_json_kint(&j, "max_params", s->hi.params);
	qf_json_kint(&j, "min_macs", s->lo.macs);
	qf_json_kint(&j, "max_macs", s->hi.macs);
	qf_json_kint(&j, "min_peak_act_bytes", s->lo.peak_act_bytes);
	qf_json_kint(&j, "max_peak_act_bytes", s->hi.peak_act_bytes);
	qf_json_kint(&j, "min_weight_bytes", s->lo.weight_bytes);
	qf_json_kint(&j, "max_weight_bytes", s->hi.weight_bytes);
	qf_json_end(&j);
	qf_json_finish(&j);
}

static int run(const char *path, bool json, qf_diag *d)
{
	qf_program *p = qf_load_program(path, d);
	if (!p)
		return QF_EXIT_USER;
	summary s = {0};
	int rc = QF_EXIT_USER;
	/* Budgets and memory limits no network meets are errors of the file,
	 * found only once the space can be counted. */
	if (qf_check_feasible(p, d) != 0)
		goto done;
	if (p->sel_space >= 0) {
		s.networks = qf_space_networks(&p->spaces[p->sel_space]);
		s.networks_log10 = qf_space_networks_log10(&p->spaces[p->sel_space]);
		if (counts_of(p, QF_PICK_SMALLEST, &s.lo, d) != 0 || counts_of(p, QF_PICK_LARGEST, &s.hi, d) != 0)
			goto done;
	}
	if (json)
		print_json(p, &s);
	else
		print_text(p, path, &s);
	rc = QF_EXIT_OK;
done:
	/* the diag points into the program's copy of the text until here */
	qf_diag_set_source(d, path, NULL, 0);
	qf_program_free(p);
	return rc;
}

int qf_cmd_check(int argc, char **argv)
{
	static const char usage[] = "qforge check FILE.qf [--json]";
	qf_diag *d = qf_diag_new(stderr);
	const char *path = NULL;
	const char *v[N_OPTS] = {0};
	int rc = QF_EXIT_USER;
	switch (qf_args_one(argc, argv, opts, N_OPTS, usage,
			"Parses and checks FILE.qf, reporting every error with its line and a\n"
			"caret. When the file is sound, prints its selected space: the number\n"
			"of choice dimensions, of networks, and the parameters, MACs and peak\n"
			"activation bytes of the smallest and the largest network.\n"
			"The language is described in docs/dsl.md.",
			".qf file", &path, v, d)) {
	case QF_ARG_HELP:
		rc = QF_EXIT_OK;
		goto out;
	case QF_ARG_ERROR:
		goto usage;
	}
	rc = run(path, v[OPT_JSON] != NULL, d);
	if (rc != QF_EXIT_OK)
		qf_diag_summary(d);
	goto out;
usage:
	qf_usage_hint("check");
out:
	qf_diag_free(d);
	return rc;
}
