# runtime/runtime.mk: host-side builds of the runtime kernels (runtime/ is
# not part of libqforge). Included at the end of the top Makefile.
#
# The top Makefile already builds tests/unit/test_kernels.c, which includes
# the runtime sources, as an ordinary unit test: that tests the portable C
# path, with sanitizers in make check's second build. This adds the same test
# with -DQF_DSP_EMULATE, which compiles the DSP path with C versions of the
# DSP instructions (runtime/qf_simd.h), also under ASan and UBSan;
# tests/sh/fw_dsp_host.sh builds and runs it.

RT_TEST_DSP := $(BUILD)/rt/test_kernels_dsp

$(RT_TEST_DSP): tests/unit/test_kernels.c $(wildcard runtime/*.c runtime/*.h runtime/ref/*.c runtime/ref/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
		-fno-sanitize-recover=undefined -DQF_DSP_EMULATE -o $@ $< -lcmocka
