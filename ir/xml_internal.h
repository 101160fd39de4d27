/* xml_internal.h: helpers shared by the XML readers and writers of ir/
 * (.qfm models and target descriptions). Private to ir/: nothing outside
 * this folder includes it, so libxml2 types stay out of ir.h. */
#ifndef QF_XML_INTERNAL_H
#define QF_XML_INTERNAL_H

#include <libxml/tree.h>

#include "ir.h"

/* ------------------------------------------------------------ base64 */

/* Standard alphabet with '=' padding (RFC 4648), no line breaks. */
size_t qf_b64_len(size_t nbytes);
/* Writes qf_b64_len(n) characters and a NUL to out. */
void qf_b64_encode(const uint8_t *in, size_t n, char *out);
/* Decodes text of len characters, skipping ASCII white space, into
 * exactly want bytes at out. On failure returns -1 and a reason in why
 * (a bad character and where it is, a wrong length, non-zero padding
 * bits). */
int qf_b64_decode(const char *text, size_t len, uint8_t *out, size_t want, char *why, size_t whylen);

/* Little-endian float32 and int32, whatever the host byte order: a .qfm
 * written on one machine reads the same on any other. */
void qf_le_put_f32(uint8_t *p, float f);
float qf_le_get_f32(const uint8_t *p);

/* ------------------------------------------------------------ reading */

/* One XML document being read: errors go to d as "path:line: error: ...". */
typedef struct {
	const char *path;
	qf_diag *d;
	xmlDocPtr doc;
	int errors;
} qf_xml;

/* Parses buf (no network, no DTD, no entities: a DOCTYPE is an error) and
 * validates it against the schema compiled in as schema_path (e.g.
 * "docs/qfm.rng"). Reports every problem with its line; 0 on success with
 * x->doc set (free with qf_xml_close), -1 otherwise with x->doc NULL. */
int qf_xml_open(qf_xml *x, const char *path, const char *buf, size_t len, const char *schema_path,
		qf_diag *d);
void qf_xml_close(qf_xml *x);

int qf_xml_line(const xmlNode *n);
void qf_xml_error(qf_xml *x, const xmlNode *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The element children of n in order; `name` NULL for any. */
xmlNode *qf_xml_child(const xmlNode *n, const char *name);
xmlNode *qf_xml_next(const xmlNode *n, const char *name);
bool qf_xml_is(const xmlNode *n, const char *name);

/* Attribute readers. Each reports a bad or out-of-range value (naming the
 * attribute) and returns false; an absent attribute gives the default
 * (or an error when required). The string is owned by the tree. */
const char *qf_xml_attr(const xmlNode *n, const char *name);
bool qf_xml_int(qf_xml *x, const xmlNode *n, const char *name, bool required, int64_t dflt, int64_t lo,
		int64_t hi, int64_t *out);
bool qf_xml_u64(qf_xml *x, const xmlNode *n, const char *name, uint64_t *out);
bool qf_xml_f64(qf_xml *x, const xmlNode *n, const char *name, double lo, double hi, double *out);
bool qf_xml_f32(qf_xml *x, const xmlNode *n, const char *name, float *out);
bool qf_xml_bool(qf_xml *x, const xmlNode *n, const char *name, bool *out);
/* Copies the attribute into buf of cap bytes; too long is an error. */
bool qf_xml_str(qf_xml *x, const xmlNode *n, const char *name, char *buf, size_t cap);
/* Looks the attribute up in a name table of count entries; reports an
 * unknown name with the list of known ones. */
bool qf_xml_enum(qf_xml *x, const xmlNode *n, const char *name, const char *const *table, int count,
		 const char *what, int *out);
/* The text of n (its text and CDATA children); free with xmlFree. */
char *qf_xml_text(const xmlNode *n);

/* Strict numbers: decimal digits with an optional '-', the whole string. */
bool qf_parse_i64(const char *s, int64_t *out);

/* A set of strings (borrowed, not copied) for finding repeats in linear
 * time: a file with a million meta entries must not take n^2. */
typedef struct {
	const char **slot;
	int64_t cap;
} qf_strset;
void qf_strset_init(qf_strset *s, int64_t n); /* room for n strings */
bool qf_strset_add(qf_strset *s, const char *str); /* false: already in */
void qf_strset_free(qf_strset *s);

/* ------------------------------------------------------------ writing */

/* Text that may go into an XML attribute or element: valid UTF-8 with no
 * control characters other than tab, newline and carriage return. */
bool qf_xml_text_ok(const char *s);

#endif
