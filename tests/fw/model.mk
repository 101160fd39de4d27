# tests/fw/model.mk: builds an emitted model with the firmware harness
# (model_main.c) for QEMU, or for the host. qforge bench copies this file and
# the harness (model_main.c startup.c tick.c tick.h link.ld) into a build
# folder beside:
#   model/     the emitted C (qforge emit --name model)
#   images.c   the test images and labels
# and runs one of
#   make -f model.mk fw CPU=cortex-m4        -> fw.elf (mps2 boards: 4 MiB flash, 4 MiB RAM)
#   make -f model.mk host HOST_CC=clang-14   -> host
# The model and runtime objects are compiled freestanding and listed in
# model_objs.txt, for the no-float check (tests/sh/emit_bitexact.sh).
CPU ?= cortex-m4
FW_CC ?= arm-none-eabi-gcc
HOST_CC ?= cc
WARN := -std=c99 -Wall -Wextra -Werror -pedantic
MODEL_SRC := $(sort $(wildcard model/*.c model/ref/*.c))
FW_MODEL_OBJ := $(patsubst model/%.c,fw/model/%.o,$(MODEL_SRC))
FW_HARNESS_OBJ := fw/model_main.o fw/startup.o fw/tick.o fw/images.o
FW_FLAGS := $(WARN) -O2 -g -mthumb -mcpu=$(CPU) -ffunction-sections -fdata-sections
HOST_FLAGS := $(WARN) -O2 -g

.PHONY: fw host
fw: fw.elf
host: host_model

fw/model/%.o: model/%.c $(wildcard model/*.h model/ref/*.h)
	@mkdir -p $(dir $@)
	$(FW_CC) $(FW_FLAGS) -ffreestanding -DQF_LAYER_HOOK_FN=fw_layer -Imodel -c -o $@ $<

fw/%.o: %.c $(wildcard model/*.h) tick.h
	@mkdir -p $(dir $@)
	$(FW_CC) $(FW_FLAGS) -Imodel -I. -c -o $@ $<

fw.elf: $(FW_MODEL_OBJ) $(FW_HARNESS_OBJ) link.ld
	$(FW_CC) -mcpu=$(CPU) -mthumb --specs=rdimon.specs -nostartfiles -T link.ld \
		-Wl,--defsym=FW_FLASH=4M -Wl,--defsym=FW_RAM=4M -Wl,--gc-sections \
		-o $@ $(FW_MODEL_OBJ) $(FW_HARNESS_OBJ)
	@echo $(FW_MODEL_OBJ) > model_objs.txt

host_model: $(MODEL_SRC) model_main.c images.c $(wildcard model/*.h)
	$(HOST_CC) $(HOST_FLAGS) -DQF_LAYER_HOOK_FN=fw_layer -Imodel -I. -o $@ $(MODEL_SRC) model_main.c images.c
