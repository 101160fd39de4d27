/* plan: one static arena for every activation and kernel scratch buffer.
 *
 * Requires: a QUANTIZED Int Graph.
 * Guarantees: a verified PLANNED Int Graph: each tensor is live from the
 * node that writes it (the input: from before node 0) through the last node
 * that reads it (the logits: to the end), each scratch buffer at its node
 * only; every buffer has a 4-byte aligned offset, and buffers live at the
 * same node do not overlap, except that a pool or add may write its output
 * over an input that dies at that node (qf_inode_in_place), at the same
 * offset. arena_bytes is the end of the highest buffer; naive_bytes every
 * buffer laid end to end; live_peak_bytes the largest sum of buffers live
 * at one node (in-place pairs once), which no plan can beat.
 *
 * Placement is greedy by size (largest first, the first gap that fits
 * among the already placed buffers whose lifetimes intersect), the
 * heuristic TFLite Micro's planner uses, with one change: when a buffer is
 * placed, the outputs that may be written over it in place follow it at
 * once, at its offset, so that a large buffer living beside them later (a
 * conv after a pool) is kept off them instead of pushing them elsewhere.
 * The order is fixed (size, then first use, then index), so plans are the
 * same on every machine. */
#include <stdlib.h>

#include "passes/passes.h"

typedef struct {
	int64_t bytes, off;
	int first, last;
	int tensor;                  /* -1: scratch of node */
	int node;
	int share;                   /* buffer it may sit on in place; -1 none */
} buf;

static int64_t align4(int64_t n)
{
	return (n + 3) & ~(int64_t)3;
}

static int by_size(const void *pa, const void *pb)
{
	const buf *a = *(const buf *const *)pa, *b = *(const buf *const *)pb;
	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return a->tensor != b->tensor ? (a->tensor < b->tensor ? -1 : 1) : (a->node < b->node ? -1 : 1);
}

static int by_off(const void *pa, const void *pb)
{
	const buf *a = *(const buf *const *)pa, *b = *(const buf *const *)pb;
	return a->off < b->off ? -1 : a->off > b->off;
}

static bool overlap_time(const buf *a, const buf *b)
{
	return !(a->last < b->first || b->last < a->first);
}

/* Whether x at offset off collides with any placed buffer it may not share. */
static bool fits_at(buf *all, buf **placed, int np, const buf *x, int64_t off)
{
	for (int i = 0; i < np; i++) {
		const buf *p = placed[i];
		if (!overlap_time(x, p))
			continue;
		if (x->share >= 0 && &all[x->share] == p && p->off == off)
			continue;
		if (off < p->off + p->bytes && p->off < off + x->bytes)
			return false;
	}
	return true;
}

static int64_t first_gap(buf **placed, int np, buf **tmp, const buf *x)
{
	int nt = 0;
	for (int i = 0; i < np; i++)
		if (overlap_time(x, placed[i]))
			tmp[nt++] = placed[i];
	qsort(tmp, (size_t)nt, sizeof(buf *), by_off);
	int64_t off = 0;
	for (int i = 0; i < nt; i++) {
		if (tmp[i]->off >= off + x->bytes)
			break;
		int64_t end = align4(tmp[i]->off + tmp[i]->bytes);
		if (end > off)
			off = end;
	}
	return off;
}

void qf_plan(qf_igraph *ig)
{
	QF_ASSERT(ig->stage == QF_ISTAGE_QUANTIZED);
	int nb = 0;
	buf *b = qf_xcalloc((size_t)(ig->nt + ig->nn), sizeof(buf));
	int *tbuf = qf_xmalloc((size_t)ig->nt * sizeof(int));
	for (int i = 0; i < ig->nt; i++) {
		qf_itensor *t = &ig->t[i];
		t->first = t->producer;
		t->last = i == ig->output ? ig->nn : t->first;
		for (int j = 0; j < ig->nn; j++)
			if (ig->n[j].in[0] == i || ig->n[j].in[1] == i)
				t->last = j > t->last ? j : t->last;
		tbuf[i] = nb;
		b[nb++] = (buf){t->bytes, -1, t->first, t->last, i, -1, -1};
	}
	for (int j = 0; j < ig->nn; j++)
		if (ig->n[j].scratch)
			b[nb++] = (buf){ig->n[j].scratch, -1, j, j, -1, j, -1};
	/* in-place candidates: an output over an input that dies here */
	for (int j = 0; j < ig->nn; j++) {
		const qf_inode *n = &ig->n[j];
		if (!qf_inode_in_place(ig, j))
			continue;
		int slots = n->op == QF_IOP_ADD ? 2 : 1;
		for (int k = 0; k < slots; k++) {
			int x = n->in[k];
			if (ig->t[x].last == j && x != ig->input && b[tbuf[n->out]].share < 0) {
				b[tbuf[n->out]].share = tbuf[x];
				break;
			}
		}
	}
	buf **order = qf_xmalloc((size_t)nb * sizeof(buf *)), **placed = qf_xmalloc((size_t)nb * sizeof(buf *));
	buf **tmp = qf_xmalloc((size_t)nb * sizeof(buf *));
	for (int i = 0; i < nb; i++)
		order[i] = &b[i];
	qsort(order, (size_t)nb, sizeof(buf *), by_size);
	int np = 0;
	int64_t arena = 0, naive = 0;
	for (int i = 0; i < nb; i++)
		naive += align4(b[i].bytes);
	for (int i = 0; i < nb; i++) {
		buf *x = order[i];
		if (x->off >= 0)
			continue;
		x->off = first_gap(placed, np, tmp, x);
		placed[np++] = x;
		/* an in-place chain goes down with its head, before anything
		 * larger that lives beside the later links takes their place */
		for (buf *h = x;;) {
			buf *y = NULL;
			for (int k = 0; k < nb && !y; k++)
				if (b[k].share == (int)(h - b) && b[k].off < 0 && fits_at(b, placed, np, &b[k], h->off))
					y = &b[k];
			if (!y)
				break;
			y->off = h->off;
			placed[np++] = y;
			h = y;
		}
	}
	for (int i = 0; i < nb; i++)
		if (b[i].off + b[i].bytes > arena)
			arena = b[i].off + b[i].bytes;
	/* the floor: at each node, everything live, an in-place pair once */
	int64_t peak = 0;
	for (int j = -1; j <= ig->nn; j++) {
		int64_t sum = 0;
		for (int i = 0; i < nb; i++) {
			const buf *x = &b[i];
			if (x->first > j || x->last < j)
				continue;
			if (x->share >= 0 && x->first == j && b[x->share].off == x->off && b[x->share].last == j) {
				int64_t other = b[x->share].bytes;
				sum += x->bytes > other ? x->bytes - other : 0;
				continue;
			}
			sum += x->bytes;
		}
		peak = sum > peak ? sum : peak;
	}
	for (int i = 0; i < nb; i++) {
		if (b[i].tensor >= 0)
			ig->t[b[i].tensor].offset = b[i].off;
		else
			ig->n[b[i].node].scratch_off = b[i].off;
	}
	ig->arena_bytes = align4(arena);
	ig->naive_bytes = naive;
	ig->live_peak_bytes = peak;
	ig->stage = QF_ISTAGE_PLANNED;
	free(order);
	free(placed);
	free(tmp);
	free(tbuf);
	free(b);
	QF_IVERIFY(ig);
}
