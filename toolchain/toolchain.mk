# The Keel toolchain: newlib built from Debian's newlib-source, the sysroot
# it is installed into, and the linker script.  See docs/toolchain.md.
#
# Other fragments that build guest code with $(KEEL_CC) or $(MKIMAGE) make
# their outputs depend on $(SYSROOT_STAMP): it is touched whenever any part
# of the sysroot (newlib, libkeel.a, crt0.o, keel.ld) changes, so images
# relink when the libos does.

NEWLIB_TARBALL ?= /usr/src/newlib/newlib-3.3.0.tar.xz
NEWLIB_DIR     := $(BUILD)/newlib
# Kept across `make clean` (the Makefile spares $(BUILD)/newlib).
NEWLIB_STAMP   := $(NEWLIB_DIR)/.built
SYSROOT        := $(BUILD)/sysroot
# newlib's headers and libraries copied into the sysroot
SYSROOT_NEWLIB := $(SYSROOT)/.newlib
SYSROOT_STAMP  := $(SYSROOT)/.complete
KEEL_LD        := $(SYSROOT)/lib/keel.ld
# What a rule that runs $(MKIMAGE) needs before it can run.
MKIMAGE_DEPS   := $(SYSROOT_STAMP) $(MKIMAGE) $(KEEL_CC) sdk/libos/note.c

.PHONY: sysroot newlib
sysroot: $(SYSROOT_STAMP)
newlib: $(NEWLIB_STAMP)

# The newlib build reruns only when its recipe (script or flags) changes.
$(NEWLIB_STAMP): toolchain/build-newlib.sh toolchain/target-flags.sh
	@JOBS=$(JOBS) toolchain/build-newlib.sh $(NEWLIB_TARBALL) $(NEWLIB_DIR)
	@touch $@

$(SYSROOT_NEWLIB): $(NEWLIB_STAMP)
	@echo "  SYSROOT $(SYSROOT) (newlib)"
	@mkdir -p $(SYSROOT)/include $(SYSROOT)/lib
	@cp -a $(NEWLIB_DIR)/install/include/. $(SYSROOT)/include/
	@cp -a $(NEWLIB_DIR)/install/lib/. $(SYSROOT)/lib/
	@touch $@

$(KEEL_LD): toolchain/keel.ld
	@mkdir -p $(dir $@)
	@cp $< $@

# libos.mk adds libkeel.a and crt0.o to the prerequisites.
$(SYSROOT_STAMP): $(SYSROOT_NEWLIB) $(KEEL_LD)
	@touch $@
