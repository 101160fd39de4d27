/* tick.h: instruction counting with SysTick under QEMU -icount shift=0.
 * QEMU then advances virtual time by 1 ns per instruction, so SysTick (on
 * the processor clock, reload 0xFFFFFF, its interrupt counting wraps) falls
 * one tick per fixed number of instructions (40 on mps2-an385/an386). The
 * harness measures that number with a known loop; see docs/runtime.md and
 * ../shared/design/MEASURING.md. These are instructions, not cycles. */
#ifndef FW_TICK_H
#define FW_TICK_H

#include <stdint.h>

extern volatile uint32_t fw_tick_wraps;

void fw_tick_init(void);
/* ticks since fw_tick_init, 64 bits so no window wraps */
uint64_t fw_ticks(void);
/* a loop of exactly 2 * n instructions (SUBS + BNE per iteration) */
void fw_known_loop(uint32_t n);

#endif
