/* rt_scratch.c: the runtime's own scratch-size functions, compiled into the
 * compiler so that the planner asks for exactly what the kernels check
 * (runtime/scratch.c is the one formula; copying it here went stale within
 * a day). Renamed so that nothing that links both clashes. */
#define qf_conv_scratch_size qf_lower_conv_scratch_size
#define qf_fc_scratch_size qf_lower_fc_scratch_size
#define qf_dwconv_scratch_size qf_lower_dwconv_scratch_size
#include "runtime/scratch.c"
