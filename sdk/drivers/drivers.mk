# Physical device drivers (sdk/drivers/): build/sdk/drivers/libkeel-drivers.a
# and the headers in sdk/drivers/include/drivers/, for dom0 today and a
# driver domain later.  Built with the Keel compiler like the libos
# (libos.mk's flags and dependencies); sdk/drivers/virtio/ is the virtio
# family (legacy PCI transport, split virtqueues, virtio-net).

DRIVERS_DIR    := sdk/drivers
DRIVERS_INC    := $(DRIVERS_DIR)/include
DRIVERS_OUT    := $(BUILD)/sdk/drivers
DRIVERS_SRCS   := $(wildcard $(DRIVERS_DIR)/virtio/*.c)
DRIVERS_OBJS   := $(patsubst $(DRIVERS_DIR)/%.c,$(DRIVERS_OUT)/%.o,$(DRIVERS_SRCS))
DRIVERS_LIB    := $(DRIVERS_OUT)/libkeel-drivers.a
DRIVERS_HDRS   := $(wildcard $(DRIVERS_INC)/drivers/*.h)
DRIVERS_CFLAGS := $(LIBOS_CFLAGS) -I $(DRIVERS_INC)

.PHONY: drivers
drivers: $(DRIVERS_LIB)

$(DRIVERS_OUT)/%.o: $(DRIVERS_DIR)/%.c $(LIBOS_DEPS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(KEEL_CC) $(DRIVERS_CFLAGS) -c $< -o $@

$(DRIVERS_LIB): $(DRIVERS_OBJS)
	@echo "  AR      $@"
	@rm -f $@
	@ar rcs $@ $^

-include $(DRIVERS_OBJS:.o=.d)
