# The host launcher: tools/keel/*.c -> build/bin/keel (bin/keel runs it).

KEEL_TOOL_SRCS   := $(wildcard tools/keel/*.c)
KEEL_TOOL_OBJS   := $(patsubst tools/keel/%.c,$(BUILD)/tools/keel/%.o,$(KEEL_TOOL_SRCS))
KEEL_TOOL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra $(if $(CI),-Werror) \
                    -D_GNU_SOURCE -I $(PUBLIC_INC) -MMD -MP

.PHONY: keel
keel: $(BUILD)/bin/keel

$(BUILD)/bin/keel: $(KEEL_TOOL_OBJS)
	@mkdir -p $(@D)
	$(HOSTCC) -o $@ $^

$(BUILD)/tools/keel/%.o: tools/keel/%.c
	@mkdir -p $(@D)
	$(HOSTCC) $(KEEL_TOOL_CFLAGS) -c -o $@ $<

-include $(KEEL_TOOL_OBJS:.o=.d)
