# The Keel toolchain: newlib built from Debian's newlib-source, lwIP built
# from Debian's lwip source package, the sysroot they are installed into,
# and the linker script.  See docs/toolchain.md.
#
# Other fragments that build guest code with $(KEEL_CC) or $(MKIMAGE) make
# their outputs depend on $(SYSROOT_STAMP): it is touched whenever any part
# of the sysroot (newlib, lwIP, the SDK's headers and libraries, crt0.o, keel.ld)
# changes, so images relink when the libos does.
#
# The SDK in the sysroot: each SDK library (sdk/NAME/NAME.mk) installs its
# headers into $(SYSROOT)/include and its archive into $(SYSROOT)/lib, where
# the compiler wrapper finds every one without naming any:
#
#   $(call keel_sdk_headers,ROOT,SUB...)   ROOT/SUB/*.h -> include/SUB/
#   $(call keel_sdk_library,NAME,DIR[,CFLAGS])  DIR/*.c and DIR/*/*.c
#                                          -> lib/libkeel-NAME.a
#                                          (SDK_CFLAGS and CFLAGS),
#                                          DIR/include/*/ -> include/

NEWLIB_TARBALL ?= /usr/src/newlib/newlib-3.3.0.tar.xz
NEWLIB_DIR     := $(BUILD)/newlib
# Kept across `make clean` (the Makefile spares $(BUILD)/newlib).
NEWLIB_STAMP   := $(NEWLIB_DIR)/.built
SYSROOT        := $(BUILD)/sysroot
# newlib's headers and libraries copied into the sysroot
SYSROOT_NEWLIB := $(SYSROOT)/.newlib
# lwIP: its private apt state, download, build tree and install, all kept
# across `make clean` like newlib's.  The port (lwipopts.h, sys_arch) is
# built into liblwip.a with it.
LWIP_DIR       := $(BUILD)/lwip
LWIP_STAMP     := $(LWIP_DIR)/.built
LWIP_PORT      := sdk/lwip-port
LWIP_RECIPE    := toolchain/build-lwip.sh toolchain/build-common.sh toolchain/apt-source.sh \
                  toolchain/target-flags.sh $(KEEL_CC) \
                  $(wildcard $(LWIP_PORT)/*.[ch] $(LWIP_PORT)/include/*.h \
                             $(LWIP_PORT)/include/arch/*.h) \
                  sdk/libos/include/libos/thread.h sdk/libos/include/libos/time.h \
                  sdk/libos/include/libos/start.h sdk/libos/include/libos/entropy.h
SYSROOT_LWIP   := $(SYSROOT)/.lwip
# libext2fs and libcom_err from Debian's e2fsprogs, kept like lwIP's;
# sdk/fs puts them under the C library's file calls (docs/fs.md).
E2FS_DIR       := $(BUILD)/e2fs
E2FS_STAMP     := $(E2FS_DIR)/.built
E2FS_RECIPE    := toolchain/build-e2fs.sh toolchain/build-common.sh toolchain/apt-source.sh \
                  toolchain/target-flags.sh $(KEEL_CC)
SYSROOT_E2FS   := $(SYSROOT)/.e2fs
SYSROOT_STAMP  := $(SYSROOT)/.complete
KEEL_LD        := $(SYSROOT)/lib/keel.ld
# What a rule that runs $(MKIMAGE) needs before it can run.
MKIMAGE_DEPS   := $(SYSROOT_STAMP) $(MKIMAGE) $(KEEL_CC) sdk/libos/note.c
# The SDK's headers, installed: whatever includes them waits for this.
SYSROOT_HDRS   := $(SYSROOT)/.headers

.PHONY: sysroot newlib lwip e2fs
sysroot: $(SYSROOT_STAMP)
newlib: $(NEWLIB_STAMP)
lwip: $(SYSROOT_LWIP)
e2fs: $(SYSROOT_E2FS)

# The newlib build reruns only when its recipe (script or flags) changes.
$(NEWLIB_STAMP): toolchain/build-newlib.sh toolchain/build-common.sh toolchain/target-flags.sh
	@JOBS=$(JOBS) toolchain/build-newlib.sh $(NEWLIB_TARBALL) $(NEWLIB_DIR)
	@touch $@

$(SYSROOT_NEWLIB): $(NEWLIB_STAMP)
	@echo "  SYSROOT $(SYSROOT) (newlib)"
	@mkdir -p $(SYSROOT)/include $(SYSROOT)/lib
	@cp -a $(NEWLIB_DIR)/install/include/. $(SYSROOT)/include/
	@cp -a $(NEWLIB_DIR)/install/lib/. $(SYSROOT)/lib/
	@touch $@

# lwIP is compiled against newlib's headers in the sysroot (order-only: a
# sysroot rebuilt by `make clean` is no reason to rebuild lwIP); it is
# rebuilt when its recipe, the port or newlib change.
$(LWIP_STAMP): $(LWIP_RECIPE) $(NEWLIB_STAMP) | $(SYSROOT_NEWLIB) $(SYSROOT_HDRS)
	@JOBS=$(JOBS) toolchain/build-lwip.sh $(LWIP_DIR) $(LWIP_PORT)
	@touch $@

$(SYSROOT_LWIP): $(LWIP_STAMP) $(SYSROOT_NEWLIB)
	@echo "  SYSROOT $(SYSROOT) (lwip)"
	@cp -a $(LWIP_DIR)/install/include/. $(SYSROOT)/include/
	@cp -a $(LWIP_DIR)/install/lib/. $(SYSROOT)/lib/
	@touch $@

# configure links test programs: it needs the libos in the sysroot
# (order-only, like lwIP's newlib).  Named by path: libos.mk, which names
# them LIBOS_LIB and LIBOS_CRT0, is read after this file, and a rule's
# prerequisites expand as it is read (empty then, and a fresh clone built
# e2fsprogs before the libos).
$(E2FS_STAMP): $(E2FS_RECIPE) $(NEWLIB_STAMP) | $(SYSROOT_NEWLIB) $(SYSROOT_HDRS) \
               $(SYSROOT)/lib/libkeel.a $(SYSROOT)/lib/crt0.o $(KEEL_LD)
	@JOBS=$(JOBS) toolchain/build-e2fs.sh $(E2FS_DIR)
	@touch $@

$(SYSROOT_E2FS): $(E2FS_STAMP) $(SYSROOT_NEWLIB)
	@echo "  SYSROOT $(SYSROOT) (e2fs)"
	@cp -a $(E2FS_DIR)/install/include/. $(SYSROOT)/include/
	@cp -a $(E2FS_DIR)/install/lib/. $(SYSROOT)/lib/
	@touch $@

$(KEEL_LD): toolchain/keel.ld
	@mkdir -p $(dir $@)
	@cp $< $@

# libos.mk adds libkeel.a and crt0.o to the prerequisites, the top
# Makefile every SDK header and library.
$(SYSROOT_STAMP): $(SYSROOT_NEWLIB) $(SYSROOT_LWIP) $(SYSROOT_E2FS) $(KEEL_LD)
	@touch $@

SDK_OUT      := $(BUILD)/sdk
SDK_CFLAGS   := -std=gnu11 -O2 -g -Wall -Wextra -Wshadow -Wstrict-prototypes \
                -Wmissing-prototypes -MD -MP
# Rebuild everything when the compiler, its flags or newlib change.
SDK_DEPS     := $(SYSROOT_NEWLIB) $(KEEL_CC) toolchain/target-flags.sh
SDK_HEADERS  :=
SDK_LIBS     :=

# An SDK header copied into the sysroot comes after newlib's headers (and
# again after a newlib install): some replace newlib's own (sys/dirent.h,
# an #error in newlib), and newlib's `cp -a` would put its back.
define keel_sdk_headers_
SDK_HEADERS += $$(patsubst $(1)/%,$(SYSROOT)/include/%,$$(wildcard $(1)/$(2)/*.h))
$(SYSROOT)/include/$(2)/%.h: $(1)/$(2)/%.h $(SYSROOT_NEWLIB)
	@mkdir -p $$(@D)
	@cp $$< $$@
endef
keel_sdk_headers = $(foreach d,$(2),$(eval $(call keel_sdk_headers_,$(1),$(d))))

# DIR/*.h -> include/*.h: headers that live at the top of include/ (POSIX
# headers newlib lacks: poll.h, netdb.h)
define keel_sdk_top_headers_
SDK_TOP_$(1) := $$(patsubst $(1)/%,$(SYSROOT)/include/%,$$(wildcard $(1)/*.h))
SDK_HEADERS += $$(SDK_TOP_$(1))
$$(SDK_TOP_$(1)): $(SYSROOT)/include/%: $(1)/% $(SYSROOT_NEWLIB)
	@mkdir -p $$(@D)
	@cp $$< $$@
endef
keel_sdk_top_headers = $(eval $(call keel_sdk_top_headers_,$(1)))

# Objects wait for every header (order only: their .d files name the ones
# they use, so a changed header rebuilds exactly its users; -MD, not -MMD,
# because the sysroot's headers are system headers to the compiler).
define keel_sdk_library_
SDK_LIBS += $(SYSROOT)/lib/libkeel-$(1).a
SDK_OBJS_$(1) := $$(patsubst $(2)/%.c,$(SDK_OUT)/$(1)/%.o,$$(wildcard $(2)/*.c $(2)/*/*.c))
$(SYSROOT)/lib/libkeel-$(1).a: $$(SDK_OBJS_$(1))
	@mkdir -p $$(@D)
	@echo "  AR      $$@"
	@rm -f $$@
	@ar rcs $$@ $$^
$(SDK_OUT)/$(1)/%.o: $(2)/%.c $(SDK_DEPS) $(2)/$(1).mk | $(SYSROOT_HDRS)
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	@$(KEEL_CC) $(SDK_CFLAGS) $(3) -c $$< -o $$@
-include $$(SDK_OBJS_$(1):.o=.d)
endef
keel_sdk_library = $(call keel_sdk_headers,$(2)/include,$(notdir $(wildcard $(2)/include/*))) \
                   $(eval $(call keel_sdk_library_,$(1),$(2),$(3)))
