/* ir.c: small IR helpers shared by the layer builders: constants,
 * intrinsics, counted loops, and reading and writing activations in their
 * storage formats (8-bit, 4-bit packed two per byte, the raw input bytes). */
#include <string.h>

#include "backends/llvm/llvm_internal.h"

LLVMValueRef qf_lc_i32(qf_lc *c, int64_t v)
{
	QF_ASSERT(v >= INT32_MIN && v <= UINT32_MAX);
	return LLVMConstInt(c->i32, (unsigned long long)(uint32_t)v, 0);
}

LLVMValueRef qf_lc_i8(qf_lc *c, int64_t v)
{
	return LLVMConstInt(c->i8, (unsigned long long)(uint8_t)v, 0);
}

LLVMValueRef qf_lc_i64(qf_lc *c, int64_t v)
{
	return LLVMConstInt(c->i64, (unsigned long long)v, 1);
}

LLVMValueRef qf_lc_intrinsic(qf_lc *c, const char *name, LLVMTypeRef over, LLVMValueRef *args, unsigned n)
{
	unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
	if (!id)
		qf_die("llvm backend: LLVM 14 has no intrinsic %s", name);
	LLVMTypeRef ov[1] = {over};
	LLVMValueRef f = LLVMGetIntrinsicDeclaration(c->m, id, ov, over ? 1 : 0);
	LLVMTypeRef ft = LLVMIntrinsicGetType(c->cx, id, ov, over ? 1 : 0);
	return LLVMBuildCall2(c->b, ft, f, args, n, "");
}

LLVMValueRef qf_lc_smin(qf_lc *c, LLVMValueRef a, LLVMValueRef b)
{
	LLVMValueRef v[2] = {a, b};
	return qf_lc_intrinsic(c, "llvm.smin", LLVMTypeOf(a), v, 2);
}

LLVMValueRef qf_lc_smax(qf_lc *c, LLVMValueRef a, LLVMValueRef b)
{
	LLVMValueRef v[2] = {a, b};
	return qf_lc_intrinsic(c, "llvm.smax", LLVMTypeOf(a), v, 2);
}

LLVMValueRef qf_lc_byte_gep(qf_lc *c, LLVMValueRef p, LLVMValueRef off)
{
	return LLVMBuildInBoundsGEP2(c->b, c->i8, p, &off, 1, "");
}

LLVMValueRef qf_lc_load(qf_lc *c, LLVMTypeRef ty, LLVMValueRef p, LLVMValueRef off, unsigned align)
{
	LLVMValueRef a = off ? qf_lc_byte_gep(c, p, off) : p;
	if (ty != c->i8)
		a = LLVMBuildBitCast(c->b, a, LLVMPointerType(ty, 0), "");
	LLVMValueRef v = LLVMBuildLoad2(c->b, ty, a, "");
	LLVMSetAlignment(v, align);
	return v;
}

void qf_lc_store(qf_lc *c, LLVMValueRef v, LLVMValueRef p, LLVMValueRef off, unsigned align)
{
	LLVMTypeRef ty = LLVMTypeOf(v);
	LLVMValueRef a = off ? qf_lc_byte_gep(c, p, off) : p;
	if (ty != c->i8)
		a = LLVMBuildBitCast(c->b, a, LLVMPointerType(ty, 0), "");
	LLVMValueRef s = LLVMBuildStore(c->b, v, a);
	LLVMSetAlignment(s, align);
}

LLVMValueRef qf_lc_const_bytes(qf_lc *c, const char *name, const void *bytes, size_t n)
{
	LLVMValueRef init = LLVMConstStringInContext(c->cx, (const char *)bytes, (unsigned)n, 1);
	/* internal, not private: a local symbol with a size, so nm and the
	 * firmware's flash count see each table */
	char full[160];
	snprintf(full, sizeof full, "qf_%s_%s", c->name, name);
	LLVMValueRef g = LLVMAddGlobal(c->m, LLVMTypeOf(init), full);
	LLVMSetInitializer(g, init);
	LLVMSetGlobalConstant(g, 1);
	LLVMSetLinkage(g, LLVMInternalLinkage);
	LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
	LLVMSetAlignment(g, 4);
	return LLVMConstBitCast(g, c->p8);
}

LLVMValueRef qf_lc_loop_begin(qf_lc *c, qf_lc_loop *l, int64_t from, int64_t to, int64_t step, const char *name)
{
	QF_ASSERT(step > 0 && to > from);
	LLVMBasicBlockRef pre = LLVMGetInsertBlock(c->b);
	l->body = LLVMAppendBasicBlockInContext(c->cx, c->fn, name);
	l->exit = LLVMAppendBasicBlockInContext(c->cx, c->fn, "");
	l->step = step;
	LLVMBuildBr(c->b, l->body);
	LLVMPositionBuilderAtEnd(c->b, l->body);
	l->iv = LLVMBuildPhi(c->b, c->i32, name);
	LLVMValueRef start = qf_lc_i32(c, from);
	LLVMAddIncoming(l->iv, &start, &pre, 1);
	l->to = qf_lc_i32(c, to);
	return l->iv;
}

void qf_lc_loop_end(qf_lc *c, qf_lc_loop *l)
{
	LLVMValueRef nx = LLVMBuildNSWAdd(c->b, l->iv, qf_lc_i32(c, l->step), "");
	LLVMValueRef more = LLVMBuildICmp(c->b, LLVMIntSLT, nx, l->to, "");
	LLVMBasicBlockRef last = LLVMGetInsertBlock(c->b);
	LLVMBuildCondBr(c->b, more, l->body, l->exit);
	LLVMAddIncoming(l->iv, &nx, &last, 1);
	LLVMPositionBuilderAtEnd(c->b, l->exit);
}

LLVMValueRef qf_lc_alloca(qf_lc *c, LLVMTypeRef ty, int64_t n)
{
	LLVMBasicBlockRef cur = LLVMGetInsertBlock(c->b);
	LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(c->fn);
	LLVMValueRef first = LLVMGetFirstInstruction(entry);
	if (first)
		LLVMPositionBuilderBefore(c->b, first);
	else
		LLVMPositionBuilderAtEnd(c->b, entry);
	LLVMValueRef a = LLVMBuildAlloca(c->b, LLVMArrayType(ty, (unsigned)n), "");
	LLVMSetAlignment(a, 4);
	LLVMPositionBuilderAtEnd(c->b, cur);
	return LLVMBuildBitCast(c->b, a, c->p8, "");
}

/* ------------------------------------------------------------ activations */

LLVMValueRef qf_lc_tensor_ptr(qf_lc *c, int t)
{
	if (t == c->ig->input)
		return c->in;
	if (t == c->ig->output && c->out_direct)
		return c->out;
	return qf_lc_byte_gep(c, c->arena, qf_lc_i32(c, c->ig->t[t].offset));
}

LLVMValueRef qf_lc_load_act(qf_lc *c, int t, LLVMValueRef e)
{
	const qf_itensor *x = &c->ig->t[t];
	LLVMValueRef p = qf_lc_tensor_ptr(c, t);
	if (t == c->ig->input) {
		LLVMValueRef v = LLVMBuildZExt(c->b, qf_lc_load(c, c->i8, p, e, 1), c->i32, "");
		return LLVMBuildSub(c->b, v, qf_lc_i32(c, 128), "");
	}
	if (x->bits == 8)
		return LLVMBuildSExt(c->b, qf_lc_load(c, c->i8, p, e, 1), c->i32, "");
	/* 4 bits: element e is nibble e & 1 of byte e >> 1, low first */
	LLVMValueRef byte = qf_lc_load(c, c->i8, p, LLVMBuildLShr(c->b, e, qf_lc_i32(c, 1), ""), 1);
	LLVMValueRef v = LLVMBuildSExt(c->b, byte, c->i32, "");
	LLVMValueRef odd = LLVMBuildAnd(c->b, e, qf_lc_i32(c, 1), "");
	/* (v << (28 - 4 * odd)) >> 28 */
	LLVMValueRef sh = LLVMBuildSub(c->b, qf_lc_i32(c, 28), LLVMBuildShl(c->b, odd, qf_lc_i32(c, 2), ""), "");
	return LLVMBuildAShr(c->b, LLVMBuildShl(c->b, v, sh, ""), qf_lc_i32(c, 28), "");
}

void qf_lc_store_act(qf_lc *c, int t, LLVMValueRef e, LLVMValueRef q)
{
	const qf_itensor *x = &c->ig->t[t];
	QF_ASSERT(t != c->ig->input);
	LLVMValueRef p = qf_lc_tensor_ptr(c, t);
	if (x->bits == 8) {
		qf_lc_store(c, LLVMBuildTrunc(c->b, q, c->i8, ""), p, e, 1);
		return;
	}
	qf_lc_store_nibble(c, p, e, q);
}

void qf_lc_store_nibble(qf_lc *c, LLVMValueRef p, LLVMValueRef e, LLVMValueRef q)
{
	LLVMValueRef off = LLVMBuildLShr(c->b, e, qf_lc_i32(c, 1), "");
	LLVMValueRef old = LLVMBuildZExt(c->b, qf_lc_load(c, c->i8, p, off, 1), c->i32, "");
	LLVMValueRef sh = LLVMBuildShl(c->b, LLVMBuildAnd(c->b, e, qf_lc_i32(c, 1), ""), qf_lc_i32(c, 2), "");
	LLVMValueRef keep = LLVMBuildXor(c->b, LLVMBuildShl(c->b, qf_lc_i32(c, 15), sh, ""), qf_lc_i32(c, -1), "");
	LLVMValueRef nib = LLVMBuildShl(c->b, LLVMBuildAnd(c->b, q, qf_lc_i32(c, 15), ""), sh, "");
	LLVMValueRef v = LLVMBuildOr(c->b, LLVMBuildAnd(c->b, old, keep, ""), nib, "");
	qf_lc_store(c, LLVMBuildTrunc(c->b, v, c->i8, ""), p, off, 1);
}
