/* qfm_write.c: writing a Graph IR as a .qfm model file (docs/formats.md).
 *
 * The output is canonical: it depends only on the graph's values, never
 * on where they sit in g->data or g->ints, so reading a file and writing
 * it again gives the same bytes. Numbers that must survive the trip are
 * printed with enough digits ("%.9g" float, "%.17g" double); parameter
 * arrays go out as base64 of little-endian float32 with a CRC-32 that the
 * reader checks, so a flipped byte is found, not trained on.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <libxml/xmlwriter.h>

#include "xml_internal.h"

typedef struct {
	xmlTextWriterPtr w;
	qf_diag *d;
	const char *path;
	bool bad;   /* a libxml2 call failed: the write is abandoned */
	bool text;  /* some string cannot be stored as XML text */
} out;

static void check(out *o, int rc)
{
	if (rc < 0)
		o->bad = true;
}

static void start(out *o, const char *el)
{
	check(o, xmlTextWriterStartElement(o->w, BAD_CAST el));
}

static void end(out *o)
{
	check(o, xmlTextWriterEndElement(o->w));
}

static void attr(out *o, const char *name, const char *value)
{
	if (!qf_xml_text_ok(value)) {
		if (!o->text)
			qf_diag_file_error(o->d, o->path, 0,
					   "cannot store %s '%.40s': not valid UTF-8 text without control characters",
					   name, value);
		o->text = true;
		return;
	}
	check(o, xmlTextWriterWriteAttribute(o->w, BAD_CAST name, BAD_CAST value));
}

__attribute__((format(printf, 3, 4))) static void attrf(out *o, const char *name, const char *fmt, ...)
{
	char buf[64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	attr(o, name, buf);
}

static void text(out *o, const char *s)
{
	if (!qf_xml_text_ok(s)) {
		if (!o->text)
			qf_diag_file_error(o->d, o->path, 0,
					   "cannot store the text '%.40s': not valid UTF-8 without control characters", s);
		o->text = true;
		return;
	}
	check(o, xmlTextWriterWriteString(o->w, BAD_CAST s));
}

/* n floats as crc32="..." and a base64 text (the caller has opened the
 * element; attributes must come before the text). */
static void floats(out *o, const float *f, int64_t n)
{
	size_t nb = (size_t)n * 4;
	uint8_t *b = qf_xmalloc(nb);
	for (int64_t i = 0; i < n; i++)
		qf_le_put_f32(b + 4 * i, f[i]);
	uint32_t crc = (uint32_t)crc32_z(0, b, nb);
	char *s = qf_xmalloc(qf_b64_len(nb) + 1);
	qf_b64_encode(b, nb, s);
	free(b);
	attrf(o, "crc32", "%08" PRIx32, crc);
	check(o, xmlTextWriterWriteRaw(o->w, BAD_CAST s));
	free(s);
}

/* A space-separated list of integers as element text. */
static void ints(out *o, const int32_t *v, int64_t n)
{
	char *s = qf_xmalloc((size_t)n * 12 + 1);
	size_t k = 0;
	for (int64_t i = 0; i < n; i++)
		k += (size_t)sprintf(s + k, i ? " %" PRId32 : "%" PRId32, v[i]);
	s[k] = 0;
	check(o, xmlTextWriterWriteRaw(o->w, BAD_CAST s));
	free(s);
}

static void tensor(out *o, const qf_graph *g, const qf_tensor *t)
{
	start(o, "tensor");
	attr(o, "name", t->name);
	attr(o, "role", qf_role_name[t->role]);
	attr(o, "dtype", qf_dtype_name[t->dtype]);
	char dims[64];
	size_t k = 0;
	dims[0] = 0;
	for (int i = 0; i < t->rank; i++)
		k += (size_t)snprintf(dims + k, sizeof dims - k, i ? " %" PRId32 : "%" PRId32, t->dim[i]);
	attr(o, "dims", dims);
	if (t->quant >= 0)
		attrf(o, "quant", "%d", t->quant);
	if (t->role >= QF_ROLE_WEIGHT)
		floats(o, g->data + t->data, qf_tensor_elems(t));
	end(o);
}

static void node(out *o, const qf_graph *g, const qf_node *nd)
{
	start(o, "node");
	attr(o, "name", nd->name);
	attr(o, "op", qf_op_name[nd->op]);
	for (int i = 0; i < QF_MAX_IN; i++)
		if (nd->in[i] >= 0) {
			char a[16];
			snprintf(a, sizeof a, "in%d", i);
			attr(o, a, g->t[nd->in[i]].name);
		}
	attr(o, "out", g->t[nd->out].name);
	/* Defaults of qf_graph_add_node are left out; the reader starts
	 * from the same ones, so the round trip is exact. */
	if (nd->k != 0)
		attrf(o, "k", "%d", nd->k);
	if (nd->s != 1)
		attrf(o, "s", "%d", nd->s);
	if (nd->pad != 0)
		attrf(o, "pad", "%d", nd->pad);
	if (nd->groups != 1)
		attrf(o, "groups", "%d", nd->groups);
	if (nd->eps != 0)
		attrf(o, "eps", "%.9g", (double)nd->eps);
	if (nd->momentum != 0)
		attrf(o, "momentum", "%.9g", (double)nd->momentum);
	if (nd->block != -1)
		attrf(o, "block", "%d", nd->block);
	end(o);
}

static void qparam(out *o, const qf_graph *g, int i)
{
	const qf_qparam *q = &g->q[i];
	start(o, "qparam");
	attrf(o, "id", "%d", i);
	attrf(o, "n", "%d", q->n);
	attr(o, "symmetric", q->symmetric ? "true" : "false");
	attr(o, "pow2", q->pow2 ? "true" : "false");
	attrf(o, "slice", "%d", q->slice);
	attrf(o, "n_slices", "%d", q->n_slices);
	start(o, "scale");
	floats(o, g->data + q->scale, q->n);
	end(o);
	start(o, "zero");
	ints(o, g->ints + q->zero, q->n);
	end(o);
	start(o, "bits");
	ints(o, g->ints + q->bits, q->n_slices);
	end(o);
	end(o);
}

static void provenance(out *o, const qf_prov *p)
{
	start(o, "provenance");
	if (p->source)
		attr(o, "source", p->source);
	if (p->space)
		attr(o, "space", p->space);
	attrf(o, "seed", "%llu", (unsigned long long)p->seed);
	if (p->accuracy >= 0)
		attrf(o, "accuracy", "%.17g", p->accuracy);
	if (p->choice.n > 0) {
		start(o, "choice");
		int32_t *v = qf_xmalloc((size_t)p->choice.n * sizeof(int32_t));
		for (int i = 0; i < p->choice.n; i++)
			v[i] = p->choice.idx[i];
		ints(o, v, p->choice.n);
		free(v);
		end(o);
	}
	for (int i = 0; i < p->n_history; i++) {
		start(o, "history");
		text(o, p->history[i]);
		end(o);
	}
	end(o);
}

static void document(out *o, const qf_graph *g)
{
	check(o, xmlTextWriterSetIndent(o->w, 1));
	check(o, xmlTextWriterSetIndentString(o->w, BAD_CAST "  "));
	check(o, xmlTextWriterStartDocument(o->w, NULL, "UTF-8", NULL));
	start(o, "qfm");
	attr(o, "version", "1");
	attr(o, "name", g->name);
	attrf(o, "classes", "%d", g->classes);
	attr(o, "input", g->t[g->input].name);
	attr(o, "output", g->t[g->output].name);
	start(o, "tensors");
	for (int i = 0; i < g->nt; i++)
		tensor(o, g, &g->t[i]);
	end(o);
	start(o, "nodes");
	for (int i = 0; i < g->nn; i++)
		node(o, g, &g->n[i]);
	end(o);
	if (g->nq) {
		start(o, "quant");
		for (int i = 0; i < g->nq; i++)
			qparam(o, g, i);
		end(o);
	}
	provenance(o, &g->prov);
	if (g->n_blobs) {
		start(o, "blobs");
		for (int i = 0; i < g->n_blobs; i++) {
			start(o, "blob");
			attr(o, "name", g->blobs[i].name);
			attrf(o, "n", "%lld", (long long)g->blobs[i].n);
			floats(o, g->blobs[i].f, g->blobs[i].n);
			end(o);
		}
		end(o);
	}
	if (g->n_meta) {
		start(o, "meta");
		for (int i = 0; i < g->n_meta; i++) {
			start(o, "entry");
			attr(o, "key", g->meta[i].key);
			attr(o, "value", g->meta[i].value);
			end(o);
		}
		end(o);
	}
	end(o);
	check(o, xmlTextWriterEndDocument(o->w));
}

/* What the reader will insist on that the verifier does not promise:
 * names the schema accepts, and unique blob names and meta keys. */
static bool storable(const qf_graph *g, const char *path, qf_diag *d)
{
	for (int i = 0; i < g->nt; i++)
		if (!g->t[i].name[0]) {
			qf_diag_file_error(d, path, 0, "cannot store tensor %d: it has no name", i);
			return false;
		}
	for (int i = 0; i < g->nn; i++)
		if (!g->n[i].name[0]) {
			qf_diag_file_error(d, path, 0, "cannot store node %d: it has no name", i);
			return false;
		}
	qf_strset seen;
	bool ok = true;
	qf_strset_init(&seen, g->n_blobs);
	for (int i = 0; i < g->n_blobs && ok; i++) {
		if (!g->blobs[i].name[0]) {
			qf_diag_file_error(d, path, 0, "cannot store blob %d: it has no name", i);
			ok = false;
		} else if (!qf_strset_add(&seen, g->blobs[i].name)) {
			qf_diag_file_error(d, path, 0, "cannot store two blobs named '%s'", g->blobs[i].name);
			ok = false;
		}
	}
	qf_strset_free(&seen);
	qf_strset_init(&seen, g->n_meta);
	for (int i = 0; i < g->n_meta && ok; i++)
		if (!qf_strset_add(&seen, g->meta[i].key)) {
			qf_diag_file_error(d, path, 0, "cannot store two meta entries with key '%s'", g->meta[i].key);
			ok = false;
		}
	qf_strset_free(&seen);
	return ok;
}

int qf_qfm_write(const qf_graph *g, const char *path, qf_diag *d)
{
	QF_VERIFY(g);
	if (!storable(g, path, d))
		return -1;
	xmlInitParser();
	qf_atomic a;
	if (qf_atomic_open(&a, path, d))
		return -1;
	xmlOutputBufferPtr ob = xmlOutputBufferCreateFile(a.f, NULL);
	xmlTextWriterPtr w = ob ? xmlNewTextWriter(ob) : NULL;
	if (!w) {
		if (ob)
			xmlOutputBufferClose(ob);
		qf_atomic_abort(&a);
		qf_diag_file_error(d, path, 0, "cannot start writing: out of memory");
		return -1;
	}
	out o = {w, d, path, false, false};
	document(&o, g);
	/* Frees the output buffer too, which flushes into a.f (it does not
	 * close it: the FILE belongs to the atomic writer). */
	xmlFreeTextWriter(w);
	if (o.bad || o.text) {
		if (o.bad)
			qf_diag_file_error(d, path, 0, "write failed");
		qf_atomic_abort(&a);
		return -1;
	}
	return qf_atomic_commit(&a, d);
}
