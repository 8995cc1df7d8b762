# Domain zero: the toolstack appliance, build/dom0/dom0.img.
#
# Every dom0/*.c is part of the image (mkimage compiles them together), with
# the shared lib/ (lib.mk: the image checker and layout), so host-only code
# never lives here; the pure modules are unit-tested from tests/unit/ by
# #including their .c files.  The physical drivers come from the SDK's
# drivers library (sdk/drivers/drivers.mk), linked after dom0's own code.

DOM0_OUT    := $(BUILD)/dom0
DOM0_IMG    := $(DOM0_OUT)/dom0.img
DOM0_SRCS   := $(sort $(wildcard dom0/*.c)) $(LIB_SRCS)
DOM0_HDRS   := $(wildcard dom0/*.h) $(wildcard $(PUBLIC_INC)/keel/*.h) \
               $(LIB_HDRS) $(DRIVERS_HDRS)
DOM0_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Wshadow -Wformat=2 \
               -Wmissing-prototypes -I $(LIB_INC) -I $(DRIVERS_INC)

.PHONY: dom0
dom0: $(DOM0_IMG)

$(DOM0_IMG): $(DOM0_SRCS) $(DOM0_HDRS) $(DRIVERS_LIB) dom0/dom0.mk $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	@echo "  MKIMAGE $@"
	@$(MKIMAGE) --privileged --mem 64M $(DOM0_CFLAGS) $(DOM0_SRCS) $(DRIVERS_LIB) -o $@
