/* ops_fc.c: fully connected layer as GEMMs. The weight is [Cout, Cin]
 * with Cin in the C-major flatten order of the Graph IR, so an input with
 * H*W > 1 (stored NHWC) is transposed to C x H x W per image first. */
#include <string.h>

#include "interp/engine_internal.h"

typedef struct {
	qf_step *s;
	bool to_chw;                 /* x -> xt, else xt -> dx */
} tr_ctx;

static void transpose_range(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	tr_ctx *t = ctx;
	const qf_step *s = t->s;
	const int C = s->xs[0].c;
	const int64_t hw = (int64_t)s->xs[0].h * s->xs[0].w, img = hw * C;
	for (int64_t n = b; n < e; n++) {
		if (t->to_chw) {
			const float *x = s->x[0] + n * img;
			float *xt = s->xt + n * img;
			for (int64_t p = 0; p < hw; p++)
				for (int c = 0; c < C; c++)
					xt[c * hw + p] = x[p * C + c];
		} else {
			const float *xt = s->xt + n * img;
			float *dx = s->dx[0] + n * img;
			for (int64_t p = 0; p < hw; p++)
				for (int c = 0; c < C; c++)
					dx[p * C + c] = (s->acc[0] ? dx[p * C + c] : 0) + xt[c * hw + p];
		}
	}
}

void qf_fc_forward(qf_run *r, qf_step *s)
{
	const int cin = (int)qf_shape_elems(s->xs[0]), cout = s->ys.c;
	const float *x = s->x[0];
	if (s->xt) {
		tr_ctx t = {s, true};
		qf_par_range(r, r->n, 2 * cin, transpose_range, &t);
		x = s->xt;
	}
	qf_mat am = {x, cin, 1}, bm = {s->w, cin, 1};
	qf_gemm gm = {
		.m = r->n, .n = cout, .k = cin,
		.a = {qf_pack_mat, &am}, .b = {qf_pack_mat, &bm},
		.c = s->y, .ldc = cout,
	};
	qf_gemm_par(&gm, r->kern->mr, r->par_min_macs, r->pool, r->ws);
	if (s->b)
		for (int n = 0; n < r->n; n++)
			for (int o = 0; o < cout; o++)
				s->y[(int64_t)n * cout + o] += s->b[o];
}

void qf_fc_backward(qf_run *r, qf_step *s)
{
	const int cin = (int)qf_shape_elems(s->xs[0]), cout = s->ys.c;
	const float *x = s->xt ? s->xt : s->x[0];
	/* dW += dy^T x */
	qf_mat dyt = {s->dy, 1, cout}, xm = {x, 1, cin};
	qf_gemm gw = {
		.m = cout, .n = cin, .k = r->n,
		.a = {qf_pack_mat, &dyt}, .b = {qf_pack_mat, &xm},
		.c = s->gw, .ldc = cin, .accumulate = true,
	};
	qf_gemm_par(&gw, r->kern->mr, r->par_min_macs, r->pool, r->ws);
	if (s->gb)
		for (int n = 0; n < r->n; n++)
			for (int o = 0; o < cout; o++)
				s->gb[o] += s->dy[(int64_t)n * cout + o];
	if (!s->dx[0])
		return;
	/* dx = dy W, into xt first when the input needs reordering. */
	qf_mat dym = {s->dy, cout, 1}, wm = {s->w, 1, cin};
	qf_gemm gx = {
		.m = r->n, .n = cin, .k = cout,
		.a = {qf_pack_mat, &dym}, .b = {qf_pack_mat, &wm},
		.c = s->xt ? s->xt : s->dx[0], .ldc = cin, .accumulate = !s->xt && s->acc[0],
	};
	qf_gemm_par(&gx, r->kern->mr, r->par_min_macs, r->pool, r->ws);
	if (s->xt) {
		tr_ctx t = {s, false};
		qf_par_range(r, r->n, 2 * cin, transpose_range, &t);
	}
}
