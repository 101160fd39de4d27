/* emit.c: from a planned Int Graph to an object file: build the module,
 * verify it (LLVMVerifyModule, before any pass: a module that fails is our
 * bug, not the user's), run default<O2> or default<Os>, verify again, and
 * make the object (and assembly) in memory; then model.h, and the output
 * folder replaced whole. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Object.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include "backends/llvm/llvm_internal.h"

#ifndef QF_VERSION
#define QF_VERSION "0.1.0"
#endif

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return 1e3 * (double)ts.tv_sec + 1e-6 * (double)ts.tv_nsec;
}

/* The C identifier: as the C backend makes it (lower case, '_' for
 * anything else, 'm' first when it would not start with a letter). */
static void c_name(const char *want, const char *model, char *out, size_t size)
{
	const char *s = want ? want : model;
	size_t o = 0;
	if (!isalpha((unsigned char)s[0]))
		out[o++] = 'm';
	for (; *s && o + 1 < size; s++)
		out[o++] = isalnum((unsigned char)*s) ? (char)tolower((unsigned char)*s) : '_';
	out[o] = 0;
}

static void verify(LLVMModuleRef m, const char *when)
{
	char *msg = NULL;
	if (LLVMVerifyModule(m, LLVMReturnStatusAction, &msg)) {
		/* print the broken module's start for whoever debugs it */
		qf_die("llvm backend: the module fails LLVM's verifier %s: %s", when, msg ? msg : "");
	}
	LLVMDisposeMessage(msg);
}

/* Builds and verifies the module for ig into c (context owned by caller). */
static void build(qf_lc *c, LLVMContextRef cx, LLVMTargetMachineRef tm, const qf_igraph *ig, const qf_target *t,
		  const qf_llvm_opts *o, char *name)
{
	memset(c, 0, sizeof(*c));
	c->cx = cx;
	c->ig = ig;
	c->t = t;
	c->o = o;
	c->name = name;
	c->m = LLVMModuleCreateWithNameInContext(name, cx);
	LLVMSetSourceFileName(c->m, name, strlen(name));
	LLVMSetTarget(c->m, t->triple);
	LLVMTargetDataRef dl = LLVMCreateTargetDataLayout(tm);
	LLVMSetModuleDataLayout(c->m, dl);
	LLVMDisposeTargetData(dl);
	qf_lc_build(c);
	verify(c->m, "as built");
}

static LLVMCodeGenOptLevel cg_level(const qf_llvm_opts *o)
{
	return o->level == QF_LLVM_OS ? LLVMCodeGenLevelDefault : LLVMCodeGenLevelAggressive;
}

char *qf_llvm_module_text(const qf_igraph *ig, const qf_target *t, const qf_llvm_opts *o, qf_diag *d)
{
	QF_ASSERT(ig->stage == QF_ISTAGE_PLANNED);
	LLVMTargetMachineRef tm = qf_llvm_machine(t, cg_level(o), d);
	if (!tm)
		return NULL;
	char name[64];
	c_name(o->name, ig->name, name, sizeof name);
	LLVMContextRef cx = LLVMContextCreate();
	qf_lc c;
	build(&c, cx, tm, ig, t, o, name);
	char *s = LLVMPrintModuleToString(c.m);
	char *r = qf_xstrdup(s);
	LLVMDisposeMessage(s);
	qf_lc_free(&c);
	LLVMDisposeModule(c.m);
	LLVMContextDispose(cx);
	LLVMDisposeTargetMachine(tm);
	return r;
}

static int emit_mem(LLVMTargetMachineRef tm, LLVMModuleRef m, LLVMCodeGenFileType kind, uint8_t **p, size_t *n,
		    const qf_target *t, qf_diag *d)
{
	/* code generation rewrites the IR it is given: emit from a copy */
	LLVMModuleRef copy = LLVMCloneModule(m);
	char *err = NULL;
	LLVMMemoryBufferRef mb = NULL;
	int rc = 0;
	if (LLVMTargetMachineEmitToMemoryBuffer(tm, copy, kind, &err, &mb)) {
		qf_diag_error(d, (qf_loc){0, 0}, "target '%s': LLVM cannot emit %s: %s", t->name,
			      kind == LLVMObjectFile ? "an object" : "assembly", err ? err : "");
		rc = -1;
	} else {
		*n = LLVMGetBufferSize(mb);
		*p = qf_xmalloc(*n + 1);
		memcpy(*p, LLVMGetBufferStart(mb), *n);
		(*p)[*n] = 0;
		LLVMDisposeMemoryBuffer(mb);
	}
	LLVMDisposeMessage(err);
	LLVMDisposeModule(copy);
	return rc;
}

/* Code and read-only data of the object, from its section table. */
static void sizes(LLVMContextRef cx, const uint8_t *obj, size_t n, qf_llvm_summary *s)
{
	LLVMMemoryBufferRef mb = LLVMCreateMemoryBufferWithMemoryRange((const char *)obj, n, "model.o", 0);
	char *err = NULL;
	LLVMBinaryRef bin = LLVMCreateBinary(mb, cx, &err);
	if (!bin)
		qf_die("llvm backend: LLVM cannot read the object it made: %s", err ? err : "");
	LLVMSectionIteratorRef it = LLVMObjectFileCopySectionIterator(bin);
	for (; !LLVMObjectFileIsSectionIteratorAtEnd(bin, it); LLVMMoveToNextSection(it)) {
		const char *nm = LLVMGetSectionName(it);
		if (!nm)
			continue;
		int64_t sz = (int64_t)LLVMGetSectionSize(it);
		if (strncmp(nm, ".text", 5) == 0)
			s->text_bytes += sz;
		else if (strncmp(nm, ".rodata", 7) == 0)
			s->const_bytes += sz;
	}
	LLVMDisposeSectionIterator(it);
	LLVMDisposeBinary(bin);
	LLVMDisposeMemoryBuffer(mb);
}

/* ------------------------------------------------------------ model.h */

/* The C backend's model.h (backends/c/cgen.c), word for word where the two
 * agree, so firmware includes either without change; the arena size is
 * this backend's. */
static char *model_h(const qf_igraph *ig, const char *nm, const char *source, const qf_target *t, int64_t arena)
{
	qf_sbuf b = {0};
	char up[64];
	size_t i = 0;
	for (; nm[i] && i + 1 < sizeof up; i++)
		up[i] = (char)toupper((unsigned char)nm[i]);
	up[i] = 0;
	const qf_itensor *in = &ig->t[ig->input], *lo = &ig->t[ig->output];
	qf_sbuf_printf(&b,
	    "/* model.h: %s, an integer-only classifier generated by qforge %s%s%s.\n"
	    " * Do not edit: regenerate with qforge emit.\n"
	    " *\n"
	    " *   int qf_%s_run(const uint8_t *in, int8_t *out_logits, void *arena);\n"
	    " *\n"
	    " * in          the image, QF_%s_IN_H x QF_%s_IN_W x QF_%s_IN_C raw bytes,\n"
	    " *             channels interleaved (H x W x C); the network reads byte b as\n"
	    " *             the real value (b - 128 - (%d)) * %.9g\n"
	    " * out_logits  QF_%s_CLASSES int8 logits: real = (q - QF_%s_OUT_ZP) * %.9g;\n"
	    " *             the class is the index of the largest (the first on ties)\n"
	    " * arena       QF_%s_ARENA_BYTES bytes of RAM, 4-byte aligned: every\n"
	    " *             activation and kernel scratch buffer; nothing is kept in it\n"
	    " *             between calls\n"
	    " * returns     0, or a negative qf_rt_status (-1: a NULL pointer, -4: a\n"
	    " *             misaligned arena)\n"
	    " * All state is in the arena: calls on different arenas may run at once.\n"
	    " * No malloc, no floating point, nothing from libc.\n"
	    " * %s requantisation; %d layers. The code is model.o, compiled by\n"
	    " * qforge's LLVM backend for %s (%s, CPU %s%s%s). */\n"
	    "#ifndef QF_%s_MODEL_H\n#define QF_%s_MODEL_H\n\n#include <stdint.h>\n\n",
	    nm, QF_VERSION, source ? " from " : "", source ? source : "", nm, up, up, up, (int)in->zp, in->scale, up, up,
	    lo->scale, up, ig->pow2 ? "Power-of-two (shift-only)" : "Q31 multiplier and shift", ig->nn, t->name,
	    t->triple, t->cpu, t->llvm_features[0] ? ", features " : "", t->llvm_features, up, up);
	qf_sbuf_printf(&b, "#define QF_%s_IN_H %d\n#define QF_%s_IN_W %d\n#define QF_%s_IN_C %d\n", up, in->h, up, in->w, up, in->c);
	qf_sbuf_printf(&b, "#define QF_%s_IN_BYTES %lld\n", up, (long long)qf_itensor_elems(in));
	qf_sbuf_printf(&b, "#define QF_%s_CLASSES %d\n#define QF_%s_OUT_ZP (%d)\n", up, ig->classes, up, (int)lo->zp);
	qf_sbuf_printf(&b, "#define QF_%s_ARENA_BYTES %lld\n", up, (long long)arena);
	qf_sbuf_printf(&b, "#define QF_%s_LAYERS %d\n\n", up, ig->nn);
	qf_sbuf_printf(&b, "int qf_%s_run(const uint8_t *in, int8_t *out_logits, void *arena);\n\n#endif\n", nm);
	return b.p;
}

/* ------------------------------------------------------------ compile */

int qf_llvm_compile(const qf_igraph *ig, const qf_target *t, const qf_llvm_opts *o, qf_llvm_result *r, qf_diag *d)
{
	QF_ASSERT(ig->stage == QF_ISTAGE_PLANNED);
	memset(r, 0, sizeof(*r));
	double t0 = now_ms();
	LLVMTargetMachineRef tm = qf_llvm_machine(t, cg_level(o), d);
	if (!tm)
		return -1;
	qf_llvm_summary *s = &r->sum;
	c_name(o->name, ig->name, s->name, sizeof s->name);
	LLVMContextRef cx = LLVMContextCreate();
	qf_lc c;
	build(&c, cx, tm, ig, t, o, s->name);
	s->arena_bytes = c.arena_bytes;
	s->dsp = c.dsp;
	for (int i = 0; i < ig->nn; i++)
		s->fused_pools += c.fused[i] >= 0;
	s->layers = ig->nn;
	double t1 = now_ms();
	s->build_ms = t1 - t0;

	LLVMPassBuilderOptionsRef pbo = LLVMCreatePassBuilderOptions();
	LLVMErrorRef e = LLVMRunPasses(c.m, o->level == QF_LLVM_OS ? "default<Os>" : "default<O2>", tm, pbo);
	LLVMDisposePassBuilderOptions(pbo);
	if (e) {
		char *msg = LLVMGetErrorMessage(e);
		qf_die("llvm backend: LLVM's pass pipeline failed: %s", msg);
	}
	verify(c.m, "after the passes");
	double t2 = now_ms();
	s->opt_ms = t2 - t1;

	int rc = 0;
	if (o->emit_llvm) {
		char *txt = LLVMPrintModuleToString(c.m);
		r->ll = qf_xstrdup(txt);
		LLVMDisposeMessage(txt);
	}
	size_t n;
	uint8_t *asm_text = NULL;
	if (o->emit_asm && emit_mem(tm, c.m, LLVMAssemblyFile, &asm_text, &n, t, d) != 0)
		rc = -1;
	r->s = (char *)asm_text;
	if (!rc && emit_mem(tm, c.m, LLVMObjectFile, &r->obj, &r->obj_len, t, d) != 0)
		rc = -1;
	s->codegen_ms = now_ms() - t2;
	if (!rc) {
		sizes(cx, r->obj, r->obj_len, s);
		r->model_h = model_h(ig, s->name, o->source, t, c.arena_bytes);
	}
	qf_lc_free(&c);
	LLVMDisposeModule(c.m);
	LLVMContextDispose(cx);
	LLVMDisposeTargetMachine(tm);
	if (rc)
		qf_llvm_result_free(r);
	return rc;
}

void qf_llvm_result_free(qf_llvm_result *r)
{
	free(r->obj);
	free(r->model_h);
	free(r->ll);
	free(r->s);
	r->obj = NULL;
	r->model_h = r->ll = r->s = NULL;
}

/* ------------------------------------------------------------ the folder */

int qf_emit_llvm(const qf_igraph *ig, const qf_target *t, const char *out_dir, const qf_llvm_opts *o,
		 qf_llvm_summary *s, qf_diag *d)
{
	qf_outdir od;
	if (qf_outdir_open(&od, out_dir, d) != 0)
		return -1;
	qf_llvm_result r;
	if (qf_llvm_compile(ig, t, o, &r, d) != 0) {
		qf_outdir_abort(&od);
		return -1;
	}
	int rc = 0;
	rc |= qf_write_file(od.tmp, "model.o", r.obj, r.obj_len, d);
	rc |= qf_write_file(od.tmp, "model.h", r.model_h, strlen(r.model_h), d);
	if (r.ll)
		rc |= qf_write_file(od.tmp, "model.ll", r.ll, strlen(r.ll), d);
	if (r.s)
		rc |= qf_write_file(od.tmp, "model.s", r.s, strlen(r.s), d);
	if (rc)
		qf_outdir_abort(&od);
	else
		rc = qf_outdir_commit(&od, d);
	if (!rc && s)
		*s = r.sum;
	qf_llvm_result_free(&r);
	return rc;
}
