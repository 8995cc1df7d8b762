# The file system under the C library's file calls: libext2fs (toolchain,
# build-e2fs.sh) over blkfront, plugged into the libos's descriptors.
# docs/fs.md.
$(call keel_sdk_library,fs,sdk/fs)
# <dirent.h>: newlib's sys/dirent.h is an #error on targets without one
$(call keel_sdk_headers,sdk/fs/posix,sys)
$(SDK_OBJS_fs): | $(SYSROOT_E2FS)
