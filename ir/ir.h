/* ir.h: the one public header of ir/.
 *
 * ir/ is the bottom of the compiler: support code every stage uses
 * (diagnostics, fatal errors, allocation, arenas, files, random numbers),
 * the Space IR (a checked search space and its quant policy, target, data
 * and search settings), the Graph IR (one concrete network as plain arrays
 * and indices), the Graph IR verifier, shape inference and counts, and the
 * XML file formats (.qfm models, target descriptions) read with libxml2.
 *
 * Everything else depends on this header; it depends on nothing of ours.
 */
#ifndef QF_IR_H
#define QF_IR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ================================================================ support */

/* Exit codes of the qforge command (and of anything that stops the process). */
enum { QF_EXIT_OK = 0, QF_EXIT_USER = 1, QF_EXIT_INTERNAL = 2 };

/* An internal bug: prints "qforge: internal error: ..." and exits 2.
 * Never for bad user input; that goes through qf_diag. */
_Noreturn void qf_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define QF_ASSERT(c) \
	((c) ? (void)0 : qf_die("%s:%d: assertion failed: %s", __FILE__, __LINE__, #c))

/* Allocation that dies on exhaustion. Sizes that come from user input are
 * checked against limits before they reach these (see QF_LIMIT_*). */
void *qf_xmalloc(size_t n);
void *qf_xcalloc(size_t n, size_t size);
void *qf_xrealloc(void *p, size_t n);
char *qf_xstrdup(const char *s);
/* Grow *p (an array of elem-sized items with capacity *cap) to hold need. */
void qf_grow(void *pp, int64_t *cap, int64_t need, size_t elem);

/* Bump arena: everything allocated from it is freed at once. */
typedef struct qf_arena qf_arena;
qf_arena *qf_arena_new(void);
void *qf_arena_alloc(qf_arena *a, size_t n); /* zeroed, 16-byte aligned */
char *qf_arena_strdup(qf_arena *a, const char *s);
char *qf_arena_strndup(qf_arena *a, const char *s, size_t n);
void qf_arena_free(qf_arena *a);

/* Limits on what user input may ask for; past them input is rejected
 * with a diagnostic instead of an allocation that would take the machine. */
#define QF_LIMIT_SOURCE_BYTES (64L << 20)   /* .qf file */
#define QF_LIMIT_MODEL_BYTES (512L << 20)   /* .qfm file */
#define QF_LIMIT_TARGET_BYTES (1L << 20)    /* target XML */
#define QF_LIMIT_CHANNELS 65536             /* channels of one tensor */
#define QF_LIMIT_SPATIAL 16384              /* height or width */
#define QF_LIMIT_KERNEL 31                  /* kernel size */
#define QF_LIMIT_TENSOR_ELEMS (1LL << 28)   /* elements of one tensor */
#define QF_LIMIT_PARAMS (1LL << 26)         /* parameters of one network (256 MB of floats) */
#define QF_LIMIT_DEPTH 64                   /* blocks in one stage */
#define QF_MAX_VALUES 16                    /* options in one choice set */

/* ------------------------------------------------------------ diagnostics */

/* A source position, 1-based. line 0 means "no position". */
typedef struct {
	int line, col;
} qf_loc;

/* All user-facing errors go through one qf_diag. Errors with a location in
 * the current source print
 *     file:line:col: error: message
 *       the source line
 *           ^
 * errors about other files print "path:line: error: message" (line omitted
 * when 0). After QF_DIAG_CAP errors further ones are counted, not printed. */
#define QF_DIAG_CAP 20
typedef struct qf_diag qf_diag;
qf_diag *qf_diag_new(FILE *out);
void qf_diag_free(qf_diag *d);
/* The text that carets point into; path is printed as given. The text is
 * borrowed and must outlive the errors reported against it. */
void qf_diag_set_source(qf_diag *d, const char *path, const char *text, size_t len);
const char *qf_diag_source_path(const qf_diag *d);
void qf_diag_error(qf_diag *d, qf_loc at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void qf_diag_verror(qf_diag *d, qf_loc at, const char *fmt, va_list ap);
void qf_diag_note(qf_diag *d, qf_loc at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void qf_diag_file_error(qf_diag *d, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int qf_diag_errors(const qf_diag *d);
bool qf_diag_full(const qf_diag *d); /* the cap is reached: stop early */
/* "N error(s)" line, printed when there were errors. */
void qf_diag_summary(qf_diag *d);

/* ------------------------------------------------------------ files */

/* Reads a whole regular file of at most max bytes, NUL-terminated. Reports
 * missing files, directories, unreadable and oversized files through d. */
int qf_read_file(const char *path, size_t max, char **text, size_t *len, qf_diag *d);

/* Atomic output: write to a temporary file beside path, then rename, so a
 * failure never leaves a partial file and never clobbers the old one. */
typedef struct {
	FILE *f;
	char *path, *tmp;
} qf_atomic;
int qf_atomic_open(qf_atomic *a, const char *path, qf_diag *d);
int qf_atomic_commit(qf_atomic *a, qf_diag *d); /* fflush+fsync+rename; aborts on failure */
void qf_atomic_abort(qf_atomic *a);             /* removes the temporary */

/* A growing string buffer (sbuf.c); {0} is empty, free(p) releases it. */
typedef struct {
	char *p;
	size_t n, cap;
} qf_sbuf;
void qf_sbuf_printf(qf_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An output folder written atomically (outdir.c): files go into a fresh
 * folder beside dir (o->tmp), commit renames it into place. A dir that
 * exists must be empty or one qforge emit wrote (its model.h says so),
 * which commit replaces; anything else is refused by open. On any error
 * nothing is left behind and a previous emission is untouched. */
typedef struct {
	char *dir, *tmp;
	int replace;                 /* dir holds an emission to replace */
} qf_outdir;
int qf_outdir_open(qf_outdir *o, const char *dir, qf_diag *d);
int qf_outdir_mkdir(qf_outdir *o, const char *sub, qf_diag *d); /* a folder inside o->tmp */
int qf_outdir_commit(qf_outdir *o, qf_diag *d);                 /* aborts on failure */
void qf_outdir_abort(qf_outdir *o);
/* "a/b", allocated. */
char *qf_path_join(const char *a, const char *b);
/* Writes dir/name whole (fsync'd), or reports why not. */
int qf_write_file(const char *dir, const char *name, const void *data, size_t len, qf_diag *d);

/* Files compiled into the binary (schemas in docs/, targets/ XML) by path
 * in the source tree, so qforge needs no install prefix. NULL if absent. */
const char *qf_embedded_file(const char *path, size_t *len);

/* ------------------------------------------------------------ random */

/* Seeded, platform-independent random numbers (xoshiro256**). */
typedef struct {
	uint64_t s[4];
} qf_rng;
void qf_rng_seed(qf_rng *r, uint64_t seed);
uint64_t qf_rng_u64(qf_rng *r);
uint32_t qf_rng_below(qf_rng *r, uint32_t n); /* uniform in [0, n) */
double qf_rng_uniform(qf_rng *r);             /* [0, 1) */
double qf_rng_normal(qf_rng *r);              /* N(0, 1) */

/* ================================================================ Space IR */

/* Kinds of choice dimension. X(ID, name, grows): grows is +1 when a larger
 * value gives a larger network, -1 when a smaller value does. */
#define QF_DIM_KINDS(X)          \
	X(WIDTH, "c", +1)        \
	X(KERNEL, "k", +1)       \
	X(STRIDE, "s", -1)       \
	X(EXPAND, "e", +1)       \
	X(RATIO, "r", -1)        \
	X(DEPTH, "depth", +1)    \
	X(POOLK, "pool_k", -1)   \
	X(WBITS, "wbits", +1)    \
	X(ABITS, "abits", +1)
typedef enum {
#define X(id, name, grows) QF_DIM_##id,
	QF_DIM_KINDS(X)
#undef X
	QF_DIM_COUNT
} qf_dim_kind;
extern const char *const qf_dim_kind_name[QF_DIM_COUNT];
extern const int qf_dim_kind_grows[QF_DIM_COUNT];

/* One choice dimension: the allowed values, in the order written. */
typedef struct {
	qf_dim_kind kind;
	int n;                       /* options, 1..QF_MAX_VALUES */
	int32_t v[QF_MAX_VALUES];
	int stage;                   /* owning stage */
	int block;                   /* owning block, -1 for a stage-level dim */
	qf_loc loc;                  /* the attribute in the .qf file */
	char name[40];               /* e.g. "s2.b1.k"; stable, used in .qfm */
} qf_dim;

/* An attribute of a block: a fixed value, or the value chosen for a dim. */
typedef struct {
	int32_t dim;                 /* >= 0: index into qf_space.dims; -1: fixed */
	int32_t value;               /* the fixed value; -1 when absent */
} qf_attr;

#define QF_BLOCK_KINDS(X)             \
	X(CONV, "conv")               \
	X(DWCONV, "dwconv")           \
	X(MBCONV, "mbconv")           \
	X(FROST, "frost")             \
	X(FC, "fc")                   \
	X(POOL, "pool")               \
	X(ACT, "act")
typedef enum {
#define X(id, name) QF_BLOCK_##id,
	QF_BLOCK_KINDS(X)
#undef X
	QF_BLOCK_COUNT
} qf_block_kind;
extern const char *const qf_block_kind_name[QF_BLOCK_COUNT];

#define QF_ACTS(X)                 \
	X(NONE, "none")            \
	X(RELU, "relu")            \
	X(RELU6, "relu6")          \
	X(HSWISH, "hswish")
typedef enum {
#define X(id, name) QF_ACT_##id,
	QF_ACTS(X)
#undef X
	QF_ACT_COUNT
} qf_act;
extern const char *const qf_act_name[QF_ACT_COUNT];

typedef enum { QF_POOL_MAX, QF_POOL_AVG } qf_pool_kind;

/* One block of the space. A stage with depth choices {1..D} holding T
 * templates is lowered to D*T blocks; block i is active in a network when
 * its rep is below the chosen depth. */
typedef struct {
	qf_block_kind kind;
	int stage, rep;
	qf_attr c;                   /* output channels (fc: outputs) */
	qf_attr k, s;                /* kernel, stride (pool: window, stride) */
	qf_attr e, r;                /* mbconv/frost expansion, frost squeeze ratio */
	qf_attr wbits, abits;        /* fixed or searched bit-widths; -1: policy default */
	qf_act act;                  /* activation after the block (ACT blocks: the op) */
	qf_pool_kind pool;
	bool global;                 /* global pooling */
	qf_loc loc;
} qf_block;

typedef struct {
	qf_attr depth;               /* fixed 1 for a statement outside any stage */
	int first, n;                /* blocks [first, first + n) */
	int templates;               /* blocks per repetition */
	qf_loc loc;
} qf_stage;

typedef struct {
	char *name;
	qf_loc loc;
	int in_c, in_h, in_w;
	qf_dim *dims;
	int n_dims;
	qf_block *blocks;
	int n_blocks;
	qf_stage *stages;
	int n_stages;
} qf_space;

/* A choice vector names one network: one option index per dim. */
typedef struct {
	int n;
	int *idx;                    /* idx[i] in [0, dims[i].n) */
} qf_choice;

/* Number of distinct networks: dims of blocks a depth choice leaves out do
 * not multiply. A double because spaces grow past 2^64. */
double qf_space_networks(const qf_space *sp);
/* log10 of the same count; finite where the count overflows a double. */
double qf_space_networks_log10(const qf_space *sp);
/* The value an attribute takes under a choice (fixed value when no dim). */
int32_t qf_attr_value(const qf_space *sp, qf_attr a, const qf_choice *ch);
typedef enum { QF_PICK_SMALLEST, QF_PICK_LARGEST, QF_PICK_RANDOM } qf_pick;
void qf_choice_init(qf_choice *ch, const qf_space *sp);
void qf_choice_pick(qf_choice *ch, const qf_space *sp, qf_pick how, qf_rng *rng);
void qf_choice_free(qf_choice *ch);

/* ------------------------------------------------------------ quant policy */

#define QF_QMETHODS(X)                         \
	X(LSQ, "lsq")                          \
	X(LEARNED_PRECISION, "learned_precision") \
	X(STATASSIST, "statassist")            \
	X(GRADBOOST, "gradboost")              \
	X(GRADMOD, "gradmod")
typedef enum {
#define X(id, name) QF_QM_##id,
	QF_QMETHODS(X)
#undef X
	QF_QM_COUNT
} qf_qmethod;
extern const char *const qf_qmethod_name[QF_QM_COUNT];

#define QF_PHASES(X)                 \
	X(FLOAT, "float")            \
	X(QAT, "qat")                \
	X(PRECISION, "precision")    \
	X(FINETUNE, "finetune")
typedef enum {
#define X(id, name) QF_PHASE_##id,
	QF_PHASES(X)
#undef X
	QF_PHASE_COUNT
} qf_phase_kind;
extern const char *const qf_phase_name[QF_PHASE_COUNT];

typedef struct {
	int n_bits;
	int32_t bits[QF_MAX_VALUES]; /* allowed widths, each in 2..8 */
	bool per_channel;
	bool symmetric;
	int slice;                   /* channels per learned-precision slice; 0 none */
	qf_loc loc;
} qf_qtensor;

typedef struct {
	qf_phase_kind kind;
	int epochs;
	double lr;                   /* 0: the phase's default */
	qf_loc loc;
} qf_phase;

#define QF_MAX_PHASES 8
typedef struct {
	char *name;
	qf_loc loc;
	qf_qtensor w, a;
	bool pow2;                   /* scales pow2: shift-only requant */
	int pin_first, pin_last;     /* bits pinned on first/last layer; 0 none */
	uint32_t methods;            /* 1u << qf_qmethod */
	bool has_budget;
	bool budget_w, budget_a;     /* what the budget counts */
	int64_t budget_bytes;
	double penalty;
	qf_loc budget_loc;
	qf_phase phases[QF_MAX_PHASES];
	int n_phases;
} qf_quant;

/* ------------------------------------------------------------ data, target ref, search */

typedef struct {
	char *name;
	qf_loc loc;
	char *train_images, *train_labels, *test_images, *test_labels;
	qf_loc train_loc, test_loc;
	int in_c, in_h, in_w;
	bool in_float;               /* input dtype float32; default uint8 */
	int classes;
	int crop, crop_pad;          /* augment crop N pad P; 0 none */
	bool flip_h;
	int validate;                /* images held out of train */
} qf_data;

typedef struct {
	char *name;                  /* "cortex-m4" or a path to a target XML */
	qf_loc loc;
	int64_t flash, ram, clock_hz; /* overrides; -1 = from the target file */
} qf_target_ref;

#define QF_STRATEGIES(X)               \
	X(EVOLUTION, "evolution")      \
	X(GRADIENT, "gradient")        \
	X(RANDOM, "random")
typedef enum {
#define X(id, name) QF_STRATEGY_##id,
	QF_STRATEGIES(X)
#undef X
	QF_STRATEGY_COUNT
} qf_strategy;
extern const char *const qf_strategy_name[QF_STRATEGY_COUNT];

typedef struct {
	qf_loc loc;
	char *space, *quant, *data, *target; /* names as written */
	qf_loc space_loc, quant_loc, data_loc, target_loc;
	int supernet_epochs, sandwich;
	bool distill_inplace;
	qf_strategy strategy;
	int population, generations, samples;
	bool maximize_accuracy;
	int64_t max_flash, max_ram;  /* bytes; -1 unconstrained */
	int64_t max_latency_us;      /* -1 unconstrained */
	qf_loc flash_loc, ram_loc, latency_loc;
	uint64_t seed;
} qf_search;

/* A whole checked .qf file. The sel_* fields pick the entities that the
 * search block names (or the only one of each kind when there is none);
 * -1 when the file has none of that kind. Owned by one arena. */
typedef struct {
	qf_arena *arena;
	const char *path;
	qf_target_ref *targets;
	int n_targets;
	qf_data *datas;
	int n_datas;
	qf_quant *quants;
	int n_quants;
	qf_space *spaces;
	int n_spaces;
	qf_search *search;           /* NULL when the file has no search block */
	int sel_target, sel_data, sel_quant, sel_space;
} qf_program;
void qf_program_free(qf_program *p);

/* ================================================================ targets */

#define QF_FEATURES(X)            \
	X(DSP, "dsp")             \
	X(SIMD, "simd")           \
	X(FPU, "fpu")             \
	X(MVE, "mve")             \
	X(RVP, "rvp")             \
	X(THUMB2, "thumb2")
typedef enum {
#define X(id, name) QF_FEAT_##id,
	QF_FEATURES(X)
#undef X
	QF_FEAT_COUNT
} qf_feature;
extern const char *const qf_feature_name[QF_FEAT_COUNT];

/* One row of a target's cost table: cycles per MAC of an op at a weight
 * and activation width, plus a fixed per-layer overhead. */
typedef struct {
	int op;                      /* qf_op */
	int wbits, abits;            /* 0: any width */
	int cin_max;                 /* only layers with <= this many input channels; 0 any */
	double cycles_per_mac;
	double cycles_per_layer;
} qf_cost;

#define QF_MAX_COSTS 64
typedef struct {
	char name[64];
	char isa[32];                /* armv6m, armv7em, rv32imc, x86_64 */
	char triple[64], cpu[32], llvm_features[128];
	int64_t flash, ram, clock_hz;
	uint32_t features;           /* 1u << qf_feature */
	qf_cost costs[QF_MAX_COSTS];
	int n_costs;
} qf_target;

/* name_or_path: a built-in target name (targets/NAME.xml, compiled into
 * the binary) or a path to a target XML file. Validated against the
 * schema docs/target.rng. */
int qf_target_load(const char *name_or_path, qf_target *t, qf_diag *d);
/* The same from memory (fuzzing, tests); name is used in messages. */
int qf_target_parse(const char *name, const char *buf, size_t len, qf_target *t, qf_diag *d);
/* Names of the built-in targets, NULL-terminated. */
extern const char *const qf_target_builtin[];
/* The cost row for a layer: the most specific row of op matching the
 * widths and cin (the layer's input channels); NULL when none does. */
const qf_cost *qf_target_cost(const qf_target *t, int op, int wbits, int abits, int cin);

/* ================================================================ Graph IR */

#define QF_DTYPES(X)              \
	X(F32, "f32", 4)          \
	X(I8, "i8", 1)            \
	X(U8, "u8", 1)            \
	X(I32, "i32", 4)
typedef enum {
#define X(id, name, size) QF_DT_##id,
	QF_DTYPES(X)
#undef X
	QF_DT_COUNT
} qf_dtype;
extern const char *const qf_dtype_name[QF_DT_COUNT];

typedef enum {
#define OP(id, name, n_in, weighted, summary) QF_OP_##id,
#include "ops.def"
#undef OP
	QF_OP_COUNT
} qf_op;
extern const char *const qf_op_name[QF_OP_COUNT];
extern const int qf_op_n_in[QF_OP_COUNT];
extern const bool qf_op_weighted[QF_OP_COUNT];

/* What a tensor holds. Parameters have stored data; activations do not. */
#define QF_ROLES(X)               \
	X(INPUT, "input")         \
	X(ACT, "act")             \
	X(WEIGHT, "weight")       \
	X(BIAS, "bias")           \
	X(GAMMA, "gamma")         \
	X(BETA, "beta")           \
	X(MEAN, "mean")           \
	X(VAR, "var")
typedef enum {
#define X(id, name) QF_ROLE_##id,
	QF_ROLES(X)
#undef X
	QF_ROLE_COUNT
} qf_role;
extern const char *const qf_role_name[QF_ROLE_COUNT];

#define QF_MAX_RANK 4
typedef struct {
	char name[48];
	qf_role role;
	qf_dtype dtype;
	int rank;
	int32_t dim[QF_MAX_RANK];    /* act: C,H,W; conv weight: Cout,Cin/g,k,k; fc weight: Cout,Cin; vectors: C */
	int64_t data;                /* offset of the values in g->data; -1 none */
	int producer;                /* node index; -1 for inputs and parameters */
	int quant;                   /* index into g->quants; -1 float */
} qf_tensor;

/* Quantization parameters of one tensor. Per-channel parameters have one
 * entry per output channel; bit-widths are per slice of `slice` channels
 * (one slice covering all when slice is 0). Arrays live in g->data (scales)
 * and g->ints (zero points, bits). */
typedef struct {
	int n;                       /* entries: 1 per tensor, C per channel */
	bool symmetric, pow2;
	int slice, n_slices;
	int64_t scale;               /* n floats in g->data; pow2: exact powers of two */
	int64_t zero;                /* n int32 in g->ints */
	int64_t bits;                /* n_slices int32 in g->ints */
} qf_qparam;

#define QF_MAX_IN 5
typedef struct {
	char name[48];
	qf_op op;
	int in[QF_MAX_IN];           /* tensor indices, activations first; -1 absent */
	int out;
	int k, s, pad, groups;       /* conv, pools */
	float eps, momentum;         /* bn */
	int block;                   /* Space IR block it came from; -1 none */
} qf_node;

/* Where a model came from; written to and read from .qfm. */
typedef struct {
	char *source;                /* .qf path as given; NULL unknown */
	char *space;                 /* space name */
	qf_choice choice;            /* choice vector (n 0 when unknown) */
	uint64_t seed;
	double accuracy;             /* percent; negative when not measured */
	char **history;              /* free-form lines: phases run, ... */
	int n_history;
} qf_prov;

/* A named float array carried in a .qfm: optimizer state in checkpoints,
 * search statistics. Owned by the graph. */
typedef struct {
	char *name;
	float *f;
	int64_t n;
} qf_blob;

/* A key/value string carried in a .qfm (checkpoint epoch, rng state...). */
typedef struct {
	char *key, *value;
} qf_meta;

typedef struct {
	char *name;
	qf_tensor *t;
	int nt;
	int64_t capt;
	qf_node *n;                  /* topological order */
	int nn;
	int64_t capn;
	float *data;
	int64_t ndata, capdata;
	int32_t *ints;
	int64_t nints, capints;
	qf_qparam *q;
	int nq;
	int64_t capq;
	int input, output;           /* tensor indices */
	int classes;
	qf_prov prov;
	qf_blob *blobs;
	int n_blobs;
	qf_meta *meta;
	int n_meta;
} qf_graph;

qf_graph *qf_graph_new(const char *name);
void qf_graph_free(qf_graph *g);
/* Adds a tensor; parameters (role WEIGHT..VAR) get zeroed storage. */
int qf_graph_add_tensor(qf_graph *g, const char *name, qf_role role, int rank, const int32_t *dim);
/* Adds a node whose output tensor (an ACT) is created with shape 0; run
 * qf_graph_infer_shapes afterwards. Returns the node index. */
int qf_graph_add_node(qf_graph *g, qf_op op, const char *name, const int *in, int n_in);
int64_t qf_graph_alloc_data(qf_graph *g, int64_t n);
int64_t qf_graph_alloc_ints(qf_graph *g, int64_t n);
/* Gives tensor t a fresh quant param of n entries, one width: scale[i]
 * (NULL: all 1, a placeholder) and zero[i] (NULL: all 0). */
void qf_graph_add_qparam(qf_graph *g, int t, int n, const double *scale, const int32_t *zero, int bits,
			 bool symmetric, bool pow2);
/* Gives tensor t's quant param widths per slice of `slice` channels
 * (n_slices of them, the last may be shorter): learned precision's form. */
void qf_graph_slice_bits(qf_graph *g, int t, int slice, int n_slices, const int32_t *bits);
int64_t qf_tensor_elems(const qf_tensor *t);
/* Adds a zeroed blob (replacing one of the same name); returns its floats. */
float *qf_graph_set_blob(qf_graph *g, const char *name, int64_t n);
qf_blob *qf_graph_blob(const qf_graph *g, const char *name);
void qf_graph_set_meta(qf_graph *g, const char *key, const char *value);
const char *qf_graph_meta(const qf_graph *g, const char *key); /* NULL when unset */
void qf_prov_add_history(qf_graph *g, const char *line);
static inline float *qf_tensor_data(qf_graph *g, int t) { return g->data + g->t[t].data; }

/* Shape inference over the nodes in order. Reports (through d, attributed
 * to node names) shapes that collapse below 1x1, channel mismatches and
 * tensors over QF_LIMIT_TENSOR_ELEMS. Returns 0 on success. */
int qf_graph_infer_shapes(qf_graph *g, qf_diag *d);
/* The C x H x W a node gives from its inputs' current shapes and its
 * parameters' shapes, without changing g: 0 and out[] set, or -1 and a
 * one-line reason in why (never crashes on a graph that fails verify). */
int qf_node_shape(const qf_graph *g, int node, int32_t out[3], char *why, size_t whylen);

/* Internal invariants (indices in range, topological order, arities from
 * ops.def, shapes consistent). NULL when they hold, else a description of
 * the first violation. QF_VERIFY dies on a violation in debug builds. */
const char *qf_graph_verify(const qf_graph *g);
#ifdef NDEBUG
#define QF_VERIFY(g) ((void)0)
#else
#define QF_VERIFY(g) qf_graph_verify_or_die((g), __FILE__, __LINE__)
#endif
void qf_graph_verify_or_die(const qf_graph *g, const char *file, int line);

typedef struct {
	int64_t params;              /* trained parameters (BN counts gamma, beta) */
	int64_t macs;                /* multiply-accumulates of one inference */
	int64_t weight_bytes;        /* weights at their bit-widths (8 when float) */
	int64_t peak_act_bytes;      /* largest sum of live activations, naive order */
} qf_counts;
void qf_graph_counts(const qf_graph *g, qf_counts *c);
int64_t qf_node_macs(const qf_graph *g, int node);
int64_t qf_node_params(const qf_graph *g, int node);
/* Bit-width of a tensor's values: from its qparam (widest slice), else 8
 * for activations and weights of a float graph. */
int qf_tensor_bits(const qf_graph *g, int t);

/* ------------------------------------------------------------ .qfm files */

/* Writes g atomically. The output is canonical: writing what was read
 * gives the same bytes. */
int qf_qfm_write(const qf_graph *g, const char *path, qf_diag *d);
/* Reads and validates against docs/qfm.rng (compiled in), then checks the
 * graph (verifier, shapes, data sizes); NULL after reporting through d. */
qf_graph *qf_qfm_read(const char *path, qf_diag *d);
/* The same from memory; name is used in messages. */
qf_graph *qf_qfm_parse(const char *name, const char *buf, size_t len, qf_diag *d);

/* ================================================================ Int Graph
 * (additive section, owned by the integer lowering; ir/intgraph.c)
 *
 * The integer-only network the backends compile. passes/fuse.c builds it
 * from a BN-folded Graph IR (one node per fused layer: conv/fc + activation,
 * pools, add), passes/quantize.c fills in the integers (int32 biases,
 * per-channel requant multipliers and shifts, packed weights, clamps) and
 * passes/plan.c places every tensor and kernel scratch buffer in one static
 * arena. Shapes are H x W x C: activations are stored NHWC, as the runtime
 * kernels (runtime/qf_runtime.h) read them. Arrays and indices, no pointers
 * into other structures; each node keeps `src`, the Graph IR node it came
 * from, for messages.
 *
 * The arithmetic is the contract of runtime/qf_runtime.h: weights symmetric
 * per output channel at 8, 4 or 2 bits packed low bits first (conv rows
 * OHWI, depthwise rows one tap of in_c values, fc rows in NHWC order of the
 * input), activations asymmetric per tensor at 8 or 4 bits, int32
 * accumulators, requant y = clamp(zp + MulByQuantizedMultiplier(acc, M0, n))
 * or, in power-of-two mode, y = clamp(zp + RoundingShift(acc, n)). */

#define QF_IOPS(X)                      \
	X(CONV, "conv")                 \
	X(DWCONV, "dwconv")             \
	X(FC, "fc")                     \
	X(MAXPOOL, "maxpool")           \
	X(AVGPOOL, "avgpool")           \
	X(ADD, "add")
typedef enum {
#define X(id, name) QF_IOP_##id,
	QF_IOPS(X)
#undef X
	QF_IOP_COUNT
} qf_iop;
extern const char *const qf_iop_name[QF_IOP_COUNT];

/* How far the passes have taken an Int Graph; the verifier checks what
 * each stage promises. */
typedef enum {
	QF_ISTAGE_FUSED,             /* structure, shapes, Graph IR sources; no integers yet */
	QF_ISTAGE_QUANTIZED,         /* + bits, zero points, biases, requant, packed weights, scratch sizes */
	QF_ISTAGE_PLANNED            /* + arena offsets and liveness */
} qf_istage;

typedef struct {
	char name[48];
	int h, w, c;                 /* one image, stored NHWC */
	int src;                     /* Graph IR tensor whose quant params it carries */
	int producer;                /* node; -1 for the input */
	/* quantized */
	int bits;                    /* 8 or 4 */
	int32_t zp;                  /* in [-128, 127] (8 bits) or [-8, 7] (4 bits) */
	double scale;                /* real = (q - zp) * scale; for reports, no integer path reads it */
	int64_t bytes;               /* h*w*c values at bits, 4-bit ones two per byte */
	/* planned */
	int64_t offset;              /* byte offset in the arena; -1 before planning */
	int first, last;             /* live from node first through node last (-1: before node 0) */
} qf_itensor;

/* A run of output channels [c0, c1) of a conv or fc whose weights are all
 * at one width: learned precision gives a weight's slices different widths,
 * a kernel runs at one, so such a layer runs as one kernel call per run,
 * each writing its channels of the one output tensor (qf_rt_conv's
 * out_stride). Its rows are packed at w_bits at ig->w[w_off ...]; the runs
 * of a layer lie one after the other in ig->w. */
typedef struct {
	int c0, c1;
	int w_bits;                  /* 8, 4 or 2 */
	int64_t w_off, w_bytes;
} qf_ipart;

typedef struct {
	char name[48];
	qf_iop op;
	int in[2];                   /* activation tensors; in[1] only for add, else -1 */
	int out;
	int k_h, k_w, stride, pad_top, pad_left; /* conv, dwconv, pools (square stride) */
	qf_act act;                  /* activation folded into the output clamp */
	int src;                     /* the Graph IR node of the layer */
	int wsrc, bsrc;              /* Graph IR weight and bias tensors; -1 none */
	int64_t macs;
	/* quantized */
	int w_bits;                  /* 8, 4 or 2 (split: the widest run's); 0 for unweighted ops */
	int64_t w_off, w_bytes;      /* packed weights at ig->w[w_off ...] (split: every run's) */
	int part, nparts;            /* split layer: runs ig->part[part ...], nparts >= 2; else 0, 0 */
	int64_t bias;                /* out c values at ig->i32[bias ...]; -1 none */
	int bias_bits;               /* how they are stored: 0 or 32 int32, 16 int16 b with the value b *
					2^bias_shift (every value a multiple of it), as the runtime takes them */
	int bias_shift;              /* 16-bit: in [0, 16] */
	int64_t mult, shift;         /* out c each in ig->i32 (add: 1); mult -1 in pow2 mode; the shifts are
					stored as int8 (-31..30) */
	int32_t act_min, act_max;    /* output clamp in the output's integer domain */
	int32_t add_ls;              /* add: left shift of both inputs (TFLite: 20) */
	int32_t add_mult[2], add_shift[2]; /* add: rescale of each input to the common scale */
	int64_t scratch;             /* bytes of kernel scratch, 4-byte aligned; 0 none */
	/* planned */
	int64_t scratch_off;         /* arena offset of the scratch; -1 none */
} qf_inode;

typedef struct {
	char *name;                  /* the C identifier part of emitted names */
	qf_istage stage;
	qf_itensor *t;
	int nt;
	int64_t capt;
	qf_inode *n;                 /* execution order */
	int nn;
	int64_t capn;
	uint8_t *w;                  /* packed weights of every layer */
	int64_t nw, capw;
	int32_t *i32;                /* biases, multipliers, shifts */
	int64_t ni32, capi32;
	qf_ipart *part;              /* runs of channels of split layers */
	int npart;
	int64_t cappart;
	int input, output;           /* tensors: the network input (8-bit) and the logits */
	int classes;
	bool pow2;                   /* every requant a rounding shift (no multipliers) */
	/* planned */
	int64_t arena_bytes;         /* the arena: activations and scratch, planned */
	int64_t naive_bytes;         /* every activation and scratch buffer apart (no reuse) */
	int64_t live_peak_bytes;     /* largest sum of buffers live at one node: a floor for any plan */
} qf_igraph;

qf_igraph *qf_igraph_new(const char *name);
void qf_igraph_free(qf_igraph *ig);
int qf_igraph_add_tensor(qf_igraph *ig, const char *name, int h, int w, int c, int src);
/* Adds a node (op, inputs, output) with every other field zero / -1. */
int qf_igraph_add_node(qf_igraph *ig, qf_iop op, const char *name, int in0, int in1, int out, int src);
int64_t qf_igraph_alloc_i32(qf_igraph *ig, int64_t n);
int64_t qf_igraph_alloc_w(qf_igraph *ig, int64_t n); /* zeroed */
static inline int64_t qf_itensor_elems(const qf_itensor *t) { return (int64_t)t->h * t->w * t->c; }
/* Bytes of n activation values at bits (4-bit values two per byte). */
static inline int64_t qf_act_bytes(int64_t n, int bits) { return (n * bits + 7) / 8; }
/* Bytes of one packed weight row of n values at bits (rows start on bytes). */
static inline int64_t qf_packed_row_bytes(int64_t n, int bits) { return (n * bits + 7) / 8; }
/* Bytes of the constants as the backends store them: packed weights,
 * biases at their bias_bits, multipliers 4 bytes, shifts 1 byte (an add's
 * single requant included). */
int64_t qf_igraph_const_bytes(const qf_igraph *ig);
/* The same for one node (its packed weights and per-channel arrays). */
int64_t qf_inode_const_bytes(const qf_igraph *ig, const qf_inode *n);
/* The part that is packed weights and biases (the data structures
 * FxP-QNet counts; no shifts or multipliers). */
int64_t qf_igraph_weight_bias_bytes(const qf_igraph *ig);
/* Values in one weight row of node n (conv: k_h*k_w*in_c; dwconv: in_c;
 * fc: input elements) and rows (conv, fc: out c; dwconv: k_h*k_w). */
int64_t qf_inode_row_len(const qf_igraph *ig, const qf_inode *n);
int64_t qf_inode_rows(const qf_igraph *ig, const qf_inode *n);
/* Appends a run of channels to ig->part; returns its index. */
int qf_igraph_add_part(qf_igraph *ig, qf_ipart p);
/* Conv or fc node n (quantized): where output channel oc's packed row
 * starts in ig->w, and its width in *bits (the run's, for a split layer). */
int64_t qf_inode_wrow(const qf_igraph *ig, const qf_inode *n, int oc, int *bits);
/* The runs of channels of a quantized conv, dwconv or fc, as its kernel
 * calls see them: a split layer's parts, else one run [0, out c) at w_bits.
 * Returns how many (at most max written to p). */
int qf_inode_runs(const qf_igraph *ig, const qf_inode *n, qf_ipart *p, int max);

/* The invariants of ig->stage (see ir/intgraph.c): NULL when they hold,
 * else a description of the first violation. After planning this includes
 * that no two tensors (or scratch buffers) live at the same time overlap
 * in the arena, except an input and output a node may share in place. */
const char *qf_igraph_verify(const qf_igraph *ig);
#ifdef NDEBUG
#define QF_IVERIFY(ig) ((void)0)
#else
#define QF_IVERIFY(ig) qf_igraph_verify_or_die((ig), __FILE__, __LINE__)
#endif
void qf_igraph_verify_or_die(const qf_igraph *ig, const char *file, int line);
/* True when node n may write its output over its input in[0] (same
 * offset): every output element depends only on input elements at or after
 * its own position, and the kernel reads them before writing it. */
bool qf_inode_in_place(const qf_igraph *ig, int n);

/* The Int Graph as text: one line per tensor and per layer with shapes,
 * bits, zero points, requant and arena placement (`qforge lower`). */
void qf_igraph_print(FILE *f, const qf_igraph *ig);

#endif
