/* data.c: IDX image and label files, the validation split, batches.
 *
 * IDX (LeCun's MNIST format): a 4-byte magic 0 0 TYPE RANK, RANK
 * big-endian uint32 dimensions, then the values. Only unsigned bytes
 * (TYPE 0x08) are read: that is what MNIST-like sets ship as, and the
 * images stay bytes in memory (47 MB for Fashion-MNIST's train set rather
 * than 188 MB of floats); they become floats one batch at a time.
 *
 * Files come through zlib's gzread, which reads plain files as they are,
 * so a .gz and an unpacked copy both work. Every header field is checked
 * before anything is allocated from it, and storage grows with the bytes
 * actually read, so a header that lies about its size costs nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "interp.h"

#define IDX_UBYTE 0x08
/* Bytes of pixels one data block may hold; Fashion-MNIST is 47 MB. */
#define DATA_LIMIT_BYTES (2LL << 30)
/* Labels are bytes (the engine's loss takes uint8). */
#define DATA_MAX_CLASSES 256
/* The validation split's own seed: the same held-out images whatever
 * --seed says, so runs and networks are compared on the same ones. */
#define VALIDATE_SEED 0x76616c6964617465ULL

typedef struct {
	gzFile z;
	const char *path;
	qf_diag *d;
} idx_file;

static const char *idx_type_name(int t)
{
	switch (t) {
	case 0x08: return "unsigned byte";
	case 0x09: return "signed byte";
	case 0x0B: return "int16";
	case 0x0C: return "int32";
	case 0x0D: return "float32";
	case 0x0E: return "float64";
	default: return NULL;
	}
}

static int idx_open(idx_file *f, const char *path, qf_diag *d)
{
	f->path = path;
	f->d = d;
	f->z = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		qf_diag_file_error(d, path, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		qf_diag_file_error(d, path, 0, "%s", S_ISDIR(st.st_mode) ? "is a directory, not a data file"
									  : "not a regular file");
		close(fd);
		return -1;
	}
	/* O_NONBLOCK only kept open() from waiting on a FIFO; reads of a
	 * regular file never block, but clear it all the same. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	f->z = gzdopen(fd, "rb");
	if (!f->z) {
		close(fd);
		qf_diag_file_error(d, path, 0, "cannot read: out of memory in zlib");
		return -1;
	}
	gzbuffer(f->z, 1 << 17);
	return 0;
}

static void idx_close(idx_file *f)
{
	if (f->z)
		gzclose(f->z);
	f->z = NULL;
}

/* Reads up to n bytes; returns how many, or -1 after reporting a
 * corrupt compressed stream (a short count is the caller's to judge). */
static int64_t idx_read(idx_file *f, void *buf, int64_t n)
{
	int64_t got = 0;
	while (got < n) {
		int64_t want = n - got;
		if (want > (1 << 30))
			want = 1 << 30;
		int r = gzread(f->z, (char *)buf + got, (unsigned)want);
		if (r < 0) {
			int err;
			const char *msg = gzerror(f->z, &err);
			qf_diag_file_error(f->d, f->path, 0, "corrupt gzip data: %s", msg ? msg : "read error");
			return -1;
		}
		if (r == 0)
			break;
		got += r;
	}
	/* A gzip stream cut short reads as a short count with Z_BUF_ERROR
	 * set; report it as the truncation it is. */
	int err = Z_OK;
	gzerror(f->z, &err);
	if (err != Z_OK && err != Z_BUF_ERROR) {
		qf_diag_file_error(f->d, f->path, 0, "corrupt gzip data: %s", gzerror(f->z, &err));
		return -1;
	}
	return got;
}

/* Reads the magic and the dims; checks the type and the rank. */
static int idx_header(idx_file *f, int min_rank, int max_rank, const char *ranks, int *rank, uint32_t dim[4])
{
	unsigned char m[4];
	int64_t got = idx_read(f, m, 4);
	if (got < 0)
		return -1;
	if (got < 4) {
		qf_diag_file_error(f->d, f->path, 0, "truncated: %lld bytes, shorter than an IDX header",
				   (long long)got);
		return -1;
	}
	if (m[0] != 0 || m[1] != 0 || !idx_type_name(m[2]) || m[3] < 1 || m[3] > 4) {
		qf_diag_file_error(f->d, f->path, 0,
				   "not an IDX file: magic number 0x%02x%02x%02x%02x (IDX starts 0x0000, "
				   "a type byte and the rank)",
				   m[0], m[1], m[2], m[3]);
		return -1;
	}
	if (m[2] != IDX_UBYTE) {
		qf_diag_file_error(f->d, f->path, 0, "IDX values are %s (type 0x%02x); only unsigned bytes "
						     "(0x08) are supported",
				   idx_type_name(m[2]), m[2]);
		return -1;
	}
	*rank = m[3];
	if (*rank < min_rank || *rank > max_rank) {
		qf_diag_file_error(f->d, f->path, 0, "IDX rank %d; expected %s", *rank, ranks);
		return -1;
	}
	unsigned char b[16];
	got = idx_read(f, b, 4 * *rank);
	if (got < 0)
		return -1;
	if (got < 4 * *rank) {
		qf_diag_file_error(f->d, f->path, 0, "truncated: the IDX header ends inside its dimensions");
		return -1;
	}
	for (int i = 0; i < *rank; i++)
		dim[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 | (uint32_t)b[4 * i + 2] << 8 |
			 b[4 * i + 3];
	return 0;
}

/* Reads exactly n bytes of values into a buffer that grows as bytes
 * arrive; with all true, checks that nothing follows them. */
static uint8_t *idx_body(idx_file *f, int64_t n, int64_t item, const char *items, bool all)
{
	int64_t cap = n < (1 << 20) ? n : (1 << 20), got = 0;
	uint8_t *buf = qf_xmalloc((size_t)(cap ? cap : 1));
	while (got < n) {
		if (got == cap) {
			cap = cap * 2 < n ? cap * 2 : n;
			buf = qf_xrealloc(buf, (size_t)cap);
		}
		int64_t r = idx_read(f, buf + got, cap - got);
		if (r < 0) {
			free(buf);
			return NULL;
		}
		got += r;
		if (r == 0 || got < cap)
			break;
	}
	if (got < n) {
		qf_diag_file_error(f->d, f->path, 0, "truncated: the header says %lld %s, the file ends after %lld",
				   (long long)(n / item), items, (long long)(got / item));
		free(buf);
		return NULL;
	}
	if (all) {
		unsigned char extra;
		int64_t r = idx_read(f, &extra, 1);
		if (r != 0) {
			if (r > 0)
				qf_diag_file_error(f->d, f->path, 0, "bytes follow the %lld %s the header announces",
						   (long long)(n / item), items);
			free(buf);
			return NULL;
		}
	}
	return buf;
}

void qf_images_free(qf_images *s)
{
	free(s->pix);
	free(s->label);
	memset(s, 0, sizeof(*s));
}

int qf_idx_read(const char *images, const char *labels, int c, int h, int w, int classes, int max,
		qf_images *out, qf_diag *d)
{
	memset(out, 0, sizeof(*out));
	QF_ASSERT(c > 0 && h > 0 && w > 0 && classes > 0 && classes <= DATA_MAX_CLASSES);
	idx_file fi, fl;
	int rank;
	uint32_t dim[4];
	if (idx_open(&fi, images, d) != 0)
		return -1;
	if (idx_header(&fi, 3, 4, "images of rank 3 (N x H x W) or 4 (N x C x H x W)", &rank, dim) != 0) {
		idx_close(&fi);
		return -1;
	}
	uint32_t n = dim[0], fc = rank == 4 ? dim[1] : 1, fh = dim[rank - 2], fw = dim[rank - 1];
	if ((int64_t)fc != c || (int64_t)fh != h || (int64_t)fw != w) {
		qf_diag_file_error(d, images, 0, "images are %ux%ux%u (CxHxW) but the data block's input is %dx%dx%d",
				   fc, fh, fw, c, h, w);
		idx_close(&fi);
		return -1;
	}
	if (n == 0) {
		qf_diag_file_error(d, images, 0, "holds no images");
		idx_close(&fi);
		return -1;
	}
	int64_t img = (int64_t)c * h * w;
	int64_t take = max > 0 && (uint32_t)max < n ? (int64_t)max : (int64_t)n;
	if (take * img > DATA_LIMIT_BYTES || take > INT32_MAX) {
		qf_diag_file_error(d, images, 0, "%u images of %lld bytes are over the limit of %lld bytes",
				   n, (long long)img, (long long)DATA_LIMIT_BYTES);
		idx_close(&fi);
		return -1;
	}
	out->pix = idx_body(&fi, take * img, img, "images", take == n);
	idx_close(&fi);
	if (!out->pix)
		return -1;

	if (idx_open(&fl, labels, d) != 0)
		goto fail;
	if (idx_header(&fl, 1, 1, "labels of rank 1", &rank, dim) != 0) {
		idx_close(&fl);
		goto fail;
	}
	if (dim[0] != n) {
		qf_diag_file_error(d, labels, 0, "%u labels for %u images in %s", dim[0], n, images);
		idx_close(&fl);
		goto fail;
	}
	out->label = idx_body(&fl, take, 1, "labels", take == n);
	idx_close(&fl);
	if (!out->label)
		goto fail;
	for (int64_t i = 0; i < take; i++)
		if (out->label[i] >= classes) {
			qf_diag_file_error(d, labels, 0, "label %d of image %lld is out of range: the data has %d classes (0..%d)",
					   out->label[i], (long long)i, classes, classes - 1);
			goto fail;
		}
	out->n = (int)take;
	out->c = c;
	out->h = h;
	out->w = w;
	return 0;
fail:
	qf_images_free(out);
	return -1;
}

void qf_shuffle(int32_t *perm, int n, qf_rng *r)
{
	for (int i = 0; i < n; i++)
		perm[i] = i;
	for (int i = n - 1; i > 0; i--) {
		int j = (int)qf_rng_below(r, (uint32_t)i + 1);
		int32_t t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
}

/* Moves `validate` images, picked by VALIDATE_SEED, from the train set to
 * val; both keep the file's order. */
static void split_validation(qf_images *tr, qf_images *val, int validate)
{
	int n = tr->n;
	int64_t img = (int64_t)tr->c * tr->h * tr->w;
	int32_t *perm = qf_xmalloc((size_t)n * sizeof(int32_t));
	qf_rng r;
	qf_rng_seed(&r, VALIDATE_SEED);
	qf_shuffle(perm, n, &r);
	bool *held = qf_xcalloc((size_t)n, 1);
	for (int i = 0; i < validate; i++)
		held[perm[i]] = true;
	free(perm);
	*val = (qf_images){.n = validate, .c = tr->c, .h = tr->h, .w = tr->w};
	val->pix = qf_xmalloc((size_t)(validate * img));
	val->label = qf_xmalloc((size_t)validate);
	int nv = 0, nt = 0;
	for (int i = 0; i < n; i++) {
		if (held[i]) {
			memcpy(val->pix + nv * img, tr->pix + i * img, (size_t)img);
			val->label[nv++] = tr->label[i];
		} else {
			/* nt <= i, so moving down in place never overwrites an image not yet visited */
			if (nt != i)
				memmove(tr->pix + nt * img, tr->pix + i * img, (size_t)img);
			tr->label[nt++] = tr->label[i];
		}
	}
	free(held);
	tr->n = nt;
}

int qf_dataset_load(const qf_data *spec, int max_train, int max_test, qf_dataset *ds, qf_diag *d)
{
	memset(ds, 0, sizeof(*ds));
	const char *where = spec->name ? spec->name : "data";
	if (!spec->train_images || !spec->train_labels || !spec->test_images || !spec->test_labels) {
		qf_diag_error(d, spec->loc, "data '%s' needs train and test images and labels to train", where);
		return -1;
	}
	if (spec->classes < 2 || spec->classes > DATA_MAX_CLASSES) {
		qf_diag_error(d, spec->loc, "data '%s' has %d classes; training takes 2 to %d", where,
			      spec->classes, DATA_MAX_CLASSES);
		return -1;
	}
	if (spec->in_c < 1 || spec->in_h < 1 || spec->in_w < 1 || spec->in_c > QF_LIMIT_CHANNELS ||
	    spec->in_h > QF_LIMIT_SPATIAL || spec->in_w > QF_LIMIT_SPATIAL) {
		qf_diag_error(d, spec->loc, "data '%s' has no usable input shape (%dx%dx%d)", where, spec->in_c,
			      spec->in_h, spec->in_w);
		return -1;
	}
	ds->classes = spec->classes;
	ds->in_c = ds->c = spec->in_c;
	ds->in_h = ds->h = spec->in_h;
	ds->in_w = ds->w = spec->in_w;
	ds->crop = spec->crop;
	ds->pad = spec->crop ? spec->crop_pad : 0;
	ds->flip = spec->flip_h;
	ds->train_path = spec->train_images;
	ds->test_path = spec->test_images;
	if (ds->crop) {
		if (ds->pad < 0 || ds->crop < 1 || ds->crop > spec->in_h + 2 * ds->pad ||
		    ds->crop > spec->in_w + 2 * ds->pad) {
			qf_diag_error(d, spec->loc, "data '%s': crop %d pad %d does not fit a %dx%d image", where,
				      ds->crop, ds->pad, spec->in_h, spec->in_w);
			return -1;
		}
		ds->h = ds->w = ds->crop;
	}
	if (max_train < 0)
		goto test; /* evaluation only */
	if (qf_idx_read(spec->train_images, spec->train_labels, spec->in_c, spec->in_h, spec->in_w,
			spec->classes, max_train, &ds->train, d) != 0)
		return -1;
	if (spec->validate < 0 || spec->validate >= ds->train.n) {
		qf_diag_file_error(d, spec->train_images, 0,
				   "validate %d leaves no training images: the file has %d", spec->validate,
				   ds->train.n);
		qf_dataset_free(ds);
		return -1;
	}
	if (spec->validate > 0)
		split_validation(&ds->train, &ds->val, spec->validate);
test:
	if (qf_idx_read(spec->test_images, spec->test_labels, spec->in_c, spec->in_h, spec->in_w,
			spec->classes, max_test, &ds->test, d) != 0) {
		qf_dataset_free(ds);
		return -1;
	}
	return 0;
}

void qf_dataset_free(qf_dataset *ds)
{
	qf_images_free(&ds->train);
	qf_images_free(&ds->val);
	qf_images_free(&ds->test);
}

int qf_dataset_check_input(const qf_dataset *ds, const qf_graph *g, qf_diag *d)
{
	QF_ASSERT(g->input >= 0 && g->input < g->nt);
	const qf_tensor *t = &g->t[g->input];
	if (t->rank == 3 && t->dim[0] == ds->c && t->dim[1] == ds->h && t->dim[2] == ds->w)
		return 0;
	char shape[64];
	if (t->rank == 3)
		snprintf(shape, sizeof shape, "%dx%dx%d", t->dim[0], t->dim[1], t->dim[2]);
	else
		snprintf(shape, sizeof shape, "a rank-%d tensor", t->rank);
	/* the file the images came from: the train split unless only the
	 * test split was read (evaluation) */
	const char *path = ds->train.n ? ds->train_path : ds->test_path;
	if (ds->crop)
		qf_diag_file_error(d, path, 0,
				   "images are %dx%dx%d, cropped to %dx%dx%d, but the network '%s' takes %s",
				   ds->in_c, ds->in_h, ds->in_w, ds->c, ds->h, ds->w, g->name, shape);
	else
		qf_diag_file_error(d, path, 0, "images are %dx%dx%d but the network '%s' takes %s",
				   ds->c, ds->h, ds->w, g->name, shape);
	return -1;
}

/* Division, not multiplication by 1/255: the same floats as the PyTorch
 * peer's tensor / 255. */
static inline float pixel(uint8_t v)
{
	return (float)v / 255.0f;
}

void qf_batch(const qf_dataset *ds, const qf_images *s, const int32_t *idx, int n, bool augment,
	      qf_rng *r, float *x, uint8_t *y)
{
	QF_ASSERT(s->c == ds->in_c && s->h == ds->in_h && s->w == ds->in_w);
	const int C = ds->c, H = ds->h, W = ds->w, ih = s->h, iw = s->w, p = ds->pad;
	const int64_t img = (int64_t)C * ih * iw;
	for (int b = 0; b < n; b++) {
		QF_ASSERT(idx[b] >= 0 && idx[b] < s->n);
		const uint8_t *src = s->pix + idx[b] * img;
		float *dst = x + (int64_t)b * C * H * W;
		y[b] = s->label[idx[b]];
		/* (oy, ox): the crop's corner in image coordinates, so it may
		 * start in the padding (negative) and the rest reads zeros. */
		int oy = 0, ox = 0;
		bool flip = false;
		if (ds->crop) {
			int ry = ih + 2 * p - H, rx = iw + 2 * p - W;
			if (augment) {
				oy = (int)qf_rng_below(r, (uint32_t)ry + 1) - p;
				ox = (int)qf_rng_below(r, (uint32_t)rx + 1) - p;
			} else {
				oy = ry / 2 - p;
				ox = rx / 2 - p;
			}
		}
		if (augment && ds->flip)
			flip = qf_rng_below(r, 2) == 1;
		if (!ds->crop && !flip) {
			for (int64_t i = 0; i < img; i++)
				dst[i] = pixel(src[i]);
			continue;
		}
		for (int c = 0; c < C; c++)
			for (int yy = 0; yy < H; yy++) {
				int sy = yy + oy;
				float *row = dst + ((int64_t)c * H + yy) * W;
				if (sy < 0 || sy >= ih) {
					memset(row, 0, (size_t)W * sizeof(float));
					continue;
				}
				const uint8_t *srow = src + ((int64_t)c * ih + sy) * iw;
				for (int xx = 0; xx < W; xx++) {
					int sx = (flip ? W - 1 - xx : xx) + ox;
					row[xx] = sx < 0 || sx >= iw ? 0.0f : pixel(srow[sx]);
				}
			}
	}
}
