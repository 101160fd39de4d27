/* names.c: the name tables generated from the X-macro lists in ir.h and
 * ops.def. The static asserts catch a table that fell out of step. */
#include "ir.h"

#define NAME2(id, name) name,
#define NAME3(id, name, x) name,
#define THIRD(id, name, x) x,

const char *const qf_dim_kind_name[] = {QF_DIM_KINDS(NAME3)};
const int qf_dim_kind_grows[] = {QF_DIM_KINDS(THIRD)};
const char *const qf_block_kind_name[] = {QF_BLOCK_KINDS(NAME2)};
const char *const qf_act_name[] = {QF_ACTS(NAME2)};
const char *const qf_qmethod_name[] = {QF_QMETHODS(NAME2)};
const char *const qf_phase_name[] = {QF_PHASES(NAME2)};
const char *const qf_strategy_name[] = {QF_STRATEGIES(NAME2)};
const char *const qf_feature_name[] = {QF_FEATURES(NAME2)};
const char *const qf_dtype_name[] = {QF_DTYPES(NAME3)};
const char *const qf_role_name[] = {QF_ROLES(NAME2)};

const char *const qf_op_name[] = {
#define OP(id, name, n_in, weighted, summary) name,
#include "ops.def"
#undef OP
};
const int qf_op_n_in[] = {
#define OP(id, name, n_in, weighted, summary) n_in,
#include "ops.def"
#undef OP
};
const bool qf_op_weighted[] = {
#define OP(id, name, n_in, weighted, summary) weighted,
#include "ops.def"
#undef OP
};

#define SAME(a, n) _Static_assert(sizeof(a) / sizeof((a)[0]) == (n), #a " out of step")
SAME(qf_dim_kind_name, QF_DIM_COUNT);
SAME(qf_dim_kind_grows, QF_DIM_COUNT);
SAME(qf_block_kind_name, QF_BLOCK_COUNT);
SAME(qf_act_name, QF_ACT_COUNT);
SAME(qf_qmethod_name, QF_QM_COUNT);
SAME(qf_phase_name, QF_PHASE_COUNT);
SAME(qf_strategy_name, QF_STRATEGY_COUNT);
SAME(qf_feature_name, QF_FEAT_COUNT);
SAME(qf_dtype_name, QF_DT_COUNT);
SAME(qf_role_name, QF_ROLE_COUNT);
SAME(qf_op_name, QF_OP_COUNT);
SAME(qf_op_n_in, QF_OP_COUNT);
SAME(qf_op_weighted, QF_OP_COUNT);
_Static_assert(QF_OP_COUNT <= 32, "op masks are 32 bits wide");
