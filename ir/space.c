/* space.c: counting the networks of a Space IR and picking choice vectors.
 *
 * A stage with depth choices {1..D} and T templates holds D*T blocks;
 * block b is active when its rep is below the chosen depth. Two choice
 * vectors that differ only in dims no active block reads name the same
 * network, so the count is not the plain product of all dim sizes:
 *
 *   networks = prod over stages of
 *              sum over depth options d of
 *                 prod of |dim| over the dims that an active block
 *                 (rep < d) reads, and the stage-level dims other than
 *                 the depth dim
 *
 * each dim multiplying once even when several blocks share it (a width
 * shared by the reps of a template).
 */
#include <stdlib.h>
#include <string.h>

#include <math.h>

#include "ir.h"

/* The attributes of a block that may name a dim; ORDER: every qf_attr
 * field of qf_block. */
static void block_attrs(const qf_block *b, qf_attr out[7])
{
	out[0] = b->c;
	out[1] = b->k;
	out[2] = b->s;
	out[3] = b->e;
	out[4] = b->r;
	out[5] = b->wbits;
	out[6] = b->abits;
}

static bool dim_ok(const qf_space *sp, int32_t dim)
{
	return dim >= 0 && dim < sp->n_dims;
}

static bool stage_level(const qf_space *sp, int si, int32_t dim)
{
	const qf_dim *dm = &sp->dims[dim];
	return dm->block < 0 && dm->stage == si && dim != sp->stages[si].depth.dim;
}

/* Networks of one stage. level is the product of its stage-level dims;
 * mark[] (n_dims entries) is scratch, compared against a fresh stamp per
 * depth option so it never needs clearing: the whole count stays linear
 * in the size of the space. */
static double stage_networks(const qf_space *sp, int si, double level, int *mark, int *stamp)
{
	const qf_stage *st = &sp->stages[si];
	int n_depth = 1;
	const int32_t *depths = &st->depth.value;
	if (dim_ok(sp, st->depth.dim)) {
		n_depth = sp->dims[st->depth.dim].n;
		depths = sp->dims[st->depth.dim].v;
	}
	double sum = 0;
	for (int o = 0; o < n_depth; o++) {
		int d = depths[o];
		double prod = level;
		++*stamp;
		for (int b = st->first; b < st->first + st->n && b < sp->n_blocks; b++) {
			if (b < 0 || sp->blocks[b].rep >= d)
				continue;
			qf_attr at[7];
			block_attrs(&sp->blocks[b], at);
			for (int a = 0; a < 7; a++) {
				int32_t dm = at[a].dim;
				if (dim_ok(sp, dm) && mark[dm] != *stamp && !stage_level(sp, si, dm)) {
					mark[dm] = *stamp;
					prod *= sp->dims[dm].n;
				}
			}
		}
		sum += prod;
	}
	return sum;
}

/* Both counts in one walk: the product, and the sum of log10 of the
 * factors, which stays finite where the product overflows a double. */
static double networks(const qf_space *sp, double *log10_out)
{
	size_t nd = (size_t)(sp->n_dims > 0 ? sp->n_dims : 1), ns = (size_t)(sp->n_stages > 0 ? sp->n_stages : 1);
	int *mark = qf_xcalloc(nd, sizeof(int));
	double *level = qf_xmalloc(ns * sizeof(double));
	for (int s = 0; s < sp->n_stages; s++)
		level[s] = 1;
	for (int i = 0; i < sp->n_dims; i++) {
		int s = sp->dims[i].stage;
		if (s >= 0 && s < sp->n_stages && stage_level(sp, s, i))
			level[s] *= sp->dims[i].n;
	}
	int stamp = 0;
	double n = 1, lg = 0;
	for (int s = 0; s < sp->n_stages; s++) {
		double f = stage_networks(sp, s, level[s], mark, &stamp);
		n *= f;
		lg += log10(f);
	}
	if (log10_out)
		*log10_out = lg;
	free(level);
	free(mark);
	return n;
}

double qf_space_networks(const qf_space *sp)
{
	return networks(sp, NULL);
}

double qf_space_networks_log10(const qf_space *sp)
{
	double lg;
	networks(sp, &lg);
	return lg;
}

int32_t qf_attr_value(const qf_space *sp, qf_attr a, const qf_choice *ch)
{
	if (a.dim < 0)
		return a.value;
	QF_ASSERT(dim_ok(sp, a.dim) && ch && a.dim < ch->n);
	const qf_dim *dm = &sp->dims[a.dim];
	int i = ch->idx[a.dim];
	QF_ASSERT(i >= 0 && i < dm->n);
	return dm->v[i];
}

void qf_choice_init(qf_choice *ch, const qf_space *sp)
{
	ch->n = sp->n_dims;
	ch->idx = qf_xcalloc((size_t)(ch->n > 0 ? ch->n : 1), sizeof(int));
}

/* The option whose value is least (want -1) or greatest (want +1). */
static int extreme(const qf_dim *dm, int want)
{
	int best = 0;
	for (int i = 1; i < dm->n; i++)
		if ((int64_t)want * ((int64_t)dm->v[i] - dm->v[best]) > 0)
			best = i;
	return best;
}

void qf_choice_pick(qf_choice *ch, const qf_space *sp, qf_pick how, qf_rng *rng)
{
	QF_ASSERT(ch->n == sp->n_dims);
	for (int i = 0; i < sp->n_dims; i++) {
		const qf_dim *dm = &sp->dims[i];
		QF_ASSERT(dm->n >= 1 && dm->n <= QF_MAX_VALUES);
		int grows = qf_dim_kind_grows[dm->kind];
		switch (how) {
		case QF_PICK_SMALLEST:
			ch->idx[i] = extreme(dm, -grows);
			break;
		case QF_PICK_LARGEST:
			ch->idx[i] = extreme(dm, grows);
			break;
		case QF_PICK_RANDOM:
			QF_ASSERT(rng);
			ch->idx[i] = (int)qf_rng_below(rng, (uint32_t)dm->n);
			break;
		}
	}
}

void qf_choice_free(qf_choice *ch)
{
	free(ch->idx);
	ch->idx = NULL;
	ch->n = 0;
}
