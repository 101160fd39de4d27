/* qfm_read.c: reading a .qfm model file into a Graph IR.
 *
 * A .qfm is untrusted input: it is validated against docs/qfm.rng, and
 * then everything the schema cannot say is checked here, with the line of
 * the element at fault, before any value is trusted: names of ops, roles
 * and dtypes; references between tensors, nodes and quant params; dims
 * within the limits and element counts without overflow; base64 lengths
 * (before anything is allocated) and CRC-32s; quant params; node shapes
 * (qf_node_shape, compared with the dims the file states); and last the
 * verifier over the whole graph.
 *
 * Sections are read in dependency order (quant params, tensors, nodes,
 * the rest); when a section has errors the later ones are not read, so a
 * broken tensor does not come back as twenty broken references.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "xml_internal.h"

/* The file's most entries of one list (choice vector, zero points). */
#define MAX_LIST (1 << 20)

typedef struct {
	qf_xml x;
	qf_graph *g;
	int *tline;     /* element line of each tensor */
	int64_t tcap;
	int *index;     /* open-addressing table of tensor indices by name */
	int64_t icap;
} reader;

/* ------------------------------------------------------------ names */

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static void index_build(reader *r, int nt)
{
	r->icap = 16;
	while (r->icap < 2 * (int64_t)nt)
		r->icap <<= 1;
	r->index = qf_xmalloc((size_t)r->icap * sizeof(int));
	memset(r->index, 0xff, (size_t)r->icap * sizeof(int));
}

/* The tensor named s, or -1; with add >= 0 (a tensor just added to the
 * graph under that name), records it when the name is free. */
static int lookup(reader *r, const char *s, int add)
{
	for (int64_t h = (int64_t)(hash(s) & (uint64_t)(r->icap - 1));; h = (h + 1) & (r->icap - 1)) {
		int i = r->index[h];
		if (i < 0) {
			if (add >= 0)
				r->index[h] = add;
			return -1;
		}
		if (strcmp(r->g->t[i].name, s) == 0)
			return i;
	}
}

/* ------------------------------------------------------------ lists and payloads */

/* Whitespace-separated integers in lo..hi, at most max of them. */
static int64_t parse_ints(reader *r, const xmlNode *el, const char *what, const char *s, int64_t max,
			  int64_t lo, int64_t hi, int32_t *out)
{
	int64_t n = 0;
	const char *p = s;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			return n;
		const char *q = p;
		while (*q && *q != ' ' && *q != '\t' && *q != '\n' && *q != '\r')
			q++;
		char tok[24];
		int64_t v;
		size_t len = (size_t)(q - p);
		if (len >= sizeof tok || (memcpy(tok, p, len), tok[len] = 0, !qf_parse_i64(tok, &v))) {
			qf_xml_error(&r->x, el, "%s: '%.*s' is not a whole number", what, (int)(len > 24 ? 24 : len), p);
			return -1;
		}
		if (v < lo || v > hi) {
			qf_xml_error(&r->x, el, "%s: %lld is outside %lld..%lld", what, (long long)v, (long long)lo,
				     (long long)hi);
			return -1;
		}
		if (n >= max) {
			qf_xml_error(&r->x, el, "%s: more than %lld values", what, (long long)max);
			return -1;
		}
		out[n++] = (int32_t)v;
		p = q;
	}
}

/* Counts the values of a list without storing them, so the caller can
 * size the array; -1 after reporting more than max. */
static int64_t count_ints(reader *r, const xmlNode *el, const char *what, const char *s, int64_t max)
{
	int64_t n = 0;
	for (const char *p = s; *p;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		if (++n > max) {
			qf_xml_error(&r->x, el, "%s: more than %lld values", what, (long long)max);
			return -1;
		}
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
	}
	return n;
}

/* Checks that el's base64 text holds exactly n floats before the caller
 * allocates them (a short payload must not get a huge array); returns the
 * text (xmlFree it) or NULL after an error. */
static char *payload_text(reader *r, const xmlNode *el, int64_t n)
{
	char *s = qf_xml_text(el);
	size_t len = strlen(s), chars = 0, pad = 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') {
			chars++;
			pad = s[i] == '=' ? pad + 1 : 0;
		}
	uint64_t want = (uint64_t)n * 4;
	if (chars % 4) {
		qf_xml_error(&r->x, el, "base64 data has %zu characters, not a multiple of 4 (truncated?)", chars);
		xmlFree(s);
		return NULL;
	}
	/* qf_b64_decode checks the padding itself; this is the size. */
	uint64_t have = chars / 4 * 3 - (pad < 3 ? pad : 0);
	if (have != want) {
		qf_xml_error(&r->x, el, "data holds %llu bytes; %lld float32 values need %llu",
			     (unsigned long long)have, (long long)n, (unsigned long long)want);
		xmlFree(s);
		return NULL;
	}
	return s;
}

/* Decodes text into n floats at f, checking the element's crc32. */
static bool payload_decode(reader *r, const xmlNode *el, char *text, float *f, int64_t n)
{
	char why[128];
	uint8_t *b = (uint8_t *)f; /* decoded in place: 4 bytes per float */
	size_t nb = (size_t)n * 4;
	if (qf_b64_decode(text, strlen(text), b, nb, why, sizeof why)) {
		qf_xml_error(&r->x, el, "%s", why);
		return false;
	}
	const char *c = qf_xml_attr(el, "crc32");
	unsigned long want = c ? strtoul(c, NULL, 16) : 0;
	uint32_t got = (uint32_t)crc32_z(0, b, nb);
	if (!c || got != want) {
		qf_xml_error(&r->x, el, "data checksum is %08lx, the file says %s: the data is corrupt",
			     (unsigned long)got, c ? c : "nothing");
		return false;
	}
	for (int64_t i = 0; i < n; i++)
		f[i] = qf_le_get_f32(b + 4 * i);
	return true;
}

/* ------------------------------------------------------------ quant */

static void read_qparam(reader *r, const xmlNode *el, int id)
{
	qf_xml *x = &r->x;
	qf_graph *g = r->g;
	int64_t fid, n, slice, nsl;
	bool sym, pow2;
	if (!qf_xml_int(x, el, "id", true, 0, 0, INT32_MAX, &fid) ||
	    !qf_xml_int(x, el, "n", true, 0, 1, QF_LIMIT_CHANNELS, &n) ||
	    !qf_xml_bool(x, el, "symmetric", &sym) || !qf_xml_bool(x, el, "pow2", &pow2) ||
	    !qf_xml_int(x, el, "slice", true, 0, 0, QF_LIMIT_CHANNELS, &slice) ||
	    !qf_xml_int(x, el, "n_slices", true, 0, 1, QF_LIMIT_CHANNELS, &nsl))
		return;
	if (fid != id) {
		qf_xml_error(x, el, "qparam has id %lld but is number %d in <quant>; ids count from 0 in order",
			     (long long)fid, id);
		return;
	}
	const xmlNode *sc = qf_xml_child(el, "scale"), *ze = qf_xml_child(el, "zero"), *bi = qf_xml_child(el, "bits");
	char *s = payload_text(r, sc, n);
	if (!s)
		return;
	qf_grow(&g->q, &g->capq, g->nq + 1, sizeof(qf_qparam));
	qf_qparam *q = &g->q[g->nq++];
	memset(q, 0, sizeof(*q));
	q->n = (int)n;
	q->symmetric = sym;
	q->pow2 = pow2;
	q->slice = (int)slice;
	q->n_slices = (int)nsl;
	q->scale = qf_graph_alloc_data(g, n);
	q->zero = qf_graph_alloc_ints(g, n);
	q->bits = qf_graph_alloc_ints(g, nsl);
	bool ok = payload_decode(r, sc, s, g->data + q->scale, n);
	xmlFree(s);
	if (!ok)
		return;
	for (int64_t i = 0; i < n; i++) {
		float f = g->data[q->scale + i];
		int e;
		if (!(f > 0) || f > 3.4e38f) {
			qf_xml_error(x, sc, "scale %lld is %g; scales must be positive and finite", (long long)i,
				     (double)f);
			return;
		}
		if (pow2 && frexpf(f, &e) != 0.5f) {
			qf_xml_error(x, sc, "scale %lld is %.9g, not a power of two (pow2=\"true\")", (long long)i,
				     (double)f);
			return;
		}
	}
	char *t = qf_xml_text(ze);
	int64_t k = count_ints(r, ze, "zero points", t, MAX_LIST);
	if (k >= 0 && k != n)
		qf_xml_error(x, ze, "%lld zero points; n=\"%lld\" needs %lld", (long long)k, (long long)n,
			     (long long)n);
	else if (k >= 0 && parse_ints(r, ze, "zero points", t, n, INT32_MIN, INT32_MAX, g->ints + q->zero) == n &&
		 sym)
		for (int64_t i = 0; i < n; i++)
			if (g->ints[q->zero + i] != 0) {
				qf_xml_error(x, ze, "zero point %lld is %d, but the qparam is symmetric (zero points 0)",
					     (long long)i, g->ints[q->zero + i]);
				break;
			}
	xmlFree(t);
	t = qf_xml_text(bi);
	k = count_ints(r, bi, "bits", t, MAX_LIST);
	if (k >= 0 && k != nsl)
		qf_xml_error(x, bi, "%lld bit-widths; n_slices=\"%lld\" needs %lld", (long long)k, (long long)nsl,
			     (long long)nsl);
	else if (k >= 0)
		parse_ints(r, bi, "bits", t, nsl, 1, 32, g->ints + q->bits);
	xmlFree(t);
}

/* ------------------------------------------------------------ tensors */

static const char *dims_text(const qf_tensor *t, char *buf, size_t cap)
{
	size_t k = 0;
	buf[0] = 0;
	for (int i = 0; i < t->rank && k < cap; i++)
		k += (size_t)snprintf(buf + k, cap - k, i ? "x%d" : "%d", t->dim[i]);
	if (t->rank == 0)
		snprintf(buf, cap, "(none)");
	return buf;
}

static bool read_dims(reader *r, const xmlNode *el, qf_role role, int *rank, int32_t dim[QF_MAX_RANK])
{
	const char *s = qf_xml_attr(el, "dims");
	int32_t v[QF_MAX_RANK + 1];
	int64_t n = count_ints(r, el, "dims", s ? s : "", QF_MAX_RANK);
	if (n < 0 || parse_ints(r, el, "dims", s ? s : "", QF_MAX_RANK, 1, QF_LIMIT_TENSOR_ELEMS, v) != n)
		return false;
	bool act = role == QF_ROLE_INPUT || role == QF_ROLE_ACT;
	if (act && n != 3) {
		qf_xml_error(&r->x, el, "an activation has dims C H W, not %lld numbers", (long long)n);
		return false;
	}
	if (!act && n < 1) {
		qf_xml_error(&r->x, el, "a %s needs dims", qf_role_name[role]);
		return false;
	}
	if (act && (v[0] > QF_LIMIT_CHANNELS || v[1] > QF_LIMIT_SPATIAL || v[2] > QF_LIMIT_SPATIAL)) {
		qf_xml_error(&r->x, el, "dims %d %d %d are over the limits (%d channels, %d pixels a side)", v[0],
			     v[1], v[2], QF_LIMIT_CHANNELS, QF_LIMIT_SPATIAL);
		return false;
	}
	int64_t elems = 1;
	for (int i = 0; i < n; i++) {
		elems *= v[i]; /* both factors <= 2^28: no overflow before the check */
		if (elems > QF_LIMIT_TENSOR_ELEMS) {
			qf_xml_error(&r->x, el, "dims give more than %lld elements", (long long)QF_LIMIT_TENSOR_ELEMS);
			return false;
		}
	}
	*rank = (int)n;
	memcpy(dim, v, (size_t)n * sizeof(int32_t));
	return true;
}

static void read_tensor(reader *r, const xmlNode *el)
{
	qf_xml *x = &r->x;
	qf_graph *g = r->g;
	char name[sizeof g->t[0].name];
	int role, dtype, rank = 0;
	int32_t dim[QF_MAX_RANK] = {0};
	int64_t quant;
	if (!qf_xml_str(x, el, "name", name, sizeof name) ||
	    !qf_xml_enum(x, el, "role", qf_role_name, QF_ROLE_COUNT, "role", &role) ||
	    !qf_xml_enum(x, el, "dtype", qf_dtype_name, QF_DT_COUNT, "dtype", &dtype) ||
	    !read_dims(r, el, (qf_role)role, &rank, dim) ||
	    !qf_xml_int(x, el, "quant", false, -1, 0, INT32_MAX, &quant))
		return;
	if (quant >= g->nq) {
		qf_xml_error(x, el, "quant=\"%lld\" names no qparam (the file has %d)", (long long)quant, g->nq);
		return;
	}
	int prev = lookup(r, name, -1);
	if (prev >= 0) {
		qf_xml_error(x, el, "tensor '%s' is already defined on line %d", name, r->tline[prev]);
		return;
	}
	bool param = role >= QF_ROLE_WEIGHT;
	bool has_data = qf_xml_attr(el, "crc32") != NULL;
	if (param != has_data) {
		qf_xml_error(x, el, param ? "%s tensor '%s' has no data" : "%s tensor '%s' carries data; only parameters do",
			     qf_role_name[role], name);
		return;
	}
	char *text = NULL;
	int64_t elems = 1;
	for (int i = 0; i < rank; i++)
		elems *= dim[i];
	if (param && !(text = payload_text(r, el, elems)))
		return;
	if (quant >= 0) {
		const qf_qparam *q = &g->q[quant];
		int want = q->slice ? (int)(((int64_t)dim[0] + q->slice - 1) / q->slice) : 1;
		if (q->n != 1 && q->n != dim[0]) {
			qf_xml_error(x, el, "qparam %lld has %d entries; tensor '%s' needs 1 or %d (one per channel)",
				     (long long)quant, q->n, name, dim[0]);
			xmlFree(text);
			return;
		}
		if (q->n_slices != want) {
			qf_xml_error(x, el, "qparam %lld has %d bit slices; %d channels in slices of %d make %d",
				     (long long)quant, q->n_slices, dim[0], q->slice, want);
			xmlFree(text);
			return;
		}
	}
	int i = qf_graph_add_tensor(g, name, (qf_role)role, rank, dim);
	lookup(r, name, i);
	qf_grow(&r->tline, &r->tcap, i + 1, sizeof(int));
	r->tline[i] = qf_xml_line(el);
	g->t[i].dtype = (qf_dtype)dtype;
	g->t[i].quant = (int)quant;
	if (param)
		payload_decode(r, el, text, g->data + g->t[i].data, elems);
	xmlFree(text);
}

/* ------------------------------------------------------------ nodes */

static int ref(reader *r, const xmlNode *el, const char *attr, const char *node)
{
	const char *s = qf_xml_attr(el, attr);
	if (!s)
		return -1;
	int t = lookup(r, s, -1);
	if (t < 0)
		qf_xml_error(&r->x, el, "node '%s': %s names no tensor '%.48s'", node, attr, s);
	return t < 0 ? -2 : t;
}

static bool read_node(reader *r, const xmlNode *el)
{
	qf_xml *x = &r->x;
	qf_graph *g = r->g;
	qf_node nd;
	memset(&nd, 0, sizeof nd);
	int op;
	int64_t k, s, pad, groups, block;
	if (!qf_xml_str(x, el, "name", nd.name, sizeof nd.name) ||
	    !qf_xml_enum(x, el, "op", qf_op_name, QF_OP_COUNT, "op", &op) ||
	    !qf_xml_int(x, el, "k", false, 0, 0, QF_LIMIT_KERNEL, &k) ||
	    !qf_xml_int(x, el, "s", false, 1, 1, QF_LIMIT_SPATIAL, &s) ||
	    !qf_xml_int(x, el, "pad", false, 0, 0, QF_LIMIT_KERNEL, &pad) ||
	    !qf_xml_int(x, el, "groups", false, 1, 1, QF_LIMIT_CHANNELS, &groups) ||
	    !qf_xml_int(x, el, "block", false, -1, -1, INT32_MAX, &block))
		return false;
	nd.op = (qf_op)op;
	nd.k = (int)k;
	nd.s = (int)s;
	nd.pad = (int)pad;
	nd.groups = (int)groups;
	nd.block = (int)block;
	if ((qf_xml_attr(el, "eps") && !qf_xml_f32(x, el, "eps", &nd.eps)) ||
	    (qf_xml_attr(el, "momentum") && !qf_xml_f32(x, el, "momentum", &nd.momentum)))
		return false;
	int n_in = qf_op_n_in[op];
	bool ok = true;
	for (int i = 0; i < QF_MAX_IN; i++) {
		char a[16];
		snprintf(a, sizeof a, "in%d", i);
		int t = ref(r, el, a, nd.name);
		nd.in[i] = t;
		if (t == -2) {
			ok = false;
		} else if (i >= n_in && t >= 0) {
			qf_xml_error(x, el, "node '%s': %s takes %d input%s, but %s is given", nd.name, qf_op_name[op],
				     n_in, n_in == 1 ? "" : "s", a);
			ok = false;
		} else if (i < n_in && t < 0 && !(i == 2 && (op == QF_OP_CONV2D || op == QF_OP_FC))) {
			qf_xml_error(x, el, "node '%s': %s needs %s", nd.name, qf_op_name[op], a);
			ok = false;
		} else if (t >= 0 && g->t[t].role == QF_ROLE_ACT && g->t[t].producer < 0) {
			qf_xml_error(x, el, "node '%s': input '%s' is used before a node produces it", nd.name,
				     g->t[t].name);
			ok = false;
		}
	}
	nd.out = ref(r, el, "out", nd.name);
	if (nd.out == -2)
		return false;
	if (nd.out == -1)
		qf_die("schema let a node without out through");
	qf_tensor *y = &g->t[nd.out];
	if (y->role != QF_ROLE_ACT) {
		qf_xml_error(x, el, "node '%s': output '%s' is a %s tensor, not an activation", nd.name, y->name,
			     qf_role_name[y->role]);
		return false;
	}
	if (y->producer >= 0) {
		qf_xml_error(x, el, "node '%s': output '%s' is already the output of node '%s'", nd.name, y->name,
			     g->n[y->producer].name);
		return false;
	}
	if (!ok)
		return false;
	qf_grow(&g->n, &g->capn, g->nn + 1, sizeof(qf_node));
	int i = g->nn++;
	g->n[i] = nd;
	y->producer = i;
	int32_t o[3];
	char why[256];
	if (qf_node_shape(g, i, o, why, sizeof why)) {
		qf_xml_error(x, el, "node '%s' (%s): %s", nd.name, qf_op_name[op], why);
		return false;
	}
	if (o[0] != y->dim[0] || o[1] != y->dim[1] || o[2] != y->dim[2]) {
		char buf[64];
		qf_diag_file_error(x->d, x->path, r->tline[nd.out],
				   "tensor '%s' has dims %s, but node '%s' (line %d) gives %dx%dx%d", y->name,
				   dims_text(y, buf, sizeof buf), nd.name, qf_xml_line(el), o[0], o[1], o[2]);
		x->errors++;
		return false;
	}
	return true;
}

/* ------------------------------------------------------------ the rest */

static void read_provenance(reader *r, const xmlNode *el)
{
	qf_xml *x = &r->x;
	qf_prov *p = &r->g->prov;
	const char *s;
	if ((s = qf_xml_attr(el, "source")))
		p->source = qf_xstrdup(s);
	if ((s = qf_xml_attr(el, "space")))
		p->space = qf_xstrdup(s);
	qf_xml_u64(x, el, "seed", &p->seed);
	if (qf_xml_attr(el, "accuracy"))
		qf_xml_f64(x, el, "accuracy", 0, 100, &p->accuracy);
	const xmlNode *c = qf_xml_child(el, "choice");
	if (c) {
		char *t = qf_xml_text(c);
		int64_t n = count_ints(r, c, "choice", t, MAX_LIST);
		if (n > 0) {
			int32_t *v = qf_xmalloc((size_t)n * sizeof(int32_t));
			if (parse_ints(r, c, "choice", t, n, 0, QF_MAX_VALUES - 1, v) == n) {
				p->choice.n = (int)n;
				p->choice.idx = qf_xmalloc((size_t)n * sizeof(int));
				for (int64_t i = 0; i < n; i++)
					p->choice.idx[i] = v[i];
			}
			free(v);
		}
		xmlFree(t);
	}
	int n = 0;
	for (c = qf_xml_child(el, "history"); c; c = qf_xml_next(c, "history"))
		n++;
	if (!n)
		return;
	p->history = qf_xmalloc((size_t)n * sizeof(char *));
	for (c = qf_xml_child(el, "history"); c; c = qf_xml_next(c, "history")) {
		char *t = qf_xml_text(c);
		p->history[p->n_history++] = qf_xstrdup(t);
		xmlFree(t);
	}
}

/* Blobs and meta entries go straight into the arrays: qf_graph_set_blob
 * and qf_graph_set_meta search for the name first, n^2 over a file. */
static void read_blobs(reader *r, const xmlNode *sec)
{
	qf_xml *x = &r->x;
	qf_graph *g = r->g;
	int n = 0;
	for (const xmlNode *c = qf_xml_child(sec, "blob"); c; c = qf_xml_next(c, "blob"))
		n++;
	if (!n)
		return;
	g->blobs = qf_xcalloc((size_t)n, sizeof(qf_blob));
	qf_strset seen;
	qf_strset_init(&seen, n);
	for (const xmlNode *c = qf_xml_child(sec, "blob"); c && !qf_diag_full(x->d); c = qf_xml_next(c, "blob")) {
		const char *name = qf_xml_attr(c, "name");
		int64_t len;
		if (!name || !qf_xml_int(x, c, "n", true, 0, 0, QF_LIMIT_TENSOR_ELEMS, &len))
			continue;
		if (!qf_strset_add(&seen, name)) {
			qf_xml_error(x, c, "a second blob named '%.48s'", name);
			continue;
		}
		char *t = payload_text(r, c, len);
		if (!t)
			continue;
		qf_blob *b = &g->blobs[g->n_blobs++];
		b->name = qf_xstrdup(name);
		b->f = qf_xcalloc((size_t)(len ? len : 1), sizeof(float));
		b->n = len;
		payload_decode(r, c, t, b->f, len);
		xmlFree(t);
	}
	qf_strset_free(&seen);
}

static void read_meta(reader *r, const xmlNode *sec)
{
	qf_graph *g = r->g;
	int n = 0;
	for (const xmlNode *c = qf_xml_child(sec, "entry"); c; c = qf_xml_next(c, "entry"))
		n++;
	if (!n)
		return;
	g->meta = qf_xcalloc((size_t)n, sizeof(qf_meta));
	qf_strset seen;
	qf_strset_init(&seen, n);
	for (const xmlNode *c = qf_xml_child(sec, "entry"); c && !qf_diag_full(r->x.d); c = qf_xml_next(c, "entry")) {
		const char *k = qf_xml_attr(c, "key"), *v = qf_xml_attr(c, "value");
		if (!k || !v)
			continue;
		if (!qf_strset_add(&seen, k)) {
			qf_xml_error(&r->x, c, "a second meta entry with key '%.48s'", k);
			continue;
		}
		g->meta[g->n_meta].key = qf_xstrdup(k);
		g->meta[g->n_meta].value = qf_xstrdup(v);
		g->n_meta++;
	}
	qf_strset_free(&seen);
}

static int root_tensor(reader *r, const xmlNode *root, const char *attr)
{
	const char *s = qf_xml_attr(root, attr);
	int t = s ? lookup(r, s, -1) : -1;
	if (t < 0)
		qf_xml_error(&r->x, root, "%s '%.48s' names no tensor", attr, s ? s : "");
	return t;
}

static int count_children(const xmlNode *n, const char *name)
{
	int k = 0;
	for (const xmlNode *c = qf_xml_child(n, name); c; c = qf_xml_next(c, name))
		k++;
	return k;
}

static void read_graph(reader *r, const xmlNode *root)
{
	qf_xml *x = &r->x;
	qf_graph *g = r->g;
	int64_t version, classes;
	if (!qf_xml_int(x, root, "version", true, 0, INT32_MIN, INT32_MAX, &version))
		return;
	if (version != 1) {
		qf_xml_error(x, root, "this is a version %lld .qfm; this qforge reads version 1", (long long)version);
		return;
	}
	if (!qf_xml_int(x, root, "classes", true, 0, 0, QF_LIMIT_CHANNELS, &classes))
		return;
	g->classes = (int)classes;

	const xmlNode *sec = qf_xml_child(root, "quant");
	int id = 0;
	for (const xmlNode *c = qf_xml_child(sec, "qparam"); c && !qf_diag_full(x->d); c = qf_xml_next(c, "qparam"))
		read_qparam(r, c, id++);
	if (x->errors)
		return;

	sec = qf_xml_child(root, "tensors");
	index_build(r, count_children(sec, "tensor"));
	for (const xmlNode *c = qf_xml_child(sec, "tensor"); c && !qf_diag_full(x->d); c = qf_xml_next(c, "tensor"))
		read_tensor(r, c);
	if (x->errors)
		return;
	g->input = root_tensor(r, root, "input");
	g->output = root_tensor(r, root, "output");
	if (x->errors)
		return;
	if (g->t[g->input].role != QF_ROLE_INPUT) {
		qf_xml_error(x, root, "input '%s' is a %s tensor, not the input", g->t[g->input].name,
			     qf_role_name[g->t[g->input].role]);
		return;
	}
	for (int i = 0; i < g->nt; i++)
		if (g->t[i].role == QF_ROLE_INPUT && i != g->input) {
			qf_diag_file_error(x->d, x->path, r->tline[i], "tensor '%s' is a second input; a model has one",
					   g->t[i].name);
			x->errors++;
			return;
		}

	sec = qf_xml_child(root, "nodes");
	/* The first bad node ends the section: what follows would only
	 * repeat it ("input used before it is produced"). */
	for (const xmlNode *c = qf_xml_child(sec, "node"); c && !x->errors; c = qf_xml_next(c, "node"))
		read_node(r, c);
	if (x->errors)
		return;
	for (int i = 0; i < g->nt; i++)
		if (g->t[i].role == QF_ROLE_ACT && g->t[i].producer < 0) {
			qf_diag_file_error(x->d, x->path, r->tline[i], "tensor '%s' is an activation no node produces",
					   g->t[i].name);
			x->errors++;
		}
	if (x->errors)
		return;

	read_provenance(r, qf_xml_child(root, "provenance"));
	read_blobs(r, qf_xml_child(root, "blobs"));
	read_meta(r, qf_xml_child(root, "meta"));
	if (x->errors)
		return;

	/* Everything above has a line; this is the net under it, for the
	 * invariants no single element owns. */
	const char *e = qf_graph_verify(g);
	if (e)
		qf_xml_error(x, root, "the model is not a valid graph: %s", e);
}

qf_graph *qf_qfm_parse(const char *name, const char *buf, size_t len, qf_diag *d)
{
	if (len > (size_t)QF_LIMIT_MODEL_BYTES) {
		qf_diag_file_error(d, name, 0, "model is %zu bytes; the limit is %ld", len, QF_LIMIT_MODEL_BYTES);
		return NULL;
	}
	reader r;
	memset(&r, 0, sizeof r);
	if (qf_xml_open(&r.x, name, buf, len, "docs/qfm.rng", d))
		return NULL;
	const xmlNode *root = xmlDocGetRootElement(r.x.doc);
	const char *gname = qf_xml_attr(root, "name");
	r.g = qf_graph_new(gname ? gname : "");
	read_graph(&r, root);
	int errors = r.x.errors;
	qf_xml_close(&r.x);
	free(r.tline);
	free(r.index);
	if (errors) {
		qf_graph_free(r.g);
		return NULL;
	}
	return r.g;
}

qf_graph *qf_qfm_read(const char *path, qf_diag *d)
{
	char *buf;
	size_t len;
	if (qf_read_file(path, QF_LIMIT_MODEL_BYTES, &buf, &len, d))
		return NULL;
	qf_graph *g = qf_qfm_parse(path, buf, len, d);
	free(buf);
	return g;
}
