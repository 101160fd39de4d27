/* ast.c: building the syntax tree, reading number tokens, and turning
 * bison's syntax errors into messages that quote what was written. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/ast.h"
#include "parser.h"

qf_loc fe_loc(int line, int col)
{
	return (qf_loc){line, col};
}

/* Counts a node; past the limit, says so once and ends the input. */
static void count_node(fe_parser *ps, qf_loc at)
{
	if (++ps->nodes != FE_LIMIT_NODES)
		return;
	qf_diag_error(ps->diag, at, "the file is too large: more than %d statements and values", FE_LIMIT_NODES);
	ps->stop = true;
	ps->eof_reported = true;
}

fe_stmt *fe_stmt_new(fe_parser *ps, int kw, const char *kwtext, qf_loc loc)
{
	count_node(ps, loc);
	fe_stmt *s = qf_arena_alloc(ps->arena, sizeof(*s));
	s->kw = kw;
	s->kwtext = kwtext;
	s->loc = loc;
	return s;
}

fe_arg *fe_arg_new(fe_parser *ps, int key, const char *name, qf_loc loc)
{
	count_node(ps, loc);
	fe_arg *a = qf_arena_alloc(ps->arena, sizeof(*a));
	a->key = key;
	a->name = name;
	a->loc = loc;
	return a;
}

void fe_args_add(fe_args *l, fe_arg *a)
{
	if (l->last)
		l->last->next = a;
	else
		l->first = a;
	l->last = a;
}

void fe_stmts_add(fe_stmts *l, fe_stmt *s)
{
	if (l->last)
		l->last->next = s;
	else
		l->first = s;
	l->last = s;
}

void fe_nums_add(fe_parser *ps, fe_nums *l, fe_num n)
{
	/* the values past the limit only count: the set is an error anyway */
	if (l->n >= FE_LIMIT_SET_STORED) {
		l->n++;
		return;
	}
	count_node(ps, n.loc);
	fe_numnode *node = qf_arena_alloc(ps->arena, sizeof(*node));
	node->num = n;
	if (l->last)
		l->last->next = node;
	else
		l->first = node;
	l->last = node;
	l->n++;
}

fe_val fe_val_num(fe_parser *ps, fe_num n)
{
	fe_val v = {FE_VAL_NUM, 1, NULL, n.loc};
	v.v = qf_arena_alloc(ps->arena, sizeof(fe_num));
	v.v[0] = n;
	return v;
}

fe_val fe_val_set(fe_parser *ps, fe_nums l, qf_loc loc)
{
	fe_val v = {FE_VAL_SET, l.n, NULL, loc};
	v.v = qf_arena_alloc(ps->arena, sizeof(fe_num) * FE_LIMIT_SET_STORED);
	int i = 0;
	for (fe_numnode *p = l.first; p; p = p->next)
		v.v[i++] = p->num;
	return v;
}

void fe_decl_add(fe_parser *ps, int kw, const char *name, qf_loc loc, qf_loc name_loc, qf_loc end,
		 fe_stmts body)
{
	fe_decl *d = qf_arena_alloc(ps->arena, sizeof(*d));
	d->kw = kw;
	d->name = name;
	d->loc = loc;
	d->name_loc = name_loc;
	d->body = body.first;
	for (int i = 0; i < ps->n_bad; i++) {
		qf_loc b = ps->bad[i];
		bool after = b.line > loc.line || (b.line == loc.line && b.col >= loc.col);
		bool before = b.line < end.line || (b.line == end.line && b.col <= end.col);
		if (after && before)
			d->broken = true;
	}
	if (ps->decls_last)
		ps->decls_last->next = d;
	else
		ps->decls = d;
	ps->decls_last = d;
}

void fe_note_bad(fe_parser *ps, qf_loc at)
{
	/* Past the diagnostic cap nothing more is checked, so the list stays
	 * short and the scan in fe_decl_add stays cheap. */
	if (ps->n_bad >= QF_DIAG_CAP + 1)
		return;
	if (ps->n_bad >= ps->cap_bad) {
		int64_t cap = ps->cap_bad ? ps->cap_bad * 2 : 8;
		qf_loc *nb = qf_arena_alloc(ps->arena, sizeof(qf_loc) * (size_t)cap);
		if (ps->n_bad)
			memcpy(nb, ps->bad, sizeof(qf_loc) * (size_t)ps->n_bad);
		ps->bad = nb;
		ps->cap_bad = cap;
	}
	ps->bad[ps->n_bad++] = at;
}

/* Length of the numeric prefix of a NUMBER token: digits, an optional
 * fraction, an optional exponent (only when digits follow the e). */
static int numeric_prefix(const char *t, int len, bool *is_int)
{
	int i = 0;
	*is_int = true;
	while (i < len && t[i] >= '0' && t[i] <= '9')
		i++;
	if (i + 1 < len && t[i] == '.' && t[i + 1] >= '0' && t[i + 1] <= '9') {
		*is_int = false;
		i++;
		while (i < len && t[i] >= '0' && t[i] <= '9')
			i++;
	}
	if (i < len && (t[i] == 'e' || t[i] == 'E')) {
		int j = i + 1;
		if (j < len && (t[j] == '+' || t[j] == '-'))
			j++;
		if (j < len && t[j] >= '0' && t[j] <= '9') {
			*is_int = false;
			while (j < len && t[j] >= '0' && t[j] <= '9')
				j++;
			i = j;
		}
	}
	return i;
}

fe_num fe_num_parse(fe_parser *ps, const char *text, int len, qf_loc loc)
{
	fe_num n = {0};
	n.loc = loc;
	n.text = qf_arena_strndup(ps->arena, text, (size_t)len);
	int k = numeric_prefix(n.text, len, &n.is_int);
	char *digits = qf_arena_strndup(ps->arena, text, (size_t)k);
	errno = 0;
	n.v = strtod(digits, NULL);
	if (n.is_int) {
		int64_t v = 0;
		for (int i = 0; i < k; i++) {
			int dgt = digits[i] - '0';
			if (v > (INT64_MAX - dgt) / 10) {
				n.overflow = true;
				break;
			}
			v = v * 10 + dgt;
		}
		n.i = n.overflow ? INT64_MAX : v;
	}
	if (k < len) {
		n.unit = n.text + k;
		n.unit_loc = fe_loc(loc.line, loc.col + k);
	}
	return n;
}

fe_num fe_num_negate(fe_parser *ps, fe_num n)
{
	size_t len = strlen(n.text);
	char *t = qf_arena_alloc(ps->arena, len + 2);
	t[0] = '-';
	memcpy(t + 1, n.text, len + 1);
	if (n.unit)
		n.unit = t + 1 + (n.unit - n.text);
	n.text = t;
	n.v = -n.v;
	n.i = -n.i;
	return n;
}

fe_val fe_shape_parse(fe_parser *ps, const char *text, int len, qf_loc loc)
{
	fe_val v = {FE_VAL_SHAPE, 1, NULL, loc};
	for (int i = 0; i < len; i++)
		if (text[i] == 'x')
			v.n++;
	/* a shape is three numbers: more are counted for the message only */
	int stored = v.n < 4 ? v.n : 4;
	v.v = qf_arena_alloc(ps->arena, sizeof(fe_num) * (size_t)stored);
	int start = 0;
	for (int p = 0; p < stored; p++) {
		int end = start;
		while (end < len && text[end] != 'x')
			end++;
		v.v[p] = fe_num_parse(ps, text + start, end - start, fe_loc(loc.line, loc.col + start));
		start = end + 1;
	}
	return v;
}

/* ------------------------------------------------------------ syntax errors */

/* How a token class is named in messages; keywords and punctuation are
 * quoted, classes are not. */
static bool is_class(const char *name, size_t n)
{
	static const char *const classes[] = {"name", "number", "string", "shape", "end of file",
					      "invalid token", "choice set"};
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (strlen(classes[i]) == n && memcmp(classes[i], name, n) == 0)
			return true;
	return false;
}

typedef struct {
	char buf[512];
	size_t n;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
	if (n > sizeof(b->buf) - 1 - b->n)
		n = sizeof(b->buf) - 1 - b->n;
	memcpy(b->buf + b->n, s, n);
	b->n += n;
	b->buf[b->n] = 0;
}

static void puts_(sbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* A token name from bison's message, quoted unless it is a class. */
static void put_name(sbuf *b, const char *s, size_t n)
{
	if (is_class(s, n) || (n > 0 && s[0] == '\'')) {
		put(b, s, n);
		return;
	}
	puts_(b, "'");
	put(b, s, n);
	puts_(b, "'");
}

/* The token that caused the error, as the user wrote it. */
static void put_lookahead(sbuf *b, const fe_parser *ps)
{
	int n = ps->tok_len > 40 ? 40 : ps->tok_len;
	const char *dots = ps->tok_len > 40 ? "..." : "";
	char tmp[64];
	switch (ps->tok) {
	case TK_YYEOF:
		puts_(b, "end of file");
		return;
	case TK_IDENT:
		snprintf(tmp, sizeof(tmp), "name '%.*s%s'", n, ps->tok_text, dots);
		break;
	case TK_NUMBER:
		snprintf(tmp, sizeof(tmp), "number %.*s%s", n, ps->tok_text, dots);
		break;
	case TK_SHAPE:
		snprintf(tmp, sizeof(tmp), "shape %.*s%s", n, ps->tok_text, dots);
		break;
	case TK_STRING:
		snprintf(tmp, sizeof(tmp), "string %.*s%s", n, ps->tok_text, dots);
		break;
	default:
		snprintf(tmp, sizeof(tmp), "'%.*s%s'", n, ps->tok_text, dots);
	}
	puts_(b, tmp);
}

void fe_syntax_error(fe_parser *ps, qf_loc at, const char *msg)
{
	static const char head[] = "syntax error, unexpected ";
	if ((ps->tok == TK_YYEOF && ps->eof_reported) || ps->stop)
		return;
	if (strncmp(msg, head, sizeof(head) - 1) != 0) {
		qf_diag_error(ps->diag, at, "%s", msg); /* "memory exhausted" */
		return;
	}
	sbuf b = {.n = 0};
	b.buf[0] = 0;
	puts_(&b, "unexpected ");
	put_lookahead(&b, ps);

	/* ", expecting A or B or C" -> ", expected A, B or C" */
	const char *exp = strstr(msg, ", expecting ");
	const char *cands[8];
	char candbuf[8][32];
	int n_cands = 0;
	if (exp) {
		const char *p = exp + strlen(", expecting ");
		const char *names[8];
		size_t lens[8];
		int n = 0;
		while (*p && n < 8) {
			const char *e = strstr(p, " or ");
			size_t len = e ? (size_t)(e - p) : strlen(p);
			names[n] = p;
			lens[n++] = len;
			p += len + (e ? 4 : 0);
			if (!e)
				break;
		}
		puts_(&b, ", expected ");
		for (int i = 0; i < n; i++) {
			if (i > 0)
				puts_(&b, i == n - 1 ? " or " : ", ");
			put_name(&b, names[i], lens[i]);
			if (!is_class(names[i], lens[i]) && names[i][0] != '\'' && lens[i] < 32) {
				memcpy(candbuf[n_cands], names[i], lens[i]);
				candbuf[n_cands][lens[i]] = 0;
				cands[n_cands] = candbuf[n_cands];
				n_cands++;
			}
		}
	}
	/* A name where a keyword belongs is most often a misspelt keyword:
	 * suggest one of those expected here, or any keyword when bison had
	 * too many to list. A keyword where a name belongs is a reserved word. */
	if (ps->tok == TK_IDENT && ps->tok_len < 64) {
		char word[64];
		memcpy(word, ps->tok_text, (size_t)ps->tok_len);
		word[ps->tok_len] = 0;
		const char *all[128];
		const char *s;
		if (exp)
			s = fe_suggest(word, cands, n_cands);
		else
			s = fe_suggest(word, all, fe_keyword_list(all, 128));
		if (s) {
			puts_(&b, "; did you mean '");
			puts_(&b, s);
			puts_(&b, "'?");
		} else if (strcmp(word, "add") == 0) {
			puts_(&b, "; residual adds are implicit: a block of stride 1 whose input and output widths match adds its input");
		}
	} else if (exp && strstr(exp, "name") && ps->tok >= TK_TARGET && ps->tok <= TK_SEED) {
		puts_(&b, " (a keyword cannot be used as a name)");
	}
	if (ps->tok == TK_YYEOF && !exp)
		puts_(&b, "; is a '}' missing?");
	/* A statement that starts a line where the last one did not end is
	 * the classic missing ';'. */
	bool semi_fits = !exp || strstr(exp, "';'");
	if (semi_fits && ps->prev_end.line && at.line > ps->prev_end.line && ps->prev_tok != ';' &&
	    ps->prev_tok != '{' && ps->prev_tok != '}') {
		char tmp[64];
		snprintf(tmp, sizeof(tmp), "; is a ';' missing at the end of line %d?", ps->prev_end.line);
		puts_(&b, tmp);
	}
	qf_diag_error(ps->diag, at, "%s", b.buf);
}
