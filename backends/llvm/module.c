/* module.c: the module of one network.
 *
 *   int qf_<name>_run(const uint8_t *in, int8_t *out_logits, void *arena)
 * checks its pointers (QF_RT_ERR_NULL, -1) and the arena's alignment
 * (QF_RT_ERR_SCRATCH, -4), as the C backend's does, then calls one
 * internal function per layer, never inlined, so that each layer shows in
 * the symbol table with its size:
 *   void qf_<name>_L<i>(const uint8_t *in, int8_t *arena, int8_t *out)
 * Constants are internal globals qf_<name>_L<i>_w (weights),
 * qf_<name>_L<i>_rq (requant tables) and qf_<name>_L<i>_pad (padding rows).
 *
 * Buffers: the network input is read where the caller keeps it (no copy),
 * the last layer writes the logits straight into out_logits when nothing
 * else reads them, and every other tensor sits at the offset the memory
 * plan gave it. Conv and fc need column scratch of their own size
 * (dense.c): it goes into the first gap of the arena that no tensor live at
 * that layer uses, which may make the arena larger than the plan's when no
 * gap is big enough (the summary and model.h give the size). */
#include <stdlib.h>
#include <string.h>

#include "backends/llvm/llvm_internal.h"

int32_t qf_lc_wget(const uint8_t *row, int64_t i, int b)
{
	int64_t bit = i * b;
	uint32_t v = ((uint32_t)row[bit >> 3] >> (bit & 7)) & ((1u << b) - 1u);
	uint32_t sign = 1u << (b - 1);
	return (int32_t)(v ^ sign) - (int32_t)sign;
}

typedef struct {
	int64_t lo, hi;
} span;

static int by_lo(const void *a, const void *b)
{
	const span *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Scratch of node i: the first 4-aligned gap of `need` bytes among the
 * tensors live at i and `also` (a fused pool's output; -1 none); the
 * network input is not in the arena. */
static int64_t place(const qf_igraph *ig, int i, int64_t need, int also)
{
	span *s = qf_xcalloc((size_t)ig->nt + 1, sizeof(span));
	int ns = 0;
	for (int t = 0; t < ig->nt; t++) {
		const qf_itensor *x = &ig->t[t];
		if (t != ig->input && ((x->first <= i && i <= x->last) || t == also) && x->bytes > 0)
			s[ns++] = (span){x->offset, x->offset + x->bytes};
	}
	qsort(s, (size_t)ns, sizeof(span), by_lo);
	int64_t at = 0;
	for (int k = 0; k < ns; k++) {
		if (s[k].lo >= at + need)
			break;
		if (s[k].hi > at)
			at = (s[k].hi + 3) / 4 * 4;
	}
	free(s);
	return at;
}

static bool weighted_dense(const qf_inode *n)
{
	return n->op == QF_IOP_CONV || n->op == QF_IOP_FC;
}

static bool overlap(const qf_itensor *a, const qf_itensor *b)
{
	return a->offset < b->offset + b->bytes && b->offset < a->offset + a->bytes;
}

/* Whether conv node i and the max pool after it run as one: the pool is the
 * conv output's only reader and has no padding, the requant is monotonic
 * (no left shift; multipliers are positive), and the pool's output, which
 * the conv then writes while it runs, overlaps nothing the conv reads or
 * keeps (the plan placed it for the pool's turn, not the conv's). */
static bool fusible(const qf_lc *c, int i)
{
	const qf_igraph *ig = c->ig;
	if (i + 1 >= ig->nn)
		return false;
	const qf_inode *n = &ig->n[i], *p = &ig->n[i + 1];
	/* a split layer is generated once per run of channels; fused, each run
	 * would write its channels of the pool's output with a stride too: not
	 * done, the pool runs on its own */
	if (n->op != QF_IOP_CONV || n->nparts || p->op != QF_IOP_MAXPOOL || p->in[0] != n->out || n->out == ig->output ||
	    p->pad_top || p->pad_left || p->k_h * p->k_w > 16 || ig->t[n->out].bits != 8)
		return false;
	for (int j = 0; j < ig->nn; j++)
		if (j != i + 1 && (ig->n[j].in[0] == n->out || ig->n[j].in[1] == n->out))
			return false;
	for (int64_t ch = 0; ch < ig->t[n->out].c; ch++)
		if (ig->i32[n->shift + ch] > 0)
			return false;
	const qf_itensor *y = &ig->t[p->out];
	if (p->out == ig->output && c->out_direct)
		return true;
	for (int t = 0; t < ig->nt; t++)
		if (t != ig->input && t != n->out && t != p->out && ig->t[t].first <= i && i <= ig->t[t].last &&
		    overlap(&ig->t[t], y))
			return false;
	return true;
}

static void plan_scratch(qf_lc *c)
{
	const qf_igraph *ig = c->ig;
	c->fused = qf_xcalloc((size_t)(ig->nn ? ig->nn : 1), sizeof(int));
	for (int i = 0; i < ig->nn; i++)
		c->fused[i] = -1;
	for (int i = 0; i < ig->nn; i++)
		if (fusible(c, i))
			c->fused[i] = i + 1, i++;
	c->scratch_off = qf_xcalloc((size_t)(ig->nn ? ig->nn : 1), sizeof(int64_t));
	c->arena_bytes = (ig->arena_bytes + 3) / 4 * 4;
	for (int i = 0; i < ig->nn; i++) {
		c->scratch_off[i] = -1;
		if (!weighted_dense(&ig->n[i]))
			continue;
		int64_t need = qf_lc_dense_scratch(c, &ig->n[i]);
		c->scratch_off[i] = place(ig, i, need, c->fused[i] >= 0 ? ig->n[i + 1].out : -1);
		if (c->scratch_off[i] + need > c->arena_bytes)
			c->arena_bytes = c->scratch_off[i] + need;
	}
}

/* The last layer may write the logits where the caller wants them. */
static bool direct_output(const qf_igraph *ig)
{
	if (ig->nn == 0 || ig->n[ig->nn - 1].out != ig->output)
		return false;
	for (int i = 0; i < ig->nn; i++)
		if (ig->n[i].in[0] == ig->output || ig->n[i].in[1] == ig->output)
			return false;
	return true;
}

static void add_attr(qf_lc *c, LLVMValueRef f, unsigned idx, const char *name)
{
	unsigned kind = LLVMGetEnumAttributeKindForName(name, strlen(name));
	QF_ASSERT(kind != 0);
	LLVMAddAttributeAtIndex(f, idx, LLVMCreateEnumAttribute(c->cx, kind, 0));
}

void qf_lc_fn_attrs(qf_lc *c, LLVMValueRef f, bool noinline)
{
	add_attr(c, f, LLVMAttributeFunctionIndex, "nounwind");
	if (noinline)
		add_attr(c, f, LLVMAttributeFunctionIndex, "noinline");
}

static void layer(qf_lc *c, int i, LLVMTypeRef lty)
{
	const qf_inode *n = &c->ig->n[i];
	char nm[128];
	snprintf(nm, sizeof nm, "qf_%s_L%d", c->name, i);
	LLVMValueRef f = LLVMAddFunction(c->m, nm, lty);
	LLVMSetLinkage(f, LLVMInternalLinkage);
	qf_lc_fn_attrs(c, f, true);
	/* the input is never written while the network runs */
	add_attr(c, f, 1, "readonly");
	c->fn = f;
	c->node = i;
	c->in = LLVMGetParam(f, 0);
	c->arena = LLVMGetParam(f, 1);
	c->out = LLVMGetParam(f, 2);
	LLVMPositionBuilderAtEnd(c->b, LLVMAppendBasicBlockInContext(c->cx, f, "entry"));
	switch (n->op) {
	case QF_IOP_CONV:
	case QF_IOP_FC:
		qf_lc_dense(c, n);
		break;
	case QF_IOP_DWCONV:
		qf_lc_dwconv(c, n);
		break;
	case QF_IOP_MAXPOOL:
	case QF_IOP_AVGPOOL:
		/* a pool fused into the conv before it has nothing left to do */
		if (i == 0 || c->fused[i - 1] != i)
			qf_lc_pool(c, n);
		break;
	case QF_IOP_ADD:
		qf_lc_add(c, n);
		break;
	case QF_IOP_COUNT:
		qf_die("llvm backend: op %d", (int)n->op);
	}
	LLVMBuildRetVoid(c->b);
}

void qf_lc_build(qf_lc *c)
{
	const qf_igraph *ig = c->ig;
	QF_ASSERT(ig->stage == QF_ISTAGE_PLANNED);
	LLVMContextRef cx = c->cx;
	c->b = LLVMCreateBuilderInContext(cx);
	c->i1 = LLVMInt1TypeInContext(cx);
	c->i8 = LLVMInt8TypeInContext(cx);
	c->i16 = LLVMInt16TypeInContext(cx);
	c->i32 = LLVMInt32TypeInContext(cx);
	c->i64 = LLVMInt64TypeInContext(cx);
	c->vd = LLVMVoidTypeInContext(cx);
	c->p8 = LLVMPointerType(c->i8, 0);
	c->p16 = LLVMPointerType(c->i16, 0);
	c->p32 = LLVMPointerType(c->i32, 0);
	c->dsp = !c->o->plain && qf_llvm_target_dsp(c->t);
	c->ssat = strncmp(c->t->triple, "thumbv7", 7) == 0;
	c->out_direct = direct_output(ig);
	plan_scratch(c);

	LLVMTypeRef args[3] = {c->p8, c->p8, c->p8};
	LLVMTypeRef lty = LLVMFunctionType(c->vd, args, 3, 0);
	LLVMValueRef *fns = qf_xcalloc((size_t)(ig->nn ? ig->nn : 1), sizeof(LLVMValueRef));
	for (int i = 0; i < ig->nn; i++) {
		layer(c, i, lty);
		fns[i] = c->fn;
	}

	/* the run function */
	char nm[128];
	snprintf(nm, sizeof nm, "qf_%s_run", c->name);
	LLVMValueRef run = LLVMAddFunction(c->m, nm, LLVMFunctionType(c->i32, args, 3, 0));
	add_attr(c, run, LLVMAttributeFunctionIndex, "nounwind");
	c->fn = run;
	LLVMBuilderRef b = c->b;
	LLVMValueRef in = LLVMGetParam(run, 0), out = LLVMGetParam(run, 1), arena = LLVMGetParam(run, 2);
	LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(cx, run, "entry");
	LLVMBasicBlockRef bad = LLVMAppendBasicBlockInContext(cx, run, "null");
	LLVMBasicBlockRef chk = LLVMAppendBasicBlockInContext(cx, run, "align");
	LLVMBasicBlockRef mis = LLVMAppendBasicBlockInContext(cx, run, "misaligned");
	LLVMBasicBlockRef go = LLVMAppendBasicBlockInContext(cx, run, "layers");
	LLVMPositionBuilderAtEnd(b, entry);
	LLVMValueRef anynull = LLVMBuildOr(
		b, LLVMBuildOr(b, LLVMBuildIsNull(b, in, ""), LLVMBuildIsNull(b, out, ""), ""), LLVMBuildIsNull(b, arena, ""), "");
	LLVMBuildCondBr(b, anynull, bad, chk);
	LLVMPositionBuilderAtEnd(b, bad);
	LLVMBuildRet(b, qf_lc_i32(c, -1)); /* QF_RT_ERR_NULL */
	LLVMPositionBuilderAtEnd(b, chk);
	LLVMValueRef low = LLVMBuildAnd(b, LLVMBuildPtrToInt(b, arena, c->i32, ""), qf_lc_i32(c, 3), "");
	LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntNE, low, qf_lc_i32(c, 0), ""), mis, go);
	LLVMPositionBuilderAtEnd(b, mis);
	LLVMBuildRet(b, qf_lc_i32(c, -4)); /* QF_RT_ERR_SCRATCH */
	LLVMPositionBuilderAtEnd(b, go);
	LLVMValueRef hook = NULL;
	LLVMTypeRef hty = LLVMFunctionType(c->vd, &c->i32, 1, 0);
	if (c->o->layer_hook)
		hook = LLVMAddFunction(c->m, c->o->layer_hook, hty);
	for (int i = 0; i < ig->nn; i++) {
		if (hook) {
			LLVMValueRef a = qf_lc_i32(c, i);
			LLVMBuildCall2(b, hty, hook, &a, 1, "");
		}
		LLVMValueRef a[3] = {in, arena, out};
		LLVMBuildCall2(b, lty, fns[i], a, 3, "");
	}
	if (hook) {
		LLVMValueRef a = qf_lc_i32(c, ig->nn);
		LLVMBuildCall2(b, hty, hook, &a, 1, "");
	}
	if (!c->out_direct)
		for (int k = 0; k < ig->classes; k++) {
			LLVMValueRef v = qf_lc_load(c, c->i8, arena, qf_lc_i32(c, ig->t[ig->output].offset + k), 1);
			qf_lc_store(c, v, out, qf_lc_i32(c, k), 1);
		}
	LLVMBuildRet(b, qf_lc_i32(c, 0));
	free(fns);
}

void qf_lc_free(qf_lc *c)
{
	if (c->b)
		LLVMDisposeBuilder(c->b);
	free(c->scratch_off);
	free(c->fused);
	c->b = NULL;
	c->scratch_off = NULL;
	c->fused = NULL;
}
