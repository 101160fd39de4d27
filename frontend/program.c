/* program.c: the frontend's entry points. The syntax tree lives in its
 * own arena, dropped once the program (in the program's arena) is built. */
#include <stdlib.h>
#include <string.h>

#include "frontend/ast.h"

qf_program *qf_parse(const char *path, const char *text, size_t len, qf_diag *d)
{
	if (len > (size_t)QF_LIMIT_SOURCE_BYTES) {
		qf_diag_file_error(d, path ? path : "<input>", 0, "file is %zu bytes; the limit is %ld", len,
				   QF_LIMIT_SOURCE_BYTES);
		return NULL;
	}
	int errors0 = qf_diag_errors(d);
	/* A caller that did not point d at the text still gets file names
	 * and carets, for the length of this call. */
	bool own_source = qf_diag_source_path(d) == NULL;
	if (own_source)
		qf_diag_set_source(d, path, text, len);
	fe_parser ps = {0};
	ps.arena = qf_arena_new();
	ps.diag = d;
	ps.src = text;
	ps.len = len;
	fe_parse(&ps);
	qf_program *p = NULL;
	/* Past the cap nothing more would be shown, so checking is wasted;
	 * a file cut short for its size would only give cascades. */
	if (!qf_diag_full(d) && !ps.stop)
		p = fe_check(&ps, path);
	qf_arena_free(ps.arena);
	if (own_source)
		qf_diag_set_source(d, NULL, NULL, 0);
	if (p && qf_diag_errors(d) > errors0) {
		qf_program_free(p);
		p = NULL;
	}
	return p;
}

qf_program *qf_load_program(const char *path, qf_diag *d)
{
	char *text;
	size_t len;
	if (qf_read_file(path, QF_LIMIT_SOURCE_BYTES, &text, &len, d) != 0)
		return NULL;
	qf_diag_set_source(d, path, text, len);
	qf_program *p = qf_parse(path, text, len, d);
	if (!p) {
		qf_diag_set_source(d, path, NULL, 0);
		free(text);
		return NULL;
	}
	/* Later stages report against the program's locations (a budget no
	 * network meets), so the text the carets point into lives as long as
	 * the program. */
	char *kept = qf_arena_alloc(p->arena, len + 1);
	memcpy(kept, text, len + 1);
	free(text);
	qf_diag_set_source(d, p->path, kept, len);
	return p;
}

void qf_program_free(qf_program *p)
{
	if (p)
		qf_arena_free(p->arena);
}
