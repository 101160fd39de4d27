/* rng.c: xoshiro256** seeded by splitmix64, so a seed means the same
 * numbers on every machine and compiler. */
#include <math.h>

#include "ir.h"

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void qf_rng_seed(qf_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t qf_rng_u64(qf_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

uint32_t qf_rng_below(qf_rng *r, uint32_t n)
{
	/* Lemire's multiply-shift with rejection: no modulo bias. */
	uint64_t m = (uint64_t)(uint32_t)(qf_rng_u64(r) >> 32) * n;
	if ((uint32_t)m < n) {
		uint32_t t = (uint32_t)-n % n;
		while ((uint32_t)m < t)
			m = (uint64_t)(uint32_t)(qf_rng_u64(r) >> 32) * n;
	}
	return (uint32_t)(m >> 32);
}

double qf_rng_uniform(qf_rng *r)
{
	return (double)(qf_rng_u64(r) >> 11) * 0x1.0p-53;
}

double qf_rng_normal(qf_rng *r)
{
	/* Box-Muller; one value per call keeps the stream simple to replay. */
	double u = qf_rng_uniform(r), v = qf_rng_uniform(r);
	return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}
