# lib/: pure, freestanding code that the hypervisor and the SDK side (dom0)
# both compile, so that a mechanism is written once (lib/README.md).  There
# is no lib target: hv.mk and dom0.mk compile these sources into their own
# binaries with their own flags, and tests/unit includes them directly.

LIB_INC  := lib/include
LIB_SRCS := $(sort $(wildcard lib/*/*.c))
LIB_HDRS := $(wildcard lib/include/*/*.h lib/*/*.h)
