# qforge build. Out of tree: everything goes under $(BUILD).
#   make            build qforge (release, -O2)
#   make check      deps, build, run every test (also under ASan+UBSan, and fuzz smoke)
#   make demo       deps, build, the whole flow on Fashion-MNIST
#   make bench      benchmarks (long; never part of check)
#   make fuzz       run the fuzzers for FUZZ_SECONDS each
#   make clean
# Variables: BUILD (build dir), SAN=1 (sanitizers), CC, UPDATE=1 (refresh goldens).

BUILD ?= build
CC ?= gcc
LLVM_CONFIG ?= llvm-config-14
FLEX ?= flex
BISON ?= bison

CFLAGS_BASE := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla \
	-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I. -I$(BUILD)/gen \
	$(shell pkg-config --cflags libxml-2.0 2>/dev/null || echo -I/usr/include/libxml2)
ifeq ($(SAN),1)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN := -fsanitize=address,undefined
else
OPT := -O2 -g
LDSAN :=
endif
ifeq ($(FUZZ),1)
OPT := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
LDSAN := -fsanitize=address,undefined
endif
CFLAGS ?=
CFLAGS += $(CFLAGS_BASE) $(OPT) -MMD -MP
# Quiet by default; V=1 shows the full commands.
ifeq ($(V),1)
Q :=
say := @true
else
Q := @
say := @printf '  %-6s %s\n'
endif
LDLIBS := $(shell pkg-config --libs libxml-2.0 2>/dev/null || echo -lxml2) -lz -lm -lpthread
# LLVM backend (backends/llvm/): only its objects see LLVM's headers, and only
# the -I/-D part of llvm-config's flags (the rest would change our -std and
# warnings); everything linked against libqforge gets libLLVM.
LLVM_CFLAGS := $(filter -I% -D%,$(shell $(LLVM_CONFIG) --cflags 2>/dev/null))
LDLIBS += $(shell $(LLVM_CONFIG) --ldflags --libs core analysis target passes object arm riscv x86 2>/dev/null)

LIB_SRC := $(wildcard ir/*.c frontend/*.c passes/*.c interp/*.c backends/c/*.c backends/llvm/*.c)
DRIVER_SRC := $(wildcard driver/*.c)
# Compiled into qforge so it runs from anywhere: schemas, targets, and the
# runtime kernels and firmware harness that `qforge emit`/`bench` copy out.
EMBED_FILES := $(sort $(wildcard docs/*.rng targets/*.xml runtime/*.c runtime/*.h \
	runtime/ref/*.c runtime/ref/*.h tests/fw/model_main.c tests/fw/startup.c \
	tests/fw/tick.c tests/fw/tick.h tests/fw/link.ld tests/fw/model.mk))
GEN_SRC := $(BUILD)/gen/parser.c $(BUILD)/gen/lexer.c $(BUILD)/gen/embed.c

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(GEN_SRC:$(BUILD)/gen/%.c=$(BUILD)/obj/gen/%.o)
DRIVER_OBJ := $(DRIVER_SRC:%.c=$(BUILD)/obj/%.o)
LIB := $(BUILD)/libqforge.a
QFORGE := $(BUILD)/qforge

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

.PHONY: all deps check test demo bench fuzz fuzz-build clean unit
.DEFAULT_GOAL := all

all: $(QFORGE)

$(QFORGE): $(DRIVER_OBJ) $(LIB)
	$(say) LD $@
	$(Q)$(CC) $(LDSAN) -o $@ $(DRIVER_OBJ) $(LIB) $(LDLIBS)

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(say) AR $@
	$(Q)ar rcs $@ $^

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/backends/llvm/%.o: CFLAGS += $(LLVM_CFLAGS)

# Generated sources are compiled with the same flags; bison/flex output
# is clean under -Wall -Wextra, but not every warning flag we use.
$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(CFLAGS) -Wno-unused-function -Wno-sign-compare -Wno-shadow -c -o $@ $<

$(BUILD)/gen/parser.c $(BUILD)/gen/parser.h &: frontend/parser.y
	@mkdir -p $(BUILD)/gen
	$(say) BISON $<
	$(Q)$(BISON) -Wall -Werror --defines=$(BUILD)/gen/parser.h -o $(BUILD)/gen/parser.c $<

$(BUILD)/gen/lexer.c $(BUILD)/gen/lexer.h &: frontend/lexer.l $(BUILD)/gen/parser.h
	@mkdir -p $(BUILD)/gen
	$(say) FLEX $<
	$(Q)$(FLEX) --header-file=$(BUILD)/gen/lexer.h -o $(BUILD)/gen/lexer.c $<

$(BUILD)/gen/embed.c: scripts/embed.sh $(EMBED_FILES)
	@mkdir -p $(BUILD)/gen
	$(say) EMBED $@
	$(Q)sh scripts/embed.sh $(EMBED_FILES) > $@.tmp && mv $@.tmp $@

# Every object may include the generated headers.
$(LIB_OBJ) $(DRIVER_OBJ): | $(BUILD)/gen/parser.h $(BUILD)/gen/lexer.h

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(say) TEST $@
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LIB) -lcmocka $(LDLIBS) $(LDSAN)

unit: $(UNIT_BIN)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(say) FUZZ $@
	$(Q)$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(LIB) $(LDLIBS) $(LDSAN)

fuzz-build: $(FUZZ_BIN)

deps:
	@sh scripts/deps.sh

# check: release build, sanitizer build, fuzz build, then one runner over all.
check: deps
	@$(MAKE) --no-print-directory -s all unit BUILD=build
	@$(MAKE) --no-print-directory -s all unit BUILD=build-san SAN=1
	@$(MAKE) --no-print-directory -s fuzz-build BUILD=build-fuzz FUZZ=1 CC=clang-14
	@sh tests/run.sh build build-san build-fuzz

FUZZ_SECONDS ?= 60
fuzz: deps
	@$(MAKE) --no-print-directory -s fuzz-build BUILD=build-fuzz FUZZ=1 CC=clang-14
	@for f in build-fuzz/fuzz/fuzz_*; do \
		n=$${f##*/}; mkdir -p build-fuzz/corpus/$$n; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 build-fuzz/corpus/$$n tests/fuzz/corpus/$$n || exit 1; \
	done

demo: deps all
	@sh scripts/demo.sh $(BUILD)

bench: deps all
	@sh bench/run.sh $(BUILD)

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Runtime kernels (runtime/ is freestanding and not part of libqforge) and the
# QEMU firmware harness bring their own rules: host test of the DSP path
# (runtime/runtime.mk) and the Cortex-M images (tests/fw/fw.mk, `make fw`).
-include runtime/runtime.mk tests/fw/fw.mk

# Training benchmark (issue 4): qforge against PyTorch on fmnist-small, 1 and
# 10 epochs each; installs python3-torch when missing. Long; never part of
# check. Figures go to docs/bench.md, "training".
.PHONY: bench-train
bench-train: deps all
	@sh bench/train.sh $(BUILD)

# MCU benchmark (issue 6): fmnist-small int8 and with 4-bit conv2/conv3,
# emitted as C and run under QEMU Cortex-M4 and M3 against the plain
# reference kernels; instructions per inference and per layer, flash, RAM.
# Trains EPOCHS (5) epochs first unless MODEL=trained.qfm is given. Needs
# arm-none-eabi-gcc and qemu-system-arm (make deps). Figures go to
# docs/bench.md, "MCU". Then bench/mcu_llvm.sh, the LLVM backend's column
# (issue 7): the same models built by it and by the C backend, same run.
.PHONY: bench-mcu
bench-mcu: deps all
	@sh bench/mcu.sh $(BUILD)
	@sh bench/mcu_llvm.sh $(BUILD)

# ============================================================== PTQ
# Post-training fixed point benchmark (issue 8): qforge ptq (FxP-QNet) against
# plain int8 PTQ (qforge calibrate) on fmnist-small, fmnist-wide and
# fmnist-mbconv trained by qforge (10 epochs each, kept in
# $(BUILD)/bench-ptq and reused); memory ratio vs float32, test accuracy drop,
# bit-exactness under QEMU Cortex-M4. Long; never part of check. Figures go
# to docs/bench.md, "PTQ".
.PHONY: bench-ptq
bench-ptq: deps all
	@sh bench/ptq.sh $(BUILD)

# ============================================================== QAT
# Quantization-aware training benchmark (issue 5): qforge QAT of
# bench/fmnist-small-int8.qf against PyTorch's QAT (bench/qat_torch.py), an
# ablation of LSQ, StatAssist, GradBoost, the gradient modification and the
# multi-phase schedule, and learned precision under 8/12/16/24 KB weight
# budgets. EPOCHS, ABL_EPOCHS, LP_EPOCHS, PART=speed|ablation|precision; see
# bench/qat.sh. Long; never part of check. Figures go to docs/bench.md, "QAT".
.PHONY: bench-qat
bench-qat: deps all
	@sh bench/qat.sh $(BUILD)
