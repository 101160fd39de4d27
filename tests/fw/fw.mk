# tests/fw/fw.mk: the firmware test of the runtime kernels, for QEMU.
# Included at the end of the top Makefile; everything goes under $(BUILD)/fw.
#   make fw            build the three images below
#   sh tests/sh/fw_kernels.sh BUILD   build, run them under QEMU, check
#
#   core  -mcpu       QEMU machine   flash/RAM    DSP path
#   m4    cortex-m4   mps2-an386     4M/4M        yes
#   m3    cortex-m3   mps2-an385     4M/4M        no (portable C)
#   m0    cortex-m0   microbit       256K/16K     no (portable C)
#
# The vectors are generated: $(FW)/gen_vectors (a host program that runs the
# reference kernels on seeded random data) writes $(FW)/vectors.c.

FW_CC ?= arm-none-eabi-gcc
FW := $(BUILD)/fw
FW_CORES := m4 m3 m0
FW_CPU_m4 := cortex-m4
FW_CPU_m3 := cortex-m3
FW_CPU_m0 := cortex-m0
FW_MEM_m4 := --defsym=FW_FLASH=4M --defsym=FW_RAM=4M
FW_MEM_m3 := --defsym=FW_FLASH=4M --defsym=FW_RAM=4M
FW_MEM_m0 := --defsym=FW_FLASH=256K --defsym=FW_RAM=16K
# bytes the harness may use for one output plus one scratch buffer
FW_RAMLIM_m4 := 65536
FW_RAMLIM_m3 := 65536
FW_RAMLIM_m0 := 8192

FW_RT_SRC := $(wildcard runtime/*.c)
FW_REF_SRC := $(wildcard runtime/ref/*.c)
FW_H_SRC := tests/fw/main.c tests/fw/tick.c tests/fw/startup.c
FW_WARN := -std=c99 -Wall -Wextra -Werror -pedantic -Wshadow -Wvla -Wstrict-prototypes
FW_CFLAGS := $(FW_WARN) -O2 -g -ffunction-sections -fdata-sections -mthumb -I. -MMD -MP

.PHONY: fw
fw: $(foreach c,$(FW_CORES),$(FW)/$(c)/fw.elf)

$(FW)/gen_vectors: tests/fw/gen_vectors.c $(FW_REF_SRC) runtime/scratch.c $(wildcard runtime/*.h runtime/ref/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror -I. -o $@ $<

$(FW)/vectors.c: $(FW)/gen_vectors
	$< > $@.tmp && mv $@.tmp $@

# $(1) = core
define FW_CORE_RULES
$(FW)/$(1)/runtime/%.o: runtime/%.c
	@mkdir -p $$(dir $$@)
	$(FW_CC) $(FW_CFLAGS) -ffreestanding -mcpu=$(FW_CPU_$(1)) -c -o $$@ $$<

$(FW)/$(1)/tests/fw/%.o: tests/fw/%.c
	@mkdir -p $$(dir $$@)
	$(FW_CC) $(FW_CFLAGS) -mcpu=$(FW_CPU_$(1)) -DFW_RAM_LIMIT=$(FW_RAMLIM_$(1)) -c -o $$@ $$<

$(FW)/$(1)/vectors.o: $(FW)/vectors.c tests/fw/vectors.h
	@mkdir -p $$(dir $$@)
	$(FW_CC) $(FW_CFLAGS) -mcpu=$(FW_CPU_$(1)) -c -o $$@ $$<

$(FW)/$(1)/fw.elf: $(patsubst %.c,$(FW)/$(1)/%.o,$(FW_RT_SRC) $(FW_REF_SRC) $(FW_H_SRC)) $(FW)/$(1)/vectors.o tests/fw/link.ld
	$(FW_CC) -mcpu=$(FW_CPU_$(1)) -mthumb --specs=rdimon.specs -nostartfiles -T tests/fw/link.ld \
		$(addprefix -Wl$(comma),$(FW_MEM_$(1))) -Wl,--gc-sections -o $$@ $$(filter %.o,$$^)
endef
comma := ,
$(foreach c,$(FW_CORES),$(eval $(call FW_CORE_RULES,$(c))))
