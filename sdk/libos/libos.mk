# The library OS: build/sysroot/lib/libkeel.a and crt0.o, built with the
# Keel compiler against newlib's headers.  Variables from toolchain.mk.

LIBOS_DIR    := sdk/libos
LIBOS_OUT    := $(BUILD)/libos
LIBOS_SRCS   := $(wildcard $(LIBOS_DIR)/*.c)
LIBOS_ASRCS  := $(filter-out $(LIBOS_DIR)/crt0.S,$(wildcard $(LIBOS_DIR)/*.S))
LIBOS_OBJS   := $(patsubst $(LIBOS_DIR)/%.c,$(LIBOS_OUT)/%.o,$(LIBOS_SRCS)) \
                $(patsubst $(LIBOS_DIR)/%.S,$(LIBOS_OUT)/%.S.o,$(LIBOS_ASRCS))
LIBOS_LIB    := $(SYSROOT)/lib/libkeel.a
LIBOS_CRT0   := $(SYSROOT)/lib/crt0.o
LIBOS_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wshadow -Wstrict-prototypes \
                -Wmissing-prototypes -MMD -MP -I $(LIBOS_DIR)/posix
# Rebuild everything when the compiler, its flags or newlib change.
LIBOS_DEPS   := $(SYSROOT_NEWLIB) $(KEEL_CC) toolchain/target-flags.sh
# POSIX headers newlib lacks whose functions the libos implements (poll,
# readv, ioctl), installed into the sysroot's include/.  lwIP is compiled
# against them (its sockets use the guest's own headers, docs/net.md).
LIBOS_POSIX_SRC  := $(wildcard $(LIBOS_DIR)/posix/*.h $(LIBOS_DIR)/posix/*/*.h)
LIBOS_POSIX_HDRS := $(patsubst $(LIBOS_DIR)/posix/%,$(SYSROOT)/include/%,$(LIBOS_POSIX_SRC))

.PHONY: libos
libos: $(LIBOS_LIB) $(LIBOS_CRT0)

$(LIBOS_OUT)/%.o: $(LIBOS_DIR)/%.c $(LIBOS_DEPS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(KEEL_CC) $(LIBOS_CFLAGS) -c $< -o $@

$(LIBOS_OUT)/%.S.o: $(LIBOS_DIR)/%.S $(LIBOS_DEPS)
	@mkdir -p $(dir $@)
	@echo "  AS      $@"
	@$(KEEL_CC) -c $< -o $@

$(LIBOS_CRT0): $(LIBOS_DIR)/crt0.S $(LIBOS_DEPS)
	@mkdir -p $(dir $@)
	@echo "  AS      $@"
	@$(KEEL_CC) -c $< -o $@

$(LIBOS_LIB): $(LIBOS_OBJS)
	@echo "  AR      $@"
	@rm -f $@
	@ar rcs $@ $^

$(LIBOS_POSIX_HDRS): $(SYSROOT)/include/%: $(LIBOS_DIR)/posix/% | $(SYSROOT_NEWLIB)
	@mkdir -p $(@D)
	@cp $< $@

# A changed header rebuilds lwIP; a sysroot remade by `make clean` does not.
$(LWIP_STAMP): $(LIBOS_POSIX_SRC) | $(LIBOS_POSIX_HDRS)

$(SYSROOT_STAMP): $(LIBOS_LIB) $(LIBOS_CRT0) $(LIBOS_POSIX_HDRS)

-include $(LIBOS_OBJS:.o=.d)
