/* model_main.c: runs an emitted model (qforge emit --name model) on embedded
 * test images and prints what it computed, on a Cortex-M under QEMU (SysTick
 * instruction counts, see tick.h) or on the host (no counts).
 *
 * Links with: the emitted folder compiled with -DQF_LAYER_HOOK_FN=fw_layer,
 * and images.c (qforge bench writes it):
 *     const int32_t fw_n_images, fw_image_bytes;
 *     const uint8_t fw_images[];       fw_n_images x fw_image_bytes, H x W x C each
 *     const uint8_t fw_labels[];
 * Output, one record per line (qforge bench parses it):
 *     calibration ...                          (M-profile only)
 *     image I label L class K instructions N logits z0,z1,...
 *     layer I instructions N                   (image 0; the glue after the last layer is layer count)
 *     stack B                                  (bytes below main's frame one inference used; M only)
 *     done images N correct C instructions_mean M
 * Counts are instructions, not cycles (QEMU -icount shift=0), +-1 SysTick
 * tick (40 instructions on mps2-an385/an386) per window. Image 0 runs twice:
 * once with the per-layer hook timing, once without, so the per-image figure
 * carries no timing overhead. Exit status 0, or the model's error status. */
#include <stdint.h>
#include <stdio.h>

#include "model.h"

#if defined(__arm__)
#include "tick.h"
#define FW_COUNTS 1
#else
#define FW_COUNTS 0
static uint64_t fw_ticks(void)
{
	return 0;
}
#endif

extern const int32_t fw_n_images, fw_image_bytes;
extern const uint8_t fw_images[];
extern const uint8_t fw_labels[];

#define FW_MAX_LAYERS 256
static uint32_t arena[(QF_MODEL_ARENA_BYTES + 3) / 4];
static uint64_t layer_tick[FW_MAX_LAYERS + 1];
static int32_t profiling;
static uint32_t per_kilotick = 1000;

void fw_layer(int layer);
void fw_layer(int layer)
{
	if (profiling && layer >= 0 && layer <= FW_MAX_LAYERS)
		layer_tick[layer] = fw_ticks();
}

static uint32_t instructions(uint64_t ticks)
{
	return (uint32_t)(ticks * per_kilotick / 1000u);
}

#if FW_COUNTS
#define FW_PAINT 0x5AA5C33Cu
#define FW_PAINT_WORDS 4096

static uintptr_t stack_pointer(void)
{
	uintptr_t sp;
	__asm__ volatile("mov %0, sp" : "=r"(sp));
	return sp;
}

/* Paints FW_PAINT_WORDS words below the current stack pointer (less a
 * margin for this function's own frame), through a volatile pointer the
 * compiler cannot prove dead; returns the lowest painted word. */
static volatile uint32_t *__attribute__((noinline)) paint_stack(void)
{
	volatile uint32_t *top = (volatile uint32_t *)((stack_pointer() & ~(uintptr_t)3) - 64);
	for (int32_t i = 1; i <= FW_PAINT_WORDS; i++)
		top[-i] = FW_PAINT;
	return top - FW_PAINT_WORDS;
}

/* Bytes between sp (the caller's, before the inference) and the lowest
 * word the inference overwrote. */
static uint32_t stack_used(volatile const uint32_t *bottom, uintptr_t sp)
{
	volatile const uint32_t *p = bottom;
	while (*p == FW_PAINT)
		p++;
	return (uint32_t)(sp - (uintptr_t)p);
}
#endif

static int run(int32_t i, int8_t *z)
{
	return qf_model_run(fw_images + (int64_t)i * fw_image_bytes, z, arena);
}

static int argmax(const int8_t *z)
{
	int k = 0;
	for (int c = 1; c < QF_MODEL_CLASSES; c++)
		if (z[c] > z[k])
			k = c;
	return k;
}

int main(void)
{
	int8_t z[QF_MODEL_CLASSES];
#if FW_COUNTS
	fw_tick_init();
	/* calibration: an empty window and a known loop of 2,000,000 instructions */
	uint64_t t0 = fw_ticks(), t1 = fw_ticks();
	fw_known_loop(1000000);
	uint64_t t2 = fw_ticks();
	uint32_t empty = (uint32_t)(t1 - t0), big = (uint32_t)(t2 - t1);
	per_kilotick = (uint32_t)((2000000000ull + big / 2) / big);
	printf("calibration: empty window %lu ticks, 2,000,000-instruction loop %lu ticks, %lu.%03lu instructions "
	       "per tick\n",
		(unsigned long)empty, (unsigned long)big, (unsigned long)(per_kilotick / 1000),
		(unsigned long)(per_kilotick % 1000));
	volatile const uint32_t *bottom = paint_stack();
	uintptr_t sp = stack_pointer();
	int st = run(0, z);
	uint32_t stack = stack_used(bottom, sp);
#else
	int st = run(0, z);
#endif
	if (st != 0) {
		printf("error: the model returned %d\n", st);
		return st < 0 ? -st : st;
	}
	/* image 0 again, timed per layer */
	profiling = 1;
	run(0, z);
	profiling = 0;
	uint64_t total = 0;
	int32_t correct = 0;
	for (int32_t i = 0; i < fw_n_images; i++) {
		uint64_t a = fw_ticks();
		st = run(i, z);
		uint64_t b = fw_ticks();
		if (st != 0) {
			printf("error: the model returned %d on image %ld\n", st, (long)i);
			return st < 0 ? -st : st;
		}
		int k = argmax(z);
		correct += k == fw_labels[i];
		total += b - a;
		printf("image %ld label %d class %d instructions %lu logits ", (long)i, fw_labels[i], k,
			(unsigned long)instructions(b - a));
		for (int c = 0; c < QF_MODEL_CLASSES; c++)
			printf("%s%d", c ? "," : "", z[c]);
		printf("\n");
	}
	for (int l = 0; l < FW_MAX_LAYERS && l < QF_MODEL_LAYERS; l++)
		printf("layer %d instructions %lu\n", l, (unsigned long)instructions(layer_tick[l + 1] - layer_tick[l]));
#if FW_COUNTS
	printf("stack %lu\n", (unsigned long)stack);
#endif
	printf("done images %ld correct %ld instructions_mean %lu\n", (long)fw_n_images, (long)correct,
		(unsigned long)(fw_n_images ? instructions(total / (uint64_t)fw_n_images) : 0));
	return 0;
}
