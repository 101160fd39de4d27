/* emit.c: `qforge emit`: a .qfm model with quant params as C sources for a
 * target: lowered (passes/), checked against the target's flash and RAM,
 * written by the C backend (backends/c/), or with --backend llvm as an
 * object file by the LLVM backend (backends/llvm/). */
#include <string.h>
#include <time.h>

#include "backends/c/cgen.h"
#include "backends/llvm/llvm_backend.h"
#include "driver.h"
#include "frontend/frontend.h"
#include "passes/passes.h"

enum { OPT_OUT, OPT_BACKEND, OPT_TARGET, OPT_NAME, OPT_JSON, OPT_EMIT_LLVM, OPT_EMIT_ASM, OPT_OPT, N_OPTS };
static const qf_opt opts[N_OPTS] = {
	[OPT_OUT] = {"output", 'o', "DIR", "the folder to write (required); replaced whole"},
	[OPT_BACKEND] = {"backend", 0, "NAME", "c (the default): C sources; llvm: model.o and model.h"},
	[OPT_TARGET] = {"target", 0, "T", "a built-in target (cortex-m4, ...) or a target XML file\n"
					  "                         (default: the target of the model's .qf)"},
	[OPT_NAME] = {"name", 0, "ID", "the C name: qf_ID_run (default: the model's name)"},
	[OPT_JSON] = {"json", 0, NULL, "print one JSON object on stdout instead of the summary"},
	[OPT_EMIT_LLVM] = {"emit-llvm", 0, NULL, "llvm: also model.ll, the optimised module"},
	[OPT_EMIT_ASM] = {"emit-asm", 0, NULL, "llvm: also model.s, the assembly"},
	[OPT_OPT] = {"opt", 0, "O", "llvm: 2 (default<O2>, the default) or s (default<Os>)"},
};

/* The target of the model's .qf, with the flash and RAM it overrides. *p
 * gets the program, which the caller frees after its last message: d
 * quotes the .qf's text from it. */
static int model_target(const qf_graph *g, const char *path, qf_target *t, qf_program **p, qf_diag *d)
{
	if (!g->prov.source) {
		qf_diag_file_error(d, path, 0, "does not say which .qf it came from; give --target");
		return -1;
	}
	*p = qf_load_program(g->prov.source, d);
	if (!*p || qf_diag_errors(d))
		return -1;
	if ((*p)->sel_target < 0) {
		qf_diag_file_error(d, g->prov.source, 0, "names no target; give --target");
		return -1;
	}
	const qf_target_ref *r = &(*p)->targets[(*p)->sel_target];
	if (qf_target_load(r->name, t, d) != 0)
		return -1;
	if (r->flash >= 0)
		t->flash = r->flash;
	if (r->ram >= 0)
		t->ram = r->ram;
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return 1e3 * (double)ts.tv_sec + 1e-6 * (double)ts.tv_nsec;
}

/* --backend llvm: the object and model.h, and what they take. */
static int run_llvm(const qf_igraph *ig, const qf_target *t, const char *path, const char *const *v, double t0,
		    qf_diag *d)
{
	qf_llvm_opts o = {.name = v[OPT_NAME],
			  .source = path,
			  .level = v[OPT_OPT] && strcmp(v[OPT_OPT], "s") == 0 ? QF_LLVM_OS : QF_LLVM_O2,
			  .emit_llvm = v[OPT_EMIT_LLVM] != NULL,
			  .emit_asm = v[OPT_EMIT_ASM] != NULL};
	qf_llvm_summary s;
	if (qf_emit_llvm(ig, t, v[OPT_OUT], &o, &s, d) != 0)
		return QF_EXIT_USER;
	double ms = now_ms() - t0;
	int files = 2 + o.emit_llvm + o.emit_asm;
	int64_t flash = s.text_bytes + s.const_bytes;
	if (v[OPT_JSON]) {
		qf_json j;
		qf_json_init(&j, stdout);
		qf_json_object(&j, false);
		qf_json_kstr(&j, "name", s.name);
		qf_json_kstr(&j, "target", t->name);
		qf_json_kstr(&j, "backend", "llvm");
		qf_json_kstr(&j, "output", v[OPT_OUT]);
		qf_json_kint(&j, "layers", ig->nn);
		qf_json_kint(&j, "files", files);
		qf_json_kint(&j, "flash_bytes", flash);
		qf_json_kint(&j, "const_bytes", s.const_bytes);
		qf_json_kint(&j, "code_bytes", s.text_bytes);
		qf_json_kint(&j, "arena_bytes", s.arena_bytes);
		qf_json_kint(&j, "naive_arena_bytes", ig->naive_bytes);
		qf_json_kbool(&j, "dsp", s.dsp);
		qf_json_kdouble(&j, "cpu_ms", s.build_ms + s.opt_ms + s.codegen_ms);
		qf_json_end(&j);
		qf_json_finish(&j);
		return QF_EXIT_OK;
	}
	char a[QF_FMT_INT_SIZE], b[QF_FMT_INT_SIZE], c[QF_FMT_INT_SIZE], e[QF_FMT_INT_SIZE];
	printf("emitted %s for %s into %s with LLVM (%s, %s%s%s%s): %d layers, %d files, qf_%s_run (%.0f ms)\n",
	       ig->name, t->name, v[OPT_OUT], t->triple, t->cpu, t->llvm_features[0] ? ", " : "", t->llvm_features,
	       s.dsp ? ", DSP" : "", ig->nn, files, s.name, ms);
	printf("flash %s bytes: constants %s + code %s (the object's sections) of %s\n", qf_fmt_int(a, sizeof a, flash),
	       qf_fmt_int(b, sizeof b, s.const_bytes), qf_fmt_int(c, sizeof c, s.text_bytes),
	       qf_fmt_int(e, sizeof e, t->flash));
	printf("RAM   arena %s bytes (+ the stack) of %s; the arena without reuse would be %s\n",
	       qf_fmt_int(a, sizeof a, s.arena_bytes), qf_fmt_int(b, sizeof b, t->ram),
	       qf_fmt_int(c, sizeof c, ig->naive_bytes));
	return QF_EXIT_OK;
}

static int run(const char *path, const char *const *v, qf_diag *d)
{
	double t0 = now_ms();
	int rc = QF_EXIT_USER;
	qf_target t;
	qf_igraph *ig = NULL;
	qf_program *prog = NULL;
	qf_graph *g = qf_qfm_read(path, d);
	if (!g)
		goto done;
	if (v[OPT_TARGET] ? qf_target_load(v[OPT_TARGET], &t, d) != 0 : model_target(g, path, &t, &prog, d) != 0)
		goto done;
	if (!(ig = qf_lower(g, d)))
		goto done;
	qf_cgen_summary s;
	qf_cgen_measure(ig, v[OPT_NAME], &s);
	if (qf_cgen_check_fit(ig, &s, &t, d) != 0)
		goto done;
	if (v[OPT_BACKEND] && strcmp(v[OPT_BACKEND], "llvm") == 0) {
		rc = run_llvm(ig, &t, path, v, t0, d);
		goto done;
	}
	qf_cgen_opts o = {.out_dir = v[OPT_OUT], .name = v[OPT_NAME], .source = path};
	if (qf_cgen_emit(ig, &o, &s, d) != 0)
		goto done;
	double ms = now_ms() - t0;
	int64_t flash = s.const_bytes + s.code_bytes, ram = s.arena_bytes + s.stack_bytes;
	if (v[OPT_JSON]) {
		qf_json j;
		qf_json_init(&j, stdout);
		qf_json_object(&j, false);
		qf_json_kstr(&j, "name", s.name);
		qf_json_kstr(&j, "target", t.name);
		qf_json_kstr(&j, "output", v[OPT_OUT]);
		qf_json_kint(&j, "layers", ig->nn);
		qf_json_kint(&j, "files", s.n_files);
		qf_json_kint(&j, "flash_bytes", flash);
		qf_json_kint(&j, "const_bytes", s.const_bytes);
		qf_json_kint(&j, "code_bytes_estimate", s.code_bytes);
		qf_json_kint(&j, "ram_bytes", ram);
		qf_json_kint(&j, "arena_bytes", s.arena_bytes);
		qf_json_kint(&j, "stack_bytes_estimate", s.stack_bytes);
		qf_json_kint(&j, "naive_arena_bytes", ig->naive_bytes);
		qf_json_end(&j);
		qf_json_finish(&j);
	} else {
		char a[QF_FMT_INT_SIZE], b[QF_FMT_INT_SIZE], c[QF_FMT_INT_SIZE], e[QF_FMT_INT_SIZE];
		printf("emitted %s for %s into %s: %d layers, %d files, qf_%s_run (%.0f ms)\n", ig->name, t.name,
		       v[OPT_OUT], ig->nn, s.n_files, s.name, ms);
		printf("flash %s bytes: constants %s + code about %s (estimate; qforge bench measures it) of %s\n",
		       qf_fmt_int(a, sizeof a, flash), qf_fmt_int(b, sizeof b, s.const_bytes),
		       qf_fmt_int(c, sizeof c, s.code_bytes), qf_fmt_int(e, sizeof e, t.flash));
		printf("RAM   %s bytes: arena %s + stack about %s (estimate) of %s", qf_fmt_int(a, sizeof a, ram),
		       qf_fmt_int(b, sizeof b, s.arena_bytes), qf_fmt_int(c, sizeof c, s.stack_bytes),
		       qf_fmt_int(e, sizeof e, t.ram));
		printf("; the arena without reuse would be %s\n", qf_fmt_int(a, sizeof a, ig->naive_bytes));
	}
	rc = QF_EXIT_OK;
done:
	qf_igraph_free(ig);
	qf_graph_free(g);
	qf_program_free(prog);
	return rc;
}

int qf_cmd_emit(int argc, char **argv)
{
	static const char usage[] = "qforge emit MODEL.qfm [--backend c|llvm] [--target T] -o DIR [--name ID] [--json]\n"
				    "       [--emit-llvm] [--emit-asm] [--opt 2|s]";
	qf_diag *d = qf_diag_new(stderr);
	const char *path = NULL, *v[N_OPTS] = {0};
	int rc = QF_EXIT_USER;
	switch (qf_args_one(argc, argv, opts, N_OPTS, usage,
			"Lowers MODEL.qfm (which needs quant params: see qforge calibrate) to\n"
			"integer-only layers and writes C99 sources into DIR: model.h (the API,\n"
			"documented), model.c (one runtime kernel call per layer), weights.c\n"
			"(const, packed), the runtime kernels it calls and model.mk. DIR builds\n"
			"alone with any C99 compiler; nothing is written when the model does\n"
			"not fit the target's flash or RAM. With --backend llvm, DIR gets\n"
			"model.o (compiled for the target's triple, CPU and features) and the\n"
			"same model.h.",
			".qfm file", &path, v, d)) {
	case QF_ARG_HELP:
		rc = QF_EXIT_OK;
		goto out;
	case QF_ARG_ERROR:
		goto usage;
	}
	if (!v[OPT_OUT] || !*v[OPT_OUT]) {
		qf_usage_error(d, "emit", "no output folder given (-o DIR)");
		goto usage;
	}
	bool llvm = v[OPT_BACKEND] && strcmp(v[OPT_BACKEND], "llvm") == 0;
	if (v[OPT_BACKEND] && !llvm && strcmp(v[OPT_BACKEND], "c") != 0) {
		qf_usage_error(d, "emit", "--backend '%s': give c or llvm", v[OPT_BACKEND]);
		goto usage;
	}
	if (!llvm && (v[OPT_EMIT_LLVM] || v[OPT_EMIT_ASM] || v[OPT_OPT])) {
		qf_usage_error(d, "emit", "--emit-llvm, --emit-asm and --opt are for --backend llvm");
		goto usage;
	}
	if (v[OPT_OPT] && strcmp(v[OPT_OPT], "2") != 0 && strcmp(v[OPT_OPT], "s") != 0) {
		qf_usage_error(d, "emit", "--opt '%s': give 2 (default<O2>) or s (default<Os>)", v[OPT_OPT]);
		goto usage;
	}
	if (v[OPT_NAME]) {
		bool ok = *v[OPT_NAME] && !(v[OPT_NAME][0] >= '0' && v[OPT_NAME][0] <= '9') && strlen(v[OPT_NAME]) < 40;
		for (const char *c = v[OPT_NAME]; *c; c++)
			ok &= (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_';
		if (!ok) {
			qf_usage_error(d, "emit", "--name '%s' is not a C identifier of lower-case letters, digits and _ "
				       "(under 40 characters)", v[OPT_NAME]);
			goto usage;
		}
	}
	rc = run(path, v, d);
	if (rc != QF_EXIT_OK)
		qf_diag_summary(d);
	goto out;
usage:
	qf_usage_hint("emit");
out:
	qf_diag_free(d);
	return rc;
}
