# netback: the network backend and L2 switch, build/netback/libnetback.a,
# built with the Keel compiler (dom0 or a driver domain links it).  Its
# headers are sdk/netback/include/netback/.  Nothing here includes dom0/.
# Variables from toolchain.mk and libos.mk.

NETBACK_DIR    := sdk/netback
NETBACK_OUT    := $(BUILD)/netback
NETBACK_INC    := $(NETBACK_DIR)/include
NETBACK_SRCS   := $(wildcard $(NETBACK_DIR)/*.c)
NETBACK_OBJS   := $(patsubst $(NETBACK_DIR)/%.c,$(NETBACK_OUT)/%.o,$(NETBACK_SRCS))
NETBACK_LIB    := $(NETBACK_OUT)/libnetback.a
NETBACK_CFLAGS := $(LIBOS_CFLAGS) -Wformat=2 -I $(NETBACK_INC)

.PHONY: netback
netback: $(NETBACK_LIB)
all: netback

$(NETBACK_OUT)/%.o: $(NETBACK_DIR)/%.c $(NETBACK_DIR)/netback.mk $(LIBOS_DEPS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(KEEL_CC) $(NETBACK_CFLAGS) -c $< -o $@

$(NETBACK_LIB): $(NETBACK_OBJS)
	@echo "  AR      $@"
	@rm -f $@
	@ar rcs $@ $^

-include $(NETBACK_OBJS:.o=.d)
