# lib/: pure, freestanding code that the hypervisor and the SDK side both
# compile, so that a mechanism is written once (lib/README.md).  There is no
# lib target: each user compiles what it needs into its own binary with its
# own flags, and tests/unit includes the sources directly.
#
#   lib/image/   the image checker: hv.mk (dom0's image), dom0.mk (guests')
#   lib/stream/  the byte-stream ring: hv.mk (host I/O), libos.mk (into
#                libkeel.a: console, channels, console backend),
#                keel.mk (the launcher's host I/O)

LIB_INC          := lib/include
LIB_IMAGE_SRCS   := $(sort $(wildcard lib/image/*.c))
LIB_STREAM_SRCS  := $(sort $(wildcard lib/stream/*.c))
LIB_SRCS         := $(LIB_IMAGE_SRCS) $(LIB_STREAM_SRCS)
LIB_IMAGE_HDRS   := $(wildcard lib/include/image/*.h lib/image/*.h)
LIB_STREAM_HDRS  := $(wildcard lib/include/stream/*.h)
