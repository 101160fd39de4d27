/* ast.h: private to frontend/ (the public header is frontend.h).
 *
 * The syntax tree the parser builds, in one arena. The grammar fixes the
 * shape of every statement, so the tree is deliberately plain: a
 * declaration holds statements, a statement is its leading keyword plus
 * arguments, an argument is a keyword or attribute name with an optional
 * operand. The checks in check.c and lower.c give it meaning. Keywords
 * are the parser's token numbers (parser.h), so there is one list of them.
 */
#ifndef QF_FRONTEND_AST_H
#define QF_FRONTEND_AST_H

#include "ir/ir.h"
#include "frontend/frontend.h"

/* A number as written: value, the unit glued to it, and the text for
 * messages (which quote what the user wrote, not a reformatted value). */
typedef struct {
	double v;                    /* sign applied; inf when too large */
	int64_t i;                   /* exact value when is_int && !overflow */
	bool is_int;                 /* written without fraction or exponent */
	bool overflow;               /* an integer past int64 */
	const char *text;            /* "-3", "1e-3", "64K" */
	const char *unit;            /* "K", "ms", ...; NULL when none */
	qf_loc loc, unit_loc;
} fe_num;

/* A numeric operand: one number, a choice set {a, b, c}, or a shape
 * CxHxW (n counts the numbers in each case). */
typedef enum { FE_VAL_NONE, FE_VAL_NUM, FE_VAL_SET, FE_VAL_SHAPE } fe_val_kind;
typedef struct {
	fe_val_kind kind;
	int n;
	fe_num *v;
	qf_loc loc;
} fe_val;

/* One argument of a statement. key is a keyword token (IMAGES, GLOBAL,
 * RELU, LE...), or 0 for a named block attribute (name set: "c", "k")
 * or a positional operand (name NULL). */
typedef struct fe_arg {
	int key;
	const char *name;            /* attribute name, or the keyword as written */
	const char *str;             /* string or name operand; NULL when none */
	qf_loc str_loc;
	fe_val val;                  /* numeric operand */
	qf_loc loc;                  /* of the key (of the operand when positional) */
	struct fe_arg *next;
} fe_arg;

typedef struct fe_stmt {
	int kw;                      /* leading keyword token */
	const char *kwtext;          /* as written, for messages */
	qf_loc loc;
	fe_arg *args;
	struct fe_stmt *body;        /* statements of a { } body (weights, stage...) */
	bool has_body;
	struct fe_stmt *next;
} fe_stmt;

/* target "x" {..}, data NAME {..}, quant NAME {..}, space NAME {..}, search {..} */
typedef struct fe_decl {
	int kw;
	const char *name;            /* NULL for search */
	qf_loc loc, name_loc;
	bool broken;                 /* a syntax error inside: statements may be missing */
	fe_stmt *body;
	struct fe_decl *next;
} fe_decl;

/* Limits that keep absurd input from taking the machine: syntax tree
 * nodes in one file (a 64 MB file of "relu;" would be 13M statements),
 * values stored per set or shape (the rest are counted for the message),
 * and blocks in one lowered space. Real files are far below them: the
 * 5,000-line benchmark space has 6,642 blocks. */
#define FE_LIMIT_NODES 2000000
#define FE_LIMIT_SET_STORED (QF_MAX_VALUES + 1)
#define FE_LIMIT_BLOCKS 100000

/* Lists under construction keep their tail so appending is O(1). */
typedef struct { fe_arg *first, *last; } fe_args;
typedef struct { fe_stmt *first, *last; } fe_stmts;
typedef struct fe_numnode { fe_num num; struct fe_numnode *next; } fe_numnode;
typedef struct { fe_numnode *first, *last; int n; } fe_nums;

/* Parser and scanner state (the scanner's extra data). */
typedef struct fe_parser {
	qf_arena *arena;
	qf_diag *diag;
	const char *src;             /* the text being parsed */
	size_t len;
	int line, col;               /* where the next token starts */
	qf_loc comment_start;
	fe_decl *decls, *decls_last;
	/* The last token scanned, which is the lookahead when bison reports
	 * a syntax error: quoted back in the message. */
	int tok;
	const char *tok_text;
	int tok_len;
	qf_loc tok_end;              /* just past the last token */
	int prev_tok;                /* the token before it, for "missing ';'" */
	qf_loc prev_end;
	/* Where syntax errors were, so the checker does not report as missing
	 * what a syntax error dropped. */
	qf_loc *bad;
	int n_bad;
	int64_t cap_bad;
	bool lost_decl;              /* a whole declaration may have been dropped */
	bool eof_reported;           /* an unterminated comment already said it */
	int64_t nodes;               /* syntax tree nodes so far */
	bool stop;                   /* too large: the scanner ends the file */
	/* Open braces, innermost last: true for a choice set. A set's braces
	 * are their own tokens, so recovery that skips to the '}' of a body
	 * never stops at the end of a set. */
	bool set[64];
	int depth;
} fe_parser;

/* ast.c: constructors used by the grammar actions. */
qf_loc fe_loc(int line, int col);
fe_stmt *fe_stmt_new(fe_parser *ps, int kw, const char *kwtext, qf_loc loc);
fe_arg *fe_arg_new(fe_parser *ps, int key, const char *name, qf_loc loc);
void fe_args_add(fe_args *l, fe_arg *a);
void fe_stmts_add(fe_stmts *l, fe_stmt *s);
void fe_nums_add(fe_parser *ps, fe_nums *l, fe_num n);
fe_val fe_val_num(fe_parser *ps, fe_num n);
fe_val fe_val_set(fe_parser *ps, fe_nums l, qf_loc loc);
void fe_decl_add(fe_parser *ps, int kw, const char *name, qf_loc loc, qf_loc name_loc, qf_loc end,
		 fe_stmts body);
/* Records a syntax (or token) error at `at` for fe_decl_add. */
void fe_note_bad(fe_parser *ps, qf_loc at);
/* Parses the digits of a number token (no sign) and its unit suffix. */
fe_num fe_num_parse(fe_parser *ps, const char *text, int len, qf_loc loc);
fe_num fe_num_negate(fe_parser *ps, fe_num n);
/* A shape token "1x28x28": each part a number. */
fe_val fe_shape_parse(fe_parser *ps, const char *text, int len, qf_loc loc);
/* A syntax error from bison, rewritten to quote the offending token and,
 * for a misspelt keyword, suggest the one that fits. */
void fe_syntax_error(fe_parser *ps, qf_loc at, const char *msg);

/* parser.y: the grammar. Returns nonzero when parsing gave up. */
int fe_parse(fe_parser *ps);
/* The spelling of a keyword token, for messages. */
const char *fe_token_text(int tok);
/* The keyword spellings (at most cap), for suggestions; returns the count. */
int fe_keyword_list(const char **out, int cap);

/* check.c: meaning. Returns the program; the caller throws it away when
 * errors were reported. */
qf_program *fe_check(fe_parser *ps, const char *path);

/* lower.c: one space declaration to the Space IR. q is the selected
 * quant policy (NULL when none), for bits dims. Returns 0 when no error
 * was reported. */
int fe_lower_space(qf_arena *a, qf_diag *d, const fe_decl *decl, const qf_quant *q, qf_space *out);
/* Checks of the selected space against the selected data and quant
 * policy (input shape, classes, slice widths). */
void fe_check_space_against(qf_diag *d, const fe_decl *decl, const qf_space *sp, const qf_data *data,
			    const qf_quant *q);

/* values.c: numbers with their ranges and units, and choice sets. Each
 * reports through d and returns false on a bad value; `what` names the
 * value in messages ("kernel size"). */
bool fe_int(qf_diag *d, const fe_num *n, const char *what, int64_t lo, int64_t hi, int64_t *out);
bool fe_real(qf_diag *d, const fe_num *n, const char *what, double lo, bool lo_open, double hi,
	     double *out);
bool fe_size(qf_diag *d, const fe_num *n, const char *what, int64_t *bytes);
bool fe_time_us(qf_diag *d, const fe_num *n, const char *what, int64_t *us);
bool fe_freq_hz(qf_diag *d, const fe_num *n, const char *what, int64_t *hz);
/* A number or a choice set of integers in lo..hi, distinct, at most
 * QF_MAX_VALUES; values in the order written. */
bool fe_set(qf_diag *d, const fe_val *v, const char *what, int64_t lo, int64_t hi, int32_t *out,
	    int *n);

/* suggest.c */
/* The candidate closest to word by edit distance, or NULL when none is
 * close enough to be a likely misspelling. */
const char *fe_suggest(const char *word, const char *const *cands, int n);

/* A string set with O(1) lookup, for declaration names. */
typedef struct fe_names fe_names;
fe_names *fe_names_new(qf_arena *a, int cap);
/* Returns the index stored under key, or -1 after storing idx there. */
int fe_names_put(fe_names *t, const char *key, int idx);
int fe_names_get(const fe_names *t, const char *key);

#endif
