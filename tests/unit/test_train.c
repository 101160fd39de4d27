/* test_train.c: the training loop on a slice of Fashion-MNIST (Debian's
 * dataset-fashion-mnist, which `make check` installs): a small net reaches
 * an accuracy floor, a checkpointed-and-resumed run ends with the same
 * bytes as one that never stopped, and failures leave the previous
 * checkpoint alone. The net is built here with the Graph IR API, small
 * enough that each run takes seconds under ASan. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "interp/interp.h"
#include "fmnist.h"

/* 2,200 images read, 200 of them held out: 2,000 to train on */
enum { READ_IMAGES = 2200, HELD_OUT = 200, TEST_IMAGES = 1000, THREADS = 2 };

static qf_dataset ds;
static char dir[64];

static int conv_bn_relu(qf_graph *g, int x, int cin, int cout, int stride, const char *name, qf_rng *r)
{
	char nm[48];
	snprintf(nm, sizeof nm, "%s.w", name);
	int w = qf_graph_add_tensor(g, nm, QF_ROLE_WEIGHT, 4, (const int32_t[]){cout, cin, 3, 3});
	float *v = qf_tensor_data(g, w);
	double sd = sqrt(2.0 / (cin * 9));
	for (int i = 0; i < cout * cin * 9; i++)
		v[i] = (float)(sd * qf_rng_normal(r));
	int n = qf_graph_add_node(g, QF_OP_CONV2D, name, (const int[]){x, w, -1}, 3);
	g->n[n].k = 3;
	g->n[n].s = stride;
	g->n[n].pad = 1;
	int in[5] = {g->n[n].out};
	static const char *const suffix[4] = {"gamma", "beta", "mean", "var"};
	static const qf_role role[4] = {QF_ROLE_GAMMA, QF_ROLE_BETA, QF_ROLE_MEAN, QF_ROLE_VAR};
	for (int i = 0; i < 4; i++) {
		snprintf(nm, sizeof nm, "%s.bn.%s", name, suffix[i]);
		in[i + 1] = qf_graph_add_tensor(g, nm, role[i], 1, (const int32_t[]){cout});
	}
	for (int i = 0; i < cout; i++)
		qf_tensor_data(g, in[1])[i] = qf_tensor_data(g, in[4])[i] = 1.0f;
	snprintf(nm, sizeof nm, "%s.bn", name);
	n = qf_graph_add_node(g, QF_OP_BN, nm, in, 5);
	g->n[n].eps = 1e-5f;
	g->n[n].momentum = 0.1f;
	snprintf(nm, sizeof nm, "%s.relu", name);
	int y = g->n[n].out; /* not &g->n[n].out: adding a node may move g->n */
	n = qf_graph_add_node(g, QF_OP_RELU, nm, &y, 1);
	return g->n[n].out;
}

/* conv 8 s2 -> conv 16 s2 -> conv 16 -> global average pool -> fc 10:
 * 185k MACs an image, 4k parameters. */
static qf_graph *small_net(uint64_t seed)
{
	qf_rng r;
	qf_rng_seed(&r, seed);
	qf_graph *g = qf_graph_new("small");
	int x = g->input = qf_graph_add_tensor(g, "input", QF_ROLE_INPUT, 3, (const int32_t[]){1, 28, 28});
	x = conv_bn_relu(g, x, 1, 8, 2, "c1", &r);
	x = conv_bn_relu(g, x, 8, 16, 2, "c2", &r);
	x = conv_bn_relu(g, x, 16, 16, 1, "c3", &r);
	int n = qf_graph_add_node(g, QF_OP_GAVGPOOL, "gap", &x, 1);
	x = g->n[n].out;
	int w = qf_graph_add_tensor(g, "fc.w", QF_ROLE_WEIGHT, 2, (const int32_t[]){10, 16});
	int b = qf_graph_add_tensor(g, "fc.b", QF_ROLE_BIAS, 1, (const int32_t[]){10});
	float *v = qf_tensor_data(g, w);
	for (int i = 0; i < 160; i++)
		v[i] = (float)(sqrt(2.0 / 16) * qf_rng_normal(&r));
	n = qf_graph_add_node(g, QF_OP_FC, "fc", (const int[]){x, w, b}, 3);
	g->output = g->n[n].out;
	g->classes = 10;
	qf_diag *d = qf_diag_new(stderr);
	assert_int_equal(qf_graph_infer_shapes(g, d), 0);
	qf_diag_free(d);
	return g;
}

static void cfg(qf_train_cfg *c, const char *out)
{
	qf_train_defaults(c);
	c->epochs = 2;
	c->batch = 16; /* 226 steps: enough for a net this small to learn something */
	c->threads = THREADS;
	c->seed = 7;
	c->out = out;
}

static char *path_in(const char *name)
{
	static char buf[4][128];
	static int i;
	char *p = buf[i++ % 4];
	snprintf(p, sizeof buf[0], "%s/%s", dir, name);
	return p;
}

static char *slurp(const char *path, size_t *len)
{
	char *text;
	qf_diag *d = qf_diag_new(stderr);
	int rc = qf_read_file(path, QF_LIMIT_MODEL_BYTES, &text, len, d);
	qf_diag_free(d);
	assert_int_equal(rc, 0);
	return text;
}

static int setup(void **state)
{
	(void)state;
	qf_data spec = fmnist_spec(HELD_OUT);
	qf_diag *d = qf_diag_new(stderr);
	int rc = qf_dataset_load(&spec, READ_IMAGES, TEST_IMAGES, &ds, d);
	qf_diag_free(d);
	snprintf(dir, sizeof dir, "/tmp/qf-test-train-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	static const char *const files[] = {"a.qfm", "b.qfm", "c.qfm", "keep.qfm"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		unlink(path_in(files[i]));
	rmdir(dir);
	qf_dataset_free(&ds);
	return 0;
}

/* Two epochs on 2,000 images reach 70.10% on the first 1,000 test images
 * and 67.50% on the 200 held out, loss 0.9353 (measured: seed 7; the same
 * with 1, 2 and 4 threads; seeds 1-5 gave 70.4-71.6% test, 68.5-71.5%
 * validation). The floors leave room for another summation order in the
 * engine, not for a broken loop: an untrained net is at 10%. */
static void test_accuracy_floor(void **state)
{
	(void)state;
	qf_graph *g = small_net(7);
	qf_train_cfg c;
	cfg(&c, path_in("a.qfm"));
	qf_epoch_stats st;
	qf_diag *d = qf_diag_new(stderr);
	assert_int_equal(qf_train(g, &ds, &c, NULL, &st, d), 0);
	print_message("after 2 epochs: loss %.4f, train %.2f%%, val %.2f%%, test %.2f%%\n", st.loss, st.train_acc,
		      st.val_acc, st.test_acc);
	assert_int_equal(st.epoch, 2);
	assert_int_equal(ds.train.n, 2000);
	assert_int_equal(ds.val.n, 200);
	assert_true(st.test_acc >= 60.0);
	assert_true(st.val_acc >= 57.5);
	assert_true(st.loss < 1.3);
	assert_true(g->prov.accuracy == st.test_acc);
	assert_string_equal(qf_graph_meta(g, "train.epoch"), "2");
	assert_string_equal(qf_graph_meta(g, "train.step"), "250"); /* 2 x 2000 / 16 */
	assert_non_null(qf_graph_blob(g, "opt.momentum.c2.w"));
	assert_int_equal(g->prov.n_history, 2);
	/* qf_evaluate agrees with the loop, and its confusion matrix adds up */
	int64_t conf[100];
	double acc = qf_evaluate(g, &ds, &ds.test, 100, THREADS, conf, d);
	assert_true(acc == st.test_acc);
	int64_t all = 0, diag = 0;
	for (int i = 0; i < 100; i++)
		all += conf[i];
	for (int i = 0; i < 10; i++)
		diag += conf[i * 11];
	assert_int_equal(all, TEST_IMAGES);
	assert_true(100.0 * (double)diag / TEST_IMAGES == acc);
	qf_diag_free(d);
	qf_graph_free(g);
}

/* Stop after epoch 1, read the checkpoint back, resume: the final file is
 * the same bytes as the uninterrupted run's (weights, BN statistics,
 * optimiser state, provenance). Run after test_accuracy_floor wrote a.qfm. */
static void test_resume_bit_identical(void **state)
{
	(void)state;
	qf_diag *d = qf_diag_new(stderr);
	qf_graph *g = small_net(7);
	qf_train_cfg c;
	cfg(&c, path_in("b.qfm"));
	c.stop_after = 1;
	qf_epoch_stats st;
	assert_int_equal(qf_train(g, &ds, &c, NULL, &st, d), 0);
	assert_int_equal(st.epoch, 1);
	qf_graph_free(g);

	g = qf_qfm_read(path_in("b.qfm"), d);
	assert_non_null(g);
	assert_string_equal(qf_graph_meta(g, "train.epoch"), "1");
	qf_train_cfg r;
	qf_train_defaults(&r);
	assert_int_equal(qf_train_cfg_from_meta(g, &r, path_in("b.qfm"), d), 0);
	assert_int_equal(r.epochs, 2);
	assert_int_equal(r.threads, THREADS);
	assert_true(r.seed == 7);
	r.out = path_in("b.qfm");
	assert_int_equal(qf_train(g, &ds, &r, path_in("b.qfm"), &st, d), 0);
	assert_int_equal(st.epoch, 2);
	qf_graph_free(g);

	size_t na, nb;
	char *a = slurp(path_in("a.qfm"), &na), *b = slurp(path_in("b.qfm"), &nb);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	free(a);
	free(b);

	/* and a run that does not restore the optimiser and generator state
	 * (a fresh start from the epoch-1 weights) does differ */
	g = small_net(7);
	cfg(&c, path_in("c.qfm"));
	c.stop_after = 1;
	assert_int_equal(qf_train(g, &ds, &c, NULL, &st, d), 0);
	qf_graph_free(g);
	g = qf_qfm_read(path_in("c.qfm"), d);
	assert_non_null(g);
	cfg(&c, path_in("c.qfm"));
	c.epochs = 1;
	assert_int_equal(qf_train(g, &ds, &c, NULL, &st, d), 0);
	qf_graph_free(g);
	size_t nc;
	a = slurp(path_in("a.qfm"), &na);
	char *cc = slurp(path_in("c.qfm"), &nc);
	assert_false(na == nc && memcmp(a, cc, na) == 0);
	free(a);
	free(cc);
	qf_diag_free(d);
}

/* A resume that cannot continue exactly is refused, and a run that fails
 * leaves the checkpoint at -o byte for byte as it was. */
static void test_failures_keep_checkpoint(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	qf_diag *d = qf_diag_new(f);
	size_t n0;
	char *before = slurp(path_in("b.qfm"), &n0);

	/* another batch size: the step count no longer matches the epoch */
	qf_graph *g = qf_qfm_read(path_in("b.qfm"), d);
	assert_non_null(g);
	qf_train_cfg c;
	qf_train_defaults(&c);
	assert_int_equal(qf_train_cfg_from_meta(g, &c, path_in("b.qfm"), d), 0);
	c.batch = 32;
	c.epochs = 3;
	c.out = path_in("b.qfm");
	assert_int_equal(qf_train(g, &ds, &c, path_in("b.qfm"), NULL, d), -1);
	fflush(f);
	assert_non_null(strstr(buf, "is not epoch 2 x 63 steps")); /* ceil(2000 / 32) */
	/* a damaged generator state */
	c.batch = 16;
	qf_graph_set_meta(g, "train.rng", "12 zz");
	assert_int_equal(qf_train(g, &ds, &c, path_in("b.qfm"), NULL, d), -1);
	fflush(f);
	assert_non_null(strstr(buf, "checkpoint entry 'train.rng' is '12 zz'"));
	qf_graph_free(g);

	/* a loss that turns NaN stops the run before any checkpoint */
	g = small_net(7);
	qf_tensor_data(g, g->n[g->nn - 1].in[2])[3] = NAN; /* an fc bias: a ReLU would swallow it earlier */
	cfg(&c, path_in("b.qfm"));
	assert_int_equal(qf_train(g, &ds, &c, NULL, NULL, d), -1);
	fflush(f);
	assert_non_null(strstr(buf, "training diverged in epoch 1 at step 0"));
	qf_graph_free(g);

	/* a network whose input the images do not fit */
	g = small_net(7);
	g->t[g->input].dim[1] = g->t[g->input].dim[2] = 32;
	assert_int_equal(qf_train(g, &ds, &c, NULL, NULL, d), -1);
	fflush(f);
	assert_non_null(strstr(buf, QF_TEST_FM "train-images-idx3-ubyte.gz: error: images are 1x28x28 but the network "
				    "'small' takes 1x32x32"));
	qf_graph_free(g);

	size_t n1;
	char *after = slurp(path_in("b.qfm"), &n1);
	assert_int_equal(n0, n1);
	assert_memory_equal(before, after, n0);
	free(before);
	free(after);
	qf_diag_free(d);
	fclose(f);
	free(buf);
}

int main(void)
{
	/* ORDER: each test reads the files the one before it wrote */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accuracy_floor),
		cmocka_unit_test(test_resume_bit_identical),
		cmocka_unit_test(test_failures_keep_checkpoint),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
