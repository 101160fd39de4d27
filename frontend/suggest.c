/* suggest.c: "did you mean" by edit distance, and the name tables the
 * checker looks declarations up in (hashed, so a file with thousands of
 * declarations is checked in linear time). */
#include <ctype.h>
#include <string.h>

#include "frontend/ast.h"

#define MAXW 64

/* Optimal string alignment distance (Levenshtein plus adjacent
 * transpositions, the commonest typo), case folded. */
static int distance(const char *a, const char *b)
{
	int la = (int)strlen(a), lb = (int)strlen(b);
	if (la > MAXW || lb > MAXW)
		return MAXW;
	int d[MAXW + 1][MAXW + 1];
	for (int i = 0; i <= la; i++)
		d[i][0] = i;
	for (int j = 0; j <= lb; j++)
		d[0][j] = j;
	for (int i = 1; i <= la; i++) {
		for (int j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
			int cost = ca != cb;
			int v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

const char *fe_suggest(const char *word, const char *const *cands, int n)
{
	int len = (int)strlen(word);
	/* A third of the word may be wrong, at least one letter, but never
	 * all of it: "x" is not a misspelling of "c". */
	int limit = len / 3 > 1 ? len / 3 : 1;
	const char *best = NULL;
	int best_d = limit + 1;
	for (int i = 0; i < n; i++) {
		if (!cands[i])
			continue;
		int dd = distance(word, cands[i]);
		if (dd < best_d && dd < len) {
			best = cands[i];
			best_d = dd;
		}
	}
	return best;
}

const char *qf_suggest(const char *word, const char *const *cands, int n)
{
	return fe_suggest(word, cands, n);
}

/* ------------------------------------------------------------ name tables */

struct fe_names {
	int cap;                     /* a power of two */
	int count;
	const char **key;
	int *idx;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

fe_names *fe_names_new(qf_arena *a, int n)
{
	fe_names *t = qf_arena_alloc(a, sizeof(*t));
	t->cap = 16;
	while (t->cap < 2 * n)
		t->cap *= 2;
	t->key = qf_arena_alloc(a, sizeof(char *) * (size_t)t->cap);
	t->idx = qf_arena_alloc(a, sizeof(int) * (size_t)t->cap);
	return t;
}

/* Tables are sized for their final count up front (twice it), so they
 * never fill and never grow. */
int fe_names_put(fe_names *t, const char *key, int idx)
{
	uint64_t m = (uint64_t)t->cap - 1;
	for (uint64_t i = hash(key) & m;; i = (i + 1) & m) {
		if (!t->key[i]) {
			QF_ASSERT(2 * ++t->count <= t->cap);
			t->key[i] = key;
			t->idx[i] = idx;
			return -1;
		}
		if (strcmp(t->key[i], key) == 0)
			return t->idx[i];
	}
}

int fe_names_get(const fe_names *t, const char *key)
{
	uint64_t m = (uint64_t)t->cap - 1;
	for (uint64_t i = hash(key) & m; t->key[i]; i = (i + 1) & m)
		if (strcmp(t->key[i], key) == 0)
			return t->idx[i];
	return -1;
}
