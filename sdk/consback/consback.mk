# The console backend, a library: build/sysroot/lib/libkeel-consback.a and
# its header consback/consback.h (toolchain.mk's keel_sdk_library).  dom0
# links it; so can a driver domain.

$(call keel_sdk_library,consback,sdk/consback)
