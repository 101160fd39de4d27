/* target.c: LLVM's backends and target machines for the target XML's
 * <llvm triple cpu features>.
 *
 * LLVM 14's C API has no call that says whether a CPU or feature name is
 * known: a target machine made with an unknown one only prints "'x' is not
 * a recognized processor for this target (ignoring processor)" on stderr
 * and carries on with a generic CPU. Emitting code for another CPU than
 * asked would be silently wrong, so we catch those lines: stderr goes to a
 * temporary file while the machine is made (and its subtarget with it),
 * and any line of that form becomes an error. This briefly redirects the
 * process's fd 2, which is harmless in the single-threaded driver. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <llvm-c/Target.h>

#include "backends/llvm/llvm_internal.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init(void)
{
	LLVMInitializeARMTargetInfo();
	LLVMInitializeARMTarget();
	LLVMInitializeARMTargetMC();
	LLVMInitializeARMAsmPrinter();
	LLVMInitializeARMAsmParser(); /* the one-line inline assembly of dense.c */
	LLVMInitializeRISCVTargetInfo();
	LLVMInitializeRISCVTarget();
	LLVMInitializeRISCVTargetMC();
	LLVMInitializeRISCVAsmPrinter();
	LLVMInitializeX86TargetInfo();
	LLVMInitializeX86Target();
	LLVMInitializeX86TargetMC();
	LLVMInitializeX86AsmPrinter();
}

void qf_llvm_init(void)
{
	pthread_once(&init_once, init);
}

bool qf_llvm_target_dsp(const qf_target *t)
{
	bool arm = strncmp(t->triple, "thumb", 5) == 0 || strncmp(t->triple, "arm", 3) == 0;
	return arm && (t->features & (1u << QF_FEAT_DSP)) && strstr(t->llvm_features, "-dsp") == NULL;
}

static bool is_host(const qf_target *t)
{
	return strncmp(t->triple, "x86_64", 6) == 0 && strstr(t->triple, "linux");
}

/* Reports each "... is not a recognized ..." line LLVM wrote. */
static int complaints(const char *text, const qf_target *t, qf_diag *d)
{
	int n = 0;
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len && memmem(p, len, "is not a recognized", 19)) {
			bool cpu = memmem(p, len, "processor", 9) != NULL;
			/* LLVM says the same thing once per subtarget it makes */
			if (n == 0 || !cpu)
				qf_diag_error(d, (qf_loc){0, 0},
					      "target '%s': LLVM 14 does not know the %s %.*s (the target's <llvm %s=\"%s\">)",
					      t->name, cpu ? "CPU" : "feature", (int)(strchr(p, ' ') ? strchr(p, ' ') - p : 0),
					      p, cpu ? "cpu" : "features", cpu ? t->cpu : t->llvm_features);
			n++;
		}
		p += len + (e ? 1 : 0);
	}
	return n;
}

LLVMTargetMachineRef qf_llvm_machine(const qf_target *t, LLVMCodeGenOptLevel level, qf_diag *d)
{
	qf_llvm_init();
	if (!t->triple[0]) {
		qf_diag_error(d, (qf_loc){0, 0}, "target '%s' has no LLVM triple (<llvm triple=...> in its XML)", t->name);
		return NULL;
	}
	LLVMTargetRef T;
	char *err = NULL;
	if (LLVMGetTargetFromTriple(t->triple, &T, &err)) {
		qf_diag_error(d, (qf_loc){0, 0},
			      "target '%s': this qforge's LLVM cannot compile for '%s' (%s); it has the ARM, RISC-V "
			      "and x86 backends",
			      t->name, t->triple, err ? err : "unknown triple");
		LLVMDisposeMessage(err);
		return NULL;
	}
	LLVMRelocMode reloc = is_host(t) ? LLVMRelocPIC : LLVMRelocStatic;
	/* catch LLVM's warnings about unknown CPUs and features (see above) */
	FILE *cap = tmpfile();
	int saved = -1;
	if (cap) {
		fflush(stderr);
		saved = dup(2);
		if (saved < 0 || dup2(fileno(cap), 2) < 0) {
			if (saved >= 0)
				close(saved);
			saved = -1;
		}
	}
	LLVMTargetMachineRef tm =
		LLVMCreateTargetMachine(T, t->triple, t->cpu, t->llvm_features, level, reloc, LLVMCodeModelDefault);
	if (saved >= 0) {
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
	}
	char text[4096] = "";
	if (cap) {
		rewind(cap);
		size_t n = fread(text, 1, sizeof text - 1, cap);
		text[n] = 0;
		fclose(cap);
	}
	if (!tm) {
		qf_diag_error(d, (qf_loc){0, 0}, "target '%s': LLVM made no target machine for %s, CPU %s, features '%s'",
			      t->name, t->triple, t->cpu, t->llvm_features);
		return NULL;
	}
	if (complaints(text, t, d)) {
		LLVMDisposeTargetMachine(tm);
		return NULL;
	}
	if (text[0])
		fputs(text, stderr); /* anything else LLVM said: not ours to hide */
	return tm;
}

int qf_llvm_check_target(const qf_target *t, qf_diag *d)
{
	LLVMTargetMachineRef tm = qf_llvm_machine(t, LLVMCodeGenLevelDefault, d);
	if (!tm)
		return -1;
	LLVMDisposeTargetMachine(tm);
	return 0;
}
