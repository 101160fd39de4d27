/* startup.c: vector table and reset code for the firmware tests (Cortex-M0,
 * M3, M4 under QEMU; semihosting gives printf and the exit code).
 * Reset copies .data from flash, zeroes .bss, opens the semihosting handles
 * (we link with -nostartfiles, so rdimon's crt0 does not) and exits with
 * main's return value. */
#include <stdint.h>
#include <stdlib.h>

#include "tick.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
extern int main(void);
extern void initialise_monitor_handles(void);

void Reset_Handler(void);
void Fault_Handler(void);
void SysTick_Handler(void);

/* newlib's init/fini arrays call these; nothing to do before main here */
void _init(void);
void _fini(void);
void _init(void)
{
}
void _fini(void)
{
}

void Reset_Handler(void)
{
	uint32_t *src = &_sidata, *dst = &_sdata;
	while (dst < &_edata)
		*dst++ = *src++;
	for (dst = &_sbss; dst < &_ebss; dst++)
		*dst = 0;
	initialise_monitor_handles();
	exit(main());
}

/* Any fault ends the run with a distinctive status instead of hanging QEMU. */
void Fault_Handler(void)
{
	exit(99);
}

void SysTick_Handler(void)
{
	fw_tick_wraps++;
}

typedef void (*vector)(void);

__attribute__((section(".vectors"), used)) static const vector vectors[16] = {
	(vector)(uintptr_t)&_estack,
	Reset_Handler,
	Fault_Handler, /* NMI */
	Fault_Handler, /* HardFault */
	Fault_Handler, /* MemManage */
	Fault_Handler, /* BusFault */
	Fault_Handler, /* UsageFault */
	0, 0, 0, 0,
	Fault_Handler, /* SVCall */
	Fault_Handler, /* DebugMon */
	0,
	Fault_Handler, /* PendSV */
	SysTick_Handler,
};
