/* bench.c: `qforge bench`: a .qfm model emitted as C, built with the
 * firmware harness (tests/fw/model_main.c, model.mk), run on test images
 * under QEMU (or natively for the host target), and held to the integer
 * reference: accuracy computed on the emulated MCU, whether every logit is
 * the reference's, instructions per inference (SysTick under -icount), the
 * model's flash (its functions and constants in the linked image) and RAM
 * (arena + the stack one inference used). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backends/c/cgen.h"
#include "backends/llvm/llvm_backend.h"
#include "driver.h"
#include "interp/interp.h"
#include "passes/passes.h"

enum { OPT_TARGET, OPT_BACKEND, OPT_IMAGES, OPT_CPU, OPT_CC, OPT_KERNELS, OPT_KEEP, OPT_DATA, OPT_QF, OPT_JSON, N_OPTS };
static const qf_opt opts[N_OPTS] = {
	[OPT_TARGET] = {"target", 0, "T", "cortex-m4, cortex-m7, host, or a target XML file (required)"},
	[OPT_BACKEND] = {"backend", 0, "NAME", "c (the default) or llvm (model.o by the LLVM backend, built for the\n"
					    "                         target's own CPU)"},
	[OPT_IMAGES] = {"images", 0, "N", "test images to run (default 100)"},
	[OPT_CPU] = {"cpu", 0, "CPU", "build for and run on this core instead of the target's:\n"
				      "                         cortex-m3 (mps2-an385), cortex-m4 (mps2-an386),\n"
				      "                         cortex-m7 (mps2-an500)"},
	[OPT_CC] = {"cc", 0, "CC", "the compiler for the host target (default cc)"},
	[OPT_KERNELS] = {"kernels", 0, "K", "runtime (default) or ref: runtime/ref's plain reference\n"
					    "                         kernels, for comparison"},
	[OPT_KEEP] = {"keep", 0, "DIR", "build in DIR (created; must not exist) and keep it"},
	[OPT_DATA] = {"data", 0, "NAME", "the data block (default: the one the model was trained on)"},
	[OPT_QF] = {"qf", 0, "FILE", "the .qf holding the data block (default: the model's source)"},
	[OPT_JSON] = {"json", 0, NULL, "print one JSON object on stdout instead of the table"},
};

/* QEMU boards for the cores the firmware harness runs on. */
static const struct {
	const char *cpu, *machine;
} boards[] = {
	{"cortex-m3", "mps2-an385"},
	{"cortex-m4", "mps2-an386"},
	{"cortex-m7", "mps2-an500"},
};

static const char *const harness[] = {"model_main.c", "startup.c", "tick.c", "tick.h", "link.ld", "model.mk"};

#define MAX_LAYERS 256

typedef struct {
	int images, correct, mismatches, first_bad;
	bool counts;                 /* instruction counts measured (not on the host) */
	int64_t instr_mean;
	int64_t layer[MAX_LAYERS];
	int n_layers;
	int64_t stack;               /* -1 unmeasured */
	int64_t flash, model_text, model_const;
	char calibration[200];
} result;

/* ------------------------------------------------------------ processes */

/* Runs argv in dir with stdout (and stderr, when err is NULL) into out;
 * kills it after timeout_s. The exit status, or -1 when it could not run or
 * timed out (reported). */
static int run_cmd(char *const argv[], const char *dir, const char *out, const char *err, int timeout_s, qf_diag *d)
{
	/* the child's freopen would flush a copy of our buffered output */
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		qf_diag_error(d, (qf_loc){0, 0}, "cannot start %s: %s", argv[0], strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (dir && chdir(dir) != 0)
			_exit(126);
		FILE *o = freopen(out, "w", stdout);
		FILE *e = freopen(err ? err : out, err ? "w" : "a", stderr);
		if (!o || !e)
			_exit(126);
		if (!err)
			dup2(fileno(stdout), fileno(stderr));
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	struct timespec start, tick = {0, 20 * 1000 * 1000};
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int status;
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid) {
			if (WIFEXITED(status)) {
				if (WEXITSTATUS(status) == 127) {
					qf_diag_error(d, (qf_loc){0, 0}, "cannot run '%s': is it installed?", argv[0]);
					return -1;
				}
				return WEXITSTATUS(status);
			}
			qf_diag_error(d, (qf_loc){0, 0}, "%s died of signal %d", argv[0], WTERMSIG(status));
			return -1;
		}
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > timeout_s) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			qf_diag_error(d, (qf_loc){0, 0}, "%s did not finish in %d s", argv[0], timeout_s);
			return -1;
		}
		nanosleep(&tick, NULL);
	}
}

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = qf_xmalloc(n);
	snprintf(p, n, "%s/%s", a, b);
	return p;
}

/* The last lines of a log, as a note. */
static void note_log(const char *path, qf_diag *d)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char tail[1501];
	size_t n = 0;
	if (fseek(f, -1500, SEEK_END) != 0)
		rewind(f);
	n = fread(tail, 1, sizeof tail - 1, f);
	fclose(f);
	tail[n] = 0;
	if (n)
		qf_diag_note(d, (qf_loc){0, 0}, "%s ends:\n%s", path, tail);
}

/* ------------------------------------------------------------ the build folder */

static int write_images(const char *dir, const qf_dataset *ds, int n, int bytes, qf_diag *d)
{
	char *path = join(dir, "images.c");
	FILE *f = fopen(path, "w");
	if (!f) {
		qf_diag_file_error(d, path, 0, "cannot write: %s", strerror(errno));
		free(path);
		return -1;
	}
	uint8_t *img = qf_xmalloc((size_t)bytes);
	fprintf(f, "/* images.c: %d test images for the firmware harness (qforge bench). */\n#include <stdint.h>\n\n",
		n);
	fprintf(f, "const int32_t fw_n_images = %d, fw_image_bytes = %d;\nconst uint8_t fw_images[%lld] = {\n", n, bytes,
		(long long)n * bytes);
	for (int i = 0; i < n; i++) {
		qf_image_hwc(ds, &ds->test, i, img);
		for (int k = 0; k < bytes; k++)
			fprintf(f, "%d,%s", img[k], k % 24 == 23 || k == bytes - 1 ? "\n" : "");
	}
	fprintf(f, "};\nconst uint8_t fw_labels[%d] = {", n);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%s%d", i ? "," : "", i % 32 ? "" : "\n", ds->test.label[i]);
	fprintf(f, "\n};\n");
	free(img);
	int rc = 0;
	if (ferror(f) | (fclose(f) != 0)) {
		qf_diag_file_error(d, path, 0, "cannot write: %s", strerror(errno));
		rc = -1;
	}
	free(path);
	return rc;
}

static int copy_harness(const char *dir, qf_diag *d)
{
	for (size_t i = 0; i < sizeof harness / sizeof harness[0]; i++) {
		char rel[64];
		snprintf(rel, sizeof rel, "tests/fw/%s", harness[i]);
		size_t len;
		char *text = qf_source_file(rel, &len, d);
		if (!text || qf_write_file(dir, harness[i], text, len, d) != 0) {
			free(text);
			return -1;
		}
		free(text);
	}
	return 0;
}

/* ------------------------------------------------------------ results */

static int parse_logits(const char *s, int8_t *z, int classes)
{
	for (int c = 0; c < classes; c++) {
		char *end;
		long v = strtol(s, &end, 10);
		if (end == s || v < -128 || v > 127)
			return -1;
		z[c] = (int8_t)v;
		s = end;
		if (c + 1 < classes) {
			if (*s != ',')
				return -1;
			s++;
		}
	}
	return 0;
}

/* Reads the harness's output against the reference logits. */
static int parse_run(const char *path, const int8_t *want, int n, int classes, result *r, qf_diag *d)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		qf_diag_file_error(d, path, 0, "cannot read: %s", strerror(errno));
		return -1;
	}
	char line[4096];
	int8_t *z = qf_xmalloc((size_t)classes);
	bool done = false;
	r->first_bad = -1;
	while (fgets(line, sizeof line, f)) {
		int i, label, k, off = 0;
		unsigned long long instr, a, b, c;
		if (sscanf(line, "image %d label %d class %d instructions %llu logits %n", &i, &label, &k, &instr, &off) ==
			    4 &&
		    off > 0) {
			if (i != r->images || i >= n || parse_logits(line + off, z, classes) != 0) {
				qf_diag_error(d, (qf_loc){0, 0}, "bad line from the firmware: %s", line);
				break;
			}
			r->images++;
			r->correct += k == label;
			if (memcmp(z, want + (int64_t)i * classes, (size_t)classes) != 0) {
				r->mismatches++;
				if (r->first_bad < 0)
					r->first_bad = i;
			}
		} else if (sscanf(line, "layer %d instructions %llu", &i, &instr) == 2 && i >= 0 && i < MAX_LAYERS) {
			r->layer[i] = (int64_t)instr;
			r->n_layers = i + 1 > r->n_layers ? i + 1 : r->n_layers;
		} else if (sscanf(line, "stack %llu", &a) == 1) {
			r->stack = (int64_t)a;
		} else if (sscanf(line, "done images %llu correct %llu instructions_mean %llu", &a, &b, &c) == 3) {
			r->instr_mean = (int64_t)c;
			done = true;
		} else if (strncmp(line, "calibration:", 12) == 0) {
			snprintf(r->calibration, sizeof r->calibration, "%.150s", line + 13);
			r->calibration[strcspn(r->calibration, "\n")] = 0;
		}
	}
	fclose(f);
	free(z);
	if (!done || r->images != n) {
		qf_diag_error(d, (qf_loc){0, 0}, "the firmware stopped after %d of %d images", r->images, n);
		note_log(path, d);
		return -1;
	}
	return 0;
}

/* Flash the model takes in fw.elf: the sizes of the symbols that the
 * model's own objects (model/, runtime kernels) define, as linked. */
static int measure_flash(const char *dir, result *r, qf_diag *d)
{
	char *objs_path = join(dir, "model_objs.txt"), *objs = NULL, *list = join(dir, "nm_objs.txt"),
	     *elf = join(dir, "nm_elf.txt");
	size_t len;
	int rc = -1;
	char **names = NULL;
	int nn = 0;
	int64_t cap = 0;
	if (qf_read_file(objs_path, 1 << 20, &objs, &len, d) != 0)
		goto done;
	char *argv[64] = {"arm-none-eabi-nm", "--defined-only"};
	int ac = 2;
	for (char *tok = strtok(objs, " \n"); tok && ac < 62; tok = strtok(NULL, " \n"))
		argv[ac++] = tok;
	argv[ac] = NULL;
	if (run_cmd(argv, dir, list, "/dev/null", 60, d) != 0)
		goto done;
	char *argv2[] = {"arm-none-eabi-nm", "-S", "--defined-only", "fw.elf", NULL};
	if (run_cmd(argv2, dir, elf, "/dev/null", 60, d) != 0)
		goto done;
	/* types from the objects (the linker script puts constants in .text,
	 * so the image's letters say code for both), sizes from the image
	 * (what --gc-sections kept) */
	FILE *f = fopen(list, "r");
	char line[512], name[256], type[8];
	char *kind = NULL;
	unsigned long long addr, size;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "%llx %7s %255s", &addr, type, name) == 3 && strchr("tTrR", type[0])) {
			qf_grow(&names, &cap, nn + 1, sizeof(char *));
			int64_t kc = nn;
			qf_grow(&kind, &kc, nn + 1, 1);
			kind[nn] = (char)(type[0] | 0x20);
			names[nn++] = qf_xstrdup(name);
		}
	if (f)
		fclose(f);
	f = fopen(elf, "r");
	while (f && fgets(line, sizeof line, f)) {
		if (sscanf(line, "%llx %llx %7s %255s", &addr, &size, type, name) != 4)
			continue;
		int k = -1;
		for (int i = 0; i < nn && k < 0; i++)
			if (strcmp(names[i], name) == 0)
				k = i;
		if (k < 0)
			continue;
		if (kind[k] == 't')
			r->model_text += (int64_t)size;
		else
			r->model_const += (int64_t)size;
	}
	if (f)
		fclose(f);
	free(kind);
	r->flash = r->model_text + r->model_const;
	rc = r->flash > 0 ? 0 : -1;
	if (rc)
		qf_diag_error(d, (qf_loc){0, 0}, "found none of the model's symbols in %s/fw.elf", dir);
done:
	for (int i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	free(objs);
	free(objs_path);
	free(list);
	free(elf);
	return rc;
}

/* ------------------------------------------------------------ the run */

typedef struct {
	const char *path;
	const char *const *v;
	int images;
	bool ref;                    /* the reference kernels */
	bool llvm;                   /* the LLVM backend's object instead of C */
} job;

static void kint_or_null(qf_json *j, const char *key, int64_t v)
{
	qf_json_key(j, key);
	if (v >= 0)
		qf_json_int(j, v);
	else
		qf_json_null(j);
}

static void print_result(const job *jb, const qf_target *t, const char *cpu, const char *machine,
			 const qf_igraph *ig, const result *r, double ref_acc, int64_t arena)
{
	double acc = r->images ? 100.0 * r->correct / r->images : 0;
	/* the cores whose builds take the runtime's DSP path */
	bool dsp = strcmp(cpu, "cortex-m4") == 0 || strcmp(cpu, "cortex-m7") == 0;
	bool exact = r->mismatches == 0;
	int64_t ram = r->stack >= 0 ? arena + r->stack : -1;
	if (jb->v[OPT_JSON]) {
		qf_json j;
		qf_json_init(&j, stdout);
		qf_json_object(&j, false);
		qf_json_kdouble(&j, "accuracy", acc);
		qf_json_kbool(&j, "bit_exact", exact);
		/* null where the host has nothing to measure */
		kint_or_null(&j, "instructions_per_inference", r->counts ? r->instr_mean : -1);
		kint_or_null(&j, "flash_bytes", r->flash > 0 ? r->flash : -1);
		kint_or_null(&j, "ram_bytes", ram);
		qf_json_kstr(&j, "model", jb->path);
		qf_json_kstr(&j, "target", t->name);
		qf_json_kstr(&j, "cpu", cpu);
		qf_json_kstr(&j, "machine", machine);
		qf_json_kstr(&j, "kernels", jb->ref ? "ref" : jb->llvm ? "llvm" : "runtime");
		qf_json_kint(&j, "images", r->images);
		qf_json_kint(&j, "correct", r->correct);
		qf_json_kdouble(&j, "reference_accuracy", ref_acc);
		qf_json_kint(&j, "mismatched_images", r->mismatches);
		qf_json_kint(&j, "arena_bytes", arena);
		if (r->stack >= 0)
			qf_json_kint(&j, "stack_bytes", r->stack);
		if (r->flash > 0) {
			qf_json_kint(&j, "code_bytes", r->model_text);
			qf_json_kint(&j, "const_bytes", r->model_const);
		}
		if (r->counts) {
			qf_json_key(&j, "layers");
			qf_json_array(&j, false);
			for (int i = 0; i < r->n_layers && i < ig->nn; i++) {
				qf_json_object(&j, true);
				qf_json_kstr(&j, "name", ig->n[i].name);
				qf_json_kstr(&j, "op", qf_iop_name[ig->n[i].op]);
				qf_json_kstr(&j, "kernel", jb->ref ? "reference" : jb->llvm ? "llvm" : qf_cgen_impl(ig, &ig->n[i], dsp));
				qf_json_kint(&j, "macs", ig->n[i].macs);
				qf_json_kint(&j, "instructions", r->layer[i]);
				qf_json_end(&j);
			}
			qf_json_end(&j);
			qf_json_kstr(&j, "counting", r->calibration);
		}
		qf_json_end(&j);
		qf_json_finish(&j);
		return;
	}
	char a[QF_FMT_INT_SIZE], b[QF_FMT_INT_SIZE], c[QF_FMT_INT_SIZE];
	printf("%s on %s (%s, QEMU %s), %d test images%s\n", jb->path, t->name, cpu, machine, r->images,
	       jb->ref ? ", reference kernels" : "");
	printf("accuracy            %.2f%% computed on the %s (integer reference %.2f%%)\n", acc,
	       r->counts ? "emulated MCU" : "host", ref_acc);
	printf("bit_exact           %s", exact ? "yes: every logit equals the integer reference's\n" : "NO: ");
	if (!exact)
		printf("%d images differ, the first is image %d\n", r->mismatches, r->first_bad);
	if (r->counts) {
		printf("instructions        %s per inference (instructions, not cycles; %s)\n",
		       qf_fmt_int(a, sizeof a, r->instr_mean), r->calibration);
		int64_t sum = 0;
		for (int i = 0; i < r->n_layers && i < ig->nn; i++) {
			const qf_inode *n = &ig->n[i];
			sum += r->layer[i];
			printf("  %-24s %-8s %-17s %12s", n->name, qf_iop_name[n->op],
			       jb->ref ? "reference" : jb->llvm ? "llvm" : qf_cgen_impl(ig, n, dsp),
			       qf_fmt_int(a, sizeof a, r->layer[i]));
			if (n->macs)
				printf("  %6.2f/MAC", (double)r->layer[i] / (double)n->macs);
			printf("\n");
		}
		if (r->n_layers > ig->nn)
			sum += r->layer[ig->nn];
		printf("  %-51s %12s (layers sum to this with the glue)\n", "sum", qf_fmt_int(a, sizeof a, sum));
	}
	if (r->flash > 0)
		printf("flash               %s bytes (code %s + constants %s, as linked)\n",
		       qf_fmt_int(a, sizeof a, r->flash), qf_fmt_int(b, sizeof b, r->model_text),
		       qf_fmt_int(c, sizeof c, r->model_const));
	if (ram >= 0)
		printf("RAM                 %s bytes (arena %s + stack %s, measured)\n", qf_fmt_int(a, sizeof a, ram),
		       qf_fmt_int(b, sizeof b, arena), qf_fmt_int(c, sizeof c, r->stack));
}

static int run(const job *jb, qf_diag *d)
{
	const char *const *v = jb->v;
	int rc = QF_EXIT_USER;
	qf_program *p = NULL;
	qf_dataset ds;
	memset(&ds, 0, sizeof ds);
	qf_igraph *ig = NULL;
	int8_t *want = NULL;
	char *dir = NULL;
	bool made = false;
	qf_target t;
	const char *cpu = NULL, *machine = "none (native)";
	qf_graph *g = qf_qfm_read(jb->path, d);
	if (!g || qf_target_load(v[OPT_TARGET], &t, d) != 0)
		goto done;
	bool host = strcmp(t.isa, "x86_64") == 0 || strcmp(t.name, "host") == 0;
	if (host) {
		if (v[OPT_CPU]) {
			qf_usage_error(d, "bench", "--cpu is for the Cortex-M targets, not '%s'", t.name);
			goto done;
		}
		cpu = "host";
	} else {
		cpu = v[OPT_CPU] ? v[OPT_CPU] : t.cpu;
		machine = NULL;
		for (size_t i = 0; i < sizeof boards / sizeof boards[0]; i++)
			if (strcmp(boards[i].cpu, cpu) == 0)
				machine = boards[i].machine;
		if (!machine) {
			qf_diag_error(d, (qf_loc){0, 0},
				      "bench has no QEMU board for core '%s' (target %s): it runs cortex-m3, cortex-m4 "
				      "and cortex-m7 (give --cpu), or the host target",
				      cpu, t.name);
			goto done;
		}
	}
	if (jb->llvm && !host && strcmp(cpu, t.cpu) != 0) {
		qf_usage_error(d, "bench", "--backend llvm builds for the target's CPU (%s), not --cpu %s", t.cpu, cpu);
		goto done;
	}
	if (!(p = qf_model_program(g, jb->path, v[OPT_QF], d)))
		goto done;
	const qf_data *spec = qf_model_data(p, g, v[OPT_DATA], d);
	if (!spec || qf_dataset_load(spec, -1, jb->images, &ds, d) != 0 || qf_dataset_check_input(&ds, g, d) != 0)
		goto done;
	if (!(ig = qf_lower(g, d)))
		goto done;
	qf_cgen_summary s;
	qf_cgen_measure(ig, "model", &s);
	if (qf_cgen_check_fit(ig, &s, &t, d) != 0)
		goto done;
	int n = ds.test.n;
	int bytes = (int)qf_itensor_elems(&ig->t[ig->input]);
	/* the reference logits */
	want = qf_xmalloc((size_t)n * (size_t)ig->classes);
	qf_intref *ref = qf_intref_new(ig);
	uint8_t *img = qf_xmalloc((size_t)bytes);
	int ref_correct = 0;
	for (int i = 0; i < n; i++) {
		int8_t *z = want + (int64_t)i * ig->classes;
		qf_image_hwc(&ds, &ds.test, i, img);
		qf_intref_run(ref, img, z);
		int k = 0;
		for (int c = 1; c < ig->classes; c++)
			if (z[c] > z[k])
				k = c;
		ref_correct += k == ds.test.label[i];
	}
	free(img);
	qf_intref_free(ref);
	/* the build folder */
	if (v[OPT_KEEP]) {
		dir = qf_xstrdup(v[OPT_KEEP]);
		if (mkdir(dir, 0777) != 0) {
			qf_diag_file_error(d, dir, 0, "cannot create the build folder: %s", strerror(errno));
			goto done;
		}
	} else {
		const char *tmpd = getenv("TMPDIR");
		dir = join(tmpd && *tmpd ? tmpd : "/tmp", "qforge-bench.XXXXXX");
		if (!mkdtemp(dir)) {
			qf_diag_file_error(d, dir, 0, "cannot create the build folder: %s", strerror(errno));
			goto done;
		}
	}
	made = true;
	char *mdir = join(dir, "model");
	qf_cgen_opts co = {.out_dir = mdir, .name = "model", .source = jb->path, .ref_kernels = jb->ref};
	qf_llvm_opts lo = {.name = "model", .source = jb->path, .layer_hook = "fw_layer"};
	qf_llvm_summary ls;
	int erc = jb->llvm ? qf_emit_llvm(ig, &t, mdir, &lo, &ls, d) : qf_cgen_emit(ig, &co, &s, d);
	int64_t arena = jb->llvm && !erc ? ls.arena_bytes : ig->arena_bytes;
	/* model.mk compiles the C files of model/; the LLVM backend's object
	 * goes in as it is (NULL ends the make command early for C) */
	const char *objv = jb->llvm ? (host ? "MODEL_SRC=model/model.o" : "FW_MODEL_OBJ=model/model.o") : NULL;
	free(mdir);
	if (erc || write_images(dir, &ds, n, bytes, d) || copy_harness(dir, d))
		goto done;
	char *log = join(dir, "build.log"), *out = join(dir, "run.log");
	result r;
	memset(&r, 0, sizeof r);
	r.stack = -1;
	int st;
	if (host) {
		char cc[300];
		snprintf(cc, sizeof cc, "HOST_CC=%s", v[OPT_CC] ? v[OPT_CC] : "cc");
		char *mk[] = {"make", "-s", "-f", "model.mk", "host", cc, (char *)objv, NULL};
		st = run_cmd(mk, dir, log, NULL, 600, d);
		if (st == 0) {
			char *argv[] = {"./host_model", NULL};
			st = run_cmd(argv, dir, out, NULL, 600, d);
		}
	} else {
		char cpuv[80];
		snprintf(cpuv, sizeof cpuv, "CPU=%s", cpu);
		char *mk[] = {"make", "-s", "-f", "model.mk", "fw", cpuv, (char *)objv, NULL};
		st = run_cmd(mk, dir, log, NULL, 600, d);
		if (st == 0) {
			char *argv[] = {"qemu-system-arm", "-M", (char *)machine, "-cpu", (char *)cpu, "-nographic",
					"-monitor", "none", "-serial", "none", "-semihosting-config",
					"enable=on,target=native", "-icount", "shift=0", "-kernel", "fw.elf", NULL};
			/* about 100 M instructions a second under -icount: generous */
			st = run_cmd(argv, dir, out, NULL, 120 + n, d);
		}
		r.counts = true;
	}
	if (st != 0) {
		if (st > 0) {
			qf_diag_error(d, (qf_loc){0, 0}, "building or running the model failed (status %d) in %s", st, dir);
			note_log(log, d);
			note_log(out, d);
		}
	}
	if (st == 0 && parse_run(out, want, n, ig->classes, &r, d) == 0 && (host || measure_flash(dir, &r, d) == 0)) {
		print_result(jb, &t, cpu, machine, ig, &r, 100.0 * ref_correct / (n ? n : 1), arena);
		rc = r.mismatches ? QF_EXIT_USER : QF_EXIT_OK;
		if (r.mismatches)
			qf_diag_error(d, (qf_loc){0, 0},
				      "the emitted model differs from the integer reference on %d of %d images (first: "
				      "image %d); the build is in %s",
				      r.mismatches, n, r.first_bad, dir);
		if (r.mismatches && !jb->v[OPT_KEEP])
			made = false; /* keep the evidence */
	}
	free(log);
	free(out);
done:
	if (made && dir && !jb->v[OPT_KEEP] && rc == QF_EXIT_OK) {
		char *argv[] = {"rm", "-rf", dir, NULL};
		run_cmd(argv, NULL, "/dev/null", NULL, 60, d);
	}
	free(dir);
	free(want);
	qf_igraph_free(ig);
	qf_dataset_free(&ds);
	qf_program_free(p);
	qf_graph_free(g);
	return rc;
}

int qf_cmd_bench(int argc, char **argv)
{
	static const char usage[] = "qforge bench MODEL.qfm --target T [--backend c|llvm] [--images N] [--cpu CPU] [--json]";
	qf_diag *d = qf_diag_new(stderr);
	const char *path = NULL, *v[N_OPTS] = {0};
	int rc = QF_EXIT_USER;
	switch (qf_args_one(argc, argv, opts, N_OPTS, usage,
			"Emits MODEL.qfm as C, builds it with the firmware harness (tests/fw) and\n"
			"runs it on N test images under QEMU (mps2 boards, -icount shift=0), or\n"
			"natively for the host target. Prints the accuracy computed by the\n"
			"emulated MCU, whether every logit equals the integer reference's\n"
			"(bit_exact), instructions per inference and per layer (SysTick; they are\n"
			"instructions, not cycles), the model's flash as linked and its RAM (arena\n"
			"+ measured stack). Needs make, arm-none-eabi-gcc and qemu-system-arm.\n"
			"Exit status 1 when a logit differs.",
			".qfm file", &path, v, d)) {
	case QF_ARG_HELP:
		rc = QF_EXIT_OK;
		goto out;
	case QF_ARG_ERROR:
		goto usage;
	}
	if (!v[OPT_TARGET]) {
		qf_usage_error(d, "bench", "no target given (--target cortex-m4, host, ...)");
		goto usage;
	}
	bool llvm = v[OPT_BACKEND] && strcmp(v[OPT_BACKEND], "llvm") == 0;
	if (v[OPT_BACKEND] && !llvm && strcmp(v[OPT_BACKEND], "c") != 0) {
		qf_usage_error(d, "bench", "--backend '%s': give c or llvm", v[OPT_BACKEND]);
		goto usage;
	}
	uint64_t images = 100;
	if (v[OPT_IMAGES] && (!qf_parse_u64(v[OPT_IMAGES], &images) || images < 1 || images > 10000)) {
		qf_usage_error(d, "bench", "--images '%s' is not a number from 1 to 10000", v[OPT_IMAGES]);
		goto usage;
	}
	if (v[OPT_KERNELS] && strcmp(v[OPT_KERNELS], "ref") != 0 && strcmp(v[OPT_KERNELS], "runtime") != 0) {
		qf_usage_error(d, "bench", "--kernels '%s' is not runtime or ref", v[OPT_KERNELS]);
		goto usage;
	}
	job jb = {path, v, (int)images, v[OPT_KERNELS] && strcmp(v[OPT_KERNELS], "ref") == 0, llvm};
	if (jb.ref && llvm) {
		qf_usage_error(d, "bench", "--kernels is for the c backend");
		goto usage;
	}
	rc = run(&jb, d);
	if (rc != QF_EXIT_OK)
		qf_diag_summary(d);
	goto out;
usage:
	qf_usage_hint("bench");
out:
	qf_diag_free(d);
	return rc;
}
