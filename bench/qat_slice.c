/* qat_slice.c: QAT of a .qf's network on the first N training images, for
 * quick comparisons of QAT settings (docs/qat.md, "Rate"; docs/bench.md,
 * "QAT"). Not part of the build; from the top of the tree:
 *
 *   make BUILD=/tmp/b -j2 all
 *   cc -std=c11 -O2 -D_DEFAULT_SOURCE -I. -I/tmp/b/gen $(pkg-config --cflags libxml-2.0) \
 *      -o /tmp/qat_slice bench/qat_slice.c /tmp/b/libqforge.a -lxml2 -lz -lm -lpthread
 *   /tmp/qat_slice bench/fmnist-small-int8.qf 3 10000 [FLAGS]
 *
 * FLAGS: f float training (no QAT), L no LSQ (min/max observers), G no
 * GradBoost, S no StatAssist, M with the gradient modification, F no BN
 * folding. QAT_QLR=X sets the quantizers' rate (qf_qat_cfg.qlr). All
 * 10,000 test images are evaluated; the last line is "RESULT ... acc". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/frontend.h"
#include "interp/interp.h"
#include "passes/passes.h"

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: qat_slice FILE.qf EPOCHS TRAIN_IMAGES [FLAGS]\n");
		return 1;
	}
	const char *qf = argv[1], *flags = argc > 4 ? argv[4] : "";
	int epochs = atoi(argv[2]), ntrain = atoi(argv[3]);
	qf_diag *d = qf_diag_new(stderr);
	qf_program *p = qf_load_program(qf, d);
	if (!p || p->sel_quant < 0 || p->sel_space < 0 || p->sel_data < 0)
		return 1;
	qf_choice ch;
	qf_choice_init(&ch, &p->spaces[p->sel_space]);
	qf_choice_pick(&ch, &p->spaces[p->sel_space], QF_PICK_LARGEST, NULL);
	qf_graph *g = qf_sample(p, &ch, 1, d);
	qf_dataset ds;
	if (!g || qf_dataset_load(&p->datas[p->sel_data], ntrain, 10000, &ds, d))
		return 1;
	qf_train_cfg c;
	qf_train_defaults(&c);
	c.epochs = epochs;
	c.log = stdout;
	qf_qat_cfg qc;
	qf_qat_cfg_from_policy(&qc, &p->quants[p->sel_quant]);
	qc.lsq = qc.lsq && !strchr(flags, 'L');
	qc.gradboost = qc.gradboost && !strchr(flags, 'G');
	qc.statassist = qc.statassist && !strchr(flags, 'S');
	qc.gradmod = qc.gradmod || strchr(flags, 'M');
	qc.fold_bn = !strchr(flags, 'F');
	if (getenv("QAT_QLR"))
		qc.qlr = atof(getenv("QAT_QLR"));
	qf_epoch_stats st;
	int rc = strchr(flags, 'f') ? qf_train(g, &ds, &c, NULL, &st, d)
				    : qf_qat_train(g, &p->quants[p->sel_quant], &ds, &c, &qc, &st, d);
	printf("RESULT %s %s: %.2f\n", qf, flags, st.test_acc);
	qf_dataset_free(&ds);
	qf_graph_free(g);
	qf_choice_free(&ch);
	qf_program_free(p);
	qf_diag_free(d);
	return rc ? 1 : 0;
}
