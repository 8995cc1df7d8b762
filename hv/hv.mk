# The hypervisor: build/hv/keel-hv (flat multiboot image for QEMU -kernel)
# and build/hv/keel-hv.elf (the same, with symbols, for addr2line/gdb).
#
#   make hv                                   arch + mm + lib + hv/common
#                                             + the shared lib/ (lib.mk)
#   make hv HV_COMMON_SRCS= HV_EXTRA_SRCS=x.c  swap hv/common for a test stub

HV_OUT     := $(BUILD)/hv
HV_ARCH    := hv/arch/x86_64
HV_CC      ?= gcc
HV_LD      ?= ld
HV_OBJCOPY ?= objcopy

HV_COMMON_SRCS ?= $(wildcard hv/common/*.c)
HV_EXTRA_SRCS  ?=

HV_SRCS := $(wildcard $(HV_ARCH)/*.c) $(wildcard $(HV_ARCH)/*.S) \
           $(wildcard hv/mm/*.c) $(wildcard hv/lib/*.c) $(LIB_SRCS) \
           $(HV_COMMON_SRCS) $(HV_EXTRA_SRCS)
HV_OBJS := $(patsubst %,$(HV_OUT)/obj/%.o,$(abspath $(HV_SRCS)))

HV_CFLAGS := -std=gnu11 -ffreestanding -mno-red-zone -mno-mmx -mno-sse \
             -mno-sse2 -mno-avx -mcmodel=kernel -fno-pie -fno-pic \
             -fno-stack-protector -fno-omit-frame-pointer \
             -fno-asynchronous-unwind-tables -O2 -g -Wall -Wextra \
             -mindirect-branch=thunk -mindirect-branch-register \
             -I hv/include/public -I hv/include -MMD -MP
HV_ASFLAGS := -mcmodel=kernel -fno-pie -g -I hv/include/public -I hv/include -MMD -MP
HV_LDFLAGS := -nostdlib -static -n -z max-page-size=4096 -z noexecstack \
              --no-warn-rwx-segments -T $(HV_ARCH)/hv.ld
# lib/ (lib.mk) is built into the hypervisor with the hypervisor's flags
HV_CFLAGS  += -I $(LIB_INC)

.PHONY: hv
hv: $(HV_OUT)/keel-hv

$(HV_OUT)/keel-hv: $(HV_OUT)/keel-hv.elf
	$(HV_OBJCOPY) -O binary $< $@

# The file list is part of the recipe: relink when sources come or go.
$(HV_OUT)/keel-hv.elf: $(HV_OBJS) $(HV_ARCH)/hv.ld $(HV_OUT)/objs.list
	$(HV_LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS)

$(HV_OUT)/objs.list: hv-force
	@mkdir -p $(@D)
	@echo '$(HV_OBJS)' | cmp -s - $@ || echo '$(HV_OBJS)' > $@

# new flags rebuild everything
$(HV_OBJS): hv/hv.mk

$(HV_OUT)/obj/%.c.o: %.c
	@mkdir -p $(@D)
	$(HV_CC) $(HV_CFLAGS) -c $< -o $@

$(HV_OUT)/obj/%.S.o: %.S
	@mkdir -p $(@D)
	$(HV_CC) $(HV_ASFLAGS) -c $< -o $@

.PHONY: hv-force
hv-force:

-include $(HV_OBJS:.o=.d)
