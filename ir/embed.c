/* embed.c: lookup of the files scripts/embed.sh compiled into the binary. */
#include <string.h>

#include "ir.h"

extern const struct {
	const char *path;
	const char *data;
	size_t len;
} qf_embedded[];

const char *qf_embedded_file(const char *path, size_t *len)
{
	for (int i = 0; qf_embedded[i].path; i++)
		if (strcmp(qf_embedded[i].path, path) == 0) {
			if (len)
				*len = qf_embedded[i].len;
			return qf_embedded[i].data;
		}
	return NULL;
}
