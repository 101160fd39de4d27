/* sample.c: `qforge sample`: one network of a .qf search space, with
 * seeded initial weights, written as a .qfm model. */
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "frontend/frontend.h"
#include "passes/passes.h"

enum { OPT_PICK, OPT_SEED, OPT_OUT, OPT_JSON, N_OPTS };
static const qf_opt opts[N_OPTS] = {
	[OPT_PICK] = {"pick", 0, "HOW",
		      "which network: smallest, largest, random, or one option index\n"
		      "                         per choice dimension, comma-separated (0,2,1,...)"},
	[OPT_SEED] = {"seed", 0, "N",
		      "seed of --pick random and of the initial weights\n"
		      "                         (default: the seed in the search block, else 1)"},
	[OPT_OUT] = {"output", 'o', "FILE", "the .qfm model to write (required)"},
	[OPT_JSON] = {"json", 0, NULL, "print one JSON object on stdout instead of the summary"},
};

static const char *const pick_names[] = {"smallest", "largest", "random"};
static const qf_pick pick_kinds[] = {QF_PICK_SMALLEST, QF_PICK_LARGEST, QF_PICK_RANDOM};
enum { N_PICKS = sizeof(pick_names) / sizeof(pick_names[0]) };

/* --pick as given: a keyword (kind >= 0) or a list of option indices. */
typedef struct {
	int kind;                    /* index into pick_kinds, -1 for indices */
	int n;
	int *idx;                    /* saturated at INT32_MAX: out of range anyway */
	int *at;                     /* offset of each index in the text, for messages */
	const char *text;
} pick_spec;

/* Checks the spelling of --pick before any file is read, so a typo costs
 * nothing. Ranges need the space and are checked in apply_pick. */
static int parse_pick(const char *s, pick_spec *ps, qf_diag *d)
{
	memset(ps, 0, sizeof(*ps));
	ps->kind = -1;
	ps->text = s;
	for (int i = 0; i < N_PICKS; i++)
		if (strcmp(s, pick_names[i]) == 0) {
			ps->kind = i;
			return 0;
		}
	if (s[0] < '0' || s[0] > '9') {
		const char *near = qf_closest(s, pick_names, N_PICKS);
		if (near)
			qf_usage_error(d, "sample", "unknown --pick '%s'; did you mean '%s'?", s, near);
		else
			qf_usage_error(d, "sample",
				       "unknown --pick '%s'; give smallest, largest, random or option indices like 0,2,1",
				       s);
		return -1;
	}
	int cap = 1;
	for (const char *p = s; *p; p++)
		cap += *p == ',';
	ps->idx = qf_xcalloc((size_t)cap, sizeof(int));
	ps->at = qf_xcalloc((size_t)cap, sizeof(int));
	const char *p = s;
	for (;;) {
		const char *start = p;
		int64_t v = 0;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (*p - '0');
			if (v > INT32_MAX)
				v = INT32_MAX;
			p++;
		}
		if (p == start || (*p && *p != ',')) {
			size_t len = strcspn(start, ",");
			qf_usage_error(d, "sample", "--pick '%s': '%.*s' is not an option index (a number from 0)", s,
				       (int)(len > 40 ? 40 : len), start);
			free(ps->idx);
			free(ps->at);
			ps->idx = ps->at = NULL;
			return -1;
		}
		ps->at[ps->n] = (int)(start - s);
		ps->idx[ps->n++] = (int)v;
		if (!*p)
			break;
		p++;
	}
	return 0;
}

/* A note after a wrong-length index list: the dims to give, in order. */
static void list_dims(const qf_space *sp, qf_diag *d)
{
	enum { SHOWN = 12 };
	char buf[SHOWN * 64 + 64];
	size_t o = 0;
	for (int i = 0; i < sp->n_dims && i < SHOWN && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s (%d options)", i ? ", " : "", sp->dims[i].name,
				      sp->dims[i].n);
	if (sp->n_dims > SHOWN && o < sizeof(buf))
		snprintf(buf + o, sizeof(buf) - o, ", ... %d more", sp->n_dims - SHOWN);
	qf_diag_note(d, (qf_loc){0, 0}, "the choice dimensions of space '%s', in order: %s", sp->name, buf);
}

static void values_of(const qf_dim *dm, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = 0;
	for (int v = 0; v < dm->n && o < size; v++)
		o += (size_t)snprintf(buf + o, size - o, "%s%d", v ? ", " : "", dm->v[v]);
}

/* The choice vector --pick names; errors name the offending dimension. */
static int apply_pick(const pick_spec *ps, const qf_space *sp, uint64_t seed, qf_choice *ch, qf_diag *d)
{
	qf_choice_init(ch, sp);
	if (ps->kind >= 0) {
		qf_rng rng;
		qf_rng_seed(&rng, seed);
		qf_choice_pick(ch, sp, pick_kinds[ps->kind], &rng);
		return 0;
	}
	if (ps->n != sp->n_dims) {
		qf_usage_error(d, "sample", "--pick gives %d option ind%s but space '%s' has %d choice dimension%s",
			       ps->n, ps->n == 1 ? "ex" : "ices", sp->name, sp->n_dims, sp->n_dims == 1 ? "" : "s");
		if (sp->n_dims > 0)
			list_dims(sp, d);
		return -1;
	}
	int bad = 0;
	for (int i = 0; i < sp->n_dims; i++) {
		const qf_dim *dm = &sp->dims[i];
		if (ps->idx[i] >= dm->n) {
			char vals[QF_MAX_VALUES * 12];
			values_of(dm, vals, sizeof(vals));
			const char *tok = ps->text + ps->at[i];
			int len = (int)strcspn(tok, ",");
			qf_usage_error(d, "sample",
				       "--pick: index %.*s%s for dimension %d (%s) is out of range; it has %d option%s {%s}",
				       len > 20 ? 20 : len, tok, len > 20 ? "..." : "", i, dm->name, dm->n,
				       dm->n == 1 ? "" : "s", vals);
			bad++;
			if (qf_diag_full(d))
				break;
		} else {
			ch->idx[i] = ps->idx[i];
		}
	}
	return bad ? -1 : 0;
}
static void report(const qf_graph *g, const char *out, const char *pick, bool json)
{
	qf_counts c;
	qf_graph_counts(g, &c);
	if (json) {
		qf_json j;
		qf_json_init(&j, stdout);
		qf_json_object(&j, false);
		qf_json_kstr(&j, "file", out);
		qf_json_kstr(&j, "source", g->prov.source);
		qf_json_kstr(&j, "space", g->prov.space);
		qf_json_kstr(&j, "pick", pick);
		qf_json_key(&j, "seed");
		qf_json_u64(&j, g->prov.seed);
		qf_json_key(&j, "choice");
		qf_json_array(&j, true);
		for (int i = 0; i < g->prov.choice.n; i++)
			qf_json_int(&j, g->prov.choice.idx[i]);
		qf_json_end(&j);
		qf_json_kint(&j, "layers", g->nn);
		qf_json_kint(&j, "params", c.params);
		qf_json_kint(&j, "macs", c.macs);
		qf_json_kint(&j, "weight_bytes", c.weight_bytes);
		qf_json_kint(&j, "peak_activation_bytes", c.peak_act_bytes);
		qf_json_end(&j);
		qf_json_finish(&j);
		return;
	}
	char p[QF_FMT_INT_SIZE], m[QF_FMT_INT_SIZE], pk[QF_FMT_INT_SIZE];
	printf("wrote %s: %d layers, %s params, %s MACs, peak activations %s bytes\n", out, g->nn,
	       qf_fmt_int(p, sizeof(p), c.params), qf_fmt_int(m, sizeof(m), c.macs),
	       qf_fmt_int(pk, sizeof(pk), c.peak_act_bytes));
}

/* Without --seed (seed_given false) the search block's seed is used, else 1. */
static int run(const char *path, const pick_spec *ps, const char *pick, uint64_t seed, bool seed_given,
	       const char *out, bool json, qf_diag *d)
{
	int rc = QF_EXIT_USER;
	qf_program *p = NULL;
	qf_graph *g = NULL;
	qf_choice ch = {0, NULL};
	if (qf_probe_output(out, path, "the input file", d) != 0)
		goto done;
	p = qf_load_program(path, d);
	if (!p || qf_diag_errors(d))
		goto done;
	if (p->sel_space < 0) {
		qf_diag_file_error(d, path, 0, "defines no space to sample a network from");
		goto done;
	}
	const qf_space *sp = &p->spaces[p->sel_space];
	if (!seed_given)
		seed = p->search ? p->search->seed : 1;
	if (apply_pick(ps, sp, seed, &ch, d) != 0)
		goto done;
	g = qf_sample(p, &ch, seed, d);
	if (!g || qf_diag_errors(d))
		goto done;
	if (qf_qfm_write(g, out, d) != 0)
		goto done;
	report(g, out, pick, json);
	rc = QF_EXIT_OK;
done:
	qf_graph_free(g);
	qf_choice_free(&ch);
	qf_program_free(p);
	return rc;
}

int qf_cmd_sample(int argc, char **argv)
{
	static const char usage[] = "qforge sample FILE.qf --pick HOW [--seed N] -o OUT.qfm [--json]";
	qf_diag *d = qf_diag_new(stderr);
	const char *path = NULL, *vals[N_OPTS] = {0};
	int rc = QF_EXIT_USER;
	switch (qf_args_one(argc, argv, opts, N_OPTS, usage,
			"Picks one network of the space in FILE.qf (the one its search block\n"
			"names, or its only space), initialises its weights (He, seeded) and\n"
			"writes it as a .qfm model. Prints the network's parameters, MACs and\n"
			"peak activation memory.",
			".qf file", &path, vals, d)) {
	case QF_ARG_HELP:
		rc = QF_EXIT_OK;
		goto out;
	case QF_ARG_ERROR:
		goto usage;
	}
	if (!vals[OPT_PICK]) {
		qf_usage_error(d, "sample", "--pick is required: smallest, largest, random or option indices");
		goto usage;
	}
	if (!vals[OPT_OUT]) {
		qf_usage_error(d, "sample", "-o OUT.qfm is required: where to write the model");
		goto usage;
	}
	if (!vals[OPT_OUT][0]) {
		qf_usage_error(d, "sample", "-o needs a file name, got an empty one");
		goto usage;
	}
	uint64_t seed = 1;
	if (vals[OPT_SEED] && !qf_parse_u64(vals[OPT_SEED], &seed)) {
		qf_usage_error(d, "sample", "--seed '%s' is not a number from 0 to 18446744073709551615",
			       vals[OPT_SEED]);
		goto usage;
	}
	pick_spec ps;
	if (parse_pick(vals[OPT_PICK], &ps, d) != 0)
		goto usage;
	rc = run(path, &ps, vals[OPT_PICK], seed, vals[OPT_SEED] != NULL, vals[OPT_OUT], vals[OPT_JSON] != NULL, d);
	free(ps.idx);
	free(ps.at);
	if (rc != QF_EXIT_OK)
		qf_diag_summary(d);
	goto out;
usage:
	qf_usage_hint("sample");
out:
	qf_diag_free(d);
	return rc;
}
