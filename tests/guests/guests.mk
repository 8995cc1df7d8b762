# Test guests: every tests/guests/NAME.c becomes build/tests/guests/NAME.img
# (bin/mkimage).  fpu.c is built twice more: fpu_avx.img with AVX2, and
# both variants for the host (NAME.host) with plain gcc, so the integration
# tests can compare a guest's results with the host's bit for bit.

GUEST_DIR    := $(BUILD)/tests/guests
GUEST_SRCS   := $(wildcard tests/guests/*.c)
GUEST_IMGS   := $(patsubst tests/guests/%.c,$(GUEST_DIR)/%.img,$(GUEST_SRCS)) \
                $(GUEST_DIR)/fpu_avx.img $(GUEST_DIR)/small.img
GUEST_HOST   := $(GUEST_DIR)/fpu.host $(GUEST_DIR)/fpu_avx.host
# -ffp-contract=off: no fused multiply-add unless the source asks for one,
# so that guest and host builds round the same way.
GUEST_CFLAGS := -O2 -g -Wall -ffp-contract=off
AVX_CFLAGS   := -mavx2 -mfma

.PHONY: test-guests
test-guests: $(GUEST_IMGS) $(GUEST_HOST)

$(GUEST_DIR)/%.img: tests/guests/%.c $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	$(MKIMAGE) $(GUEST_CFLAGS) $< -o $@

$(GUEST_DIR)/fpu_avx.img: tests/guests/fpu.c $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	$(MKIMAGE) $(GUEST_CFLAGS) $(AVX_CFLAGS) $< -o $@

$(GUEST_DIR)/small.img: tests/guests/hello.c $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	$(MKIMAGE) --mem 512K --stack 64K $(GUEST_CFLAGS) $< -o $@

# small guests, so that many fit in a small machine (test_limits.py)
$(GUEST_DIR)/hog.img $(GUEST_DIR)/tenant.img: $(GUEST_DIR)/%.img: tests/guests/%.c $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	$(MKIMAGE) --mem 512K --stack 64K $(GUEST_CFLAGS) $< -o $@

# lwIP over loopback in a 1 MiB domain.  liblwip.a is named here until the
# compiler links every SDK archive of the sysroot by itself, and as a file
# after the source: mkimage puts -l options before its input files.
$(GUEST_DIR)/lwip_loop.img: tests/guests/lwip_loop.c $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	$(MKIMAGE) --mem 1M --stack 64K $(GUEST_CFLAGS) $< $(SYSROOT)/lib/liblwip.a -o $@

# TCP's initial sequence numbers, read from lwIP's pcbs (lwIP's own API).
$(GUEST_DIR)/tcp_isn.img: tests/guests/tcp_isn.c $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	$(MKIMAGE) --mem 1M --stack 64K $(GUEST_CFLAGS) $< $(SYSROOT)/lib/liblwip.a -o $@

# Programs written for Linux sockets (sock_*.c), unchanged.  The sockets
# library and lwIP are named as files after the source, like liblwip.a
# above, until the compiler links every SDK archive by itself.
SOCK_LINK := $(SOCKETS_LIB) $(SYSROOT)/lib/liblwip.a
$(GUEST_DIR)/sock_%.img: tests/guests/sock_%.c $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	$(MKIMAGE) $(GUEST_CFLAGS) $< $(SOCK_LINK) -o $@

$(GUEST_DIR)/sock_httpd_self.img: tests/guests/sock_httpd.c
$(GUEST_DIR)/sock_tcp.img $(GUEST_DIR)/lwip_loop.img: tests/guests/stream_digest.h
$(GUEST_DIR)/posix_calls.img $(GUEST_DIR)/posix_threads.img: tests/guests/ktap_check.h

$(GUEST_DIR)/fpu.host: tests/guests/fpu.c
	@mkdir -p $(@D)
	$(HOSTCC) $(GUEST_CFLAGS) -o $@ $< -lm

$(GUEST_DIR)/fpu_avx.host: tests/guests/fpu.c
	@mkdir -p $(@D)
	$(HOSTCC) $(GUEST_CFLAGS) $(AVX_CFLAGS) -o $@ $< -lm

# the channel guests share helpers in headers
$(filter $(GUEST_DIR)/chan_%,$(GUEST_IMGS)): $(wildcard tests/guests/chan_*.h)

# Guests on the run's network: lwIP over netfront (docs/net.md), small
# enough for a thousand of them.
# net_peer resolves names with the sockets library (the run's hosts table).
$(GUEST_DIR)/net_peer.img: tests/guests/net_peer.c $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	$(MKIMAGE) --mem 1M --stack 64K $(GUEST_CFLAGS) $< $(SOCK_LINK) -o $@
$(GUEST_DIR)/net_names.img: tests/guests/net_names.c $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	$(MKIMAGE) --mem 1M --stack 64K $(GUEST_CFLAGS) $< $(SOCK_LINK) -o $@
$(GUEST_DIR)/net_evil.img: tests/guests/net_evil.c $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	$(MKIMAGE) --mem 1M --stack 64K $(GUEST_CFLAGS) $< -o $@
$(GUEST_DIR)/net_raw.img: tests/guests/net_raw.c $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	$(MKIMAGE) --mem 1M --stack 64K $(GUEST_CFLAGS) $< -o $@
