/* main.c: the qforge entry point. Dispatches on the table in commands.def
 * so that a new subcommand is one CMD line and one file, and the help
 * text cannot fall out of step with what exists. */
#include <errno.h>
#include <string.h>

#include "driver.h"

static const struct {
	const char *name, *summary;
	int (*run)(int argc, char **argv);
} commands[] = {
#define CMD(name, summary) {#name, summary, qf_cmd_##name},
#include "commands.def"
#undef CMD
};
enum { N_COMMANDS = sizeof(commands) / sizeof(commands[0]) };

static void usage(FILE *f)
{
	fputs("usage: qforge COMMAND [OPTIONS] [ARGS]\n\n"
	      "qforge compiles a search space of small quantized CNNs (.qf) into\n"
	      "integer-only models for microcontrollers.\n\ncommands:\n",
	      f);
	for (int i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\noptions:\n"
	      "  --help     print this help and exit\n"
	      "  --version  print the version and exit\n"
	      "\n'qforge COMMAND --help' describes one command.\n"
	      "exit status: 0 success, 1 error in the input or on the command line, 2 internal error\n",
	      f);
}

static int unknown_command(const char *name)
{
	const char *names[N_COMMANDS];
	for (int i = 0; i < N_COMMANDS; i++)
		names[i] = commands[i].name;
	qf_diag *d = qf_diag_new(stderr);
	const char *near = qf_closest(name, names, N_COMMANDS);
	if (near)
		qf_diag_error(d, (qf_loc){0, 0}, "unknown command '%s'; did you mean '%s'?", name, near);
	else
		qf_diag_error(d, (qf_loc){0, 0}, "unknown command '%s'; 'qforge --help' lists the commands",
			      name);
	qf_diag_free(d);
	return QF_EXIT_USER;
}

static int dispatch(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return QF_EXIT_USER;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return QF_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("qforge %s\n", QF_VERSION);
		return QF_EXIT_OK;
	}
	/* "qforge help CMD" is what people type after "git help CMD". */
	if (strcmp(cmd, "help") == 0) {
		if (argc == 2) {
			usage(stdout);
			return QF_EXIT_OK;
		}
		for (int i = 0; i < N_COMMANDS; i++)
			if (strcmp(argv[2], commands[i].name) == 0)
				return commands[i].run(2, (char *[]){argv[2], "--help", NULL});
		return unknown_command(argv[2]);
	}
	if (cmd[0] == '-') {
		qf_diag *d = qf_diag_new(stderr);
		qf_diag_error(d, (qf_loc){0, 0}, "unknown option '%s' before the command", cmd);
		qf_diag_free(d);
		fputs("run 'qforge --help' for usage\n", stderr);
		return QF_EXIT_USER;
	}
	for (int i = 0; i < N_COMMANDS; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	return unknown_command(cmd);
}

int main(int argc, char **argv)
{
	int rc = dispatch(argc, argv);
	/* A full disk or a closed pipe on stdout must not pass as success:
	 * scripts read our --json output and would see half an object. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int e = errno;
		qf_diag *d = qf_diag_new(stderr);
		qf_diag_error(d, (qf_loc){0, 0}, "cannot write to standard output: %s", strerror(e));
		qf_diag_free(d);
		if (rc == QF_EXIT_OK)
			rc = QF_EXIT_USER;
	}
	return rc;
}
