/* parser.y: the .qf grammar (docs/dsl.md is the reference).
 *
 * A pure parser over the reentrant scanner in lexer.l. It builds the
 * syntax tree of ast.h and nothing else: every value is checked later, in
 * check.c and lower.c, where the whole file is in view. Keywords are
 * reserved; attribute names inside a block statement (c, k, s, e, r,
 * wbits, abits) are plain names, so a misspelt one gets a "did you mean"
 * from the checker instead of a bare syntax error.
 *
 * Recovery: a bad statement is skipped up to its ';' (`error ';'`), a bad
 * tail of a { } body up to its '}' (`error '}'`), a bad declaration up to
 * the next ';' or '}', so one run reports every error in the file.
 */
%define api.pure full
%define api.prefix {qf_yy}
%define api.token.prefix {TK_}
%define parse.error detailed
%define parse.lac full
%locations
%expect 0
%parse-param {fe_parser *ps} {void *scanner}
%lex-param {void *scanner}

%code requires {
#include "frontend/ast.h"
}

%union {
	const char *str;
	fe_num num;
	fe_val val;
	fe_nums nums;
	fe_arg *arg;
	fe_args args;
	fe_stmt *stmt;
	fe_stmts stmts;
}

%code {
#include "lexer.h"

static void qf_yyerror(YYLTYPE *at, fe_parser *p, void *scanner, const char *msg)
{
	(void)scanner;
	fe_syntax_error(p, fe_loc(at->first_line, at->first_column), msg);
	fe_note_bad(p, fe_loc(at->first_line, at->first_column));
}

#define L(l) fe_loc((l).first_line, (l).first_column)
#define E(l) fe_loc((l).last_line, (l).last_column)

static fe_stmt *st(fe_parser *p, int kw, const char *text, YYLTYPE at, fe_args args)
{
	fe_stmt *s = fe_stmt_new(p, kw, text, L(at));
	s->args = args.first;
	return s;
}

static fe_stmt *body(fe_parser *p, int kw, const char *text, YYLTYPE at, fe_stmts b)
{
	fe_stmt *s = fe_stmt_new(p, kw, text, L(at));
	s->body = b.first;
	s->has_body = true;
	return s;
}

/* A keyword argument, with an optional numeric operand. */
static fe_arg *key(fe_parser *p, int k, const char *text, YYLTYPE at)
{
	return fe_arg_new(p, k, text, L(at));
}

static fe_arg *keyval(fe_parser *p, int k, const char *text, YYLTYPE at, fe_val v)
{
	fe_arg *a = fe_arg_new(p, k, text, L(at));
	a->val = v;
	return a;
}

static fe_arg *keystr(fe_parser *p, int k, const char *text, YYLTYPE at, const char *s, YYLTYPE sat)
{
	fe_arg *a = fe_arg_new(p, k, text, L(at));
	a->str = s;
	a->str_loc = L(sat);
	return a;
}

/* A positional operand: a number, a set or a shape. */
static fe_arg *pos(fe_parser *p, fe_val v)
{
	fe_arg *a = fe_arg_new(p, 0, NULL, v.loc);
	a->val = v;
	return a;
}

static fe_args one(fe_arg *a)
{
	fe_args l = {0};
	fe_args_add(&l, a);
	return l;
}

static fe_args two(fe_arg *a, fe_arg *b)
{
	fe_args l = one(a);
	if (b)
		fe_args_add(&l, b);
	return l;
}

static fe_args more(fe_args l, fe_arg *a)
{
	fe_args_add(&l, a);
	return l;
}

static fe_stmts push(fe_stmts l, fe_stmt *s)
{
	fe_stmts_add(&l, s);
	return l;
}
}

%token <str> TARGET "target" DATA "data" QUANT "quant" SPACE "space" SEARCH "search"
%token <str> FLASH "flash" RAM "ram" CLOCK "clock"
%token <str> FORMAT "format" TRAIN "train" TEST "test" IMAGES "images" LABELS "labels"
%token <str> INPUT "input" UINT8 "uint8" FLOAT "float" CLASSES "classes" AUGMENT "augment"
%token <str> CROP "crop" PAD "pad" FLIP "flip" HORIZONTAL "horizontal" VALIDATE "validate"
%token <str> WEIGHTS "weights" ACTS "acts" BITS "bits" PER "per" CHANNEL "channel"
%token <str> TENSOR "tensor" SYMMETRIC "symmetric" ASYMMETRIC "asymmetric" SLICE "slice"
%token <str> SCALES "scales" POW2 "pow2" PIN "pin" FIRST "first" LAST "last"
%token <str> METHOD "method" BUDGET "budget" PENALTY "penalty" SCHEDULE "schedule"
%token <str> QAT "qat" PRECISION "precision" FINETUNE "finetune" EPOCH "epoch" EPOCHS "epochs"
%token <str> LR "lr"
%token <str> CONV "conv" DWCONV "dwconv" MBCONV "mbconv" FROST "frost" FC "fc" POOL "pool"
%token <str> MAX "max" AVG "avg" GLOBAL "global" RELU "relu" RELU6 "relu6" HSWISH "hswish"
%token <str> STAGE "stage" DEPTH "depth"
%token <str> SUPERNET "supernet" SANDWICH "sandwich" DISTILL "distill" INPLACE "inplace"
%token <str> STRATEGY "strategy" EVOLUTION "evolution" POPULATION "population"
%token <str> GENERATIONS "generations" GRADIENT "gradient" RANDOM "random" SAMPLES "samples"
%token <str> OBJECTIVE "objective" ACCURACY "accuracy" CONSTRAINT "constraint"
%token <str> LATENCY "latency" SEED "seed"
%token LE "<="
%token LSET "choice set" RSET "'}'"
%token <str> IDENT "name" STRING "string"
%token <num> NUMBER "number"
%token <val> SHAPE "shape"

%type <num> num
%type <val> numset
%type <nums> numlist
%type <stmt> target_stmt data_stmt aug_stmt quant_stmt qt_stmt phase_stmt space_stmt block
%type <stmt> block_kw search_stmt phase
%type <stmts> target_stmts target_body data_stmts data_body aug_stmts aug_body quant_stmts
%type <stmts> quant_body qt_stmts qt_body phase_stmts phase_body space_stmts space_body
%type <stmts> block_stmts block_body search_stmts search_body
%type <arg> split dtype pin term name_arg attr super_opt strategy strat_opt limit
%type <args> splits pins names terms attrs super_opts strat_opts limits

%%

/* file: decl* */
file:
	  %empty
	| file decl
	;

/* decl: "target" STRING (target_body | ';')
 *     | "data" NAME data_body | "quant" NAME quant_body
 *     | "space" NAME space_body | "search" search_body */
decl:
	  TARGET STRING target_body	{ fe_decl_add(ps, TK_TARGET, $2, L(@1), L(@2), E(@3), $3); }
	| TARGET STRING ';'		{ fe_decl_add(ps, TK_TARGET, $2, L(@1), L(@2), E(@3), (fe_stmts){0}); }
	| DATA IDENT data_body		{ fe_decl_add(ps, TK_DATA, $2, L(@1), L(@2), E(@3), $3); }
	| QUANT IDENT quant_body	{ fe_decl_add(ps, TK_QUANT, $2, L(@1), L(@2), E(@3), $3); }
	| SPACE IDENT space_body	{ fe_decl_add(ps, TK_SPACE, $2, L(@1), L(@2), E(@3), $3); }
	| SEARCH search_body		{ fe_decl_add(ps, TK_SEARCH, NULL, L(@1), L(@1), E(@2), $2); }
	| error ';'			{ ps->lost_decl = true; }
	| error '}'			{ ps->lost_decl = true; }
	;

/* num: NUMBER | '-' NUMBER        (a unit, if any, is glued to the number: 64K, 20ms)
 * numset: num | LSET num (',' num)* RSET
 *     (LSET and RSET are the braces of a choice set: the scanner tells a
 *     '{' before a number from one that opens a body) */
num:
	  NUMBER			{ $$ = $1; }
	| '-' NUMBER			{ $$ = fe_num_negate(ps, $2); $$.loc = L(@1); }
	;
numset:
	  num				{ $$ = fe_val_num(ps, $1); }
	| LSET numlist RSET		{ $$ = fe_val_set(ps, $2, L(@1)); }
	;
numlist:
	  num				{ $$ = (fe_nums){0}; fe_nums_add(ps, &$$, $1); }
	| numlist ',' num		{ $$ = $1; fe_nums_add(ps, &$$, $3); }
	;

/* target_body: '{' target_stmt* '}'
 * target_stmt: ("flash" | "ram" | "clock") num ';' */
target_body:
	  '{' target_stmts '}'		{ $$ = $2; }
	| '{' target_stmts error '}'	{ $$ = $2; }
	;
target_stmts:
	  %empty			{ $$ = (fe_stmts){0}; }
	| target_stmts target_stmt	{ $$ = push($1, $2); }
	| target_stmts error ';'	{ $$ = $1; }
	;
target_stmt:
	  FLASH num ';'			{ $$ = st(ps, TK_FLASH, $1, @1, one(pos(ps, fe_val_num(ps, $2)))); }
	| RAM num ';'			{ $$ = st(ps, TK_RAM, $1, @1, one(pos(ps, fe_val_num(ps, $2)))); }
	| CLOCK num ';'			{ $$ = st(ps, TK_CLOCK, $1, @1, one(pos(ps, fe_val_num(ps, $2)))); }
	;

/* data_body: '{' data_stmt* '}'
 * data_stmt: "format" NAME ';'
 *          | ("train" | "test") split+ ';'       split: ("images" | "labels") STRING
 *          | "input" SHAPE ["uint8" | "float"] ';'
 *          | "classes" num ';' | "validate" num ';'
 *          | "augment" aug_body */
data_body:
	  '{' data_stmts '}'		{ $$ = $2; }
	| '{' data_stmts error '}'	{ $$ = $2; }
	;
data_stmts:
	  %empty			{ $$ = (fe_stmts){0}; }
	| data_stmts data_stmt		{ $$ = push($1, $2); }
	| data_stmts error ';'		{ $$ = $1; }
	;
data_stmt:
	  FORMAT IDENT ';'		{ $$ = st(ps, TK_FORMAT, $1, @1, one(keystr(ps, 0, NULL, @2, $2, @2))); }
	| TRAIN splits ';'		{ $$ = st(ps, TK_TRAIN, $1, @1, $2); }
	| TEST splits ';'		{ $$ = st(ps, TK_TEST, $1, @1, $2); }
	| INPUT SHAPE dtype ';'		{ $$ = st(ps, TK_INPUT, $1, @1, two(pos(ps, $2), $3)); }
	| CLASSES num ';'		{ $$ = st(ps, TK_CLASSES, $1, @1, one(pos(ps, fe_val_num(ps, $2)))); }
	| VALIDATE num ';'		{ $$ = st(ps, TK_VALIDATE, $1, @1, one(pos(ps, fe_val_num(ps, $2)))); }
	| AUGMENT aug_body		{ $$ = body(ps, TK_AUGMENT, $1, @1, $2); }
	;
splits:
	  split				{ $$ = one($1); }
	| splits split			{ $$ = more($1, $2); }
	;
split:
	  IMAGES STRING			{ $$ = keystr(ps, TK_IMAGES, $1, @1, $2, @2); }
	| LABELS STRING			{ $$ = keystr(ps, TK_LABELS, $1, @1, $2, @2); }
	;
dtype:
	  %empty			{ $$ = NULL; }
	| UINT8				{ $$ = key(ps, TK_UINT8, $1, @1); }
	| FLOAT				{ $$ = key(ps, TK_FLOAT, $1, @1); }
	;

/* aug_body: '{' aug_stmt* '}'
 * aug_stmt: "crop" num ["pad" num] ';' | "flip" "horizontal" ';' */
aug_body:
	  '{' aug_stmts '}'		{ $$ = $2; }
	| '{' aug_stmts error '}'	{ $$ = $2; }
	;
aug_stmts:
	  %empty			{ $$ = (fe_stmts){0}; }
	| aug_stmts aug_stmt		{ $$ = push($1, $2); }
	| aug_stmts error ';'		{ $$ = $1; }
	;
aug_stmt:
	  CROP num ';'			{ $$ = st(ps, TK_CROP, $1, @1, one(pos(ps, fe_val_num(ps, $2)))); }
	| CROP num PAD num ';'		{ $$ = st(ps, TK_CROP, $1, @1, two(pos(ps, fe_val_num(ps, $2)),
						keyval(ps, TK_PAD, $3, @3, fe_val_num(ps, $4)))); }
	| FLIP HORIZONTAL ';'		{ $$ = st(ps, TK_FLIP, $1, @1, one(key(ps, TK_HORIZONTAL, $2, @2))); }
	;

/* quant_body: '{' quant_stmt* '}'
 * quant_stmt: ("weights" | "acts") qt_body
 *           | "scales" ("pow2" | "float") ';'
 *           | "pin" pin (',' pin)* "bits" num ';'         pin: "first" | "last"
 *           | "method" NAME (',' NAME)* ';'
 *           | "budget" term ('+' term)* "<=" num "penalty" num ';'   term: "weights" | "acts"
 *           | "schedule" phase_body */
quant_body:
	  '{' quant_stmts '}'		{ $$ = $2; }
	| '{' quant_stmts error '}'	{ $$ = $2; }
	;
quant_stmts:
	  %empty			{ $$ = (fe_stmts){0}; }
	| quant_stmts quant_stmt	{ $$ = push($1, $2); }
	| quant_stmts error ';'		{ $$ = $1; }
	;
quant_stmt:
	  WEIGHTS qt_body		{ $$ = body(ps, TK_WEIGHTS, $1, @1, $2); }
	| ACTS qt_body			{ $$ = body(ps, TK_ACTS, $1, @1, $2); }
	| SCALES POW2 ';'		{ $$ = st(ps, TK_SCALES, $1, @1, one(key(ps, TK_POW2, $2, @2))); }
	| SCALES FLOAT ';'		{ $$ = st(ps, TK_SCALES, $1, @1, one(key(ps, TK_FLOAT, $2, @2))); }
	| PIN pins BITS num ';'		{ $$ = st(ps, TK_PIN, $1, @1, more($2, keyval(ps, TK_BITS, $3, @3,
						fe_val_num(ps, $4)))); }
	| METHOD names ';'		{ $$ = st(ps, TK_METHOD, $1, @1, $2); }
	| BUDGET terms LE num PENALTY num ';' {
					  fe_args a = more($2, keyval(ps, TK_LE, "<=", @3, fe_val_num(ps, $4)));
					  $$ = st(ps, TK_BUDGET, $1, @1,
						  more(a, keyval(ps, TK_PENALTY, $5, @5, fe_val_num(ps, $6))));
					}
	| SCHEDULE phase_body		{ $$ = body(ps, TK_SCHEDULE, $1, @1, $2); }
	;
pins:
	  pin				{ $$ = one($1); }
	| pins ',' pin			{ $$ = more($1, $3); }
	;
pin:
	  FIRST				{ $$ = key(ps, TK_FIRST, $1, @1); }
	| LAST				{ $$ = key(ps, TK_LAST, $1, @1); }
	;
names:
	  name_arg			{ $$ = one($1); }
	| names ',' name_arg		{ $$ = more($1, $3); }
	;
name_arg:
	  IDENT				{ $$ = keystr(ps, 0, NULL, @1, $1, @1); }
	;
terms:
	  term				{ $$ = one($1); }
	| terms '+' term		{ $$ = more($1, $3); }
	;
term:
	  WEIGHTS			{ $$ = key(ps, TK_WEIGHTS, $1, @1); }
	| ACTS				{ $$ = key(ps, TK_ACTS, $1, @1); }
	;

/* qt_body: '{' qt_stmt* '}'
 * qt_stmt: "bits" numset ';' | "per" ("channel" | "tensor") ';'
 *        | "symmetric" ';' | "asymmetric" ';' | "slice" num ';' */
qt_body:
	  '{' qt_stmts '}'		{ $$ = $2; }
	| '{' qt_stmts error '}'	{ $$ = $2; }
	;
qt_stmts:
	  %empty			{ $$ = (fe_stmts){0}; }
	| qt_stmts qt_stmt		{ $$ = push($1, $2); }
	| qt_stmts error ';'		{ $$ = $1; }
	;
qt_stmt:
	  BITS numset ';'		{ $$ = st(ps, TK_BITS, $1, @1, one(pos(ps, $2))); }
	| PER CHANNEL ';'		{ $$ = st(ps, TK_PER, $1, @1, one(key(ps, TK_CHANNEL, $2, @2))); }
	| PER TENSOR ';'		{ $$ = st(ps, TK_PER, $1, @1, one(key(ps, TK_TENSOR, $2, @2))); }
	| SYMMETRIC ';'			{ $$ = st(ps, TK_SYMMETRIC, $1, @1, (fe_args){0}); }
	| ASYMMETRIC ';'		{ $$ = st(ps, TK_ASYMMETRIC, $1, @1, (fe_args){0}); }
	| SLICE num ';'			{ $$ = st(ps, TK_SLICE, $1, @1, one(pos(ps, fe_val_num(ps, $2)))); }
	;

/* phase_body: '{' phase_stmt* '}'
 * phase_stmt: ("float" | "qat" | "precision" | "finetune") num ("epoch" | "epochs") ["lr" num] ';' */
phase_body:
	  '{' phase_stmts '}'		{ $$ = $2; }
	| '{' phase_stmts error '}'	{ $$ = $2; }
	;
phase_stmts:
	  %empty			{ $$ = (fe_stmts){0}; }
	| phase_stmts phase_stmt	{ $$ = push($1, $2); }
	| phase_stmts error ';'		{ $$ = $1; }
	;
phase_stmt:
	  phase num epochs ';'		{ $$ = $1; $$->args = pos(ps, fe_val_num(ps, $2)); }
	| phase num epochs LR num ';'	{
					  $$ = $1;
					  $$->args = two(pos(ps, fe_val_num(ps, $2)),
							 keyval(ps, TK_LR, $4, @4, fe_val_num(ps, $5))).first;
					}
	;
phase:
	  FLOAT				{ $$ = fe_stmt_new(ps, TK_FLOAT, $1, L(@1)); }
	| QAT				{ $$ = fe_stmt_new(ps, TK_QAT, $1, L(@1)); }
	| PRECISION			{ $$ = fe_stmt_new(ps, TK_PRECISION, $1, L(@1)); }
	| FINETUNE			{ $$ = fe_stmt_new(ps, TK_FINETUNE, $1, L(@1)); }
	;
epochs:
	  EPOCH | EPOCHS
	;

/* space_body: '{' space_stmt* '}'
 * space_stmt: "input" SHAPE ';' | block | "stage" "depth" numset block_body
 * block_body: '{' block* '}'
 * block: block_kw attr* ';'
 * block_kw: "conv" | "dwconv" | "mbconv" | "frost" | "fc" | "pool" | "relu" | "relu6" | "hswish"
 * attr: NAME numset | numset | "relu" | "relu6" | "hswish" | "max" | "avg" | "global" */
space_body:
	  '{' space_stmts '}'		{ $$ = $2; }
	| '{' space_stmts error '}'	{ $$ = $2; }
	;
space_stmts:
	  %empty			{ $$ = (fe_stmts){0}; }
	| space_stmts space_stmt	{ $$ = push($1, $2); }
	| space_stmts error ';'		{ $$ = $1; }
	;
space_stmt:
	  INPUT SHAPE ';'		{ $$ = st(ps, TK_INPUT, $1, @1, one(pos(ps, $2))); }
	| block				{ $$ = $1; }
	| STAGE DEPTH numset block_body	{
					  $$ = body(ps, TK_STAGE, $1, @1, $4);
					  $$->args = keyval(ps, TK_DEPTH, $2, @2, $3);
					}
	;
block_body:
	  '{' block_stmts '}'		{ $$ = $2; }
	| '{' block_stmts error '}'	{ $$ = $2; }
	;
block_stmts:
	  %empty			{ $$ = (fe_stmts){0}; }
	| block_stmts block		{ $$ = push($1, $2); }
	| block_stmts error ';'		{ $$ = $1; }
	;
block:
	  block_kw attrs ';'		{ $$ = $1; $$->args = $2.first; }
	;
block_kw:
	  CONV				{ $$ = fe_stmt_new(ps, TK_CONV, $1, L(@1)); }
	| DWCONV			{ $$ = fe_stmt_new(ps, TK_DWCONV, $1, L(@1)); }
	| MBCONV			{ $$ = fe_stmt_new(ps, TK_MBCONV, $1, L(@1)); }
	| FROST				{ $$ = fe_stmt_new(ps, TK_FROST, $1, L(@1)); }
	| FC				{ $$ = fe_stmt_new(ps, TK_FC, $1, L(@1)); }
	| POOL				{ $$ = fe_stmt_new(ps, TK_POOL, $1, L(@1)); }
	| RELU				{ $$ = fe_stmt_new(ps, TK_RELU, $1, L(@1)); }
	| RELU6				{ $$ = fe_stmt_new(ps, TK_RELU6, $1, L(@1)); }
	| HSWISH			{ $$ = fe_stmt_new(ps, TK_HSWISH, $1, L(@1)); }
	;
attrs:
	  %empty			{ $$ = (fe_args){0}; }
	| attrs attr			{ $$ = more($1, $2); }
	;
attr:
	  IDENT numset			{ $$ = keyval(ps, 0, $1, @1, $2); }
	| numset			{ $$ = pos(ps, $1); }
	| RELU				{ $$ = key(ps, TK_RELU, $1, @1); }
	| RELU6				{ $$ = key(ps, TK_RELU6, $1, @1); }
	| HSWISH			{ $$ = key(ps, TK_HSWISH, $1, @1); }
	| MAX				{ $$ = key(ps, TK_MAX, $1, @1); }
	| AVG				{ $$ = key(ps, TK_AVG, $1, @1); }
	| GLOBAL			{ $$ = key(ps, TK_GLOBAL, $1, @1); }
	;

/* search_body: '{' search_stmt* '}'
 * search_stmt: ("space" | "quant" | "data") NAME ';' | "target" STRING ';'
 *            | "supernet" super_opt+ ';'
 *                  super_opt: "epochs" num | "sandwich" num | "distill" "inplace"
 *            | "strategy" ("evolution" | "gradient" | "random") strat_opt* ';'
 *                  strat_opt: "population" num | "generations" num | "samples" num
 *            | "objective" "max" "accuracy" ';'
 *            | "constraint" limit (',' limit)* ';'
 *                  limit: ("flash" | "ram" | "latency") "<=" num
 *            | "seed" num ';' */
search_body:
	  '{' search_stmts '}'		{ $$ = $2; }
	| '{' search_stmts error '}'	{ $$ = $2; }
	;
search_stmts:
	  %empty			{ $$ = (fe_stmts){0}; }
	| search_stmts search_stmt	{ $$ = push($1, $2); }
	| search_stmts error ';'	{ $$ = $1; }
	;
search_stmt:
	  SPACE IDENT ';'		{ $$ = st(ps, TK_SPACE, $1, @1, one(keystr(ps, 0, NULL, @2, $2, @2))); }
	| QUANT IDENT ';'		{ $$ = st(ps, TK_QUANT, $1, @1, one(keystr(ps, 0, NULL, @2, $2, @2))); }
	| DATA IDENT ';'		{ $$ = st(ps, TK_DATA, $1, @1, one(keystr(ps, 0, NULL, @2, $2, @2))); }
	| TARGET STRING ';'		{ $$ = st(ps, TK_TARGET, $1, @1, one(keystr(ps, 0, NULL, @2, $2, @2))); }
	| SUPERNET super_opts ';'	{ $$ = st(ps, TK_SUPERNET, $1, @1, $2); }
	| STRATEGY strategy strat_opts ';' {
					  fe_args a = one($2);
					  if ($3.first) {
						  a.last->next = $3.first;
						  a.last = $3.last;
					  }
					  $$ = st(ps, TK_STRATEGY, $1, @1, a);
					}
	| OBJECTIVE MAX ACCURACY ';'	{ $$ = st(ps, TK_OBJECTIVE, $1, @1, two(key(ps, TK_MAX, $2, @2),
						key(ps, TK_ACCURACY, $3, @3))); }
	| CONSTRAINT limits ';'		{ $$ = st(ps, TK_CONSTRAINT, $1, @1, $2); }
	| SEED num ';'			{ $$ = st(ps, TK_SEED, $1, @1, one(pos(ps, fe_val_num(ps, $2)))); }
	;
super_opts:
	  super_opt			{ $$ = one($1); }
	| super_opts super_opt		{ $$ = more($1, $2); }
	;
super_opt:
	  EPOCHS num			{ $$ = keyval(ps, TK_EPOCHS, $1, @1, fe_val_num(ps, $2)); }
	| SANDWICH num			{ $$ = keyval(ps, TK_SANDWICH, $1, @1, fe_val_num(ps, $2)); }
	| DISTILL INPLACE		{ $$ = key(ps, TK_DISTILL, $1, @1); }
	;
strategy:
	  EVOLUTION			{ $$ = key(ps, TK_EVOLUTION, $1, @1); }
	| GRADIENT			{ $$ = key(ps, TK_GRADIENT, $1, @1); }
	| RANDOM			{ $$ = key(ps, TK_RANDOM, $1, @1); }
	;
strat_opts:
	  %empty			{ $$ = (fe_args){0}; }
	| strat_opts strat_opt		{ $$ = more($1, $2); }
	;
strat_opt:
	  POPULATION num		{ $$ = keyval(ps, TK_POPULATION, $1, @1, fe_val_num(ps, $2)); }
	| GENERATIONS num		{ $$ = keyval(ps, TK_GENERATIONS, $1, @1, fe_val_num(ps, $2)); }
	| SAMPLES num			{ $$ = keyval(ps, TK_SAMPLES, $1, @1, fe_val_num(ps, $2)); }
	;
limits:
	  limit				{ $$ = one($1); }
	| limits ',' limit		{ $$ = more($1, $3); }
	;
limit:
	  FLASH LE num			{ $$ = keyval(ps, TK_FLASH, $1, @1, fe_val_num(ps, $3)); }
	| RAM LE num			{ $$ = keyval(ps, TK_RAM, $1, @1, fe_val_num(ps, $3)); }
	| LATENCY LE num		{ $$ = keyval(ps, TK_LATENCY, $1, @1, fe_val_num(ps, $3)); }
	;

%%

const char *fe_token_text(int tok)
{
	return yysymbol_name(YYTRANSLATE(tok));
}

/* The keyword spellings, in the order of the %token lines above. */
int fe_keyword_list(const char **out, int cap)
{
	int n = 0;
	for (int s = YYSYMBOL_TARGET; s <= YYSYMBOL_SEED && n < cap; s++)
		out[n++] = yysymbol_name((yysymbol_kind_t)s);
	return n;
}

int fe_parse(fe_parser *ps)
{
	yyscan_t scanner;
	if (qf_yylex_init_extra(ps, &scanner) != 0)
		qf_die("cannot start the scanner");
	YY_BUFFER_STATE buf = qf_yy_scan_bytes(ps->src, (int)ps->len, scanner);
	ps->line = 1;
	ps->col = 1;
	int rc = qf_yyparse(ps, scanner);
	qf_yy_delete_buffer(buf, scanner);
	qf_yylex_destroy(scanner);
	return rc;
}
