/* sbuf.c: a growing string buffer, for the backends' generated text. */
#include <stdarg.h>
#include <stdio.h>

#include "ir.h"

void qf_sbuf_printf(qf_sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	QF_ASSERT(need >= 0);
	if (b->n + (size_t)need + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + (size_t)need + 1)
			cap *= 2;
		b->p = qf_xrealloc(b->p, cap);
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, (size_t)need + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)need;
}
