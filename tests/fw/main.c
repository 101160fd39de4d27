/* main.c: firmware test of the runtime kernels under QEMU.
 *
 * Runs every case of the generated vectors (gen_vectors.c: inputs from fixed
 * seeds, expected outputs from the reference kernels on the host) through the
 * optimised kernel, compares byte for byte and prints the instructions each
 * call took (SysTick under -icount, calibrated first; see tick.h). Cases
 * flagged FW_REF are also run through the reference kernel, for the
 * instructions-per-MAC comparison in docs/runtime.md.
 * Exit status: 0 when every case matched, 1 otherwise (99: a fault).
 * FW_RAM_LIMIT (bytes) skips cases whose output and scratch would not fit
 * beside the stack and heap (the 16 KB of the micro:bit). */
#include <stdio.h>
#include <string.h>

#include "runtime/ref/ref.h"
#include "tests/fw/tick.h"
#include "tests/fw/vectors.h"

#ifndef FW_RAM_LIMIT
#define FW_RAM_LIMIT (64 * 1024)
#endif

#if defined(__ARM_FEATURE_DSP)
#define FW_PATH "DSP"
#else
#define FW_PATH "portable C"
#endif

static int32_t out_buf[FW_RAM_LIMIT / 4 / 2 + 4];
static int32_t scratch[FW_RAM_LIMIT / 4 / 2];

/* instructions per 1000 ticks, from the calibration loop */
static uint32_t per_kilotick;

static uint32_t instructions(uint64_t ticks)
{
	return (uint32_t)(ticks * per_kilotick / 1000u);
}

/* x.yy without printf's floating point */
static void print_per_mac(uint32_t instr, int32_t macs)
{
	uint32_t h = (uint32_t)(((uint64_t)instr * 100u + (uint32_t)macs / 2u) / (uint32_t)macs);
	printf(" %lu.%02lu/MAC", (unsigned long)(h / 100u), (unsigned long)(h % 100u));
}

static qf_rt_status run(const fw_case *c, int ref, int8_t *out)
{
	qf_rt_requant rq = {c->mult, c->shift, c->zp, c->min, c->max};
	switch (c->kind) {
	case FW_CONV:
		if (ref)
			return qf_ref_conv(&c->conv, &rq, c->in, c->w, c->bias, out);
		if (c->conv.in_bits == 4)
			return qf_conv_s4(&c->conv, &rq, c->in, c->w, c->bias, out, scratch, sizeof scratch);
		if (c->conv.w_bits == 8)
			return qf_conv_s8(&c->conv, &rq, c->in, c->w, c->bias, out, scratch, sizeof scratch);
		if (c->conv.w_bits == 4)
			return qf_conv_s8_s4w(&c->conv, &rq, c->in, c->w, c->bias, out, scratch, sizeof scratch);
		return qf_conv_s8_s2w(&c->conv, &rq, c->in, c->w, c->bias, out, scratch, sizeof scratch);
	case FW_DWCONV:
		if (ref)
			return qf_ref_dwconv(&c->conv, &rq, c->in, c->w, c->bias, out);
		if (c->conv.w_bits == 8)
			return qf_dwconv_s8(&c->conv, &rq, c->in, c->w, c->bias, out, scratch, sizeof scratch);
		if (c->conv.w_bits == 4)
			return qf_dwconv_s8_s4w(&c->conv, &rq, c->in, c->w, c->bias, out, scratch, sizeof scratch);
		return qf_dwconv_s8_s2w(&c->conv, &rq, c->in, c->w, c->bias, out, scratch, sizeof scratch);
	case FW_FC:
		if (ref)
			return qf_ref_fc(&c->fc, &rq, c->in, c->w, c->bias, out);
		if (c->fc.in_bits == 4)
			return qf_fc_s4(&c->fc, &rq, c->in, c->w, c->bias, out, scratch, sizeof scratch);
		if (c->fc.w_bits == 8)
			return qf_fc_s8(&c->fc, &rq, c->in, c->w, c->bias, out, scratch, sizeof scratch);
		if (c->fc.w_bits == 4)
			return qf_fc_s8_s4w(&c->fc, &rq, c->in, c->w, c->bias, out, scratch, sizeof scratch);
		return qf_fc_s8_s2w(&c->fc, &rq, c->in, c->w, c->bias, out, scratch, sizeof scratch);
	case FW_MAXPOOL:
		return ref ? qf_ref_maxpool(&c->pool, c->in, out) : qf_maxpool_s8(&c->pool, c->in, out);
	case FW_AVGPOOL:
		return ref ? qf_ref_avgpool(&c->pool, c->in, out) : qf_avgpool_s8(&c->pool, c->in, out);
	case FW_ADD:
		return ref ? qf_ref_add(&c->add, c->in, c->in2, out) : qf_add_s8(&c->add, c->in, c->in2, out);
	case FW_ARGMAX: {
		int32_t idx = -1;
		qf_rt_status st = ref ? qf_ref_argmax(c->in, c->add.n, &idx) : qf_argmax_s8(c->in, c->add.n, &idx);
		memcpy(out, &idx, 4);
		return st;
	}
	default:
		return QF_RT_ERR_PARAM;
	}
}

/* Runs case c once; returns 1 on a mismatch. */
static int check(const fw_case *c, int ref, uint32_t *instr)
{
	int8_t *out = (int8_t *)out_buf;
	memset(out, 0x5A, (size_t)c->out_bytes + 4);
	uint64_t t0 = fw_ticks();
	qf_rt_status st = run(c, ref, out);
	uint64_t t1 = fw_ticks();
	*instr = instructions(t1 - t0);
	if (st != QF_RT_OK) {
		printf("FAIL %s%s: status %d\n", c->name, ref ? " (reference)" : "", (int)st);
		return 1;
	}
	for (int32_t i = 0; i < c->out_bytes; i++)
		if (out[i] != c->expect[i]) {
			printf("FAIL %s%s: byte %ld is %d, expected %d\n", c->name, ref ? " (reference)" : "", (long)i,
				out[i], c->expect[i]);
			return 1;
		}
	/* the 4 bytes after the output must be untouched */
	for (int32_t i = c->out_bytes; i < c->out_bytes + 4; i++)
		if ((uint8_t)out[i] != 0x5A) {
			printf("FAIL %s: wrote past the output (byte %ld)\n", c->name, (long)i);
			return 1;
		}
	return 0;
}

int main(void)
{
	fw_tick_init();
	/* calibration: an empty window, then a loop of 2 x 100,000 and of
	 * 2 x 1,000,000 instructions; the second sets the instructions per tick */
	uint64_t t0 = fw_ticks(), t1 = fw_ticks();
	fw_known_loop(100000);
	uint64_t t2 = fw_ticks();
	fw_known_loop(1000000);
	uint64_t t3 = fw_ticks();
	uint32_t empty = (uint32_t)(t1 - t0), small = (uint32_t)(t2 - t1), big = (uint32_t)(t3 - t2);
	per_kilotick = (uint32_t)((2000000000ull + big / 2) / big);
	printf("path: %s\n", FW_PATH);
	printf("calibration: empty window %lu ticks; 200,000-instruction loop %lu ticks; 2,000,000-instruction "
	       "loop %lu ticks: %lu.%03lu instructions per tick\n",
		(unsigned long)empty, (unsigned long)small, (unsigned long)big, (unsigned long)(per_kilotick / 1000),
		(unsigned long)(per_kilotick % 1000));
	printf("counts are instructions (not cycles), +-1 tick per window\n");

	int fails = 0, run_n = 0, skipped = 0;
	for (int32_t i = 0; i < fw_ncases; i++) {
		const fw_case *c = &fw_cases[i];
		if ((int32_t)sizeof out_buf < c->out_bytes + 4 || (int32_t)sizeof scratch < c->scratch) {
			printf("skip %s: needs %ld + %ld bytes of RAM\n", c->name, (long)c->out_bytes, (long)c->scratch);
			skipped++;
			continue;
		}
		uint32_t n;
		int bad = check(c, 0, &n);
		fails += bad;
		run_n++;
		if (bad) {
			printf("     (%lu instructions)\n", (unsigned long)n);
			continue;
		}
		printf("ok   %-34s %9lu instructions", c->name, (unsigned long)n);
		if (c->macs)
			print_per_mac(n, c->macs);
		if (c->flags & FW_REF) {
			uint32_t r;
			if (check(c, 1, &r)) {
				fails++;
				printf("\n");
				continue;
			}
			printf("; reference %lu", (unsigned long)r);
			print_per_mac(r, c->macs);
			printf(" (%lu.%02lux)", (unsigned long)(r / n), (unsigned long)(r % n * 100u / n));
		}
		printf("\n");
	}
	printf("%d cases run, %d skipped, %d failed\n", run_n, skipped, fails);
	return fails ? 1 : 0;
}
