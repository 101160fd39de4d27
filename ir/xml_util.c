/* xml_util.c: reading XML inputs safely and reporting their errors by line.
 *
 * Inputs are untrusted files, so the parser runs with no network, no DTD
 * loading and no entity substitution, and a DOCTYPE stops it outright:
 * without a DTD there are no entities to expand (no XXE, no billion
 * laughs), which is what lets us lift libxml2's 10 MB text-node cap
 * (XML_PARSE_HUGE) for large weight payloads.
 *
 * libxml2 reports errors through a callback; we collect them and print
 * them as qf_diag errors "path:line: error: reason". Its RELAX NG messages
 * for a missing attribute or child only say that an element "failed to
 * validate", so for those we look the element up in the schema itself and
 * name what is missing: the schema stays the one statement of structure.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>

#include "xml_internal.h"

#define RNG_NS "http://relaxng.org/ns/structure/1.0"

/* ------------------------------------------------------------ error capture */

typedef struct {
	int line;
	int code;
	bool at_end;      /* raised with the parser at the end of the input */
	xmlNode *node;
	char *msg;
} captured;

typedef struct {
	captured *e;
	int n;
	int64_t cap;
	bool parsing;     /* errors come from the parser (err->ctxt is one) */
	bool doctype;     /* the parser met a DOCTYPE and was stopped */
	int doctype_line;
} capture;

static void capture_add(capture *c, int line, int code, xmlNode *node, const char *msg)
{
	if (c->n >= 64)
		return; /* the diag cap is lower; later errors are cascades */
	qf_grow(&c->e, &c->cap, c->n + 1, sizeof(captured));
	captured *e = &c->e[c->n++];
	e->line = line;
	e->code = code;
	e->node = node;
	size_t len = strlen(msg ? msg : "");
	while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		len--;
	e->msg = qf_xmalloc(len + 1);
	memcpy(e->msg, msg ? msg : "", len);
	e->msg[len] = 0;
}

static void capture_free(capture *c)
{
	for (int i = 0; i < c->n; i++)
		free(c->e[i].msg);
	free(c->e);
	memset(c, 0, sizeof(*c));
}

static void on_error(void *ctx, xmlErrorPtr err)
{
	capture *c = ctx;
	if (err->level < XML_ERR_ERROR)
		return;
	xmlNode *node = err->node;
	int line = err->line;
	if (node && node->type == XML_ELEMENT_NODE)
		line = (int)xmlGetLineNo(node);
	capture_add(c, line, err->code, node, err->message);
	xmlParserCtxtPtr pc = err->ctxt;
	if (c->parsing && pc && pc->input && pc->input->cur && c->n)
		c->e[c->n - 1].at_end = pc->input->cur >= pc->input->end;
}

/* SAX hook: a DOCTYPE may declare entities; we accept none, so we stop
 * before its internal subset is parsed. */
static void no_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	(void)name, (void)ext, (void)sys;
	xmlParserCtxtPtr pc = ctx;
	capture *c = pc->_private;
	c->doctype = true;
	c->doctype_line = pc->input ? pc->input->line : 0;
	xmlStopParser(pc);
}

/* ------------------------------------------------------------ schema lookup */

static bool rng_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns && xmlStrEqual(n->ns->href, BAD_CAST RNG_NS) &&
	       xmlStrEqual(n->name, BAD_CAST name);
}

static xmlNode *rng_find(xmlNode *n, const char *kind, const char *name)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (rng_is(n, kind)) {
			xmlChar *v = xmlGetNoNsProp(n, BAD_CAST "name");
			bool hit = v && xmlStrEqual(v, BAD_CAST name);
			xmlFree(v);
			if (hit)
				return n;
		}
		xmlNode *r = rng_find(n->children, kind, name);
		if (r)
			return r;
	}
	return NULL;
}

typedef struct {
	xmlNode *root;        /* the schema's grammar */
	const xmlNode *inst;  /* the instance element being diagnosed */
	qf_xml *x;
	bool attrs;           /* look for attributes (else child elements) */
	int found;
} diagnosis;

/* Walks the pattern of an element; reports each required attribute (or
 * child element) the instance lacks. Optional, zeroOrMore and choice make
 * what is under them not required. */
static void walk(diagnosis *g, xmlNode *p, bool required, int depth)
{
	if (depth > 32)
		return; /* a recursive grammar; ours are not */
	for (xmlNode *c = p->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (rng_is(c, "attribute") || rng_is(c, "element")) {
			bool attr = rng_is(c, "attribute");
			if (attr != g->attrs || !required)
				continue;
			xmlChar *name = xmlGetNoNsProp(c, BAD_CAST "name");
			if (!name)
				continue;
			bool have = attr ? xmlHasNsProp(g->inst, name, NULL) != NULL
					 : qf_xml_child(g->inst, (const char *)name) != NULL;
			if (!have) {
				qf_xml_error(g->x, g->inst, "element <%s> lacks the required %s%s%s", g->inst->name,
					     attr ? "attribute '" : "element <", name, attr ? "'" : ">");
				g->found++;
			}
			xmlFree(name);
		} else if (rng_is(c, "optional") || rng_is(c, "zeroOrMore") || rng_is(c, "choice")) {
			walk(g, c, false, depth + 1);
		} else if (rng_is(c, "oneOrMore") || rng_is(c, "group") || rng_is(c, "interleave")) {
			walk(g, c, required, depth + 1);
		} else if (rng_is(c, "ref")) {
			xmlChar *name = xmlGetNoNsProp(c, BAD_CAST "name");
			xmlNode *def = name ? rng_find(g->root, "define", (const char *)name) : NULL;
			xmlFree(name);
			if (def)
				walk(g, def, required, depth + 1);
		}
	}
}

/* Schema patterns by element name: our schemas have a dozen names, and a
 * large file has a million elements. */
typedef struct {
	const xmlChar *name[32];
	xmlNode *el[32];
	int n;
} pattern_cache;

static xmlNode *pattern(pattern_cache *pc, xmlNode *root, const xmlChar *name)
{
	for (int i = 0; i < pc->n; i++)
		if (xmlStrEqual(pc->name[i], name))
			return pc->el[i];
	xmlNode *el = rng_find(root, "element", (const char *)name);
	if (pc->n < 32) {
		pc->name[pc->n] = name;
		pc->el[pc->n++] = el;
	}
	return el;
}

/* Names what the elements of the document lack according to the schema
 * (libxml2 does not always say which element failed, let alone which
 * attribute); returns the number of errors reported. */
static int diagnose_tree(qf_xml *x, xmlNode *root, pattern_cache *pc, xmlNode *n, int depth)
{
	int found = 0;
	for (; n && !qf_diag_full(x->d); n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		xmlNode *el = pattern(pc, root, n->name);
		if (el) {
			diagnosis g = {root, n, x, true, 0};
			walk(&g, el, true, 0);
			g.attrs = false;
			walk(&g, el, true, 0);
			found += g.found;
		}
		if (depth < 64)
			found += diagnose_tree(x, root, pc, n->children, depth + 1);
	}
	return found;
}

/* Whether the schema gives element el an attribute attr anywhere in its
 * pattern (required or not). */
static bool declares(xmlNode *root, xmlNode *p, const char *attr, int depth)
{
	if (depth > 32)
		return false;
	for (xmlNode *c = p->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || rng_is(c, "element"))
			continue;
		if (rng_is(c, "attribute")) {
			xmlChar *name = xmlGetNoNsProp(c, BAD_CAST "name");
			bool hit = name && xmlStrEqual(name, BAD_CAST attr);
			xmlFree(name);
			if (hit)
				return true;
		} else if (rng_is(c, "ref")) {
			xmlChar *name = xmlGetNoNsProp(c, BAD_CAST "name");
			xmlNode *def = name ? rng_find(root, "define", (const char *)name) : NULL;
			xmlFree(name);
			if (def && declares(root, def, attr, depth + 1))
				return true;
		} else if (declares(root, c, attr, depth + 1)) {
			return true;
		}
	}
	return false;
}

/* libxml2 says "Invalid attribute k for element node" both for an
 * attribute the element does not have and for a bad value of one it
 * has; the schema tells the two apart. */
static bool bad_value(qf_xml *x, xmlNode *root, const captured *e)
{
	char attr[64], el[64];
	if (sscanf(e->msg, "Invalid attribute %63s for element %63s", attr, el) != 2 || !e->node)
		return false;
	xmlNode *p = rng_find(root, "element", el);
	if (!p || !declares(root, p, attr, 0))
		return false;
	xmlChar *v = xmlGetNoNsProp(e->node, BAD_CAST attr);
	qf_diag_file_error(x->d, x->path, e->line, "attribute '%s' of <%s> has a value the schema does not allow: '%.40s'",
			   attr, el, v ? (const char *)v : "");
	xmlFree(v);
	x->errors++;
	return true;
}

/* "Type integer doesn't allow value 'x'" does not say which attribute:
 * find the one holding that value. */
static const char *attr_with_value(const xmlNode *n, const char *msg)
{
	const char *v = strstr(msg, "value '");
	if (!v || !n || n->type != XML_ELEMENT_NODE)
		return NULL;
	v += 7;
	size_t len = strlen(v);
	if (!len || v[len - 1] != '\'')
		return NULL;
	len--;
	const char *hit = NULL;
	for (xmlAttr *a = n->properties; a; a = a->next) {
		xmlChar *s = xmlNodeListGetString(n->doc, a->children, 1);
		bool same = s && strlen((const char *)s) == len && memcmp(s, v, len) == 0;
		xmlFree(s);
		if (same) {
			if (hit)
				return NULL;
			hit = (const char *)a->name;
		}
	}
	return hit;
}

/* ------------------------------------------------------------ open */

static void report_parse(qf_xml *x, capture *c)
{
	if (c->doctype) {
		qf_diag_file_error(x->d, x->path, c->doctype_line,
				   "a DOCTYPE is not allowed (no DTDs or entities in qforge files)");
		x->errors++;
		return;
	}
	if (c->n == 0) {
		qf_diag_file_error(x->d, x->path, 0, "not an XML document");
		x->errors++;
		return;
	}
	/* The first error is the cause; the rest of libxml2's list repeats it,
	 * except a premature end, which says the file was cut short. */
	bool early = c->e[0].code == XML_ERR_TAG_NOT_FINISHED || c->e[0].code == XML_ERR_DOCUMENT_END ||
		     c->e[0].at_end;
	qf_diag_file_error(x->d, x->path, c->e[0].line, "%s%s", c->e[0].msg, early ? " (the file is truncated?)" : "");
	x->errors++;
	for (int i = 1; i < c->n && !early; i++)
		if (c->e[i].code == XML_ERR_TAG_NOT_FINISHED || c->e[i].code == XML_ERR_DOCUMENT_END) {
			qf_diag_file_error(x->d, x->path, c->e[i].line, "%s (the file is truncated?)", c->e[i].msg);
			x->errors++;
			break;
		}
}

static void report_validation(qf_xml *x, capture *c, const char *schema, size_t len, xmlDocPtr doc)
{
	xmlDocPtr s = xmlReadMemory(schema, (int)len, "schema", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
									     XML_PARSE_NOWARNING);
	if (!s)
		qf_die("embedded schema does not parse");
	xmlNode *root = xmlDocGetRootElement(s);
	pattern_cache pc = {.n = 0};
	int found = diagnose_tree(x, root, &pc, xmlDocGetRootElement(doc), 0);
	for (int i = 0; i < c->n; i++) {
		captured *e = &c->e[i];
		/* libxml2 adds "Element X failed to validate" to each ancestor of
		 * an error, and "Expecting an element" for what we named above. */
		if ((strstr(e->msg, "failed to validate attributes") || strstr(e->msg, "failed to validate content")) &&
		    x->errors)
			continue;
		if ((strstr(e->msg, "Expecting an element") && found) || bad_value(x, root, e))
			continue;
		const char *attr = attr_with_value(e->node, e->msg);
		if (attr)
			qf_diag_file_error(x->d, x->path, e->line, "attribute '%s': %s", attr, e->msg);
		else
			qf_diag_file_error(x->d, x->path, e->line, "%s", e->msg);
		x->errors++;
	}
	xmlFreeDoc(s);
}

int qf_xml_open(qf_xml *x, const char *path, const char *buf, size_t len, const char *schema_path,
		qf_diag *d)
{
	memset(x, 0, sizeof(*x));
	x->path = path;
	x->d = d;
	xmlInitParser();
	if (len == 0) {
		qf_diag_file_error(d, path, 0, "the file is empty");
		return -1;
	}
	if (len > (size_t)INT_MAX) {
		qf_diag_file_error(d, path, 0, "%zu bytes is too large to parse", len);
		return -1;
	}
	size_t slen;
	const char *schema = qf_embedded_file(schema_path, &slen);
	if (!schema)
		qf_die("schema %s is not compiled in", schema_path);

	capture c = {0};
	/* libxml2 routes the errors of many of its parts only through this
	 * thread's generic handler: set it for the call and put back the old. */
	xmlStructuredErrorFunc old_fn = xmlStructuredError;
	void *old_ctx = xmlStructuredErrorContext;
	xmlSetStructuredErrorFunc(&c, on_error);

	xmlParserCtxtPtr pc = xmlNewParserCtxt();
	if (!pc)
		qf_die("out of memory creating an XML parser");
	c.parsing = true;
	pc->_private = &c;
	pc->sax->internalSubset = no_doctype;
	int opts = XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_BIG_LINES | XML_PARSE_NOERROR |
		   XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
	xmlDocPtr doc = xmlCtxtReadMemory(pc, buf, (int)len, path, NULL, opts);
	bool ok = doc && pc->wellFormed && !c.doctype && c.n == 0;
	xmlFreeParserCtxt(pc);
	c.parsing = false;
	if (!ok) {
		report_parse(x, &c);
		if (!x->errors) {
			qf_diag_file_error(d, path, 0, "not a well-formed XML document");
			x->errors++;
		}
		xmlFreeDoc(doc);
		capture_free(&c);
		xmlSetStructuredErrorFunc(old_ctx, old_fn);
		return -1;
	}

	xmlRelaxNGParserCtxtPtr rp = xmlRelaxNGNewMemParserCtxt(schema, (int)slen);
	xmlRelaxNGSetParserStructuredErrors(rp, on_error, &c);
	xmlRelaxNGPtr rng = xmlRelaxNGParse(rp);
	xmlRelaxNGFreeParserCtxt(rp);
	if (!rng)
		qf_die("schema %s does not compile: %s", schema_path, c.n ? c.e[0].msg : "?");
	xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(rng);
	if (!vc)
		qf_die("out of memory creating a schema validator");
	xmlRelaxNGSetValidStructuredErrors(vc, on_error, &c);
	int rc = xmlRelaxNGValidateDoc(vc, doc);
	xmlRelaxNGFreeValidCtxt(vc);
	xmlRelaxNGFree(rng);
	if (rc != 0) {
		report_validation(x, &c, schema, slen, doc);
		if (!x->errors) {
			qf_diag_file_error(d, path, 0, "does not follow the schema %s", schema_path);
			x->errors++;
		}
		xmlFreeDoc(doc);
		capture_free(&c);
		xmlSetStructuredErrorFunc(old_ctx, old_fn);
		return -1;
	}
	capture_free(&c);
	xmlSetStructuredErrorFunc(old_ctx, old_fn);
	x->doc = doc;
	return 0;
}

void qf_xml_close(qf_xml *x)
{
	xmlFreeDoc(x->doc);
	x->doc = NULL;
}

/* ------------------------------------------------------------ tree access */

int qf_xml_line(const xmlNode *n)
{
	long l = n ? xmlGetLineNo(n) : 0;
	return l > 0 && l <= INT_MAX ? (int)l : 0;
}

void qf_xml_error(qf_xml *x, const xmlNode *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	qf_diag_file_error(x->d, x->path, qf_xml_line(n), "%s", msg);
	x->errors++;
}

bool qf_xml_is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name);
}

static xmlNode *from(xmlNode *c, const char *name)
{
	for (; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && (!name || xmlStrEqual(c->name, BAD_CAST name)))
			return c;
	return NULL;
}

xmlNode *qf_xml_child(const xmlNode *n, const char *name)
{
	return n ? from(n->children, name) : NULL;
}

xmlNode *qf_xml_next(const xmlNode *n, const char *name)
{
	return n ? from(n->next, name) : NULL;
}

const char *qf_xml_attr(const xmlNode *n, const char *name)
{
	xmlAttr *a = xmlHasNsProp(n, BAD_CAST name, NULL);
	if (!a)
		return NULL;
	if (!a->children)
		return "";
	/* Without entity declarations the parser stores an attribute value as
	 * one text node (character references already resolved). */
	if (a->children->type == XML_TEXT_NODE && !a->children->next && a->children->content)
		return (const char *)a->children->content;
	return NULL;
}

static const char *need(qf_xml *x, const xmlNode *n, const char *name, bool required)
{
	const char *v = qf_xml_attr(n, name);
	if (!v && xmlHasNsProp(n, BAD_CAST name, NULL))
		qf_xml_error(x, n, "attribute '%s' holds entity references, which qforge files do not use", name);
	else if (!v && required)
		qf_xml_error(x, n, "element <%s> lacks the attribute '%s'", n->name, name);
	return v;
}

bool qf_parse_i64(const char *s, int64_t *out)
{
	const char *p = s;
	bool neg = *p == '-';
	if (neg)
		p++;
	if (*p < '0' || *p > '9')
		return false;
	uint64_t v = 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p || v > (uint64_t)INT64_MAX + neg)
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

bool qf_xml_int(qf_xml *x, const xmlNode *n, const char *name, bool required, int64_t dflt, int64_t lo,
		int64_t hi, int64_t *out)
{
	const char *v = need(x, n, name, required);
	if (!v) {
		*out = dflt;
		return !required && !xmlHasNsProp(n, BAD_CAST name, NULL);
	}
	int64_t i;
	if (!qf_parse_i64(v, &i)) {
		qf_xml_error(x, n, "attribute '%s' is '%.40s', not a whole number", name, v);
		return false;
	}
	if (i < lo || i > hi) {
		qf_xml_error(x, n, "attribute '%s' is %lld, outside %lld..%lld", name, (long long)i,
			     (long long)lo, (long long)hi);
		return false;
	}
	*out = i;
	return true;
}

bool qf_xml_u64(qf_xml *x, const xmlNode *n, const char *name, uint64_t *out)
{
	const char *v = need(x, n, name, true);
	if (!v)
		return false;
	uint64_t u = 0;
	const char *p = v;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (u > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) {
			qf_xml_error(x, n, "attribute '%s' is over 2^64", name);
			return false;
		}
		u = u * 10 + (uint64_t)(*p - '0');
	}
	if (p == v || *p) {
		qf_xml_error(x, n, "attribute '%s' is '%.40s', not a whole number", name, v);
		return false;
	}
	*out = u;
	return true;
}

/* Decimal notation only: no hex floats, "nan" or "inf". */
static bool decimal(const char *s)
{
	if (!*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!strchr("0123456789+-.eE", *p))
			return false;
	return true;
}

bool qf_xml_f64(qf_xml *x, const xmlNode *n, const char *name, double lo, double hi, double *out)
{
	const char *v = need(x, n, name, true);
	if (!v)
		return false;
	char *end;
	errno = 0;
	double f = decimal(v) ? strtod(v, &end) : NAN;
	if (!decimal(v) || *end || errno == ERANGE || !isfinite(f)) {
		qf_xml_error(x, n, "attribute '%s' is '%.40s', not a finite number", name, v);
		return false;
	}
	if (f < lo || f > hi) {
		qf_xml_error(x, n, "attribute '%s' is %g, outside %g..%g", name, f, lo, hi);
		return false;
	}
	*out = f;
	return true;
}

bool qf_xml_f32(qf_xml *x, const xmlNode *n, const char *name, float *out)
{
	const char *v = need(x, n, name, true);
	if (!v)
		return false;
	char *end;
	errno = 0;
	/* strtof, not strtod then a cast: "%.9g" of a float reads back as the
	 * same float only when rounded once. */
	float f = decimal(v) ? strtof(v, &end) : NAN;
	if (!decimal(v) || *end || (errno == ERANGE && f != 0) || !isfinite(f)) {
		qf_xml_error(x, n, "attribute '%s' is '%.40s', not a finite float", name, v);
		return false;
	}
	*out = f;
	return true;
}

bool qf_xml_bool(qf_xml *x, const xmlNode *n, const char *name, bool *out)
{
	const char *v = need(x, n, name, true);
	if (!v)
		return false;
	if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
		*out = v[0] == 't';
		return true;
	}
	qf_xml_error(x, n, "attribute '%s' is '%.40s', not true or false", name, v);
	return false;
}

bool qf_xml_str(qf_xml *x, const xmlNode *n, const char *name, char *buf, size_t cap)
{
	const char *v = need(x, n, name, true);
	if (!v)
		return false;
	size_t len = strlen(v);
	if (len >= cap) {
		qf_xml_error(x, n, "attribute '%s' is %zu characters long; at most %zu fit", name, len, cap - 1);
		return false;
	}
	memcpy(buf, v, len + 1);
	return true;
}

bool qf_xml_enum(qf_xml *x, const xmlNode *n, const char *name, const char *const *table, int count,
		 const char *what, int *out)
{
	const char *v = need(x, n, name, true);
	if (!v)
		return false;
	for (int i = 0; i < count; i++)
		if (strcmp(v, table[i]) == 0) {
			*out = i;
			return true;
		}
	char known[512];
	size_t k = 0;
	known[0] = 0;
	for (int i = 0; i < count && k < sizeof known; i++)
		k += (size_t)snprintf(known + k, sizeof known - k, "%s%s", i ? ", " : "", table[i]);
	qf_xml_error(x, n, "unknown %s '%.40s' (known: %s)", what, v, known);
	return false;
}

char *qf_xml_text(const xmlNode *n)
{
	xmlChar *s = xmlNodeGetContent(n);
	if (!s)
		qf_die("out of memory reading element text");
	return (char *)s;
}

/* ------------------------------------------------------------ string sets */

void qf_strset_init(qf_strset *s, int64_t n)
{
	s->cap = 16;
	while (s->cap < 2 * n)
		s->cap <<= 1;
	s->slot = qf_xcalloc((size_t)s->cap, sizeof(char *));
}

bool qf_strset_add(qf_strset *s, const char *str)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (const char *p = str; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	for (int64_t i = (int64_t)(h & (uint64_t)(s->cap - 1));; i = (i + 1) & (s->cap - 1)) {
		if (!s->slot[i]) {
			s->slot[i] = str;
			return true;
		}
		if (strcmp(s->slot[i], str) == 0)
			return false;
	}
}

void qf_strset_free(qf_strset *s)
{
	free(s->slot);
	s->slot = NULL;
}

/* ------------------------------------------------------------ writing */

bool qf_xml_text_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p;
		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				return false;
			p++;
			continue;
		}
		int len;
		if (c >= 0xc2 && c <= 0xdf)
			len = 2;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4;
		else
			return false;
		uint32_t cp = c & (0x7f >> len);
		for (int i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		/* Overlong forms, surrogates, beyond U+10FFFF and the two
		 * non-characters XML excludes. */
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
			return false;
		p += len;
	}
	return true;
}
