/* json.c: the --json writer. Small on purpose: the driver only ever writes
 * JSON, and one writer keeps every subcommand's output well formed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"

void qf_json_init(qf_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

static bool in_object(const qf_json *j)
{
	return j->depth > 0 && j->close[j->depth - 1] == '}';
}

static void newline(qf_json *j, int depth)
{
	fputc('\n', j->f);
	for (int i = 0; i < depth; i++)
		fputs("  ", j->f);
}

/* Separator and layout before a value or a key. */
static void before_member(qf_json *j)
{
	if (j->depth == 0)
		return;
	int top = j->depth - 1;
	if (j->count[top]++ > 0)
		fputc(',', j->f);
	if (j->oneline[top]) {
		if (j->count[top] > 1)
			fputc(' ', j->f);
	} else {
		newline(j, j->depth);
	}
}

static void before_value(qf_json *j)
{
	if (in_object(j)) {
		QF_ASSERT(j->want_value);
		j->want_value = false;
		return;
	}
	QF_ASSERT(!j->want_value);
	if (j->depth == 0) {
		QF_ASSERT(j->documents == 0); /* one top-level value per document */
		j->documents = 1;
	}
	before_member(j);
}

static void begin(qf_json *j, char o, char c, bool oneline)
{
	before_value(j);
	QF_ASSERT(j->depth < QF_JSON_DEPTH);
	bool inherit = j->depth > 0 && j->oneline[j->depth - 1];
	fputc(o, j->f);
	j->close[j->depth] = c;
	j->oneline[j->depth] = oneline || inherit;
	j->count[j->depth] = 0;
	j->depth++;
}

void qf_json_object(qf_json *j, bool oneline)
{
	begin(j, '{', '}', oneline);
}

void qf_json_array(qf_json *j, bool oneline)
{
	begin(j, '[', ']', oneline);
}

void qf_json_end(qf_json *j)
{
	QF_ASSERT(j->depth > 0 && !j->want_value);
	int top = --j->depth;
	if (!j->oneline[top] && j->count[top] > 0)
		newline(j, j->depth);
	fputc(j->close[top], j->f);
}

/* Length of the valid UTF-8 sequence at s (1..4), 0 when invalid. */
static int utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	int n;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and past U+10FFFF are not UTF-8. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void put_string(qf_json *j, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	fputc('"', j->f);
	while (*s) {
		unsigned c = *s;
		if (c == '"' || c == '\\') {
			fputc('\\', j->f);
			fputc((int)c, j->f);
			s++;
		} else if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': fputs("\\n", j->f); break;
			case '\t': fputs("\\t", j->f); break;
			case '\r': fputs("\\r", j->f); break;
			case '\b': fputs("\\b", j->f); break;
			case '\f': fputs("\\f", j->f); break;
			default: fprintf(j->f, "\\u%04x", c); break;
			}
			s++;
		} else {
			int n = utf8_len(s);
			if (n == 0) {
				fputs("\\ufffd", j->f);
				s++;
			} else {
				fwrite(s, 1, (size_t)n, j->f);
				s += n;
			}
		}
	}
	fputc('"', j->f);
}

void qf_json_key(qf_json *j, const char *key)
{
	QF_ASSERT(in_object(j) && !j->want_value);
	before_member(j);
	put_string(j, key);
	fputs(": ", j->f);
	j->want_value = true;
}

void qf_json_string(qf_json *j, const char *s)
{
	before_value(j);
	if (s)
		put_string(j, s);
	else
		fputs("null", j->f);
}

void qf_json_int(qf_json *j, int64_t v)
{
	before_value(j);
	fprintf(j->f, "%lld", (long long)v);
}

void qf_json_u64(qf_json *j, uint64_t v)
{
	before_value(j);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void qf_json_double(qf_json *j, double v)
{
	before_value(j);
	if (!isfinite(v)) {
		fputs("null", j->f);
		return;
	}
	char buf[40];
	/* Whole numbers as integers: %g would give 100 as 1e+02. */
	if (v == floor(v) && fabs(v) < 1e15) {
		fprintf(j->f, "%.0f", v);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, j->f);
}

void qf_json_bool(qf_json *j, bool v)
{
	before_value(j);
	fputs(v ? "true" : "false", j->f);
}

void qf_json_null(qf_json *j)
{
	before_value(j);
	fputs("null", j->f);
}

void qf_json_finish(qf_json *j)
{
	QF_ASSERT(j->depth == 0 && j->documents == 1);
	fputc('\n', j->f);
}

void qf_json_kstr(qf_json *j, const char *key, const char *s)
{
	qf_json_key(j, key);
	qf_json_string(j, s);
}

void qf_json_kint(qf_json *j, const char *key, int64_t v)
{
	qf_json_key(j, key);
	qf_json_int(j, v);
}

void qf_json_kdouble(qf_json *j, const char *key, double v)
{
	qf_json_key(j, key);
	qf_json_double(j, v);
}

void qf_json_kbool(qf_json *j, const char *key, bool v)
{
	qf_json_key(j, key);
	qf_json_bool(j, v);
}
