/* arena.c: bump allocation for data that dies together (ASTs, Space IR). */
#include <stdlib.h>
#include <string.h>

#include "ir.h"

typedef struct chunk {
	struct chunk *next;
	size_t used, size;
	_Alignas(16) unsigned char mem[];
} chunk;

struct qf_arena {
	chunk *head;
};

qf_arena *qf_arena_new(void)
{
	return qf_xcalloc(1, sizeof(qf_arena));
}

void *qf_arena_alloc(qf_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	chunk *c = a->head;
	if (!c || c->size - c->used < n) {
		size_t size = n > 65536 ? n : 65536;
		c = qf_xmalloc(sizeof(chunk) + size);
		c->next = a->head;
		c->used = 0;
		c->size = size;
		a->head = c;
	}
	void *p = c->mem + c->used;
	c->used += n;
	return memset(p, 0, n);
}

char *qf_arena_strndup(qf_arena *a, const char *s, size_t n)
{
	char *p = qf_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *qf_arena_strdup(qf_arena *a, const char *s)
{
	return qf_arena_strndup(a, s, strlen(s));
}

void qf_arena_free(qf_arena *a)
{
	if (!a)
		return;
	for (chunk *c = a->head, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}
