# The library OS: build/sysroot/lib/libkeel.a and crt0.o, built with the
# Keel compiler against newlib's headers, and the headers of every guest.
# Variables and functions from toolchain.mk.

LIBOS_DIR    := sdk/libos
LIBOS_OUT    := $(BUILD)/libos
LIBOS_SRCS   := $(wildcard $(LIBOS_DIR)/*.c)
LIBOS_ASRCS  := $(filter-out $(LIBOS_DIR)/crt0.S,$(wildcard $(LIBOS_DIR)/*.S))
# the byte-stream ring of lib/ (lib.mk) is part of the libos
LIBOS_OBJS   := $(patsubst $(LIBOS_DIR)/%.c,$(LIBOS_OUT)/%.o,$(LIBOS_SRCS)) \
                $(patsubst $(LIBOS_DIR)/%.S,$(LIBOS_OUT)/%.S.o,$(LIBOS_ASRCS)) \
                $(patsubst lib/%.c,$(LIBOS_OUT)/lib/%.o,$(LIB_STREAM_SRCS))
LIBOS_LIB    := $(SYSROOT)/lib/libkeel.a
LIBOS_CRT0   := $(SYSROOT)/lib/crt0.o
LIBOS_CFLAGS := $(SDK_CFLAGS)
LIBOS_DEPS   := $(SDK_DEPS)

# The headers every guest compiles against, installed into the sysroot
# (toolchain.mk): the libos's, the public ABI, the byte-stream ring's.
$(call keel_sdk_headers,$(LIBOS_DIR)/include,libos)
$(call keel_sdk_headers,$(PUBLIC_INC),keel)
$(call keel_sdk_headers,$(LIB_INC),stream)
# POSIX headers newlib lacks whose functions the libos implements (poll,
# readv, ioctl); lwIP is compiled against them (docs/net.md, "Sockets").
$(call keel_sdk_top_headers,$(LIBOS_DIR)/posix)
$(call keel_sdk_headers,$(LIBOS_DIR)/posix,sys)
$(LWIP_STAMP): $(wildcard $(LIBOS_DIR)/posix/*.h $(LIBOS_DIR)/posix/*/*.h)

.PHONY: libos
libos: $(LIBOS_LIB) $(LIBOS_CRT0)

$(LIBOS_OUT)/%.o: $(LIBOS_DIR)/%.c $(LIBOS_DEPS) | $(SYSROOT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(KEEL_CC) $(LIBOS_CFLAGS) -c $< -o $@

$(LIBOS_OUT)/lib/%.o: lib/%.c $(LIBOS_DEPS) | $(SYSROOT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(KEEL_CC) $(LIBOS_CFLAGS) -c $< -o $@

$(LIBOS_OUT)/%.S.o: $(LIBOS_DIR)/%.S $(LIBOS_DEPS) | $(SYSROOT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  AS      $@"
	@$(KEEL_CC) -c $< -o $@

$(LIBOS_CRT0): $(LIBOS_DIR)/crt0.S $(LIBOS_DEPS) | $(SYSROOT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  AS      $@"
	@$(KEEL_CC) -c $< -o $@

$(LIBOS_LIB): $(LIBOS_OBJS)
	@echo "  AR      $@"
	@rm -f $@
	@ar rcs $@ $^

$(SYSROOT_STAMP): $(LIBOS_LIB) $(LIBOS_CRT0)

-include $(LIBOS_OBJS:.o=.d)
