/* test_data.c: the IDX reader on the fixtures of tests/data/idx (made by
 * gen.py there: pixel k of image i is (37 i + 29 k) % 256), the
 * validation split, shuffling and batches with their augmentations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "interp/interp.h"

#define FIX "tests/data/idx/"

static int pix(int i, int k)
{
	return (37 * i + 29 * k) % 256;
}

/* A diag writing into a memory buffer, so tests can read the messages. */
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
	return c->buf;
}

static void cap_close(capture *c)
{
	qf_diag_free(c->d);
	fclose(c->f);
	free(c->buf);
}

static void test_read_plain_and_gzip(void **state)
{
	(void)state;
	const char *imgs[] = {FIX "img-4x3x3.idx", FIX "img-4x3x3.idx.gz"};
	const char *lbls[] = {FIX "lbl-4.idx", FIX "lbl-4.idx.gz"};
	const uint8_t want_label[4] = {0, 9, 3, 5};
	for (int f = 0; f < 2; f++) {
		capture c;
		cap_open(&c);
		qf_images s;
		assert_int_equal(qf_idx_read(imgs[f], lbls[f], 1, 3, 3, 10, 0, &s, c.d), 0);
		assert_int_equal(qf_diag_errors(c.d), 0);
		assert_int_equal(s.n, 4);
		assert_int_equal(s.c, 1);
		assert_int_equal(s.h, 3);
		assert_int_equal(s.w, 3);
		for (int i = 0; i < 4; i++) {
			assert_int_equal(s.label[i], want_label[i]);
			for (int k = 0; k < 9; k++)
				assert_int_equal(s.pix[i * 9 + k], pix(i, k));
		}
		qf_images_free(&s);
		cap_close(&c);
	}
}

static void test_read_rank4_and_max(void **state)
{
	(void)state;
	capture c;
	cap_open(&c);
	qf_images s;
	assert_int_equal(qf_idx_read(FIX "img-4x2x3x3.idx", FIX "lbl-4.idx", 2, 3, 3, 10, 0, &s, c.d), 0);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.c, 2);
	assert_int_equal(s.pix[3 * 18 + 17], pix(3, 17));
	qf_images_free(&s);
	/* max reads a prefix: the rest of the file is not judged */
	assert_int_equal(qf_idx_read(FIX "img-4x3x3.idx.gz", FIX "lbl-4.idx", 1, 3, 3, 10, 2, &s, c.d), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.label[1], 9);
	assert_int_equal(s.pix[17], pix(1, 8));
	qf_images_free(&s);
	/* a prefix that stops before a truncation reads fine */
	assert_int_equal(qf_idx_read(FIX "img-truncated.idx", FIX "lbl-4.idx", 1, 3, 3, 10, 2, &s, c.d), 0);
	qf_images_free(&s);
	assert_int_equal(qf_diag_errors(c.d), 0);
	cap_close(&c);
}

/* Each broken input: the read fails, names the file, says what is wrong,
 * and leaves nothing allocated. */
static void test_read_errors(void **state)
{
	(void)state;
	static const struct {
		const char *img, *lbl;
		int c, h, w, classes;
		const char *file, *why;
	} cases[] = {
		{FIX "missing.idx", FIX "lbl-4.idx", 1, 3, 3, 10, FIX "missing.idx", "cannot open"},
		{FIX, FIX "lbl-4.idx", 1, 3, 3, 10, FIX, "is a directory"},
		{FIX "img-truncated.idx", FIX "lbl-4.idx", 1, 3, 3, 10, FIX "img-truncated.idx",
		 "truncated: the header says 4 images, the file ends after 2"},
		{FIX "img-truncated.idx.gz", FIX "lbl-4.idx", 1, 3, 3, 10, FIX "img-truncated.idx.gz", "truncated"},
		{FIX "img-badcrc.idx.gz", FIX "lbl-4.idx", 1, 3, 3, 10, FIX "img-badcrc.idx.gz", "corrupt gzip data"},
		{FIX "img-badmagic.idx", FIX "lbl-4.idx", 1, 3, 3, 10, FIX "img-badmagic.idx",
		 "not an IDX file: magic number 0x03080000"},
		{FIX "img-float.idx", FIX "lbl-4.idx", 1, 3, 3, 10, FIX "img-float.idx", "float32"},
		{FIX "img-trailing.idx", FIX "lbl-4.idx", 1, 3, 3, 10, FIX "img-trailing.idx", "bytes follow the 4 images"},
		{FIX "img-header.idx", FIX "lbl-4.idx", 1, 3, 3, 10, FIX "img-header.idx", "truncated"},
		{FIX "img-empty.idx", FIX "lbl-4.idx", 1, 3, 3, 10, FIX "img-empty.idx", "no images"},
		{FIX "img-4x3x3.idx", FIX "lbl-3.idx", 1, 3, 3, 10, FIX "lbl-3.idx", "3 labels for 4 images"},
		{FIX "img-4x3x3.idx", FIX "lbl-4-range.idx", 1, 3, 3, 10, FIX "lbl-4-range.idx",
		 "label 10 of image 1 is out of range: the data has 10 classes"},
		{FIX "img-4x3x3.idx", FIX "lbl-4.idx", 1, 3, 3, 9, FIX "lbl-4.idx", "label 9 of image 1 is out of range"},
		{FIX "img-4x3x3.idx", FIX "lbl-rank2.idx", 1, 3, 3, 10, FIX "lbl-rank2.idx", "IDX rank 2"},
		{FIX "img-4x3x3.idx", FIX "img-4x3x3.idx", 1, 3, 3, 10, FIX "img-4x3x3.idx", "IDX rank 3"},
		{FIX "img-4x3x3.idx", FIX "lbl-4.idx", 1, 4, 4, 10, FIX "img-4x3x3.idx",
		 "images are 1x3x3 (CxHxW) but the data block's input is 1x4x4"},
		{FIX "img-4x2x3x3.idx", FIX "lbl-4.idx", 1, 3, 3, 10, FIX "img-4x2x3x3.idx", "images are 2x3x3"},
		{FIX "img-4x3x3.idx", FIX "missing-labels.idx", 1, 3, 3, 10, FIX "missing-labels.idx", "cannot open"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		capture c;
		cap_open(&c);
		qf_images s;
		memset(&s, 0xAB, sizeof s);
		int rc = qf_idx_read(cases[i].img, cases[i].lbl, cases[i].c, cases[i].h, cases[i].w, cases[i].classes,
				     0, &s, c.d);
		const char *msg = cap_text(&c);
		if (rc != -1 || !strstr(msg, cases[i].why) || strncmp(msg, cases[i].file, strlen(cases[i].file)) != 0)
			fail_msg("case %zu (%s): rc %d, message: %s", i, cases[i].img, rc, msg ? msg : "(none)");
		assert_int_equal(qf_diag_errors(c.d), 1);
		assert_null(s.pix);
		assert_null(s.label);
		assert_int_equal(s.n, 0);
		cap_close(&c);
	}
}

static qf_data fixture_spec(int validate)
{
	return (qf_data){
		.name = "fix",
		.train_images = FIX "img-4x3x3.idx.gz",
		.train_labels = FIX "lbl-4.idx.gz",
		.test_images = FIX "img-4x3x3.idx",
		.test_labels = FIX "lbl-4.idx",
		.in_c = 1,
		.in_h = 3,
		.in_w = 3,
		.classes = 10,
		.validate = validate,
	};
}

/* The split moves whole images (pixels with their label), keeps file
 * order in both parts, and loses none. */
static void test_validation_split(void **state)
{
	(void)state;
	capture c;
	cap_open(&c);
	qf_data spec = fixture_spec(2);
	qf_dataset ds;
	assert_int_equal(qf_dataset_load(&spec, 0, 0, &ds, c.d), 0);
	assert_int_equal(ds.train.n, 2);
	assert_int_equal(ds.val.n, 2);
	assert_int_equal(ds.test.n, 4);
	bool seen[4] = {false};
	const uint8_t label[4] = {0, 9, 3, 5};
	const qf_images *parts[2] = {&ds.train, &ds.val};
	for (int p = 0; p < 2; p++) {
		int last = -1;
		for (int j = 0; j < parts[p]->n; j++) {
			int i = -1;
			for (int cand = 0; cand < 4; cand++)
				if (parts[p]->pix[j * 9 + 1] == pix(cand, 1))
					i = cand;
			assert_true(i > last);
			last = i;
			assert_false(seen[i]);
			seen[i] = true;
			assert_int_equal(parts[p]->label[j], label[i]);
			for (int k = 0; k < 9; k++)
				assert_int_equal(parts[p]->pix[j * 9 + k], pix(i, k));
		}
	}
	/* the same images every time */
	qf_dataset again;
	assert_int_equal(qf_dataset_load(&spec, 0, 0, &again, c.d), 0);
	assert_memory_equal(again.val.pix, ds.val.pix, 18);
	qf_dataset_free(&again);
	qf_dataset_free(&ds);

	spec.validate = 4;
	assert_int_equal(qf_dataset_load(&spec, 0, 0, &ds, c.d), -1);
	assert_non_null(strstr(cap_text(&c), "validate 4 leaves no training images"));
	assert_null(ds.train.pix);
	cap_close(&c);
}

static void test_dataset_bad_test_file(void **state)
{
	(void)state;
	capture c;
	cap_open(&c);
	qf_data spec = fixture_spec(0);
	spec.test_labels = FIX "lbl-4-range.idx";
	qf_dataset ds;
	assert_int_equal(qf_dataset_load(&spec, 0, 0, &ds, c.d), -1);
	assert_non_null(strstr(cap_text(&c), "lbl-4-range.idx: error: label 10"));
	assert_null(ds.train.pix); /* the train split read before it is freed */
	cap_close(&c);
}

/* Evaluation reads only the test split: a missing train file is no error,
 * and a shape mismatch names the test file. */
static void test_eval_only(void **state)
{
	(void)state;
	capture c;
	cap_open(&c);
	qf_data spec = fixture_spec(3);
	spec.train_images = FIX "missing.idx";
	qf_dataset ds;
	assert_int_equal(qf_dataset_load(&spec, -1, 0, &ds, c.d), 0);
	assert_int_equal(ds.train.n, 0);
	assert_int_equal(ds.val.n, 0);
	assert_int_equal(ds.test.n, 4);
	qf_graph *g = qf_graph_new("tiny");
	g->input = qf_graph_add_tensor(g, "in", QF_ROLE_INPUT, 3, (const int32_t[]){2, 3, 3});
	assert_int_equal(qf_dataset_check_input(&ds, g, c.d), -1);
	assert_non_null(
		strstr(cap_text(&c), FIX "img-4x3x3.idx: error: images are 1x3x3 but the network 'tiny' takes 2x3x3"));
	qf_graph_free(g);
	qf_dataset_free(&ds);
	cap_close(&c);
}

static void test_shuffle(void **state)
{
	(void)state;
	enum { N = 1000 };
	int32_t a[N], b[N];
	qf_rng r1, r2;
	qf_rng_seed(&r1, 7);
	qf_rng_seed(&r2, 7);
	qf_shuffle(a, N, &r1);
	qf_shuffle(b, N, &r2);
	assert_memory_equal(a, b, sizeof a);
	bool seen[N] = {false};
	int fixed = 0;
	for (int i = 0; i < N; i++) {
		assert_true(a[i] >= 0 && a[i] < N);
		assert_false(seen[a[i]]);
		seen[a[i]] = true;
		fixed += a[i] == i;
	}
	assert_true(fixed < 10); /* expected 1 fixed point; the identity would have N */
	qf_rng_seed(&r2, 8);
	qf_shuffle(b, N, &r2);
	assert_memory_not_equal(a, b, sizeof a);
}

static void test_batch_plain(void **state)
{
	(void)state;
	capture c;
	cap_open(&c);
	qf_data spec = fixture_spec(0);
	qf_dataset ds;
	assert_int_equal(qf_dataset_load(&spec, 0, 0, &ds, c.d), 0);
	int32_t idx[3] = {3, 0, 1};
	float x[27];
	uint8_t y[3];
	qf_rng r;
	qf_rng_seed(&r, 1);
	qf_rng before = r;
	qf_batch(&ds, &ds.train, idx, 3, true, &r, x, y);
	assert_memory_equal(&r, &before, sizeof r); /* nothing random to draw */
	assert_int_equal(y[0], 5);
	assert_int_equal(y[1], 0);
	assert_int_equal(y[2], 9);
	for (int b = 0; b < 3; b++)
		for (int k = 0; k < 9; k++)
			assert_true(x[b * 9 + k] == (float)pix(idx[b], k) / 255.0f);
	assert_true(x[0 * 9 + 0] >= 0.0f);
	qf_dataset_free(&ds);
	cap_close(&c);
}

/* Pad 1 and crop 3 of a 3x3 image: nine placements, each a shift with
 * zeros coming in; flips mirror the columns. Training draws every
 * placement and both flips; evaluation is the centre, the image itself. */
static void test_batch_crop_flip(void **state)
{
	(void)state;
	capture c;
	cap_open(&c);
	qf_data spec = fixture_spec(0);
	spec.crop = 3;
	spec.crop_pad = 1;
	spec.flip_h = true;
	qf_dataset ds;
	assert_int_equal(qf_dataset_load(&spec, 0, 0, &ds, c.d), 0);
	assert_int_equal(ds.h, 3);
	int32_t idx[1] = {2};
	float x[9];
	uint8_t y;
	qf_rng r;
	qf_rng_seed(&r, 3);
	int hits[3][3][2] = {{{0}}};
	for (int t = 0; t < 2000; t++) {
		qf_batch(&ds, &ds.train, idx, 1, true, &r, x, &y);
		int found = 0;
		for (int oy = -1; oy <= 1; oy++)
			for (int ox = -1; ox <= 1; ox++)
				for (int f = 0; f < 2; f++) {
					bool same = true;
					for (int yy = 0; yy < 3 && same; yy++)
						for (int xx = 0; xx < 3 && same; xx++) {
							int sy = yy + oy, sx = (f ? 2 - xx : xx) + ox;
							float want = sy < 0 || sy > 2 || sx < 0 || sx > 2
									     ? 0.0f
									     : (float)pix(2, sy * 3 + sx) / 255.0f;
							same = x[yy * 3 + xx] == want;
						}
					if (same && !found) {
						hits[oy + 1][ox + 1][f]++;
						found = 1;
					}
				}
		assert_int_equal(found, 1);
	}
	for (int a = 0; a < 3; a++)
		for (int b = 0; b < 3; b++)
			for (int f = 0; f < 2; f++)
				assert_true(hits[a][b][f] > 50); /* ~111 each when uniform */
	qf_batch(&ds, &ds.test, idx, 1, false, &r, x, &y);
	for (int k = 0; k < 9; k++)
		assert_true(x[k] == (float)pix(2, k) / 255.0f);
	qf_dataset_free(&ds);

	/* crop 2 pad 0: evaluation takes the centre (offset 0 of the one spare row) */
	spec.crop = 2;
	spec.crop_pad = 0;
	spec.flip_h = false;
	assert_int_equal(qf_dataset_load(&spec, 0, 0, &ds, c.d), 0);
	assert_int_equal(ds.h * ds.w, 4);
	qf_batch(&ds, &ds.test, idx, 1, false, &r, x, &y);
	assert_true(x[0] == (float)pix(2, 0) / 255.0f);
	assert_true(x[3] == (float)pix(2, 4) / 255.0f);
	qf_dataset_free(&ds);
	cap_close(&c);
}

static void test_check_input(void **state)
{
	(void)state;
	capture c;
	cap_open(&c);
	qf_data spec = fixture_spec(0);
	qf_dataset ds;
	assert_int_equal(qf_dataset_load(&spec, 0, 0, &ds, c.d), 0);
	qf_graph *g = qf_graph_new("tiny");
	g->input = qf_graph_add_tensor(g, "in", QF_ROLE_INPUT, 3, (const int32_t[]){1, 3, 3});
	assert_int_equal(qf_dataset_check_input(&ds, g, c.d), 0);
	g->t[g->input].dim[1] = 4;
	g->t[g->input].dim[2] = 4;
	assert_int_equal(qf_dataset_check_input(&ds, g, c.d), -1);
	assert_non_null(strstr(cap_text(&c), FIX "img-4x3x3.idx.gz: error: images are 1x3x3 but the network "
						 "'tiny' takes 1x4x4"));
	qf_graph_free(g);
	qf_dataset_free(&ds);
	cap_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_plain_and_gzip),
		cmocka_unit_test(test_read_rank4_and_max),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_validation_split),
		cmocka_unit_test(test_dataset_bad_test_file),
		cmocka_unit_test(test_eval_only),
		cmocka_unit_test(test_shuffle),
		cmocka_unit_test(test_batch_plain),
		cmocka_unit_test(test_batch_crop_flip),
		cmocka_unit_test(test_check_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
