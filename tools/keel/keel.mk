# The host launcher: tools/keel/*.c -> build/bin/keel (bin/keel runs it),
# with lib/'s byte-stream ring (lib.mk) for the host I/O path and its image
# checker (which images get a NIC: -p, the hosts table).

KEEL_TOOL_SRCS   := $(wildcard tools/keel/*.c)
KEEL_TOOL_OBJS   := $(patsubst tools/keel/%.c,$(BUILD)/tools/keel/%.o,$(KEEL_TOOL_SRCS)) \
                    $(patsubst lib/%.c,$(BUILD)/tools/keel/lib/%.o,$(LIB_STREAM_SRCS) $(LIB_IMAGE_SRCS))
KEEL_TOOL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra $(if $(CI),-Werror) \
                    -D_GNU_SOURCE -I $(PUBLIC_INC) -I $(LIB_INC) -MMD -MP

.PHONY: keel
keel: $(BUILD)/bin/keel

$(BUILD)/bin/keel: $(KEEL_TOOL_OBJS)
	@mkdir -p $(@D)
	$(HOSTCC) -o $@ $^

$(BUILD)/tools/keel/%.o: tools/keel/%.c
	@mkdir -p $(@D)
	$(HOSTCC) $(KEEL_TOOL_CFLAGS) -c -o $@ $<

$(BUILD)/tools/keel/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(HOSTCC) $(KEEL_TOOL_CFLAGS) -c -o $@ $<

-include $(KEEL_TOOL_OBJS:.o=.d)
