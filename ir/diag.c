/* diag.c: the one way user-facing errors are reported. */
#include <stdlib.h>
#include <string.h>

#include "ir.h"

struct qf_diag {
	FILE *out;
	const char *path, *text;
	size_t len;
	int errors;
};

qf_diag *qf_diag_new(FILE *out)
{
	qf_diag *d = qf_xcalloc(1, sizeof(*d));
	d->out = out;
	return d;
}

void qf_diag_free(qf_diag *d)
{
	free(d);
}

void qf_diag_set_source(qf_diag *d, const char *path, const char *text, size_t len)
{
	d->path = path;
	d->text = text;
	d->len = len;
}

const char *qf_diag_source_path(const qf_diag *d)
{
	return d->path;
}

int qf_diag_errors(const qf_diag *d)
{
	return d->errors;
}

bool qf_diag_full(const qf_diag *d)
{
	return d->errors >= QF_DIAG_CAP;
}

/* Prints source line `line` and a caret under `col`. Tabs are kept so
 * the caret lines up under the same characters in a terminal. */
static void caret(qf_diag *d, qf_loc at)
{
	if (!d->text || at.line <= 0)
		return;
	const char *p = d->text, *end = d->text + d->len;
	for (int l = 1; l < at.line && p < end; p++)
		if (*p == '\n')
			l++;
	if (p >= end && at.line > 1)
		return;
	const char *eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	int n = (int)(eol - p);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (n > 200)
		n = 200; /* a minified or binary line would flood the terminal */
	fprintf(d->out, "  %.*s\n  ", n, p);
	for (int i = 1; i < at.col && i <= n; i++)
		fputc(p[i - 1] == '\t' ? '\t' : ' ', d->out);
	fputs("^\n", d->out);
}

static void report(qf_diag *d, const char *kind, qf_loc at, const char *fmt, va_list ap)
{
	if (at.line > 0)
		fprintf(d->out, "%s:%d:%d: %s: ", d->path ? d->path : "<input>", at.line, at.col, kind);
	else
		fprintf(d->out, "%s: %s: ", d->path ? d->path : "qforge", kind);
	vfprintf(d->out, fmt, ap);
	fputc('\n', d->out);
	caret(d, at);
}

void qf_diag_verror(qf_diag *d, qf_loc at, const char *fmt, va_list ap)
{
	if (d->errors++ < QF_DIAG_CAP)
		report(d, "error", at, fmt, ap);
	else if (d->errors == QF_DIAG_CAP + 1)
		fprintf(d->out, "%s: note: too many errors; the rest are not shown\n",
			d->path ? d->path : "qforge");
}

void qf_diag_error(qf_diag *d, qf_loc at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	qf_diag_verror(d, at, fmt, ap);
	va_end(ap);
}

void qf_diag_note(qf_diag *d, qf_loc at, const char *fmt, ...)
{
	if (d->errors > QF_DIAG_CAP)
		return;
	va_list ap;
	va_start(ap, fmt);
	report(d, "note", at, fmt, ap);
	va_end(ap);
}

void qf_diag_file_error(qf_diag *d, const char *path, int line, const char *fmt, ...)
{
	va_list ap;
	if (d->errors++ >= QF_DIAG_CAP)
		return;
	if (line > 0)
		fprintf(d->out, "%s:%d: error: ", path, line);
	else
		fprintf(d->out, "%s: error: ", path);
	va_start(ap, fmt);
	vfprintf(d->out, fmt, ap);
	va_end(ap);
	fputc('\n', d->out);
}

void qf_diag_summary(qf_diag *d)
{
	if (d->errors)
		fprintf(d->out, "%d error%s\n", d->errors, d->errors == 1 ? "" : "s");
}
