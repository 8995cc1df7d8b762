# Sockets: BSD sockets as the libos's file descriptors over lwIP, and name
# resolution without DNS, build/sysroot/lib/libkeel-sockets.a, with the
# POSIX networking headers newlib lacks (sdk/sockets/include: sys/socket.h,
# netinet/in.h, netinet/tcp.h, arpa/inet.h, netdb.h) installed into the
# sysroot.  lwIP is compiled against those headers too (docs/net.md,
# "Sockets").  Variables from toolchain.mk and libos.mk.

SOCKETS_DIR      := sdk/sockets
SOCKETS_OUT      := $(BUILD)/sockets
SOCKETS_SRCS     := $(wildcard $(SOCKETS_DIR)/*.c)
SOCKETS_OBJS     := $(patsubst $(SOCKETS_DIR)/%.c,$(SOCKETS_OUT)/%.o,$(SOCKETS_SRCS))
SOCKETS_LIB      := $(SYSROOT)/lib/libkeel-sockets.a
SOCKETS_CFLAGS   := $(LIBOS_CFLAGS) -I $(SOCKETS_DIR)/include
SOCKETS_HDR_SRC  := $(wildcard $(SOCKETS_DIR)/include/*.h $(SOCKETS_DIR)/include/*/*.h)
SOCKETS_HDRS     := $(patsubst $(SOCKETS_DIR)/include/%,$(SYSROOT)/include/%,$(SOCKETS_HDR_SRC))

.PHONY: sockets
sockets: $(SOCKETS_LIB)

$(SOCKETS_HDRS): $(SYSROOT)/include/%: $(SOCKETS_DIR)/include/% | $(SYSROOT_NEWLIB)
	@mkdir -p $(@D)
	@cp $< $@

# A changed header rebuilds lwIP; a sysroot remade by `make clean` does not.
$(LWIP_STAMP): $(SOCKETS_HDR_SRC) | $(SOCKETS_HDRS)

# lwIP's headers come from the sysroot.
$(SOCKETS_OUT)/%.o: $(SOCKETS_DIR)/%.c $(SOCKETS_DIR)/sockets.mk $(LIBOS_DEPS) $(SYSROOT_LWIP)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(KEEL_CC) $(SOCKETS_CFLAGS) -c $< -o $@

$(SOCKETS_LIB): $(SOCKETS_OBJS)
	@echo "  AR      $@"
	@rm -f $@
	@ar rcs $@ $^

$(SYSROOT_STAMP): $(SOCKETS_LIB) $(SOCKETS_HDRS)

-include $(SOCKETS_OBJS:.o=.d)
