/* values.c: numbers against their ranges and units, and choice sets.
 *
 * Units are glued to the number (64K, 20ms, 168MHz). Each kind of
 * quantity accepts its own units and nothing else; a plain count takes
 * none. Messages quote the number as written. */
#include <math.h>
#include <string.h>

#include "frontend/ast.h"

typedef enum { U_SIZE, U_TIME, U_FREQ } unit_kind;

/* X(spelling, kind, multiplier to bytes, microseconds or hertz) */
#define FE_UNITS(X)                 \
	X("K", U_SIZE, 1024.0)      \
	X("M", U_SIZE, 1048576.0)   \
	X("us", U_TIME, 1.0)        \
	X("ms", U_TIME, 1000.0)     \
	X("Hz", U_FREQ, 1.0)        \
	X("kHz", U_FREQ, 1e3)       \
	X("MHz", U_FREQ, 1e6)       \
	X("GHz", U_FREQ, 1e9)

static const struct {
	const char *name;
	unit_kind kind;
	double mult;
} units[] = {
#define X(name, kind, mult) {name, kind, mult},
	FE_UNITS(X)
#undef X
};
enum { N_UNITS = sizeof(units) / sizeof(units[0]) };

static const char *const unit_list[] = {
	[U_SIZE] = "K or M (no unit: bytes)",
	[U_TIME] = "ms or us",
	[U_FREQ] = "MHz, kHz or Hz",
};

static int find_unit(const char *u)
{
	for (int i = 0; i < N_UNITS; i++)
		if (strcmp(units[i].name, u) == 0)
			return i;
	return -1;
}

/* A unit on a plain number. A word glued to a number that is not a unit
 * is usually a missing space ("2epochs"). */
static bool no_unit(qf_diag *d, const fe_num *n, const char *what)
{
	if (!n->unit)
		return true;
	if (find_unit(n->unit) >= 0)
		qf_diag_error(d, n->unit_loc, "%s takes no unit, got %s", what, n->text);
	else
		qf_diag_error(d, n->unit_loc, "%s takes no unit, got %s (put a space between a number and a word)",
			      what, n->text);
	return false;
}

/* The multiplier of n's unit for a quantity of kind k; reports a wrong,
 * unknown or (when required) missing unit. */
static bool unit_mult(qf_diag *d, const fe_num *n, const char *what, unit_kind k, bool required,
		      double *mult)
{
	*mult = 1;
	if (!n->unit) {
		if (!required)
			return true;
		qf_diag_error(d, n->loc, "%s needs a unit, %s, got %s", what, unit_list[k], n->text);
		return false;
	}
	int u = find_unit(n->unit);
	if (u >= 0 && units[u].kind == k) {
		*mult = units[u].mult;
		return true;
	}
	if (u >= 0) {
		qf_diag_error(d, n->unit_loc, "%s takes %s, not '%s'", what, unit_list[k], n->unit);
		return false;
	}
	const char *cands[N_UNITS];
	int nc = 0;
	for (int i = 0; i < N_UNITS; i++)
		if (units[i].kind == k)
			cands[nc++] = units[i].name;
	const char *s = fe_suggest(n->unit, cands, nc);
	if (s)
		qf_diag_error(d, n->unit_loc, "unknown unit '%s' in %s; did you mean '%s'?", n->unit, n->text, s);
	else
		qf_diag_error(d, n->unit_loc, "unknown unit '%s' in %s; %s takes %s", n->unit, n->text, what,
			      unit_list[k]);
	return false;
}

static void range_error(qf_diag *d, const fe_num *n, const char *what, int64_t lo, int64_t hi)
{
	if (hi == INT64_MAX)
		qf_diag_error(d, n->loc, "%s must be an integer >= %lld, got %s", what, (long long)lo, n->text);
	else
		qf_diag_error(d, n->loc, "%s must be an integer in %lld..%lld, got %s", what, (long long)lo,
			      (long long)hi, n->text);
}

bool fe_int(qf_diag *d, const fe_num *n, const char *what, int64_t lo, int64_t hi, int64_t *out)
{
	if (!no_unit(d, n, what))
		return false;
	int64_t v;
	if (n->is_int && !n->overflow) {
		v = n->i;
	} else if (isfinite(n->v) && n->v == floor(n->v) && fabs(n->v) < 9e18) {
		v = (int64_t)n->v; /* 1e3, 16.0: integral values written otherwise */
	} else {
		range_error(d, n, what, lo, hi);
		return false;
	}
	if (v < lo || v > hi) {
		range_error(d, n, what, lo, hi);
		return false;
	}
	*out = v;
	return true;
}

bool fe_real(qf_diag *d, const fe_num *n, const char *what, double lo, bool lo_open, double hi,
	     double *out)
{
	if (!no_unit(d, n, what))
		return false;
	double v = n->v;
	if (!isfinite(v) || v < lo || (lo_open && v == lo) || v > hi) {
		if (isfinite(hi))
			qf_diag_error(d, n->loc, "%s must be a number %s %g and <= %g, got %s", what,
				      lo_open ? ">" : ">=", lo, hi, n->text);
		else
			qf_diag_error(d, n->loc, "%s must be a number %s %g, got %s", what, lo_open ? ">" : ">=",
				      lo, n->text);
		return false;
	}
	*out = v;
	return true;
}

/* A quantity with units: value times multiplier must be a whole number
 * in lo..hi (in base units). */
static bool quantity(qf_diag *d, const fe_num *n, const char *what, unit_kind k, bool required,
		     int64_t lo, int64_t hi, const char *range, int64_t *out)
{
	double mult;
	if (!unit_mult(d, n, what, k, required, &mult))
		return false;
	double v = n->v * mult;
	if (!isfinite(v) || v < (double)lo || v > (double)hi || v != floor(v)) {
		qf_diag_error(d, n->loc, "%s must be %s, got %s", what, range, n->text);
		return false;
	}
	*out = (int64_t)v;
	return true;
}

bool fe_size(qf_diag *d, const fe_num *n, const char *what, int64_t *bytes)
{
	return quantity(d, n, what, U_SIZE, false, 1, 4096LL << 20, "a whole number of bytes from 1 to 4096M",
			bytes);
}

bool fe_time_us(qf_diag *d, const fe_num *n, const char *what, int64_t *us)
{
	return quantity(d, n, what, U_TIME, true, 1, 3600LL * 1000000, "whole microseconds from 1us to 3600000ms",
			us);
}

bool fe_freq_hz(qf_diag *d, const fe_num *n, const char *what, int64_t *hz)
{
	return quantity(d, n, what, U_FREQ, true, 1, 10000000000LL, "whole hertz from 1Hz to 10GHz", hz);
}

bool fe_set(qf_diag *d, const fe_val *v, const char *what, int64_t lo, int64_t hi, int32_t *out, int *n)
{
	QF_ASSERT(v->kind == FE_VAL_NUM || v->kind == FE_VAL_SET);
	QF_ASSERT(hi <= INT32_MAX);
	if (v->n > QF_MAX_VALUES) {
		qf_diag_error(d, v->loc, "a choice set holds at most %d values; this %s set has %d", QF_MAX_VALUES,
			      what, v->n);
		return false;
	}
	bool ok = true;
	int k = 0;
	for (int i = 0; i < v->n; i++) {
		int64_t x;
		if (!fe_int(d, &v->v[i], what, lo, hi, &x)) {
			ok = false;
			continue;
		}
		bool dup = false;
		for (int j = 0; j < k; j++)
			dup |= out[j] == (int32_t)x;
		if (dup) {
			qf_diag_error(d, v->v[i].loc, "%s %lld appears twice in the set", what, (long long)x);
			ok = false;
			continue;
		}
		out[k++] = (int32_t)x;
	}
	*n = k;
	return ok;
}
