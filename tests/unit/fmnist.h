/* fmnist.h: Debian's Fashion-MNIST as a qf_data, for the unit tests that
 * train or calibrate on real images (a header: each test is one file,
 * built alone). */
#ifndef QF_TEST_FMNIST_H
#define QF_TEST_FMNIST_H

#include "ir/ir.h"

#define QF_TEST_FM "/usr/share/datasets/fashion-mnist/"

/* validate: training images held out for validation (qf_data.validate). */
static inline qf_data fmnist_spec(int validate)
{
	qf_data spec = {
		.name = "fmnist",
		.train_images = QF_TEST_FM "train-images-idx3-ubyte.gz",
		.train_labels = QF_TEST_FM "train-labels-idx1-ubyte.gz",
		.test_images = QF_TEST_FM "t10k-images-idx3-ubyte.gz",
		.test_labels = QF_TEST_FM "t10k-labels-idx1-ubyte.gz",
		.in_c = 1,
		.in_h = 28,
		.in_w = 28,
		.classes = 10,
		.validate = validate,
	};
	return spec;
}

#endif
