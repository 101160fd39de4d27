/* show.c: `qforge show`: a .qfm model layer by layer, with totals and
 * where the model came from. */
#include <string.h>

#include "driver.h"
#include "passes/passes.h"

enum { OPT_JSON, OPT_INT, N_OPTS };
static const qf_opt opts[N_OPTS] = {
	[OPT_JSON] = {"json", 0, NULL, "print one JSON object on stdout instead of the table"},
	[OPT_INT] = {"int", 0, NULL, "print the integer-only Int Graph the model lowers to (as qforge lower)"},
};

/* "16x14x14": the dims of a tensor, outermost first. */
static const char *shape_str(const qf_tensor *t, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < t->rank && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%d", i ? "x" : "", t->dim[i]);
	return buf;
}

/* Weight bits of a node: those of its weight tensor (in[1] of the
 * weighted ops); 0 when it has none. */
static int node_wbits(const qf_graph *g, const qf_node *n)
{
	if (!qf_op_weighted[n->op] || n->op == QF_OP_BN || n->in[1] < 0)
		return 0;
	return qf_tensor_bits(g, n->in[1]);
}

enum { COL_NAME, COL_OP, COL_SHAPE, COL_PARAMS, COL_MACS, COL_WBITS, COL_ABITS, N_COLS };
static const char *const col_title[N_COLS] = {"layer", "op", "output", "params", "MACs", "wbits", "abits"};
static const bool col_right[N_COLS] = {false, false, false, true, true, true, true};
#define CELL 48

static void cells(const qf_graph *g, int i, char row[N_COLS][CELL])
{
	const qf_node *n = &g->n[i];
	int wb = node_wbits(g, n);
	snprintf(row[COL_NAME], CELL, "%s", n->name);
	snprintf(row[COL_OP], CELL, "%s", qf_op_name[n->op]);
	shape_str(&g->t[n->out], row[COL_SHAPE], CELL);
	qf_fmt_int(row[COL_PARAMS], CELL, qf_node_params(g, i));
	qf_fmt_int(row[COL_MACS], CELL, qf_node_macs(g, i));
	if (wb)
		snprintf(row[COL_WBITS], CELL, "%d", wb);
	else
		snprintf(row[COL_WBITS], CELL, "-");
	snprintf(row[COL_ABITS], CELL, "%d", qf_tensor_bits(g, n->out));
}

static void print_row(char row[N_COLS][CELL], const int *width)
{
	for (int c = 0; c < N_COLS; c++) {
		const char *sep = c ? "  " : "";
		if (col_right[c])
			printf("%s%*s", sep, width[c], row[c]);
		else if (c == N_COLS - 1)
			printf("%s%s", sep, row[c]);
		else
			printf("%s%-*s", sep, width[c], row[c]);
	}
	putchar('\n');
}

static void print_choice(const qf_choice *ch)
{
	for (int i = 0; i < ch->n; i++)
		printf("%s%d", i ? "," : "", ch->idx[i]);
}

static void print_table(const qf_graph *g, const char *path)
{
	char row[N_COLS][CELL], a[QF_FMT_INT_SIZE], b[QF_FMT_INT_SIZE], s[CELL];
	int width[N_COLS];
	qf_counts c;
	qf_graph_counts(g, &c);

	printf("model %s (%s): input %s, %d classes\n\n", g->name, path,
	       g->input >= 0 ? shape_str(&g->t[g->input], s, sizeof(s)) : "?", g->classes);
	for (int k = 0; k < N_COLS; k++)
		width[k] = (int)strlen(col_title[k]);
	for (int i = 0; i < g->nn; i++) {
		cells(g, i, row);
		for (int k = 0; k < N_COLS; k++)
			if ((int)strlen(row[k]) > width[k])
				width[k] = (int)strlen(row[k]);
	}
	for (int k = 0; k < N_COLS; k++)
		snprintf(row[k], CELL, "%s", col_title[k]);
	print_row(row, width);
	for (int i = 0; i < g->nn; i++) {
		cells(g, i, row);
		print_row(row, width);
	}

	printf("\ntotal: %s params, %s MACs\n", qf_fmt_int(a, sizeof(a), c.params), qf_fmt_int(b, sizeof(b), c.macs));
	printf("weights: %s bytes at their bit-widths; peak activations: %s bytes\n",
	       qf_fmt_int(a, sizeof(a), c.weight_bytes), qf_fmt_int(b, sizeof(b), c.peak_act_bytes));

	const qf_prov *pv = &g->prov;
	printf("\nsource: %s\n", pv->source ? pv->source : "unknown");
	printf("space: %s\n", pv->space ? pv->space : "unknown");
	printf("choice: ");
	if (pv->choice.n)
		print_choice(&pv->choice);
	else
		printf("unknown");
	printf("\nseed: %llu\n", (unsigned long long)pv->seed);
	if (pv->accuracy >= 0)
		printf("accuracy: %.2f%%\n", pv->accuracy);
	else
		printf("accuracy: not measured\n");
	for (int i = 0; i < pv->n_history; i++)
		printf("history: %s\n", pv->history[i]);
}

static void shape_json(qf_json *j, const qf_tensor *t)
{
	qf_json_array(j, true);
	for (int i = 0; i < t->rank; i++)
		qf_json_int(j, t->dim[i]);
	qf_json_end(j);
}

static void print_json(const qf_graph *g, const char *path)
{
	qf_counts c;
	qf_graph_counts(g, &c);
	qf_json j;
	qf_json_init(&j, stdout);
	qf_json_object(&j, false);
	qf_json_kstr(&j, "file", path);
	qf_json_kstr(&j, "model", g->name);
	qf_json_key(&j, "input");
	if (g->input >= 0)
		shape_json(&j, &g->t[g->input]);
	else
		qf_json_null(&j);
	qf_json_kint(&j, "classes", g->classes);
	qf_json_kint(&j, "params", c.params);
	qf_json_kint(&j, "macs", c.macs);
	qf_json_kint(&j, "weight_bytes", c.weight_bytes);
	qf_json_kint(&j, "peak_activation_bytes", c.peak_act_bytes);
	qf_json_key(&j, "layers");
	qf_json_array(&j, false);
	for (int i = 0; i < g->nn; i++) {
		const qf_node *n = &g->n[i];
		int wb = node_wbits(g, n);
		qf_json_object(&j, true);
		qf_json_kstr(&j, "name", n->name);
		qf_json_kstr(&j, "op", qf_op_name[n->op]);
		qf_json_key(&j, "shape");
		shape_json(&j, &g->t[n->out]);
		qf_json_kint(&j, "params", qf_node_params(g, i));
		qf_json_kint(&j, "macs", qf_node_macs(g, i));
		qf_json_key(&j, "wbits");
		if (wb)
			qf_json_int(&j, wb);
		else
			qf_json_null(&j);
		qf_json_kint(&j, "abits", qf_tensor_bits(g, n->out));
		qf_json_end(&j);
	}
	qf_json_end(&j);
	const qf_prov *pv = &g->prov;
	qf_json_key(&j, "provenance");
	qf_json_object(&j, false);
	qf_json_kstr(&j, "source", pv->source);
	qf_json_kstr(&j, "space", pv->space);
	qf_json_key(&j, "choice");
	qf_json_array(&j, true);
	for (int i = 0; i < pv->choice.n; i++)
		qf_json_int(&j, pv->choice.idx[i]);
	qf_json_end(&j);
	qf_json_key(&j, "seed");
	qf_json_u64(&j, pv->seed);
	qf_json_key(&j, "accuracy");
	if (pv->accuracy >= 0)
		qf_json_double(&j, pv->accuracy);
	else
		qf_json_null(&j);
	qf_json_key(&j, "history");
	qf_json_array(&j, false);
	for (int i = 0; i < pv->n_history; i++)
		qf_json_string(&j, pv->history[i]);
	qf_json_end(&j);
	qf_json_end(&j);
	qf_json_end(&j);
	qf_json_finish(&j);
}

int qf_cmd_show(int argc, char **argv)
{
	static const char usage[] = "qforge show MODEL.qfm [--json | --int]";
	qf_diag *d = qf_diag_new(stderr);
	const char *path = NULL;
	const char *v[N_OPTS] = {0};
	int rc = QF_EXIT_USER;
	switch (qf_args_one(argc, argv, opts, N_OPTS, usage,
			"Reads a .qfm model (validated against its schema) and prints one row per\n"
			"layer: output shape, parameters, MACs, weight and activation bits; then\n"
			"totals (parameters, MACs, weight bytes, peak activation bytes) and the\n"
			"model's provenance (source .qf, space, choice vector, seed, accuracy).",
			".qfm file", &path, v, d)) {
	case QF_ARG_HELP:
		rc = QF_EXIT_OK;
		goto out;
	case QF_ARG_ERROR:
		goto usage;
	}
	bool json = v[OPT_JSON] != NULL, integer = v[OPT_INT] != NULL;
	if (json && integer) {
		qf_usage_error(d, "show", "--json and --int do not go together");
		goto usage;
	}
	qf_graph *g = qf_qfm_read(path, d);
	if (!g || qf_diag_errors(d)) {
		qf_graph_free(g);
		qf_diag_summary(d);
		goto out;
	}
	if (integer) {
		/* qf_lower folds g in place: nothing else reads g after this */
		qf_igraph *ig = qf_lower(g, d);
		if (ig)
			qf_igraph_print(stdout, ig);
		else
			qf_diag_summary(d);
		qf_igraph_free(ig);
		qf_graph_free(g);
		rc = ig ? QF_EXIT_OK : QF_EXIT_USER;
		goto out;
	}
	if (json)
		print_json(g, path);
	else
		print_table(g, path);
	qf_graph_free(g);
	rc = QF_EXIT_OK;
	goto out;
usage:
	qf_usage_hint("show");
out:
	qf_diag_free(d);
	return rc;
}
