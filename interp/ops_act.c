/* ops_act.c: relu, relu6, hswish, element-wise over the batch.
 * Backward reads the op's input (not its output) so that the derivative
 * at each point is the one of the function written in ops.def. At the
 * kinks the choices are PyTorch's (relu 0 at 0, relu6 0 at 0 and 6,
 * hswish's middle piece on [-3, 3]) so both train the same. */
#include "interp/engine_internal.h"

typedef struct {
	qf_step *s;
} act_ctx;

static void fwd_range(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	const qf_step *s = ((act_ctx *)ctx)->s;
	const float *x = s->x[0];
	float *y = s->y;
	switch (s->op) {
	case QF_OP_RELU:
		for (int64_t i = b; i < e; i++)
			y[i] = x[i] > 0 ? x[i] : 0;
		break;
	case QF_OP_RELU6:
		for (int64_t i = b; i < e; i++) {
			float v = x[i] > 0 ? x[i] : 0;
			y[i] = v < 6 ? v : 6;
		}
		break;
	case QF_OP_HSWISH:
		for (int64_t i = b; i < e; i++) {
			float v = x[i] + 3;
			v = v > 0 ? v : 0;
			v = v < 6 ? v : 6;
			y[i] = x[i] * v * (1.0f / 6);
		}
		break;
	default:
		qf_die("act op %d", (int)s->op);
	}
}

static void bwd_range(void *ctx, int64_t b, int64_t e, int thread)
{
	(void)thread;
	const qf_step *s = ((act_ctx *)ctx)->s;
	const float *x = s->x[0], *dy = s->dy;
	float *dx = s->dx[0];
	bool acc = s->acc[0];
	for (int64_t i = b; i < e; i++) {
		float d;
		switch (s->op) {
		case QF_OP_RELU:
			d = x[i] > 0 ? dy[i] : 0;
			break;
		case QF_OP_RELU6:
			d = x[i] > 0 && x[i] < 6 ? dy[i] : 0;
			break;
		default: /* QF_OP_HSWISH */
			d = x[i] < -3 ? 0 : x[i] > 3 ? dy[i] : dy[i] * (2 * x[i] + 3) * (1.0f / 6);
			break;
		}
		dx[i] = acc ? dx[i] + d : d;
	}
}

void qf_act_forward(qf_run *r, qf_step *s)
{
	act_ctx c = {s};
	qf_par_range(r, (int64_t)r->n * qf_shape_elems(s->ys), 2, fwd_range, &c);
}

void qf_act_backward(qf_run *r, qf_step *s)
{
	if (!s->dx[0])
		return;
	act_ctx c = {s};
	qf_par_range(r, (int64_t)r->n * qf_shape_elems(s->ys), 3, bwd_range, &c);
}
