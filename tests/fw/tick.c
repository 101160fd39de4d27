/* tick.c: SysTick as an instruction counter (see tick.h). */
#include "tick.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

volatile uint32_t fw_tick_wraps;

void fw_tick_init(void)
{
	SYST_CSR = 0;
	SYST_RVR = 0xFFFFFFu;
	SYST_CVR = 0;
	fw_tick_wraps = 0;
	SYST_CSR = 7; /* enable, interrupt on wrap, processor clock */
	/* the count reads 0 until the first tick reloads it; start from there so
	 * that 0 always means "about to wrap" */
	while (SYST_CVR == 0)
		;
}

uint64_t fw_ticks(void)
{
	uint32_t w, v;
	/* a wrap between reading the count and the wrap counter would lose
	 * 2^24 ticks: read until the wrap counter is the same on both sides */
	do {
		w = fw_tick_wraps;
		v = SYST_CVR;
	} while (w != fw_tick_wraps);
	return (uint64_t)w * 0x1000000u + (0xFFFFFFu - v);
}

void fw_known_loop(uint32_t n)
{
#if defined(__thumb2__)
	__asm__ volatile("1: subs %0, %0, #1\n\tbne 1b" : "+l"(n) : : "cc");
#else
	/* gcc passes Thumb-1 inline asm in divided syntax, where SUB sets flags */
	__asm__ volatile("1: sub %0, #1\n\tbne 1b" : "+l"(n) : : "cc");
#endif
}
