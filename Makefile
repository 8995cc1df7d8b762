# Keel top-level Makefile.
#
#   make demo    install what is missing, build, boot apps/hello
#   make test    install what is missing, build, run every test
#   make bench   benchmarks (ratios against their floors)
#   make all     build only (hypervisor, toolchain + sysroot, dom0, keel, apps)
#
# Each component has its own fragment; this file only ties them together.

.DEFAULT_GOAL := all
SHELL := /bin/bash

BUILD      := build
HOSTCC     ?= gcc
PUBLIC_INC := hv/include/public
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)

# The Keel cross compiler (a wrapper around the system gcc, see toolchain/).
KEEL_CC    := toolchain/x86_64-keel-gcc
MKIMAGE    := bin/mkimage

include lib/lib.mk
include hv/hv.mk
include toolchain/toolchain.mk
include $(sort $(wildcard sdk/*/*.mk))
include dom0/dom0.mk
include tools/keel/keel.mk
include apps/apps.mk
include tests/tests.mk
include bench/bench.mk

# The sysroot is complete once every SDK fragment installed its headers and
# its library (toolchain.mk).
$(SYSROOT_HDRS): $(SDK_HEADERS)
	@touch $@
$(SYSROOT_STAMP): $(SYSROOT_HDRS) $(SDK_LIBS)

.PHONY: all deps demo test check clean distclean
all: hv sysroot dom0 keel apps

deps:
	@scripts/install-deps.sh

demo: deps
	@$(MAKE) --no-print-directory all
	bin/keel run $(BUILD)/apps/hello.img

test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check

check: unit hvtest integration

# clean keeps the newlib build, which takes minutes, and lwIP's and
# e2fsprogs' (their downloads need the network); distclean drops them too.
clean:
	rm -rf $(filter-out $(BUILD)/newlib $(BUILD)/lwip $(BUILD)/e2fs,$(wildcard $(BUILD)/*))

distclean:
	rm -rf $(BUILD)
