/* test_llvm.c: the LLVM backend (backends/llvm/).
 *
 * Bit-exactness against the integer reference (interp/intref.c), which
 * shares no code with the backend:
 *  - random chains of every op at every width (8/4-bit activations,
 *    8/4/2-bit weights, odd shapes, strides, padding, in_c multiples of 4 and
 *    not, K past the unrolled pass length, multiplier and power-of-two
 *    requant with edge multipliers and shifts, clamps), compiled for the host
 *    (linked into a shared object and called), and for Cortex-M4 (DSP path),
 *    Cortex-M0+ and RV32 linked into firmware run under QEMU;
 *  - fmnist-small, calibrated on Fashion-MNIST, on 100 test images, host and
 *    Cortex-M4.
 * Every module is verified (LLVMVerifyModule) before and after the passes
 * inside qf_llvm_compile. Then: the golden .ll of a tiny model (UPDATE=1
 * refreshes tests/golden/llvm/tiny.ll), the bad-input errors (unknown
 * triple, CPU and feature; unwritable output folder, with no partial file),
 * the output folder replaced whole, and the object's symbols. */
#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "backends/c/cgen.h"
#include "backends/llvm/llvm_backend.h"
#include "frontend/frontend.h"
#include "interp/interp.h"
#include "passes/passes.h"
#include "fmnist.h"

static char tmpdir[256];
/* conv + max pool pairs compiled as one (the random-chain tests check that
 * some were) */
static int fused_pools;

/* ------------------------------------------------------------ helpers */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static bool have(const char *tool)
{
	return sh("command -v %s >/dev/null 2>&1", tool) == 0;
}

static void write_bytes(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *p = qf_xmalloc((size_t)n + 1);
	size_t got = fread(p, 1, (size_t)n, f);
	p[got] = 0;
	fclose(f);
	return p;
}

static qf_target load_target(const char *name)
{
	qf_target t;
	qf_diag *d = qf_diag_new(stderr);
	assert_int_equal(qf_target_load(name, &t, d), 0);
	qf_diag_free(d);
	return t;
}

/* ------------------------------------------------------------ random chains */

static int32_t rnd(qf_rng *r, int32_t lo, int32_t hi)
{
	return lo + (int32_t)qf_rng_below(r, (uint32_t)(hi - lo + 1));
}

static int tensor(qf_igraph *ig, int h, int w, int c, int bits, int32_t zp)
{
	char name[16];
	snprintf(name, sizeof name, "t%d", ig->nt);
	int t = qf_igraph_add_tensor(ig, name, h, w, c, -1);
	ig->t[t].bits = bits;
	ig->t[t].zp = zp;
	ig->t[t].scale = 1;
	ig->t[t].bytes = qf_act_bytes((int64_t)h * w * c, bits);
	return t;
}

static int ilog2(int64_t v)
{
	int k = 0;
	while (((int64_t)1 << k) < v)
		k++;
	return k;
}

/* M about 2^-sh, so most outputs land inside the type; now and then the
 * edges of the contract's ranges (these take the exact requant form). */
static void requant(qf_igraph *ig, qf_inode *n, int64_t ch, int sh_, qf_rng *r, bool edges)
{
	n->shift = qf_igraph_alloc_i32(ig, ch);
	n->mult = ig->pow2 ? -1 : qf_igraph_alloc_i32(ig, ch);
	for (int64_t c = 0; c < ch; c++) {
		int32_t s = -sh_ + rnd(r, -2, 2);
		if (edges && qf_rng_below(r, 16) == 0)
			s = qf_rng_below(r, 2) ? -31 : rnd(r, 0, 3);
		ig->i32[n->shift + c] = s < -31 ? -31 : s > 30 ? 30 : s;
		if (n->mult >= 0) {
			int32_t m = (int32_t)(0x40000000u + qf_rng_below(r, 0x40000000u));
			if (edges && qf_rng_below(r, 16) == 0)
				m = qf_rng_below(r, 2) ? INT32_MAX : rnd(r, 1, 100);
			ig->i32[n->mult + c] = m;
		}
	}
}

static void clamp(qf_inode *n, int bits, int32_t zp, qf_rng *r)
{
	int32_t lo = bits == 8 ? -128 : -8, hi = bits == 8 ? 127 : 7;
	n->act_min = lo;
	n->act_max = hi;
	if (qf_rng_below(r, 3) == 0)
		n->act_min = zp; /* relu */
	if (qf_rng_below(r, 4) == 0)
		n->act_max = rnd(r, n->act_min, hi);
}

static int channels(qf_rng *r)
{
	static const int c[] = {1, 2, 3, 4, 5, 8, 12, 16, 20, 32};
	return c[qf_rng_below(r, sizeof c / sizeof c[0])];
}

/* Appends one random layer reading tensor x (of op `force` unless it is
 * -1; unpadded when nopad); returns its output tensor. */
static int add_layer(qf_igraph *ig, int x, qf_rng *r, bool edges, int force, bool nopad)
{
	const qf_itensor xt = ig->t[x];
	int op = force;
	while (op < 0 || (xt.bits == 4 && op != QF_IOP_CONV && op != QF_IOP_FC)) {
		op = rnd(r, 0, QF_IOP_COUNT - 1);
		force = -1;
	}
	int k = rnd(r, 1, 5), s = rnd(r, 1, 3), pad = nopad ? 0 : rnd(r, 0, k - 1);
	if (qf_rng_below(r, 2))
		k = 3, s = 1, pad = nopad ? 0 : 1; /* the common case, often */
	if (xt.h + 2 * pad < k || xt.w + 2 * pad < k)
		k = 1, pad = 0;
	int oh = (xt.h + 2 * pad - k) / s + 1, ow = (xt.w + 2 * pad - k) / s + 1;
	while ((oh - 1) * s - pad >= xt.h || (ow - 1) * s - pad >= xt.w)
		pad--, oh = (xt.h + 2 * pad - k) / s + 1, ow = (xt.w + 2 * pad - k) / s + 1;
	int ob = (op == QF_IOP_CONV || op == QF_IOP_FC) && force < 0 && qf_rng_below(r, 4) == 0 ? 4 : 8;
	int32_t ozp = ob == 8 ? rnd(r, -128, 127) : rnd(r, -8, 7);
	int y, n;
	switch (op) {
	case QF_IOP_CONV:
	case QF_IOP_DWCONV:
	case QF_IOP_FC: {
		int oc = op == QF_IOP_DWCONV ? xt.c : op == QF_IOP_FC ? rnd(r, 1, 12) : channels(r);
		if (op == QF_IOP_FC)
			y = tensor(ig, 1, 1, oc, ob, ozp);
		else
			y = tensor(ig, oh, ow, oc, op == QF_IOP_DWCONV ? 8 : ob, op == QF_IOP_DWCONV ? rnd(r, -128, 127) : ozp);
		n = qf_igraph_add_node(ig, (qf_iop)op, "l", x, -1, y, -1);
		qf_inode *nd = &ig->n[n];
		if (op != QF_IOP_FC) {
			nd->k_h = nd->k_w = k;
			nd->stride = s;
			nd->pad_top = nd->pad_left = pad;
		}
		static const int wb[] = {8, 4, 2};
		nd->w_bits = wb[rnd(r, 0, 2)];
		nd->wsrc = 0;
		nd->w_bytes = qf_inode_rows(ig, nd) * qf_packed_row_bytes(qf_inode_row_len(ig, nd), nd->w_bits);
		nd->w_off = qf_igraph_alloc_w(ig, nd->w_bytes);
		for (int64_t i = 0; i < nd->w_bytes; i++)
			ig->w[nd->w_off + i] = (uint8_t)qf_rng_below(r, 256);
		if (nd->w_bits == 8 && qf_rng_below(r, 8) == 0) /* the weights' full range */
			for (int64_t i = 0; i < nd->w_bytes; i++)
				ig->w[nd->w_off + i] = qf_rng_below(r, 2) ? 0x81 : 0x7F;
		if (qf_rng_below(r, 4)) {
			nd->bias = qf_igraph_alloc_i32(ig, oc);
			for (int c = 0; c < oc; c++)
				ig->i32[nd->bias + c] = rnd(r, -40000, 40000);
		}
		int64_t terms = op == QF_IOP_DWCONV ? (int64_t)k * k : qf_inode_row_len(ig, nd);
		requant(ig, nd, oc, ilog2(terms) + 4 + nd->w_bits - 4 + (ob == 4 ? 4 : 0), r, edges);
		clamp(nd, ig->t[y].bits, ig->t[y].zp, r);
		break;
	}
	case QF_IOP_MAXPOOL:
	case QF_IOP_AVGPOOL: {
		if (qf_rng_below(r, 4) == 0)
			k = xt.h < xt.w ? xt.h : xt.w, s = 1, pad = 0, oh = xt.h - k + 1, ow = xt.w - k + 1;
		y = tensor(ig, oh, ow, xt.c, 8, xt.zp);
		n = qf_igraph_add_node(ig, (qf_iop)op, "p", x, -1, y, -1);
		qf_inode *nd = &ig->n[n];
		nd->k_h = nd->k_w = k;
		nd->stride = s;
		nd->pad_top = nd->pad_left = pad;
		clamp(nd, 8, xt.zp, r);
		break;
	}
	default: { /* add: of x and x, or of x and an earlier tensor of its shape */
		int b = x;
		for (int t = 0; t < ig->nt; t++)
			if (t != x && ig->t[t].h == xt.h && ig->t[t].w == xt.w && ig->t[t].c == xt.c && ig->t[t].bits == 8 &&
			    qf_rng_below(r, 2))
				b = t;
		y = tensor(ig, xt.h, xt.w, xt.c, 8, rnd(r, -128, 127));
		n = qf_igraph_add_node(ig, QF_IOP_ADD, "a", x, b, y, -1);
		qf_inode *nd = &ig->n[n];
		nd->add_ls = rnd(r, 0, 20);
		for (int i = 0; i < 2; i++) {
			nd->add_shift[i] = -rnd(r, 0, 3);
			nd->add_mult[i] = ig->pow2 ? 0 : (int32_t)(0x40000000u + qf_rng_below(r, 0x40000000u));
		}
		requant(ig, nd, 1, nd->add_ls - 1, r, edges);
		clamp(nd, 8, ig->t[y].zp, r);
		break;
	}
	}
	return y;
}

/* A planned chain named name: conv (8-bit output) then an unpadded max
 * pool, the pair the backend compiles as one, then maybe more. */
static qf_igraph *conv_pool_chain(qf_rng *r, const char *name)
{
	qf_igraph *ig = qf_igraph_new(name);
	ig->pow2 = qf_rng_below(r, 3) == 0;
	ig->input = tensor(ig, rnd(r, 3, 12), rnd(r, 3, 12), channels(r), 8, rnd(r, -128, 127));
	int x = add_layer(ig, ig->input, r, false, QF_IOP_CONV, false);
	x = add_layer(ig, x, r, false, QF_IOP_MAXPOOL, true);
	if (qf_rng_below(r, 2))
		x = add_layer(ig, x, r, false, QF_IOP_FC, false);
	while (ig->t[x].bits == 4)
		x = add_layer(ig, x, r, false, -1, false);
	ig->output = x;
	ig->classes = (int)qf_itensor_elems(&ig->t[x]);
	ig->stage = QF_ISTAGE_QUANTIZED;
	const char *why = qf_igraph_verify(ig);
	if (why)
		fail_msg("conv-pool chain: %s", why);
	qf_plan(ig);
	return ig;
}

/* A planned random chain named name; small enough for a micro:bit when
 * small is set. */
static qf_igraph *random_chain(qf_rng *r, const char *name, bool small)
{
	qf_igraph *ig = qf_igraph_new(name);
	ig->pow2 = qf_rng_below(r, 3) == 0;
	bool edges = qf_rng_below(r, 2);
	int hw = small ? 8 : 12;
	ig->input = tensor(ig, rnd(r, 1, hw), rnd(r, 1, hw), small ? rnd(r, 1, 4) : channels(r), 8, rnd(r, -128, 127));
	int x = ig->input, layers = rnd(r, 1, 4);
	for (int i = 0; i < layers; i++)
		x = add_layer(ig, x, r, edges, -1, false);
	while (ig->t[x].bits == 4)
		x = add_layer(ig, x, r, edges, -1, false);
	ig->output = x;
	ig->classes = (int)qf_itensor_elems(&ig->t[x]);
	ig->stage = QF_ISTAGE_QUANTIZED;
	const char *why = qf_igraph_verify(ig);
	if (why)
		fail_msg("random chain: %s", why);
	qf_plan(ig);
	return ig;
}

/* ------------------------------------------------------------ the host */

typedef int (*run_fn)(const uint8_t *, int8_t *, void *);

typedef struct {
	void *dl;
	run_fn run;
	int64_t arena;
} host_model;

/* Compiles ig for the host, links it into a shared object and loads it. */
static void host_load(const qf_igraph *ig, const qf_llvm_opts *o, host_model *hm, int tag)
{
	qf_target t = load_target("host");
	qf_diag *d = qf_diag_new(stderr);
	qf_llvm_result res;
	assert_int_equal(qf_llvm_compile(ig, &t, o, &res, d), 0);
	qf_diag_free(d);
	char obj[512], so[512], sym[128];
	snprintf(obj, sizeof obj, "%s/h%d.o", tmpdir, tag);
	snprintf(so, sizeof so, "%s/h%d.so", tmpdir, tag);
	write_bytes(obj, res.obj, res.obj_len);
	assert_int_equal(sh("cc -shared -o %s %s", so, obj), 0);
	hm->dl = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	if (!hm->dl)
		fail_msg("dlopen: %s", dlerror());
	snprintf(sym, sizeof sym, "qf_%s_run", res.sum.name);
	hm->run = (run_fn)(uintptr_t)dlsym(hm->dl, sym);
	assert_non_null(hm->run);
	hm->arena = res.sum.arena_bytes;
	fused_pools += res.sum.fused_pools;
	assert_true(hm->arena >= ig->arena_bytes);
	qf_llvm_result_free(&res);
	unlink(obj);
	unlink(so);
}

/* n random inputs through the model and intref; 0 when all logits agree. */
static int host_compare(const qf_igraph *ig, host_model *hm, int n, qf_rng *r, const char *what)
{
	qf_intref *ref = qf_intref_new(ig);
	int64_t ne = qf_itensor_elems(&ig->t[ig->input]);
	uint8_t *img = qf_xmalloc((size_t)ne);
	int8_t *want = qf_xmalloc((size_t)ig->classes), *got = qf_xmalloc((size_t)ig->classes + 8);
	/* guard bytes after the arena catch writes past its end */
	uint8_t *arena = qf_xmalloc((size_t)hm->arena + 64);
	int bad = 0;
	for (int i = 0; i < n && !bad; i++) {
		for (int64_t k = 0; k < ne; k++)
			img[k] = (uint8_t)qf_rng_below(r, 256);
		if (i == 0)
			memset(img, 0, (size_t)ne);
		if (i == 1)
			memset(img, 255, (size_t)ne);
		memset(arena, 0xA5, (size_t)hm->arena + 64);
		memset(got, 0x5A, (size_t)ig->classes + 8);
		qf_intref_run(ref, img, want);
		int rc = hm->run(img, got, arena);
		if (rc != 0) {
			printf("%s: run returned %d\n", what, rc);
			bad = 1;
			break;
		}
		for (int k = 0; k < 64; k++)
			if (arena[hm->arena + k] != 0xA5) {
				printf("%s: wrote past the arena\n", what);
				bad = 1;
				break;
			}
		for (int k = 0; k < 8; k++)
			if ((uint8_t)got[ig->classes + k] != 0x5A) {
				printf("%s: wrote past the logits\n", what);
				bad = 1;
				break;
			}
		if (!bad && memcmp(got, want, (size_t)ig->classes) != 0) {
			int k = 0;
			while (got[k] == want[k])
				k++;
			printf("%s: input %d: logit %d is %d, intref %d\n", what, i, k, got[k], want[k]);
			bad = 1;
		}
	}
	free(img);
	free(want);
	free(got);
	free(arena);
	qf_intref_free(ref);
	return bad;
}

static void host_unload(host_model *hm)
{
	dlclose(hm->dl);
}

static void print_chain(const qf_igraph *ig)
{
	qf_igraph_print(stdout, ig);
}

static void host_random_chains(void **state)
{
	(void)state;
	qf_rng r;
	qf_rng_seed(&r, 7001);
	int seen[QF_IOP_COUNT] = {0}, four = 0, pow2 = 0, sub = 0, big_k = 0;
	for (int iter = 0; iter < 160; iter++) {
		char name[32];
		snprintf(name, sizeof name, "c%d", iter);
		qf_igraph *ig = random_chain(&r, name, false);
		host_model hm;
		qf_llvm_opts o = {0};
		host_load(ig, &o, &hm, iter);
		if (host_compare(ig, &hm, 12, &r, name)) {
			print_chain(ig);
			fail_msg("chain %d differs from intref", iter);
		}
		host_unload(&hm);
		for (int i = 0; i < ig->nn; i++) {
			const qf_inode *n = &ig->n[i];
			seen[n->op]++;
			four += ig->t[n->in[0]].bits == 4 || ig->t[n->out].bits == 4;
			sub += n->w_bits == 4 || n->w_bits == 2;
			big_k += qf_inode_row_len(ig, n) > 144;
		}
		pow2 += ig->pow2;
		qf_igraph_free(ig);
	}
	for (int op = 0; op < QF_IOP_COUNT; op++)
		if (seen[op] < 20)
			fail_msg("only %d %s layers were tried", seen[op], qf_iop_name[op]);
	if (four < 20 || pow2 < 30 || sub < 40 || big_k < 5)
		fail_msg("too few: %d 4-bit, %d pow2, %d sub-byte, %d long rows", four, pow2, sub, big_k);
}

/* ------------------------------------------------------------ firmware under QEMU */

typedef struct {
	const char *target;          /* qforge target */
	const char *cc, *cflags, *ldflags;
	const char *qemu;            /* the command, -kernel last */
	bool riscv;                  /* our own start-up and semihosting (no libc) */
} fw_kind;

static const fw_kind fw_m4 = {
	"cortex-m4", "arm-none-eabi-gcc", "-mcpu=cortex-m4 -mthumb",
	"--specs=rdimon.specs -nostartfiles -T tests/fw/link.ld -Wl,--defsym=FW_FLASH=4M -Wl,--defsym=FW_RAM=4M",
	"qemu-system-arm -M mps2-an386 -nographic -monitor none -semihosting-config enable=on,target=native "
	"-icount shift=0 -kernel",
	false};
static const fw_kind fw_m0 = {
	"cortex-m0plus", "arm-none-eabi-gcc", "-mcpu=cortex-m0plus -mthumb",
	"--specs=rdimon.specs -nostartfiles -T tests/fw/link.ld -Wl,--defsym=FW_FLASH=256K -Wl,--defsym=FW_RAM=16K",
	"qemu-system-arm -M microbit -nographic -monitor none -semihosting-config enable=on,target=native "
	"-icount shift=0 -kernel",
	false};
static const fw_kind fw_rv = {
	"rv32imc", "riscv64-unknown-elf-gcc", "-march=rv32imc -mabi=ilp32 -ffreestanding",
	"", /* made in fw_run */
	"qemu-system-riscv32 -M virt -bios none -nographic -monitor none -semihosting-config enable=on,target=native "
	"-icount shift=0 -kernel",
	true};

/* RISC-V: load at 0x80000000 (QEMU virt, -bios none), a stack, semihosting
 * for the text and the exit status, and what LLVM and gcc may call. */
static const char rv_ld[] = "MEMORY { RAM (rwx) : ORIGIN = 0x80000000, LENGTH = 16M }\n"
			    "ENTRY(_start)\n"
			    "SECTIONS {\n"
			    "  .text : { *(.text.start) *(.text*) } > RAM\n"
			    "  .rodata : { *(.rodata*) *(.srodata*) } > RAM\n"
			    "  .data : { *(.data*) *(.sdata*) } > RAM\n"
			    "  .bss : { __bss_start = .; *(.bss*) *(.sbss*) *(COMMON) __bss_end = .; } > RAM\n"
			    "  _stack_top = ORIGIN(RAM) + LENGTH(RAM);\n"
			    "}\n";
static const char rv_glue[] =
	"#include <stddef.h>\n"
	"#include <stdint.h>\n"
	"int main(void);\n"
	"__asm__(\".section .text.start\\n.globl _start\\n_start:\\n la sp, _stack_top\\n call fw_entry\\n\"\n"
	"        \"1: j 1b\\n.text\\n\");\n"
	"static long semi(long op, void *arg)\n{\n"
	"\tregister long a0 __asm__(\"a0\") = op;\n\tregister void *a1 __asm__(\"a1\") = arg;\n"
	"\t__asm__ volatile(\".option push\\n.option norvc\\n.balign 16\\nslli x0, x0, 0x1f\\nebreak\\nsrai x0, x0, 7\\n"
	".option pop\" : \"+r\"(a0) : \"r\"(a1) : \"memory\");\n"
	"\treturn a0;\n}\n"
	"void fw_puts(const char *s) { semi(0x04, (void *)s); }\n"
	"void *memset(void *p, int v, size_t n)\n{\n\tunsigned char *q = p;\n\twhile (n--)\n\t\t*q++ = (unsigned char)v;\n"
	"\treturn p;\n}\n"
	"void *memcpy(void *d, const void *s, size_t n)\n{\n\tunsigned char *q = d;\n\tconst unsigned char *r = s;\n"
	"\twhile (n--)\n\t\t*q++ = *r++;\n\treturn d;\n}\n"
	"void *memmove(void *d, const void *s, size_t n)\n{\n\tunsigned char *q = d;\n\tconst unsigned char *r = s;\n"
	"\tif (q < r)\n\t\twhile (n--)\n\t\t\t*q++ = *r++;\n\telse\n\t\twhile (n--)\n\t\t\tq[n] = r[n];\n"
	"\treturn d;\n}\n"
	"void fw_entry(void);\n"
	"void fw_entry(void)\n{\n"
	"\textern char __bss_start[], __bss_end[];\n"
	"\tfor (char *p = __bss_start; p < __bss_end; p++) *p = 0;\n"
	"\tuint32_t blk[2] = {0x20026, (uint32_t)main()};\n"
	"\tsemi(0x20, blk);\n}\n";
static const char arm_glue[] = "#include <stdio.h>\nvoid fw_puts(const char *s);\n"
			       "void fw_puts(const char *s) { fputs(s, stdout); }\n";

/* One firmware model: an Int Graph, its inputs and intref's logits. */
typedef struct {
	qf_igraph *ig;
	int n;                       /* inputs */
	uint8_t *in;
	int8_t *want;
} fw_net;

static void fw_net_init(fw_net *f, qf_igraph *ig, int n, qf_rng *r, const uint8_t *images)
{
	f->ig = ig;
	f->n = n;
	int64_t ne = qf_itensor_elems(&ig->t[ig->input]);
	f->in = qf_xmalloc((size_t)(n * ne));
	f->want = qf_xmalloc((size_t)n * (size_t)ig->classes);
	qf_intref *ref = qf_intref_new(ig);
	for (int i = 0; i < n; i++) {
		for (int64_t k = 0; k < ne; k++)
			f->in[i * ne + k] = images ? images[i * ne + k] : (uint8_t)qf_rng_below(r, 256);
		qf_intref_run(ref, f->in + i * ne, f->want + (size_t)i * (size_t)ig->classes);
	}
	qf_intref_free(ref);
}

static void fw_net_free(fw_net *f)
{
	free(f->in);
	free(f->want);
	qf_igraph_free(f->ig);
}

static void c_bytes(FILE *f, const char *decl, const void *p, int64_t n, bool sign)
{
	fprintf(f, "%s[%lld] = {", decl, (long long)(n ? n : 1));
	for (int64_t i = 0; i < n; i++)
		fprintf(f, "%s%d", i % 24 ? "," : i ? ",\n" : "\n",
			sign ? (int)((const int8_t *)p)[i] : (int)((const uint8_t *)p)[i]);
	fprintf(f, "%s};\n", n ? "" : "0");
}

static const char fw_check[] =
	"static void put_int(long v)\n{\n\tchar b[24];\n\tint i = 23;\n\tb[i] = 0;\n\tint neg = v < 0;\n"
	"\tunsigned long u = neg ? 0ul - (unsigned long)v : (unsigned long)v;\n"
	"\tdo { b[--i] = (char)('0' + u % 10); u /= 10; } while (u);\n\tif (neg) b[--i] = '-';\n"
	"\tfw_puts(b + i);\n}\n"
	"static int check(const char *name, int (*run)(const uint8_t *, int8_t *, void *), const uint8_t *in,\n"
	"\tlong ne, const int8_t *want, long classes, int n, long arena_bytes)\n{\n"
	"\tfor (int i = 0; i < n; i++) {\n"
	"\t\tuint8_t *a = (uint8_t *)arena;\n"
	"\t\tfor (long k = 0; k < arena_bytes + 16; k++) a[k] = 0xA5;\n"
	"\t\tfor (long k = 0; k < classes + 8; k++) got[k] = 0x5A;\n"
	"\t\tint rc = run(in + i * ne, got, arena);\n"
	"\t\tconst char *why = rc ? \"status\" : 0;\n"
	"\t\tlong at = -1;\n"
	"\t\tfor (long k = 0; k < classes && !why; k++)\n"
	"\t\t\tif (got[k] != want[i * classes + k]) why = \"logit\", at = k;\n"
	"\t\tfor (long k = 0; k < 8 && !why; k++) if (got[classes + k] != 0x5A) why = \"past the logits\";\n"
	"\t\tfor (long k = 0; k < 16 && !why; k++) if (a[arena_bytes + k] != 0xA5) why = \"past the arena\";\n"
	"\t\tif (why) {\n"
	"\t\t\tfw_puts(\"FAIL \"); fw_puts(name); fw_puts(\" input \"); put_int(i);\n"
	"\t\t\tfw_puts(\": \"); fw_puts(why); fw_puts(\" \"); put_int(at);\n"
	"\t\t\tif (at >= 0) {\n"
	"\t\t\t\tfw_puts(\" is \"); put_int(got[at]); fw_puts(\", intref \"); put_int(want[i * classes + at]);\n"
	"\t\t\t}\n"
	"\t\t\tfw_puts(\"\\n\");\n\t\t\treturn 1;\n\t\t}\n\t}\n"
	"\tfw_puts(\"ok   \"); fw_puts(name); fw_puts(\"\\n\");\n\treturn 0;\n}\n";

/* Compiles every net for k, links one image and runs it under QEMU. The
 * image checks every logit, 16 guard bytes after the arena and 8 after the
 * logits, and prints one "ok"/"FAIL" line per net and a summary; log gets
 * QEMU's output. Returns the number of nets that failed, or -1 when the
 * build or QEMU did. */
static int fw_run(const fw_kind *k, fw_net *nets, int nn, const qf_llvm_opts *o, char *log, size_t logn)
{
	qf_target t = load_target(k->target);
	char dir[512], path[1024];
	snprintf(dir, sizeof dir, "%s/fw-%s", tmpdir, k->target);
	sh("rm -rf %s && mkdir -p %s", dir, dir);
	size_t objn = (size_t)nn * 600 + 1;
	char *objs = qf_xcalloc(objn, 1);
	int64_t *arena = qf_xcalloc((size_t)nn, sizeof(int64_t)), amax = 4, classes = 1;
	for (int i = 0; i < nn; i++) {
		qf_diag *d = qf_diag_new(stderr);
		qf_llvm_result res;
		assert_int_equal(qf_llvm_compile(nets[i].ig, &t, o, &res, d), 0);
		qf_diag_free(d);
		snprintf(path, sizeof path, "%s/n%d.o", dir, i);
		write_bytes(path, res.obj, res.obj_len);
		size_t l = strlen(objs);
		snprintf(objs + l, objn - l, " %s", path);
		arena[i] = res.sum.arena_bytes;
		fused_pools += res.sum.fused_pools;
		amax = arena[i] > amax ? arena[i] : amax;
		classes = nets[i].ig->classes > classes ? nets[i].ig->classes : classes;
		qf_llvm_result_free(&res);
	}
	snprintf(path, sizeof path, "%s/main.c", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#include <stdint.h>\nvoid fw_puts(const char *s);\n");
	fprintf(f, "static uint32_t arena[%lld];\nstatic int8_t got[%lld];\n%s", (long long)(amax / 4 + 8),
		(long long)(classes + 8), fw_check);
	for (int i = 0; i < nn; i++) {
		const qf_igraph *ig = nets[i].ig;
		char decl[64];
		fprintf(f, "int qf_%s_run(const uint8_t *in, int8_t *out, void *arena);\n", ig->name);
		snprintf(decl, sizeof decl, "static const uint8_t in%d", i);
		c_bytes(f, decl, nets[i].in, nets[i].n * qf_itensor_elems(&ig->t[ig->input]), false);
		snprintf(decl, sizeof decl, "static const int8_t want%d", i);
		c_bytes(f, decl, nets[i].want, (int64_t)nets[i].n * ig->classes, true);
	}
	fprintf(f, "int main(void)\n{\n\tint fails = 0;\n");
	for (int i = 0; i < nn; i++) {
		const qf_igraph *ig = nets[i].ig;
		fprintf(f, "\tfails += check(\"%s\", qf_%s_run, in%d, %lld, want%d, %d, %d, %lld);\n", ig->name, ig->name, i,
			(long long)qf_itensor_elems(&ig->t[ig->input]), i, ig->classes, nets[i].n, (long long)arena[i]);
	}
	fprintf(f, "\tfw_puts(\"nets failed: \");\n\tput_int(fails);\n\tfw_puts(\"\\n\");\n\treturn fails;\n}\n");
	fclose(f);
	snprintf(path, sizeof path, "%s/glue.c", dir);
	FILE *g = fopen(path, "w");
	assert_non_null(g);
	fputs(k->riscv ? rv_glue : arm_glue, g);
	fclose(g);
	char ldflags[2048];
	if (k->riscv) {
		snprintf(path, sizeof path, "%s/rv.ld", dir);
		write_bytes(path, rv_ld, strlen(rv_ld));
		snprintf(ldflags, sizeof ldflags, "-nostdlib -nostartfiles -Wl,-T,%s", path);
	} else {
		snprintf(ldflags, sizeof ldflags, "%s tests/fw/startup.c tests/fw/tick.c", k->ldflags);
	}
	int rc = sh("%s %s -std=c99 -O2 -Wall -Werror -I. -o %s/fw.elf %s/main.c %s/glue.c %s %s %s >%s/build.log 2>&1",
		    k->cc, k->cflags, dir, dir, dir, objs, ldflags, k->riscv ? "-lgcc" : "", dir);
	free(objs);
	free(arena);
	if (rc != 0) {
		snprintf(path, sizeof path, "%s/build.log", dir);
		char *txt = read_text(path);
		printf("firmware build failed:\n%s\n", txt ? txt : "");
		free(txt);
		return -1;
	}
	rc = sh("timeout 600 %s %s/fw.elf >%s/run.log 2>&1", k->qemu, dir, dir);
	snprintf(path, sizeof path, "%s/run.log", dir);
	char *txt = read_text(path);
	snprintf(log, logn, "%s", txt ? txt : "");
	free(txt);
	const char *sum = strstr(log, "nets failed: ");
	if (!sum) {
		printf("%s under QEMU: exit %d, no summary:\n%s\n", k->target, rc, log);
		return -1;
	}
	int failed = atoi(sum + 13), oks = 0;
	for (const char *p = log; (p = strstr(p, "ok   ")); p++)
		oks++;
	if (getenv("QF_VERBOSE"))
		printf("%s", log);
	if (failed != rc || oks + failed != nn)
		return -1;
	return failed;
}

static void fw_random_chains(const fw_kind *k, int nets, bool small, uint64_t seed, const qf_llvm_opts *o,
			     bool pools)
{
	char qemu[64];
	sscanf(k->qemu, "%63s", qemu);
	if (!have(k->cc) || !have(qemu)) {
		printf("%s: %s or QEMU missing (scripts/deps.sh installs them)\n", k->target, k->cc);
		fail();
	}
	qf_rng r;
	qf_rng_seed(&r, seed);
	fw_net *fn = qf_xcalloc((size_t)nets, sizeof(fw_net));
	for (int i = 0; i < nets; i++) {
		char name[32];
		snprintf(name, sizeof name, "r%d", i);
		fw_net_init(&fn[i], pools ? conv_pool_chain(&r, name) : random_chain(&r, name, small), 8, &r, NULL);
	}
	char log[1 << 16];
	int before = fused_pools;
	int failed = fw_run(k, fn, nets, o, log, sizeof log);
	if (failed != 0) {
		printf("%s", log);
		for (int i = 0; i < nets; i++) {
			char want[64];
			snprintf(want, sizeof want, "FAIL %s ", fn[i].ig->name);
			if (strstr(log, want))
				print_chain(fn[i].ig);
		}
		fail_msg("%s: %d of %d random chains differ from intref under QEMU", k->target, failed, nets);
	}
	if (pools && fused_pools - before < nets / 2)
		fail_msg("%s: only %d of %d conv + max pool pairs were fused", k->target, fused_pools - before, nets);
	for (int i = 0; i < nets; i++)
		fw_net_free(&fn[i]);
	free(fn);
}

static void m4_random_chains(void **state)
{
	(void)state;
	qf_llvm_opts o = {0};
	fw_random_chains(&fw_m4, 120, false, 9001, &o, false);
}

/* Other tile shapes (the tuning knobs): 3 pixels x 2 channels on the DSP
 * path, 1 x 3 on the plain one (host), so overlapping channel tiles and
 * pixel tiles of every size meet the same checks. */
static void other_tiles(void **state)
{
	(void)state;
	qf_llvm_opts o = {.tile_p = 3, .tile_c = 2};
	fw_random_chains(&fw_m4, 40, false, 9004, &o, false);
	qf_rng r;
	qf_rng_seed(&r, 7002);
	for (int iter = 0; iter < 30; iter++) {
		char name[32];
		snprintf(name, sizeof name, "t%d", iter);
		qf_igraph *ig = random_chain(&r, name, false);
		host_model hm;
		qf_llvm_opts oh = {.tile_p = 1, .tile_c = 3};
		host_load(ig, &oh, &hm, 3000 + iter);
		if (host_compare(ig, &hm, 8, &r, name)) {
			print_chain(ig);
			fail_msg("chain %d (1 x 3 tiles) differs from intref", iter);
		}
		host_unload(&hm);
		qf_igraph_free(ig);
	}
}

/* conv + unpadded max pool, compiled as one (one requant per window and
 * channel): on the host and on Cortex-M4, and most of them fused. */
static void conv_pool_fusion(void **state)
{
	(void)state;
	qf_rng r;
	qf_rng_seed(&r, 7003);
	int before = fused_pools;
	for (int iter = 0; iter < 60; iter++) {
		char name[32];
		snprintf(name, sizeof name, "f%d", iter);
		qf_igraph *ig = conv_pool_chain(&r, name);
		host_model hm;
		qf_llvm_opts o = {0};
		host_load(ig, &o, &hm, 4000 + iter);
		if (host_compare(ig, &hm, 10, &r, name)) {
			print_chain(ig);
			fail_msg("conv-pool chain %d differs from intref", iter);
		}
		host_unload(&hm);
		qf_igraph_free(ig);
	}
	if (fused_pools - before < 30)
		fail_msg("host: only %d of 60 conv + max pool pairs were fused", fused_pools - before);
	qf_llvm_opts o = {0};
	fw_random_chains(&fw_m4, 60, false, 9005, &o, true);
}

static void m0_random_chains(void **state)
{
	(void)state;
	qf_llvm_opts o = {0};
	fw_random_chains(&fw_m0, 40, true, 9002, &o, false);
}

static void rv32_random_chains(void **state)
{
	(void)state;
	qf_llvm_opts o = {0};
	fw_random_chains(&fw_rv, 60, false, 9003, &o, false);
}

/* ------------------------------------------------------------ fmnist-small on Fashion-MNIST */

enum { FM_TEST = 100, FM_CALIB = 200 };

static const char fm_int8[] = "space fmnist_small {\n"
			      "  input 1x28x28;\n"
			      "  conv c 16 k 3 s 1 relu;\n"
			      "  pool max k 2 s 2;\n"
			      "  conv c 32 k 3 s 1 relu;\n"
			      "  pool max k 2 s 2;\n"
			      "  conv c 64 k 3 s 1 relu;\n"
			      "  pool avg global;\n"
			      "  fc 10;\n"
			      "}\n";
/* 4-bit weights in conv2 and conv3, a 4-bit activation between two convs,
 * 2-bit weights in the fc */
static const char fm_mixed[] = "quant mixed {\n"
			       "  weights { bits {2, 4, 8}; per channel; symmetric; }\n"
			       "  acts    { bits {4, 8};    per tensor;  asymmetric; }\n"
			       "}\n"
			       "space fmnist_mixed {\n"
			       "  input 1x28x28;\n"
			       "  conv c 16 k 3 s 1 relu wbits 8 abits 8;\n"
			       "  pool max k 2 s 2;\n"
			       "  conv c 32 k 3 s 1 relu wbits 4 abits 4;\n"
			       "  conv c 32 k 3 s 2 relu wbits 4 abits 8;\n"
			       "  conv c 64 k 3 s 1 relu wbits 4 abits 8;\n"
			       "  pool avg global;\n"
			       "  fc 10 wbits 2 abits 8;\n"
			       "}\n";

static qf_dataset fm;

static int fm_setup(void **state)
{
	(void)state;
	qf_data spec = fmnist_spec(0);
	qf_diag *d = qf_diag_new(stderr);
	int rc = qf_dataset_load(&spec, FM_CALIB, FM_TEST, &fm, d);
	qf_diag_free(d);
	return rc;
}

static int fm_teardown(void **state)
{
	(void)state;
	qf_dataset_free(&fm);
	return 0;
}

/* The space's network, calibrated on FM_CALIB training images, lowered. */
static qf_igraph *fm_model(const char *text, bool pow2, const char *name)
{
	qf_diag *d = qf_diag_new(stderr);
	qf_diag_set_source(d, "t.qf", text, strlen(text));
	qf_program *p = qf_parse("t.qf", text, strlen(text), d);
	assert_non_null(p);
	assert_int_equal(qf_diag_errors(d), 0);
	qf_choice ch;
	qf_choice_init(&ch, &p->spaces[p->sel_space]);
	qf_graph *g = qf_sample(p, &ch, 5, d);
	assert_non_null(g);
	qf_choice_free(&ch);
	qf_program_free(p);
	qf_calib_cfg cc = {.pow2 = pow2, .batch = 50, .threads = 2};
	assert_int_equal(qf_calibrate(g, &fm, &fm.train, FM_CALIB, &cc, d), 0);
	qf_igraph *ig = qf_lower(g, d);
	assert_non_null(ig);
	free(ig->name);
	ig->name = qf_xstrdup(name);
	qf_graph_free(g);
	qf_diag_free(d);
	return ig;
}

static uint8_t *fm_images(const qf_igraph *ig)
{
	int64_t ne = qf_itensor_elems(&ig->t[ig->input]);
	uint8_t *img = qf_xmalloc((size_t)(FM_TEST * ne));
	for (int i = 0; i < FM_TEST; i++)
		qf_image_hwc(&fm, &fm.test, i, img + i * ne);
	return img;
}

/* The C backend's emission of ig for the host, as a shared object. */
static run_fn c_backend_load(const qf_igraph *ig, void **dl)
{
	char dir[512], so[600];
	snprintf(dir, sizeof dir, "%s/c-%s", tmpdir, ig->name);
	snprintf(so, sizeof so, "%s.so", dir);
	qf_diag *d = qf_diag_new(stderr);
	qf_cgen_opts co = {.out_dir = dir, .name = ig->name};
	assert_int_equal(qf_cgen_emit(ig, &co, NULL, d), 0);
	qf_diag_free(d);
	assert_int_equal(sh("cc -std=c99 -O2 -shared -fPIC -o %s %s/*.c", so, dir), 0);
	*dl = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	assert_non_null(*dl);
	char sym[96];
	snprintf(sym, sizeof sym, "qf_%s_run", ig->name);
	run_fn f = (run_fn)(uintptr_t)dlsym(*dl, sym);
	assert_non_null(f);
	return f;
}

/* 100 test images: the LLVM object on the host, intref and the C backend
 * agree on every logit; the accuracy over them is the reference's. */
static void fmnist_host(void **state)
{
	(void)state;
	static const struct {
		const char *text, *name;
		bool pow2;
	} nets[] = {{fm_int8, "fm_int8", false}, {fm_int8, "fm_pow2", true}, {fm_mixed, "fm_mixed", false}};
	for (size_t k = 0; k < sizeof nets / sizeof nets[0]; k++) {
		qf_igraph *ig = fm_model(nets[k].text, nets[k].pow2, nets[k].name);
		int64_t ne = qf_itensor_elems(&ig->t[ig->input]);
		int narrow_w = 0, narrow_a = 0;
		for (int i = 0; i < ig->nn; i++)
			narrow_w += ig->n[i].w_bits == 4 || ig->n[i].w_bits == 2;
		for (int t = 0; t < ig->nt; t++)
			narrow_a += ig->t[t].bits == 4;
		assert_int_equal(ig->pow2, nets[k].pow2);
		if (nets[k].text == fm_mixed && (narrow_w != 4 || narrow_a != 1))
			fail_msg("the mixed model has %d sub-byte weight layers and %d 4-bit tensors", narrow_w, narrow_a);
		uint8_t *img = fm_images(ig);
		host_model hm;
		qf_llvm_opts o = {0};
		host_load(ig, &o, &hm, 1000 + (int)k);
		void *cdl;
		run_fn crun = c_backend_load(ig, &cdl);
		qf_intref *ref = qf_intref_new(ig);
		uint8_t *arena = qf_xmalloc((size_t)(hm.arena > ig->arena_bytes ? hm.arena : ig->arena_bytes));
		int8_t want[16], got[16], cz[16];
		int agree = 0;
		for (int i = 0; i < FM_TEST; i++) {
			qf_intref_run(ref, img + i * ne, want);
			assert_int_equal(hm.run(img + i * ne, got, arena), 0);
			assert_int_equal(crun(img + i * ne, cz, arena), 0);
			if (memcmp(got, want, 10) || memcmp(cz, want, 10))
				fail_msg("%s image %d: llvm, C backend and intref differ", nets[k].name, i);
			agree++;
		}
		assert_int_equal(agree, FM_TEST);
		free(arena);
		qf_intref_free(ref);
		dlclose(cdl);
		host_unload(&hm);
		free(img);
		qf_igraph_free(ig);
	}
}

/* The same three models' Cortex-M4 objects under QEMU (the DSP path), and
 * the int8 model on Cortex-M0+ and RV32. */
static void fmnist_fw(void **state)
{
	(void)state;
	fw_net nets[3];
	static const char *const names[] = {"fm_int8", "fm_pow2", "fm_mixed"};
	for (int k = 0; k < 3; k++) {
		qf_igraph *ig = fm_model(k == 2 ? fm_mixed : fm_int8, k == 1, names[k]);
		uint8_t *img = fm_images(ig);
		fw_net_init(&nets[k], ig, FM_TEST, NULL, img);
		free(img);
	}
	qf_llvm_opts o = {0};
	char log[1 << 16];
	int failed = fw_run(&fw_m4, nets, 3, &o, log, sizeof log);
	if (failed)
		fail_msg("Cortex-M4: %d of 3 models differ from intref:\n%s", failed, log);
	failed = fw_run(&fw_rv, nets, 1, &o, log, sizeof log);
	if (failed)
		fail_msg("RV32: fm_int8 differs from intref:\n%s", log);
	for (int k = 0; k < 3; k++)
		fw_net_free(&nets[k]);
}

/* ------------------------------------------------------------ a tiny model: golden IR */

static int itensor(qf_igraph *ig, int h, int w, int c, int bits, int32_t zp)
{
	return tensor(ig, h, w, c, bits, zp);
}

/* input 6x6x4 -> conv 3x3 pad 1, 8 channels, 8-bit weights, relu -> max
 * pool 2 -> fc 3 with 4-bit weights; fixed numbers, planned. */
static qf_igraph *tiny(void)
{
	qf_igraph *ig = qf_igraph_new("tiny");
	ig->input = itensor(ig, 6, 6, 4, 8, -128);
	int a = itensor(ig, 6, 6, 8, 8, -128), p = itensor(ig, 3, 3, 8, 8, -128), z = itensor(ig, 1, 1, 3, 8, 5);
	int n0 = qf_igraph_add_node(ig, QF_IOP_CONV, "conv", ig->input, -1, a, -1);
	int n1 = qf_igraph_add_node(ig, QF_IOP_MAXPOOL, "pool", a, -1, p, -1);
	int n2 = qf_igraph_add_node(ig, QF_IOP_FC, "fc", p, -1, z, -1);
	qf_inode *c = &ig->n[n0], *pl = &ig->n[n1], *f = &ig->n[n2];
	c->k_h = c->k_w = 3;
	c->pad_top = c->pad_left = 1;
	pl->k_h = pl->k_w = pl->stride = 2;
	int wb[3] = {8, 0, 4};
	qf_inode *w[3] = {c, pl, f};
	for (int i = 0; i < 3; i++) {
		qf_inode *n = w[i];
		n->act_min = -128;
		n->act_max = 127;
		if (!wb[i])
			continue;
		int oc = ig->t[n->out].c;
		n->w_bits = wb[i];
		n->wsrc = 0;
		n->w_bytes = qf_inode_rows(ig, n) * qf_packed_row_bytes(qf_inode_row_len(ig, n), n->w_bits);
		n->w_off = qf_igraph_alloc_w(ig, n->w_bytes);
		for (int64_t k = 0; k < n->w_bytes; k++)
			ig->w[n->w_off + k] = (uint8_t)(k * 37 + i * 11);
		n->bias = qf_igraph_alloc_i32(ig, oc);
		n->mult = qf_igraph_alloc_i32(ig, oc);
		n->shift = qf_igraph_alloc_i32(ig, oc);
		for (int ch = 0; ch < oc; ch++) {
			ig->i32[n->bias + ch] = 100 * ch - 300;
			ig->i32[n->mult + ch] = 0x40000000 + 0x1000000 * ch;
			ig->i32[n->shift + ch] = -9 - ch % 3;
		}
	}
	ig->output = z;
	ig->classes = 3;
	ig->stage = QF_ISTAGE_QUANTIZED;
	const char *why = qf_igraph_verify(ig);
	if (why)
		fail_msg("tiny: %s", why);
	qf_plan(ig);
	return ig;
}

/* The module as built for Cortex-M4, before any pass, against
 * tests/golden/llvm/tiny.ll (UPDATE=1 rewrites it). */
static void golden_tiny(void **state)
{
	(void)state;
	qf_igraph *ig = tiny();
	qf_target t = load_target("cortex-m4");
	qf_llvm_opts o = {0};
	qf_diag *d = qf_diag_new(stderr);
	char *txt = qf_llvm_module_text(ig, &t, &o, d);
	assert_non_null(txt);
	qf_diag_free(d);
	/* nothing of the machine it was made on */
	assert_null(strstr(txt, "/tmp"));
	assert_null(strstr(txt, "/work"));
	const char *path = "tests/golden/llvm/tiny.ll";
	if (getenv("UPDATE") && strcmp(getenv("UPDATE"), "1") == 0) {
		write_bytes(path, txt, strlen(txt));
	} else {
		char *want = read_text(path);
		if (!want)
			fail_msg("%s missing (UPDATE=1 makes it)", path);
		if (strcmp(want, txt) != 0) {
			char got[600];
			snprintf(got, sizeof got, "%s/tiny.ll", tmpdir);
			write_bytes(got, txt, strlen(txt));
			sh("diff -u %s %s | head -40", path, got);
			fail_msg("the tiny module differs from %s (UPDATE=1 refreshes it)", path);
		}
		free(want);
	}
	/* and the same numbers come out of it as out of intref */
	host_model hm;
	host_load(ig, &o, &hm, 2000);
	qf_rng r;
	qf_rng_seed(&r, 3);
	assert_int_equal(host_compare(ig, &hm, 50, &r, "tiny"), 0);
	host_unload(&hm);
	free(txt);
	qf_igraph_free(ig);
}

/* ------------------------------------------------------------ bad input and the output folder */

static char *diag_text(FILE *f)
{
	fflush(f);
	rewind(f);
	static char buf[4096];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	return buf;
}

/* A target this LLVM lacks, a CPU or a feature it does not know: an error
 * that says which, and no object. */
static void bad_targets(void **state)
{
	(void)state;
	static const struct {
		const char *field, *value, *want;
	} cases[] = {
		{"triple", "aarch64-none-elf", "cannot compile for 'aarch64-none-elf'"},
		{"triple", "nonsense-triple", "cannot compile for 'nonsense-triple'"},
		{"cpu", "cortex-m99", "does not know the CPU 'cortex-m99'"},
		{"cpu", "rocket-lake", "does not know the CPU 'rocket-lake'"},
		{"features", "+dsp,+nofeature", "does not know the feature '+nofeature'"},
		{"triple", "", "has no LLVM triple"},
	};
	qf_igraph *ig = tiny();
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		qf_target t = load_target(k == 3 ? "host" : "cortex-m4");
		char *dst = strcmp(cases[k].field, "triple") == 0 ? t.triple
			    : strcmp(cases[k].field, "cpu") == 0  ? t.cpu
								  : t.llvm_features;
		snprintf(dst, 32, "%s", cases[k].value);
		FILE *f = tmpfile();
		qf_diag *d = qf_diag_new(f);
		assert_int_equal(qf_llvm_check_target(&t, d), -1);
		char out[600];
		snprintf(out, sizeof out, "%s/bad%zu", tmpdir, k);
		qf_llvm_opts o = {0};
		assert_int_equal(qf_emit_llvm(ig, &t, out, &o, NULL, d), -1);
		const char *txt = diag_text(f);
		if (!strstr(txt, cases[k].want))
			fail_msg("%s = '%s': expected \"%s\" in:\n%s", cases[k].field, cases[k].value, cases[k].want, txt);
		struct stat st;
		assert_int_not_equal(stat(out, &st), 0);
		/* nothing beside it either */
		assert_int_not_equal(sh("ls -d %s.* >/dev/null 2>&1", out), 0);
		qf_diag_free(d);
		fclose(f);
	}
	/* the built-in targets all compile */
	for (const char *const *n = qf_target_builtin; *n; n++) {
		qf_target t = load_target(*n);
		qf_diag *d = qf_diag_new(stderr);
		assert_int_equal(qf_llvm_check_target(&t, d), 0);
		qf_diag_free(d);
	}
	qf_igraph_free(ig);
}

/* Output folders: written whole, replaced whole, a foreign folder or a
 * file refused untouched, an impossible place refused without leftovers. */
static void output_folder(void **state)
{
	(void)state;
	qf_igraph *ig = tiny();
	qf_target t = load_target("cortex-m4");
	qf_llvm_opts o = {.emit_llvm = true, .emit_asm = true};
	char out[600], path[700];
	snprintf(out, sizeof out, "%s/out", tmpdir);
	qf_diag *d = qf_diag_new(stderr);
	qf_llvm_summary s;
	assert_int_equal(qf_emit_llvm(ig, &t, out, &o, &s, d), 0);
	static const char *const files[] = {"model.o", "model.h", "model.ll", "model.s"};
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/%s", out, files[i]);
		struct stat st;
		assert_int_equal(stat(path, &st), 0);
		assert_true(st.st_size > 0);
	}
	assert_true(s.dsp && s.text_bytes > 0 && s.const_bytes > 0 && s.arena_bytes >= ig->arena_bytes);
	/* the object defines the run function and nothing else global */
	snprintf(path, sizeof path, "%s/model.o", out);
	assert_int_equal(sh("arm-none-eabi-nm -g --defined-only %s | grep -v ' qf_tiny_run$' | grep -q .", path), 1);
	assert_int_equal(sh("arm-none-eabi-nm -g --defined-only %s | grep -q ' T qf_tiny_run$'", path), 0);
	/* model.h: the C backend's API and constants */
	snprintf(path, sizeof path, "%s/model.h", out);
	char *h = read_text(path);
	assert_non_null(strstr(h, "int qf_tiny_run(const uint8_t *in, int8_t *out_logits, void *arena);"));
	assert_non_null(strstr(h, "#define QF_TINY_CLASSES 3\n"));
	assert_non_null(strstr(h, "#define QF_TINY_LAYERS 3\n"));
	char want[64];
	snprintf(want, sizeof want, "#define QF_TINY_ARENA_BYTES %lld\n", (long long)s.arena_bytes);
	assert_non_null(strstr(h, want));
	free(h);
	/* again, without the text files and under another name: replaced whole */
	o.emit_llvm = o.emit_asm = false;
	o.name = "other";
	assert_int_equal(qf_emit_llvm(ig, &t, out, &o, NULL, d), 0);
	snprintf(path, sizeof path, "%s/model.ll", out);
	struct stat st;
	assert_int_not_equal(stat(path, &st), 0);
	snprintf(path, sizeof path, "%s/model.h", out);
	h = read_text(path);
	assert_non_null(strstr(h, "qf_other_run"));
	free(h);
	assert_int_not_equal(sh("ls -d %s.* >/dev/null 2>&1", out), 0);
	qf_diag_free(d);
	/* a folder that is not an emission, a file, a place no folder can be */
	char foreign[600], file[600];
	snprintf(foreign, sizeof foreign, "%s/mine", tmpdir);
	snprintf(file, sizeof file, "%s/afile", tmpdir);
	assert_int_equal(sh("mkdir -p %s && echo precious > %s/notes.txt && echo x > %s", foreign, foreign, file), 0);
	const char *bad[] = {foreign, file, "/proc/qforge-llvm-out", NULL};
	char under[700];
	snprintf(under, sizeof under, "%s/sub/out", file);
	bad[3] = under;
	const char *why[] = {"not a folder qforge emit wrote", "is not a folder", "cannot", "cannot"};
	for (int i = 0; i < 4; i++) {
		FILE *f = tmpfile();
		d = qf_diag_new(f);
		assert_int_equal(qf_emit_llvm(ig, &t, bad[i], &o, NULL, d), -1);
		const char *txt = diag_text(f);
		if (!strstr(txt, why[i]))
			fail_msg("%s: expected \"%s\" in: %s", bad[i], why[i], txt);
		qf_diag_free(d);
		fclose(f);
	}
	assert_int_equal(sh("test \"$(cat %s/notes.txt)\" = precious && test \"$(ls %s)\" = notes.txt", foreign, foreign), 0);
	assert_int_equal(sh("test \"$(cat %s)\" = x", file), 0);
	assert_int_not_equal(sh("ls -d %s.* %s.* >/dev/null 2>&1", foreign, file), 0);
	qf_igraph_free(ig);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_llvm.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(golden_tiny),
		cmocka_unit_test(bad_targets),
		cmocka_unit_test(output_folder),
		cmocka_unit_test(host_random_chains),
		cmocka_unit_test(m4_random_chains),
		cmocka_unit_test(other_tiles),
		cmocka_unit_test(conv_pool_fusion),
		cmocka_unit_test(m0_random_chains),
		cmocka_unit_test(rv32_random_chains),
		cmocka_unit_test_setup_teardown(fmnist_host, fm_setup, fm_teardown),
		cmocka_unit_test_setup_teardown(fmnist_fw, fm_setup, fm_teardown),
	};
	/* QF_TEST=pattern runs the matching tests only */
	if (getenv("QF_TEST"))
		cmocka_set_test_filter(getenv("QF_TEST"));
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	sh("rm -rf %s", tmpdir);
	return rc;
}
