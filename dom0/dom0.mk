# Domain zero: the toolstack appliance, build/dom0/dom0.img.
#
# Every dom0/*.c is part of the image (mkimage compiles them together), with
# lib/'s image checker and layout (lib.mk), so host-only code
# never lives here; the pure modules are unit-tested from tests/unit/ by
# #including their .c files.  The SDK's libraries it uses (consback,
# netback, drivers) come from the sysroot, like any image's.

DOM0_OUT    := $(BUILD)/dom0
DOM0_IMG    := $(DOM0_OUT)/dom0.img
DOM0_SRCS   := $(sort $(wildcard dom0/*.c)) $(LIB_IMAGE_SRCS)
DOM0_HDRS   := $(wildcard dom0/*.h) $(wildcard $(PUBLIC_INC)/keel/*.h) \
               $(LIB_IMAGE_HDRS)
DOM0_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Wshadow -Wformat=2 \
               -Wmissing-prototypes -I $(LIB_INC)

.PHONY: dom0
dom0: $(DOM0_IMG)

$(DOM0_IMG): $(DOM0_SRCS) $(DOM0_HDRS) dom0/dom0.mk $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	@echo "  MKIMAGE $@"
	@$(MKIMAGE) --privileged --mem 64M $(DOM0_CFLAGS) $(DOM0_SRCS) -o $@
