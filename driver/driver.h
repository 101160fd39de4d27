/* driver.h: the private header of driver/, the qforge command line.
 *
 * main.c dispatches on the table in commands.def; each subcommand lives in
 * driver/<name>.c as qf_cmd_<name>(argc, argv) with argv[0] the subcommand
 * name, returns a QF_EXIT_* code, and handles its own --help. The helpers
 * here (option parsing, a JSON writer, number formatting) keep every
 * subcommand's options, messages and --json output alike.
 */
#ifndef QF_DRIVER_H
#define QF_DRIVER_H

#include "interp/interp.h"
#include "ir/ir.h"

#ifndef QF_VERSION
#define QF_VERSION "0.1.0"
#endif

#define CMD(name, summary) int qf_cmd_##name(int argc, char **argv);
#include "commands.def"
#undef CMD

/* ------------------------------------------------------------ options (args.c)
 *
 * A command declares its options in a table and pulls them one at a time:
 *
 *     enum { OPT_OUT, OPT_JSON };
 *     static const qf_opt opts[] = {
 *         [OPT_OUT] = {"output", 'o', "FILE", "write the model to FILE"},
 *         [OPT_JSON] = {"json", 0, NULL, "print one JSON object on stdout"},
 *     };
 *     qf_args a;
 *     qf_args_init(&a, argc, argv, opts, 2, d);
 *     for (int o; (o = qf_args_next(&a)) != QF_ARG_END;) ...
 *
 * Accepted spellings: --name VALUE, --name=VALUE, -o VALUE, -oVALUE, and
 * "--" to end options. -h and --help are always recognised. An option
 * with a value given twice, an unknown option (with a "did you mean"), a value missing
 * or given to a flag are errors reported through the diag, with the
 * command's name in place of a file name. */
typedef struct {
	const char *name;            /* long name, without "--" */
	char short_name;             /* 0: none */
	const char *metavar;         /* NULL: a flag that takes no value */
	const char *help;
} qf_opt;

enum {
	QF_ARG_END = -1,             /* no more arguments */
	QF_ARG_POS = -2,             /* a positional argument: a.value */
	QF_ARG_HELP = -3,            /* -h or --help */
	QF_ARG_ERROR = -4,           /* reported through the diag */
};

#define QF_MAX_OPTS 32
typedef struct {
	int argc, i;
	char **argv;
	const char *cmd;             /* argv[0]: the subcommand, for messages */
	const qf_opt *opts;
	int n_opts;
	bool only_pos;               /* after "--" */
	uint32_t seen;               /* 1u << option index, to reject repeats */
	const char *value;           /* the current option's value or positional */
	qf_diag *d;
} qf_args;

void qf_args_init(qf_args *a, int argc, char **argv, const qf_opt *opts, int n_opts, qf_diag *d);
/* The index of the next option in opts, or one of QF_ARG_*. */
int qf_args_next(qf_args *a);

/* The whole command line of a command that takes one positional argument
 * (`what` names it in messages: ".qfm file") and the options opts: each
 * given option's value in v[o] ("" for a flag), the positional in *path.
 * QF_ARG_END when all is well; QF_ARG_HELP after printing the help (usage,
 * then about, then the options); QF_ARG_ERROR after reporting a usage
 * error (none or two positionals, an unknown or repeated option) via d. */
int qf_args_one(int argc, char **argv, const qf_opt *opts, int n_opts, const char *usage, const char *about,
		const char *what, const char **path, const char **v, qf_diag *d);

/* A usage error: "qforge CMD: error: ..." through d. */
void qf_usage_error(qf_diag *d, const char *cmd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prints "usage: ..." followed by the option table; for --help. */
void qf_print_help(FILE *f, const char *usage, const char *about, const qf_opt *opts, int n_opts);
/* Points at --help after a usage error. */
void qf_usage_hint(const char *cmd);

/* Parses a decimal unsigned 64-bit integer, the whole string, no sign. */
bool qf_parse_u64(const char *s, uint64_t *v);

/* s as an int in [lo, hi] (qf_parse_u64 rules: decimal, no sign). */
bool qf_arg_int(const char *s, int lo, int hi, int *out);
/* s as a finite double in [lo, hi], the whole string. */
bool qf_arg_double(const char *s, double lo, double hi, double *out);

/* Fails before any work when `out` cannot be written: it is the input
 * file `in` (may be NULL; `in_what` names it in the message, e.g. "the
 * input model"), it exists and is neither a regular file nor a folder (a
 * device or a FIFO: the rename that makes writes atomic would replace
 * it, as root even /dev/null), or its temporary file cannot be created
 * (a folder, a missing or read-only parent). Creates and removes that
 * temporary file; `out` itself is not touched. */
int qf_probe_output(const char *out, const char *in, const char *in_what, qf_diag *d);

/* The candidate closest to s when close enough to be a likely typo, else
 * NULL: the frontend's qf_suggest, so every "did you mean" in qforge,
 * in a .qf file or on the command line, follows one rule. */
const char *qf_closest(const char *s, const char *const *cands, int n);

/* Formats v with thousands separators ("1,234,567") into buf. */
const char *qf_fmt_int(char *buf, size_t size, int64_t v);
#define QF_FMT_INT_SIZE 32

/* ------------------------------------------------------------ JSON (json.c)
 *
 * A streaming writer for the --json output of every subcommand. Nesting
 * and key/value order are checked with QF_ASSERT: misuse is our bug, not
 * the user's. Containers opened "oneline" are written on one line, with
 * everything inside them; the others put each member on its own line. */
#define QF_JSON_DEPTH 16
typedef struct {
	FILE *f;
	int depth;
	char close[QF_JSON_DEPTH];   /* '}' or ']' per open container */
	bool oneline[QF_JSON_DEPTH];
	int count[QF_JSON_DEPTH];    /* members written so far */
	bool want_value;             /* a key was written, its value is next */
	int documents;               /* top-level values written: one allowed */
} qf_json;

void qf_json_init(qf_json *j, FILE *f);
void qf_json_object(qf_json *j, bool oneline);
void qf_json_array(qf_json *j, bool oneline);
void qf_json_end(qf_json *j);
void qf_json_key(qf_json *j, const char *key);
/* NULL writes null. Bytes that are not UTF-8 become U+FFFD. */
void qf_json_string(qf_json *j, const char *s);
void qf_json_int(qf_json *j, int64_t v);
void qf_json_u64(qf_json *j, uint64_t v);   /* seeds use the full 64 bits */
/* The shortest form that reads back to the same double; null for NaN and
 * infinities, which JSON cannot spell. */
void qf_json_double(qf_json *j, double v);
void qf_json_bool(qf_json *j, bool v);
void qf_json_null(qf_json *j);
/* Ends the document with a newline; every container must be closed. */
void qf_json_finish(qf_json *j);

/* key + value in one call. */
void qf_json_kstr(qf_json *j, const char *key, const char *s);
void qf_json_kint(qf_json *j, const char *key, int64_t v);
void qf_json_kdouble(qf_json *j, const char *key, double v);
void qf_json_kbool(qf_json *j, const char *key, bool v);

/* ------------------------------------------------------------ models and their data (train.c)
 *
 * `train` and `eval` find a model's data the same way: the .qf at qf_path,
 * else the one the model was sampled from (its provenance source); in it,
 * the data block named name, else the one the model was trained on (its
 * "train.data" meta; g may be NULL), else the file's selected one. NULL
 * after reporting through d. */
qf_program *qf_model_program(const qf_graph *g, const char *model_path, const char *qf_path, qf_diag *d);
const qf_data *qf_model_data(const qf_program *p, const qf_graph *g, const char *name, qf_diag *d);
/* The images a post-training quantizer calibrates on (calibrate, ptq): the
 * model's data found as above, every training image a candidate (none
 * held out for validation), at most max_train of them and max_test test
 * images read (qf_dataset_load's limits), checked against g's input. *p
 * and *ds are the caller's to free, also after a failure (-1, reported). */
int qf_model_calib_data(const qf_graph *g, const char *model_path, const char *qf_path, const char *data_name,
			int max_train, int max_test, qf_program **p, qf_dataset *ds, qf_diag *d);

#endif
