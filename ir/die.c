/* die.c: internal errors and allocation that cannot fail quietly. */
#include <stdlib.h>
#include <string.h>

#include "ir.h"

void qf_die(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fputs("qforge: internal error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(QF_EXIT_INTERNAL);
}

void *qf_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		qf_die("out of memory allocating %zu bytes", n);
	return p;
}

void *qf_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		qf_die("out of memory allocating %zu x %zu bytes", n, size);
	return p;
}

void *qf_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		qf_die("out of memory reallocating %zu bytes", n);
	return p;
}

char *qf_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(qf_xmalloc(n), s, n);
}

void qf_grow(void *pp, int64_t *cap, int64_t need, size_t elem)
{
	void **p = pp;
	int64_t c = *cap;
	if (need <= c)
		return;
	if (c < 8)
		c = 8;
	while (c < need)
		c *= 2;
	if ((uint64_t)c > SIZE_MAX / elem)
		qf_die("array of %lld elements overflows", (long long)c);
	*p = qf_xrealloc(*p, (size_t)c * elem);
	memset((char *)*p + (size_t)*cap * elem, 0, (size_t)(c - *cap) * elem);
	*cap = c;
}
