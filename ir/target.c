/* target.c: target descriptions (targets/NAME.xml, docs/target.rng).
 *
 * A target says what the code generators and the hardware-aware search
 * need to know of a part: the LLVM triple, CPU and features, flash, RAM
 * and clock, the ISA features kernels may use, and a cost table. The
 * built-in targets are compiled into the binary; any other is a path.
 */
#include <stdlib.h>
#include <string.h>

#include "xml_internal.h"

const char *const qf_target_builtin[] = {"cortex-m0plus", "cortex-m4", "cortex-m7", "rv32imc", "host", NULL};

static void read_strings(qf_xml *x, const xmlNode *root, qf_target *t)
{
	const xmlNode *llvm = qf_xml_child(root, "llvm");
	qf_xml_str(x, root, "name", t->name, sizeof t->name);
	qf_xml_str(x, root, "isa", t->isa, sizeof t->isa);
	qf_xml_str(x, llvm, "triple", t->triple, sizeof t->triple);
	qf_xml_str(x, llvm, "cpu", t->cpu, sizeof t->cpu);
	qf_xml_str(x, llvm, "features", t->llvm_features, sizeof t->llvm_features);
}

static void read_features(qf_xml *x, const xmlNode *sec, qf_target *t)
{
	for (const xmlNode *c = qf_xml_child(sec, "feature"); c; c = qf_xml_next(c, "feature")) {
		int f;
		if (!qf_xml_enum(x, c, "name", qf_feature_name, QF_FEAT_COUNT, "feature", &f))
			continue;
		if (t->features & (1u << f))
			qf_xml_error(x, c, "feature '%s' is listed twice", qf_feature_name[f]);
		t->features |= 1u << f;
	}
}

static void read_cost(qf_xml *x, const xmlNode *c, qf_target *t)
{
	int op;
	int64_t wb, ab, cin;
	double mac, layer;
	if (!qf_xml_enum(x, c, "op", qf_op_name, QF_OP_COUNT, "op", &op) ||
	    !qf_xml_int(x, c, "wbits", false, 0, 0, 32, &wb) || !qf_xml_int(x, c, "abits", false, 0, 0, 32, &ab) ||
	    !qf_xml_int(x, c, "cin_max", false, 0, 1, QF_LIMIT_CHANNELS, &cin) ||
	    !qf_xml_f64(x, c, "per_mac", 0, 1e6, &mac) || !qf_xml_f64(x, c, "per_layer", 0, 1e12, &layer))
		return;
	for (int i = 0; i < t->n_costs; i++) {
		const qf_cost *o = &t->costs[i];
		if (o->op == op && o->wbits == wb && o->abits == ab && o->cin_max == cin) {
			qf_xml_error(x, c, "a second cost row for %s wbits=%lld abits=%lld cin_max=%lld", qf_op_name[op],
				     (long long)wb, (long long)ab, (long long)cin);
			return;
		}
	}
	if (t->n_costs == QF_MAX_COSTS) {
		qf_xml_error(x, c, "more than %d cost rows", QF_MAX_COSTS);
		return;
	}
	t->costs[t->n_costs++] = (qf_cost){op, (int)wb, (int)ab, (int)cin, mac, layer};
}

int qf_target_parse(const char *name, const char *buf, size_t len, qf_target *t, qf_diag *d)
{
	memset(t, 0, sizeof(*t));
	if (len > (size_t)QF_LIMIT_TARGET_BYTES) {
		qf_diag_file_error(d, name, 0, "target file is %zu bytes; the limit is %ld", len, QF_LIMIT_TARGET_BYTES);
		return -1;
	}
	qf_xml x;
	if (qf_xml_open(&x, name, buf, len, "docs/target.rng", d))
		return -1;
	const xmlNode *root = xmlDocGetRootElement(x.doc);
	int64_t version;
	if (qf_xml_int(&x, root, "version", true, 0, INT32_MIN, INT32_MAX, &version) && version != 1)
		qf_xml_error(&x, root, "this is a version %lld target file; this qforge reads version 1",
			     (long long)version);
	read_strings(&x, root, t);
	const xmlNode *mem = qf_xml_child(root, "memory");
	qf_xml_int(&x, mem, "flash", true, 0, 1, INT64_MAX, &t->flash);
	qf_xml_int(&x, mem, "ram", true, 0, 1, INT64_MAX, &t->ram);
	qf_xml_int(&x, qf_xml_child(root, "clock"), "hz", true, 0, 1, INT64_MAX, &t->clock_hz);
	read_features(&x, qf_xml_child(root, "features"), t);
	const xmlNode *costs = qf_xml_child(root, "costs");
	for (const xmlNode *c = qf_xml_child(costs, "cost"); c && !qf_diag_full(d); c = qf_xml_next(c, "cost"))
		read_cost(&x, c, t);
	int errors = x.errors;
	qf_xml_close(&x);
	if (errors) {
		memset(t, 0, sizeof(*t));
		return -1;
	}
	return 0;
}

static bool is_path(const char *s)
{
	size_t n = strlen(s);
	return strchr(s, '/') || (n >= 4 && strcmp(s + n - 4, ".xml") == 0);
}

int qf_target_load(const char *name_or_path, qf_target *t, qf_diag *d)
{
	memset(t, 0, sizeof(*t));
	if (is_path(name_or_path)) {
		char *buf;
		size_t len;
		if (qf_read_file(name_or_path, QF_LIMIT_TARGET_BYTES, &buf, &len, d))
			return -1;
		int rc = qf_target_parse(name_or_path, buf, len, t, d);
		free(buf);
		return rc;
	}
	for (int i = 0; qf_target_builtin[i]; i++) {
		if (strcmp(qf_target_builtin[i], name_or_path) != 0)
			continue;
		char path[96];
		size_t len;
		snprintf(path, sizeof path, "targets/%s.xml", name_or_path);
		const char *buf = qf_embedded_file(path, &len);
		if (!buf)
			qf_die("built-in target %s is not compiled in", path);
		if (qf_target_parse(path, buf, len, t, d))
			return -1;
		if (strcmp(t->name, name_or_path) != 0)
			qf_die("%s names itself '%s'", path, t->name);
		return 0;
	}
	char known[256];
	size_t k = 0;
	for (int i = 0; qf_target_builtin[i]; i++)
		k += (size_t)snprintf(known + k, sizeof known - k, "%s%s", i ? ", " : "", qf_target_builtin[i]);
	qf_diag_file_error(d, name_or_path, 0,
			   "unknown target; the built-in targets are %s (or give the path of a target .xml file)", known);
	return -1;
}

const qf_cost *qf_target_cost(const qf_target *t, int op, int wbits, int abits, int cin)
{
	const qf_cost *best = NULL;
	int best_score = -1;
	for (int i = 0; i < t->n_costs; i++) {
		const qf_cost *c = &t->costs[i];
		if (c->op != op || (c->wbits && c->wbits != wbits) || (c->abits && c->abits != abits) ||
		    (c->cin_max && cin > c->cin_max))
			continue;
		/* Exact widths first, then a channel-limited row over a general
		 * one, then the tighter channel limit. */
		int score = (c->wbits ? 4 : 0) + (c->abits ? 2 : 0) + (c->cin_max ? 1 : 0);
		if (score > best_score || (score == best_score && c->cin_max && c->cin_max < best->cin_max)) {
			best = c;
			best_score = score;
		}
	}
	return best;
}
