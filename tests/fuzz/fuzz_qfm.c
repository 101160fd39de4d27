/* fuzz_qfm.c: the .qfm reader on arbitrary bytes. Beyond "no crash, no
 * leak, no hang", every input the reader accepts must be canonical under
 * a round trip: write, read, write again gives the same bytes. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ir/ir.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		abort();
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	*len = (size_t)n;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	static char a[64], b[64];
	if (!null) {
		null = fopen("/dev/null", "w");
		snprintf(a, sizeof a, "/tmp/fuzz_qfm.%d.a.qfm", (int)getpid());
		snprintf(b, sizeof b, "/tmp/fuzz_qfm.%d.b.qfm", (int)getpid());
	}
	qf_diag *d = qf_diag_new(null);
	qf_graph *g = qf_qfm_parse("fuzz.qfm", (const char *)data, size, d);
	if (g) {
		if (qf_qfm_write(g, a, d))
			abort();
		qf_graph *h = qf_qfm_read(a, d);
		if (!h || qf_qfm_write(h, b, d))
			abort();
		size_t la, lb;
		char *x = slurp(a, &la), *y = slurp(b, &lb);
		if (la != lb || memcmp(x, y, la) != 0)
			abort();
		free(x);
		free(y);
		qf_graph_free(h);
		unlink(a);
		unlink(b);
	}
	qf_graph_free(g);
	qf_diag_free(d);
	return 0;
}
