/* test_target.c: target descriptions: the built-ins load and say what
 * the backends need, a path loads, and bad files are rejected by line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ir/ir.h"

typedef struct {
	char *buf;
	size_t len;
	FILE *f;
	qf_diag *d;
} capture;

static void cap_open(capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	c->d = qf_diag_new(c->f);
}

static const char *cap_text(capture *c)
{
	fflush(c->f);
	return c->buf ? c->buf : "";
}

static void cap_close(capture *c)
{
	qf_diag_free(c->d);
	fclose(c->f);
	free(c->buf);
}

static void expect_in(capture *c, const char *frag)
{
	const char *out = cap_text(c);
	if (!strstr(out, frag)) {
		print_error("expected '%s' in:\n%s\n", frag, out);
		fail();
	}
}

/* The embedded text of a built-in with one substitution, parsed. */
static void expect_edit_error(const char *target, const char *from, const char *to, int line, const char *frag)
{
	char path[64];
	snprintf(path, sizeof path, "targets/%s.xml", target);
	size_t len;
	const char *text = qf_embedded_file(path, &len);
	assert_non_null(text);
	const char *p = strstr(text, from);
	assert_non_null(p);
	size_t a = (size_t)(p - text), fl = strlen(from), tl = strlen(to);
	char *t = malloc(len - fl + tl + 1);
	memcpy(t, text, a);
	memcpy(t + a, to, tl);
	memcpy(t + a + tl, p + fl, len - a - fl + 1);
	capture c;
	cap_open(&c);
	qf_target tg;
	assert_int_equal(qf_target_parse("t.xml", t, strlen(t), &tg, c.d), -1);
	char at[32];
	snprintf(at, sizeof at, "t.xml:%d: error: ", line);
	expect_in(&c, at);
	expect_in(&c, frag);
	cap_close(&c);
	free(t);
}

static int line_in(const char *target, const char *needle)
{
	char path[64];
	snprintf(path, sizeof path, "targets/%s.xml", target);
	const char *text = qf_embedded_file(path, NULL);
	const char *p = strstr(text, needle);
	assert_non_null(p);
	int line = 1;
	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

static bool has(const qf_target *t, qf_feature f)
{
	return (t->features >> f) & 1;
}

static void test_builtins_load(void **state)
{
	(void)state;
	capture c;
	cap_open(&c);
	int n = 0;
	for (int i = 0; qf_target_builtin[i]; i++, n++) {
		qf_target t;
		if (qf_target_load(qf_target_builtin[i], &t, c.d))
			print_error("%s\n", cap_text(&c));
		assert_int_equal(qf_diag_errors(c.d), 0);
		assert_string_equal(t.name, qf_target_builtin[i]);
		assert_true(t.flash > 0 && t.ram > 0 && t.clock_hz > 0);
		assert_true(t.triple[0] && t.cpu[0] && t.isa[0]);
		/* Every target can cost the layers every network has. */
		static const qf_op ops[] = {QF_OP_CONV2D, QF_OP_FC, QF_OP_MAXPOOL, QF_OP_AVGPOOL, QF_OP_GAVGPOOL,
					    QF_OP_ADD, QF_OP_RELU, QF_OP_BN};
		for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
			const qf_cost *r = qf_target_cost(&t, ops[k], 8, 8, 16);
			if (!r)
				print_error("%s has no cost row for %s\n", t.name, qf_op_name[ops[k]]);
			assert_non_null(r);
			assert_true(r->cycles_per_mac >= 0 && r->cycles_per_layer >= 0);
		}
		for (int w = 2; w <= 8; w *= 2)
			for (int a = 4; a <= 8; a *= 2)
				assert_non_null(qf_target_cost(&t, QF_OP_CONV2D, w, a, 32));
	}
	assert_int_equal(n, 5);
	cap_close(&c);
}

static void test_builtin_contents(void **state)
{
	(void)state;
	capture c;
	cap_open(&c);
	qf_target t;
	assert_int_equal(qf_target_load("cortex-m4", &t, c.d), 0);
	assert_string_equal(t.triple, "thumbv7em-none-eabi");
	assert_string_equal(t.cpu, "cortex-m4");
	assert_string_equal(t.isa, "armv7em");
	assert_string_equal(t.llvm_features, "+dsp");
	assert_true(has(&t, QF_FEAT_DSP) && has(&t, QF_FEAT_SIMD) && has(&t, QF_FEAT_THUMB2));
	assert_false(has(&t, QF_FEAT_MVE));
	/* The peer figures of MEASURING.md: 2.1 per MAC, 10.4 on one input
	 * channel; the most specific row wins. */
	assert_true(qf_target_cost(&t, QF_OP_CONV2D, 8, 8, 16)->cycles_per_mac == 2.1);
	assert_true(qf_target_cost(&t, QF_OP_CONV2D, 8, 8, 1)->cycles_per_mac == 10.4);
	assert_true(qf_target_cost(&t, QF_OP_CONV2D, 4, 8, 16)->cycles_per_mac == 3.8);
	assert_true(qf_target_cost(&t, QF_OP_GAVGPOOL, 8, 8, 64)->cycles_per_mac == 6.4);
	assert_null(qf_target_cost(&t, QF_OP_CONV2D, 3, 8, 16));

	assert_int_equal(qf_target_load("cortex-m0plus", &t, c.d), 0);
	assert_string_equal(t.triple, "thumbv6m-none-eabi");
	assert_string_equal(t.cpu, "cortex-m0plus");
	assert_int_equal(t.features, 0);
	assert_int_equal(t.flash, 256 * 1024);
	assert_int_equal(t.ram, 32 * 1024);
	assert_int_equal(t.clock_hz, 48000000);

	assert_int_equal(qf_target_load("cortex-m7", &t, c.d), 0);
	assert_string_equal(t.cpu, "cortex-m7");
	assert_true(has(&t, QF_FEAT_DSP));

	assert_int_equal(qf_target_load("rv32imc", &t, c.d), 0);
	assert_string_equal(t.triple, "riscv32-unknown-elf");
	assert_string_equal(t.cpu, "generic-rv32");
	assert_string_equal(t.llvm_features, "+m,+c");
	assert_false(has(&t, QF_FEAT_DSP) || has(&t, QF_FEAT_RVP));

	assert_int_equal(qf_target_load("host", &t, c.d), 0);
	assert_string_equal(t.triple, "x86_64-pc-linux-gnu");
	assert_int_equal(qf_diag_errors(c.d), 0);
	cap_close(&c);
}

static void test_path(void **state)
{
	(void)state;
	capture c;
	cap_open(&c);
	qf_target t;
	assert_int_equal(qf_target_load("tests/data/target/custom.xml", &t, c.d), 0);
	assert_string_equal(t.name, "my-board");
	assert_int_equal(t.flash, 524288);
	assert_int_equal(t.ram, 65536);
	assert_int_equal(t.clock_hz, 64000000);
	assert_int_equal(t.features, (1u << QF_FEAT_DSP) | (1u << QF_FEAT_THUMB2));
	assert_int_equal(t.n_costs, 4);
	/* Exact widths beat "any width"; the tightest channel limit wins. */
	assert_true(qf_target_cost(&t, QF_OP_CONV2D, 8, 8, 64)->cycles_per_mac == 2.5);
	assert_true(qf_target_cost(&t, QF_OP_CONV2D, 4, 4, 64)->cycles_per_mac == 5);
	assert_true(qf_target_cost(&t, QF_OP_CONV2D, 8, 8, 3)->cycles_per_mac == 9);
	assert_true(qf_target_cost(&t, QF_OP_CONV2D, 8, 8, 1)->cycles_per_mac == 12);
	assert_null(qf_target_cost(&t, QF_OP_FC, 8, 8, 1));
	/* A relative name ending in .xml is a path too. */
	assert_int_equal(chdir("tests/data/target"), 0);
	assert_int_equal(qf_target_load("custom.xml", &t, c.d), 0);
	assert_int_equal(chdir("../../.."), 0);
	assert_int_equal(qf_diag_errors(c.d), 0);
	cap_close(&c);
}

static void test_bad_files(void **state)
{
	(void)state;
	capture c;
	cap_open(&c);
	qf_target t;
	assert_int_equal(qf_target_load("tests/data/target/bad-number.xml", &t, c.d), -1);
	expect_in(&c, "tests/data/target/bad-number.xml:6: error: attribute 'flash'");
	expect_in(&c, "512x");
	cap_close(&c);
	cap_open(&c);
	assert_int_equal(qf_target_load("tests/data/target/unknown-feature.xml", &t, c.d), -1);
	expect_in(&c, "tests/data/target/unknown-feature.xml:10: error: unknown feature 'neon' (known: dsp, simd, fpu, "
		      "mve, rvp, thumb2)");
	cap_close(&c);
	cap_open(&c);
	assert_int_equal(qf_target_load("cortex-m5", &t, c.d), -1);
	expect_in(&c, "cortex-m5: error: unknown target; the built-in targets are cortex-m0plus, cortex-m4, "
		      "cortex-m7, rv32imc, host");
	assert_int_equal(qf_target_load("tests/data/target/none.xml", &t, c.d), -1);
	expect_in(&c, "none.xml: error: cannot open");
	assert_int_equal(qf_target_load("tests/data/target/", &t, c.d), -1);
	expect_in(&c, "is a directory");
	char empty[] = "/tmp/qf-test-target-XXXXXX.xml";
	int fd = mkstemps(empty, 4);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(qf_target_load(empty, &t, c.d), -1);
	expect_in(&c, "error: the file is empty");
	unlink(empty);
	/* A failed load leaves nothing half-filled. */
	assert_int_equal(t.n_costs, 0);
	assert_int_equal(t.name[0], 0);
	cap_close(&c);
}

static void test_bad_values(void **state)
{
	(void)state;
	int mem = line_in("cortex-m4", "<memory");
	expect_edit_error("cortex-m4", "ram=\"131072\"", "ram=\"-5\"", mem, "ram");
	expect_edit_error("cortex-m4", "ram=\"131072\"", "ram=\"99999999999999999999\"", mem, "ram");
	expect_edit_error("cortex-m4", "ram=\"131072\"", "", mem, "lacks the required attribute 'ram'");
	int llvm = line_in("cortex-m4", "<llvm");
	expect_edit_error("cortex-m4", " cpu=\"cortex-m4\"", "", llvm, "element <llvm> lacks the required attribute 'cpu'");
	expect_edit_error("cortex-m4", "cpu=\"cortex-m4\"", "cpu=\"cortex-m4-with-a-name-longer-than-thirty-one\"", llvm,
			  "attribute 'cpu' is 44 characters long; at most 31 fit");
	int row = line_in("cortex-m4", "per_mac=\"2.1\"");
	expect_edit_error("cortex-m4", "per_mac=\"2.1\"", "per_mac=\"fast\"", row, "fast");
	expect_edit_error("cortex-m4", "per_mac=\"2.1\"", "per_mac=\"NaN\"", row, "not a finite number");
	expect_edit_error("cortex-m4", "per_mac=\"2.1\"", "per_mac=\"-2\"", row, "outside");
	expect_edit_error("cortex-m4", "op=\"conv2d\" wbits=\"8\" abits=\"8\" per_mac=\"2.1\"",
			  "op=\"conv3d\" wbits=\"8\" abits=\"8\" per_mac=\"2.1\"", row, "unknown op 'conv3d'");
	expect_edit_error("cortex-m4", "wbits=\"8\" abits=\"8\" per_mac=\"2.1\"", "wbits=\"64\" abits=\"8\" per_mac=\"2.1\"",
			  row, "attribute 'wbits' is 64, outside 0..32");
	/* The same row twice, and a feature twice. */
	int dsp = line_in("cortex-m4", "<feature name=\"simd\"");
	expect_edit_error("cortex-m4", "<feature name=\"simd\"/>", "<feature name=\"dsp\"/>", dsp,
			  "feature 'dsp' is listed twice");
	int two = line_in("cortex-m4", "cin_max=\"1\" per_mac=\"10.4\"");
	expect_edit_error("cortex-m4", "cin_max=\"1\" per_mac=\"10.4\"", "per_mac=\"10.4\"", two,
			  "a second cost row for conv2d wbits=8 abits=8 cin_max=0");
	int root = line_in("cortex-m4", "<target ");
	expect_edit_error("cortex-m4", "version=\"1\"", "version=\"7\"", root, "version 7");
	expect_edit_error("cortex-m4", "<clock hz=\"80000000\"/>", "", root, "element <target> lacks the required element <clock>");
	expect_edit_error("cortex-m4", "<target ", "<!DOCTYPE target SYSTEM \"http://example.com/t.dtd\">\n<target ", root,
			  "DOCTYPE is not allowed");
	expect_edit_error("cortex-m4", "</target>", "", line_in("cortex-m4", "</target>") + 1, "truncated");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtins_load),
		cmocka_unit_test(test_builtin_contents),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_bad_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
