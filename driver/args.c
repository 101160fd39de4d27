/* args.c: option parsing and small helpers every subcommand shares, so
 * that all of them spell options, errors and numbers the same way. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "driver.h"
#include "frontend/frontend.h"

void qf_args_init(qf_args *a, int argc, char **argv, const qf_opt *opts, int n_opts, qf_diag *d)
{
	QF_ASSERT(argc >= 1 && n_opts <= QF_MAX_OPTS);
	memset(a, 0, sizeof(*a));
	a->argc = argc;
	a->argv = argv;
	a->i = 1;
	a->cmd = argv[0];
	a->opts = opts;
	a->n_opts = n_opts;
	a->d = d;
}

int qf_args_one(int argc, char **argv, const qf_opt *opts, int n_opts, const char *usage, const char *about,
		const char *what, const char **path, const char **v, qf_diag *d)
{
	qf_args a;
	int o;
	*path = NULL;
	qf_args_init(&a, argc, argv, opts, n_opts, d);
	while ((o = qf_args_next(&a)) != QF_ARG_END) {
		if (o == QF_ARG_HELP) {
			qf_print_help(stdout, usage, about, opts, n_opts);
			return QF_ARG_HELP;
		}
		if (o == QF_ARG_ERROR)
			return QF_ARG_ERROR;
		if (o == QF_ARG_POS) {
			if (*path) {
				qf_usage_error(d, a.cmd, "one %s expected, got '%s' and '%s'", what, *path, a.value);
				return QF_ARG_ERROR;
			}
			*path = a.value;
			continue;
		}
		v[o] = a.value ? a.value : "";
	}
	if (!*path) {
		qf_usage_error(d, a.cmd, "no %s given", what);
		return QF_ARG_ERROR;
	}
	return QF_ARG_END;
}

void qf_usage_error(qf_diag *d, const char *cmd, const char *fmt, ...)
{
	char who[64], msg[512];
	va_list ap;
	snprintf(who, sizeof(who), "qforge %s", cmd);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	qf_diag_file_error(d, who, 0, "%s", msg);
}

void qf_usage_hint(const char *cmd)
{
	fprintf(stderr, "run 'qforge %s --help' for usage\n", cmd);
}

/* Marks option o as given. A value given twice is an error, since which
 * of the two should win is a guess; a flag given twice means the same. */
static int take(qf_args *a, int o)
{
	if ((a->seen & (1u << o)) && a->opts[o].metavar) {
		qf_usage_error(a->d, a->cmd, "option --%s given more than once", a->opts[o].name);
		return QF_ARG_ERROR;
	}
	a->seen |= 1u << o;
	return o;
}

static int unknown(qf_args *a, const char *arg, size_t len)
{
	const char *names[QF_MAX_OPTS + 1];
	char spelled[QF_MAX_OPTS + 1][40];
	char given[64];
	int n = 0;
	for (int o = 0; o < a->n_opts; o++) {
		snprintf(spelled[n], sizeof(spelled[n]), "--%s", a->opts[o].name);
		names[n] = spelled[n];
		n++;
	}
	snprintf(spelled[n], sizeof(spelled[n]), "--help");
	names[n] = spelled[n];
	n++;
	if (len > sizeof(given) - 1)
		len = sizeof(given) - 1;
	memcpy(given, arg, len);
	given[len] = 0;
	const char *near = qf_closest(given, names, n);
	if (near)
		qf_usage_error(a->d, a->cmd, "unknown option '%s'; did you mean '%s'?", given, near);
	else
		qf_usage_error(a->d, a->cmd, "unknown option '%s'", given);
	return QF_ARG_ERROR;
}

/* The value of option o: attached (--name=V, -oV) or the next argument. */
static int with_value(qf_args *a, int o, const char *attached, const char *spelling)
{
	if (!a->opts[o].metavar) {
		if (attached) {
			qf_usage_error(a->d, a->cmd, "option %s takes no value", spelling);
			return QF_ARG_ERROR;
		}
		a->value = NULL;
		return take(a, o);
	}
	if (attached) {
		a->value = attached;
		return take(a, o);
	}
	if (a->i >= a->argc) {
		qf_usage_error(a->d, a->cmd, "option %s needs a value (%s)", spelling, a->opts[o].metavar);
		return QF_ARG_ERROR;
	}
	a->value = a->argv[a->i++];
	return take(a, o);
}

int qf_args_next(qf_args *a)
{
	if (a->i >= a->argc)
		return QF_ARG_END;
	const char *arg = a->argv[a->i++];
	a->value = arg;
	/* "-" alone is a positional (a conventional name for stdin/stdout). */
	if (a->only_pos || arg[0] != '-' || arg[1] == 0)
		return QF_ARG_POS;
	if (strcmp(arg, "--") == 0) {
		a->only_pos = true;
		return qf_args_next(a);
	}
	if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
		return QF_ARG_HELP;
	if (arg[1] == '-') {
		const char *name = arg + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		for (int o = 0; o < a->n_opts; o++)
			if (strlen(a->opts[o].name) == len && memcmp(a->opts[o].name, name, len) == 0) {
				char spelling[48];
				snprintf(spelling, sizeof(spelling), "--%s", a->opts[o].name);
				return with_value(a, o, eq ? eq + 1 : NULL, spelling);
			}
		return unknown(a, arg, eq ? (size_t)(eq - arg) : strlen(arg));
	}
	for (int o = 0; o < a->n_opts; o++)
		if (a->opts[o].short_name && a->opts[o].short_name == arg[1]) {
			char spelling[4] = {'-', arg[1], 0, 0};
			return with_value(a, o, arg[2] ? arg + 2 : NULL, spelling);
		}
	return unknown(a, arg, strlen(arg));
}

void qf_print_help(FILE *f, const char *usage, const char *about, const qf_opt *opts, int n_opts)
{
	fprintf(f, "usage: %s\n\n%s\n\noptions:\n", usage, about);
	for (int o = 0; o <= n_opts; o++) {
		char left[64];
		const qf_opt *op = o < n_opts ? &opts[o] : &(qf_opt){"help", 'h', NULL, "print this help and exit"};
		int n = 0;
		if (op->short_name)
			n = snprintf(left, sizeof(left), "-%c, ", op->short_name);
		snprintf(left + n, sizeof(left) - (size_t)n, "--%s%s%s", op->name, op->metavar ? " " : "",
			 op->metavar ? op->metavar : "");
		fprintf(f, "  %-22s %s\n", left, op->help);
	}
}

bool qf_parse_u64(const char *s, uint64_t *v)
{
	if (!s || s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	char *end;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*v = x;
	return true;
}

bool qf_arg_int(const char *s, int lo, int hi, int *out)
{
	uint64_t v;
	if (!qf_parse_u64(s, &v) || v < (uint64_t)lo || v > (uint64_t)hi)
		return false;
	*out = (int)v;
	return true;
}

bool qf_arg_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double x = strtod(s, &end);
	if (!*s || *end || !(x >= lo && x <= hi))
		return false;
	*out = x;
	return true;
}

int qf_probe_output(const char *out, const char *in, const char *in_what, qf_diag *d)
{
	struct stat so, si;
	if (stat(out, &so) == 0) {
		if (in && stat(in, &si) == 0 && so.st_dev == si.st_dev && so.st_ino == si.st_ino) {
			qf_diag_file_error(d, out, 0, "is %s; give another name to write the model to", in_what);
			return -1;
		}
		if (!S_ISREG(so.st_mode) && !S_ISDIR(so.st_mode)) {
			qf_diag_file_error(d, out, 0, "is not a regular file; give a file name to write the model to");
			return -1;
		}
	}
	qf_atomic a;
	if (qf_atomic_open(&a, out, d) != 0)
		return -1;
	qf_atomic_abort(&a);
	return 0;
}

const char *qf_closest(const char *s, const char *const *cands, int n)
{
	return qf_suggest(s, cands, n);
}

const char *qf_fmt_int(char *buf, size_t size, int64_t v)
{
	char digits[24];
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	int n = 0;
	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	size_t o = 0;
	if (v < 0 && o + 1 < size)
		buf[o++] = '-';
	for (int i = n - 1; i >= 0 && o + 1 < size; i--) {
		buf[o++] = digits[i];
		if (i > 0 && i % 3 == 0 && o + 1 < size)
			buf[o++] = ',';
	}
	buf[o] = 0;
	return buf;
}
