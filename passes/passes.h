/* passes.h: the one public header of passes/.
 *
 * Each pass is one file and states at its top what it requires of its
 * input and what it guarantees of its output; the Graph IR verifier
 * (QF_VERIFY) runs after each in debug builds.
 */
#ifndef QF_PASSES_H
#define QF_PASSES_H

#include "ir/ir.h"

/* sample: the selected space of p (p->sel_space) and its quant policy
 * (p->sel_quant, may be -1) + a choice vector -> a Graph IR network with
 * He-initialised weights (seeded), BN gamma 1, beta 0, mean 0, var 1.
 * Requires: a checked program. Guarantees: a verified graph with shapes
 * inferred, input tensor C x H x W of the space, output = logits. NULL
 * after reporting through d (a choice that collapses a shape, sizes past
 * the limits). */
qf_graph *qf_sample(const qf_program *p, const qf_choice *ch, uint64_t seed, qf_diag *d);

/* Counts of the network a choice names (samples it without weights). */
int qf_choice_counts(const qf_program *p, const qf_choice *ch, qf_counts *c, qf_diag *d);

/* feasible: budgets and constraints that no network in the space can
 * meet (the quant budget, search flash/ram constraints, the target's
 * flash and RAM), judged on the smallest network; each reported at its
 * line in the .qf with the smallest network's figure. Returns the number
 * of errors reported. */
int qf_check_feasible(const qf_program *p, qf_diag *d);

/* ================================================================ integer lowering
 * Graph IR (trained, with quant params) -> Int Graph, in this order, the
 * verifier (QF_VERIFY, then QF_IVERIFY) after each step in debug builds:
 *   qf_fold_bn    Graph IR -> Graph IR       batch norm into the conv before it
 *   qf_fuse       Graph IR -> Int Graph      layers: conv/fc + activation, pools, add
 *   qf_quantize   Int Graph -> Int Graph     integers: biases, requant, packed weights
 *   qf_plan       Int Graph -> Int Graph     static arena with liveness and in-place reuse
 * qf_lower runs all four. */

/* fold_bn (passes/fold_bn.c). Requires: a verified Graph IR. Guarantees: a
 * verified Graph IR that computes the same function in eval mode (up to
 * float rounding) in which every BN whose input is a conv2d output used by
 * that BN alone is gone: the conv has weights w * gamma / sqrt(var + eps)
 * per output channel, a bias (b - mean) * gamma / sqrt(var + eps) + beta
 * (created when it had none) and writes the BN's output tensor. Other BNs
 * are left for qf_fuse to refuse. Quant params of the conv weights then
 * describe the folded weights. Returns the number folded, or -1 after
 * reporting a variance + eps that is not positive. */
int qf_fold_bn(qf_graph *g, qf_diag *d);

/* fuse (passes/fuse.c). Requires: a verified, BN-folded Graph IR. Builds
 * the Int Graph structure (stage FUSED): one node per conv2d (depthwise when
 * groups == channels), fc, maxpool, avgpool, gavgpool (an avgpool over the
 * whole map) and add; a relu/relu6 whose input is a layer output used by it
 * alone becomes that layer's clamp. Each Int Graph tensor names the Graph IR
 * tensor whose quant params it takes (after a fused activation: the
 * activation's output). NULL after reporting ops no integer kernel runs
 * (hswish, concat, an unfolded bn, grouped convolutions, an activation that
 * cannot be fused), naming the node. */
qf_igraph *qf_fuse(const qf_graph *g, qf_diag *d);

/* quantize (passes/quantize.c). Requires: a FUSED Int Graph and the Graph
 * IR it came from, with quant params on the input, every layer's output and
 * every weight. Guarantees: a verified QUANTIZED Int Graph (see ir.h): int32
 * bias = round(b / (s_in * s_w)), weights round(w / s_w) clamped to
 * +-(2^(b-1) - 1) and packed in the order the runtime reads them, requant
 * M = s_in * s_w / s_out as a Q31 multiplier and shift (TFLite's
 * QuantizeMultiplier) or, when every scale is a power of two, a shift; the
 * activation as a clamp; kernel scratch sizes. -1 after reporting, naming
 * the layer: missing or placeholder quant params, bit widths no kernel
 * takes, pools that change scale, a bias or requant out of range. */
int qf_quantize(qf_igraph *ig, const qf_graph *g, qf_diag *d);

/* The bytes of scratch the runtime kernel of node n needs: runtime/
 * scratch.c's own functions, compiled into the compiler (rt_scratch.c). */
int64_t qf_inode_scratch(const qf_igraph *ig, const qf_inode *n);

/* plan (passes/plan.c). Requires: a QUANTIZED Int Graph. Guarantees: a
 * verified PLANNED Int Graph: every tensor and scratch buffer at a 4-byte
 * aligned arena offset, buffers live at the same node never overlapping
 * except a pool or add writing over an input that dies there; arena_bytes,
 * naive_bytes (no reuse) and live_peak_bytes set. */
void qf_plan(qf_igraph *ig);

/* All four on g (which is folded in place). NULL after reporting. */
qf_igraph *qf_lower(qf_graph *g, qf_diag *d);

/* Removes the marked nodes and tensors from g and renumbers what is left
 * (inputs, outputs, producers, the graph's input and output). The caller
 * makes sure nothing left refers to what goes. Parameter values stay in
 * g->data, unreferenced. */
void qf_graph_remove(qf_graph *g, const bool *drop_node, const bool *drop_tensor);
/* A copy of g's network (tensors, nodes, values, quant params, input and
 * output, the source path); blobs, meta and history are not copied. */
qf_graph *qf_graph_clone(const qf_graph *g);

#endif
