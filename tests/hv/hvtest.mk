# Hypervisor tests: tiny raw dom0 images (tests/hv/t_*.c) and one
# unprivileged guest (tests/hv/guest.c), built with the host gcc, each run
# under QEMU (TCG, time-bounded) by tests/hv/run.py.
#
#   make hvtest        build everything needed and run every case

HVT_DIR  := $(BUILD)/hvtest
HVT_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -ffreestanding -fno-pie -fno-stack-protector \
              -fno-asynchronous-unwind-tables -fcf-protection=none -fno-builtin \
              -I $(PUBLIC_INC) -I $(LIB_INC) -MMD -MP
HVT_LDFLAGS := -nostdlib -static -no-pie -T tests/hv/guest.ld -Wl,--build-id=none \
               -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack
# hv/arch/x86_64/selftest.c's cases, all of which must pass
HVT_SELFTESTS := $(shell grep -c '^    { "' hv/arch/x86_64/selftest.c)
HVT_RUN := python3 tests/hv/run.py --hv $(BUILD)/hv/keel-hv --logdir $(HVT_DIR)
# hv-devices' machine (tests/hv/t_pci.c): fixed slots, so fixed bdfs
HVT_PCI_DEVICES := -netdev user,id=n0 -device virtio-net-pci,netdev=n0,addr=3 \
                   -device virtio-rng-pci,addr=4,vectors=40 \
                   -object memory-backend-ram,id=hm,size=1M -device ivshmem-plain,memdev=hm,addr=5 \
                   -blockdev driver=null-co,node-name=nb,size=1048576 \
                   -device virtio-blk-pci,drive=nb,addr=6

# hv-vblk's machine: a virtio-blk-pci on a raw file of known bytes, made
# afresh for each run (the test writes to it)
HVT_VBLK_DISK := $(HVT_DIR)/vblk.raw
HVT_VBLK_DEVICES := -drive file=$(HVT_VBLK_DISK),format=raw,if=none,id=vb \
                    -device virtio-blk-pci,drive=vb,addr=6
# the driver as dom0 links it, built for a raw test image
HVT_VBLK_OBJS := $(patsubst %,$(HVT_DIR)/drv_%.o,virtqueue virtio_dev virtio_pci \
                   virtio_blk virtio_blk_io virtio_blk_sg)
HVT_DRIVER_CFLAGS := -I sdk/drivers/include -I sdk/libos/include

$(HVT_DIR)/%.o: tests/hv/%.c tests/hv/tlib.h tests/hv/tbuild.h tests/hv/t_evtchn_lib.h \
                tests/hv/t_grant_uses.h tests/hv/t_pci.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HVT_CFLAGS) -c $< -o $@
# the public headers too: a stale test image once tested an old ABI limit
-include $(wildcard $(HVT_DIR)/*.d)

$(HVT_DIR)/guest.img: $(HVT_DIR)/guest.o $(HVT_DIR)/guest_fpu.o $(HVT_DIR)/guest_isolation.o \
                      $(HVT_DIR)/guest_pci.o $(HVT_DIR)/tlib.o tests/hv/guest.ld
	$(HOSTCC) $(HVT_LDFLAGS) $(filter %.o,$^) -o $@
$(HVT_DIR)/t_domains.img: $(HVT_DIR)/t_domains.o $(HVT_DIR)/tbuild.o $(HVT_DIR)/tlib.o tests/hv/guest.ld
	$(HOSTCC) $(HVT_LDFLAGS) $(filter %.o,$^) -o $@
$(HVT_DIR)/t_isolation.img: $(HVT_DIR)/t_isolation.o $(HVT_DIR)/tbuild.o $(HVT_DIR)/tlib.o tests/hv/guest.ld
	$(HOSTCC) $(HVT_LDFLAGS) $(filter %.o,$^) -o $@
$(HVT_DIR)/t_share.img: $(HVT_DIR)/t_share.o $(HVT_DIR)/tbuild.o $(HVT_DIR)/tlib.o tests/hv/guest.ld
	$(HOSTCC) $(HVT_LDFLAGS) $(filter %.o,$^) -o $@
$(HVT_DIR)/t_memory.img: $(HVT_DIR)/t_memory.o $(HVT_DIR)/tbuild.o $(HVT_DIR)/tlib.o tests/hv/guest.ld
	$(HOSTCC) $(HVT_LDFLAGS) $(filter %.o,$^) -o $@
$(HVT_DIR)/t_stack.img: $(HVT_DIR)/t_stack.o $(HVT_DIR)/tbuild.o $(HVT_DIR)/tlib.o tests/hv/guest.ld
	$(HOSTCC) $(HVT_LDFLAGS) $(filter %.o,$^) -o $@
$(HVT_DIR)/t_evtchn.img: $(HVT_DIR)/t_evtchn.o $(HVT_DIR)/t_evtchn_lib.o $(HVT_DIR)/tbuild.o $(HVT_DIR)/tlib.o tests/hv/guest.ld
	$(HOSTCC) $(HVT_LDFLAGS) $(filter %.o,$^) -o $@
$(HVT_DIR)/t_evtchn_guest.img: $(HVT_DIR)/t_evtchn_guest.o $(HVT_DIR)/t_evtchn_lib.o $(HVT_DIR)/tlib.o tests/hv/guest.ld
	$(HOSTCC) $(HVT_LDFLAGS) $(filter %.o,$^) -o $@
HVT_GRANT_OBJS := $(addprefix $(HVT_DIR)/,t_grant.o t_grant_copy.o t_grant_xdom.o t_grant_rights.o \
                  t_grant_device.o)
$(HVT_GRANT_OBJS): tests/hv/t_grant.h
$(HVT_DIR)/t_grant.img: $(HVT_GRANT_OBJS) $(HVT_DIR)/t_grant_uses.o $(HVT_DIR)/tbuild.o $(HVT_DIR)/tlib.o tests/hv/guest.ld
	$(HOSTCC) $(HVT_LDFLAGS) $(filter %.o,$^) -o $@
$(HVT_DIR)/t_grant_guest.img: $(HVT_DIR)/t_grant_guest.o $(HVT_DIR)/t_grant_uses.o $(HVT_DIR)/tlib.o tests/hv/guest.ld
	$(HOSTCC) $(HVT_LDFLAGS) $(filter %.o,$^) -o $@
HVT_BENCH_OBJS := $(addprefix $(HVT_DIR)/,t_bench.o t_bench_ring.o t_bench_guest.o)
$(HVT_BENCH_OBJS): tests/hv/t_bench.h
$(HVT_DIR)/t_bench.img: $(HVT_DIR)/t_bench.o $(HVT_DIR)/t_bench_ring.o $(HVT_DIR)/t_evtchn_lib.o $(HVT_DIR)/tbuild.o $(HVT_DIR)/tlib.o tests/hv/guest.ld
	$(HOSTCC) $(HVT_LDFLAGS) $(filter %.o,$^) -o $@
$(HVT_DIR)/t_life.o: tests/hv/t_bench.h
$(HVT_DIR)/t_life.img: $(HVT_DIR)/t_life.o $(HVT_DIR)/t_evtchn_lib.o $(HVT_DIR)/tbuild.o $(HVT_DIR)/tlib.o tests/hv/guest.ld
	$(HOSTCC) $(HVT_LDFLAGS) $(filter %.o,$^) -o $@
$(HVT_DIR)/t_timer.img: $(HVT_DIR)/t_timer.o $(HVT_DIR)/tbuild.o $(HVT_DIR)/tlib.o tests/hv/guest.ld
	$(HOSTCC) $(HVT_LDFLAGS) $(filter %.o,$^) -o $@
$(HVT_DIR)/t_limits.img: $(HVT_DIR)/t_limits.o $(HVT_DIR)/t_evtchn_lib.o $(HVT_DIR)/tbuild.o $(HVT_DIR)/tlib.o tests/hv/guest.ld
	$(HOSTCC) $(HVT_LDFLAGS) $(filter %.o,$^) -o $@
$(HVT_DIR)/t_limits_guest.img: $(HVT_DIR)/t_limits_guest.o $(HVT_DIR)/t_evtchn_lib.o $(HVT_DIR)/tlib.o tests/hv/guest.ld
	$(HOSTCC) $(HVT_LDFLAGS) $(filter %.o,$^) -o $@
$(HVT_DIR)/t_pci.img: $(HVT_DIR)/t_pci.o $(HVT_DIR)/t_pci_virtio.o $(HVT_DIR)/t_pci_limits.o \
                      $(HVT_DIR)/t_pci_msix.o \
                      $(HVT_DIR)/t_evtchn_lib.o \
                      $(HVT_DIR)/tbuild.o $(HVT_DIR)/tlib.o tests/hv/guest.ld
	$(HOSTCC) $(HVT_LDFLAGS) $(filter %.o,$^) -o $@
$(HVT_DIR)/drv_%.o: sdk/drivers/virtio/%.c
	@mkdir -p $(@D)
	$(HOSTCC) $(HVT_CFLAGS) $(HVT_DRIVER_CFLAGS) -c $< -o $@
$(HVT_DIR)/t_vblk.o: HVT_CFLAGS += $(HVT_DRIVER_CFLAGS)
$(HVT_DIR)/t_vblk.img: $(HVT_DIR)/t_vblk.o $(HVT_VBLK_OBJS) $(HVT_DIR)/tlib.o tests/hv/guest.ld
	$(HOSTCC) $(HVT_LDFLAGS) $(filter %.o,$^) -o $@
$(HVT_DIR)/t_bench_guest.img: $(HVT_DIR)/t_bench_guest.o $(HVT_DIR)/t_evtchn_lib.o $(HVT_DIR)/tlib.o tests/hv/guest.ld
	$(HOSTCC) $(HVT_LDFLAGS) $(filter %.o,$^) -o $@
# a libos guest, built like any application (fits tbuild's 256 KiB)
$(HVT_DIR)/t_evtchn_libos.img: tests/hv/t_evtchn_libos.c $(LIBOS_LIB) $(LIBOS_CRT0)
	@mkdir -p $(@D)
	$(MKIMAGE) --mem 256K --stack 16K $< -o $@
$(HVT_DIR)/t_%.img: $(HVT_DIR)/t_%.o $(HVT_DIR)/tlib.o tests/hv/guest.ld
	$(HOSTCC) $(HVT_LDFLAGS) $(filter %.o,$^) -o $@

HVT_IMAGES := $(addprefix $(HVT_DIR)/,guest.img t_basic.img t_domains.img t_share.img t_memory.img t_stack.img \
                t_crash.img t_exit.img \
                t_isolation.img \
                t_evtchn.img t_evtchn_guest.img t_evtchn_libos.img t_grant.img t_grant_guest.img \
                t_bench.img t_bench_guest.img t_life.img t_timer.img t_limits.img t_limits_guest.img \
                t_pci.img t_vblk.img)

.SECONDARY: $(HVT_DIR)/t_basic.o $(HVT_DIR)/t_crash.o $(HVT_DIR)/t_exit.o
.PHONY: hvtest hvtest-images
hvtest-images: $(HVT_IMAGES)

hvtest: hv hvtest-images
	@fail=0; G=$(HVT_DIR)/guest.img; \
	$(HVT_RUN) hv-basic --status 0 --expect '# RESULT: PASS' \
	    "$(HVT_DIR)/t_basic.img dom0" "$$G guest" || fail=1; \
	$(HVT_RUN) hv-selftest --append selftest --status 0 --expect '# RESULT: PASS' \
	    --expect '# hv-arch: $(HVT_SELFTESTS) passed, 0 failed' \
	    "$(HVT_DIR)/t_basic.img dom0" "$$G guest" || fail=1; \
	$(HVT_RUN) hv-stack-guard --append selftest-stack-overflow --status 125 \
	    --expect 'hypervisor stack overflow' "$(HVT_DIR)/t_basic.img dom0" || fail=1; \
	$(HVT_RUN) hv-domains --status 0 --expect '# RESULT: PASS' --expect 'guest: hello' \
	    "$(HVT_DIR)/t_domains.img dom0" "$$G guest" || fail=1; \
	$(HVT_RUN) hv-isolation --status 0 --expect '# RESULT: PASS' --forbid 'RFLAGS.AC' \
	    "$(HVT_DIR)/t_isolation.img dom0" "$$G guest" || fail=1; \
	$(HVT_RUN) hv-share --status 0 --expect '# RESULT: PASS' --expect 'guest: hello' \
	    "$(HVT_DIR)/t_share.img dom0" "$$G guest" || fail=1; \
	$(HVT_RUN) hv-memory --status 0 --expect '# RESULT: PASS' \
	    "$(HVT_DIR)/t_memory.img dom0" "$$G guest" || fail=1; \
	$(HVT_RUN) hv-stack --status 0 --expect '# RESULT: PASS' \
	    "$(HVT_DIR)/t_stack.img dom0" "$$G guest" || fail=1; \
	$(HVT_RUN) hv-dom0-crash --status 125 --expect 'dom0 crashed' --expect 'rip ' \
	    "$(HVT_DIR)/t_crash.img dom0" || fail=1; \
	$(HVT_RUN) hv-dom0-exit --status 3 --expect 'dom0 exited with status 3' \
	    "$(HVT_DIR)/t_exit.img dom0" || fail=1; \
	$(HVT_RUN) hv-dom0-not-elf --status 125 --expect 'not a Keel image' \
	    "tests/hv/guest.ld dom0" || fail=1; \
	$(HVT_RUN) hv-dom0-unprivileged --status 125 --expect 'KEEL_IMAGE_PRIVILEGED' \
	    "$$G dom0" || fail=1; \
	$(HVT_RUN) hv-no-dom0 --status 125 --expect 'no boot module' || fail=1; \
	$(HVT_RUN) hv-evtchn --status 0 --expect '# RESULT: PASS' \
	    "$(HVT_DIR)/t_evtchn.img dom0" "$(HVT_DIR)/t_evtchn_guest.img guest" \
	    "$(HVT_DIR)/t_evtchn_libos.img libos" || fail=1; \
	$(HVT_RUN) hv-grant --status 0 --expect '# RESULT: PASS' \
	    "$(HVT_DIR)/t_grant.img dom0" "$(HVT_DIR)/t_grant_guest.img guest" || fail=1; \
	$(HVT_RUN) hv-lifecycle --status 0 --expect '# RESULT: PASS' \
	    "$(HVT_DIR)/t_life.img dom0" "$(HVT_DIR)/t_bench_guest.img guest" || fail=1; \
	$(HVT_RUN) hv-timers --status 0 --expect '# RESULT: PASS' \
	    "$(HVT_DIR)/t_timer.img dom0" "$$G guest" || fail=1; \
	$(HVT_RUN) hv-limits --status 0 --expect '# RESULT: PASS' \
	    "$(HVT_DIR)/t_limits.img dom0" "$(HVT_DIR)/t_limits_guest.img guest" || fail=1; \
	$(HVT_RUN) hv-devices --status 0 --expect '# RESULT: PASS' --qemu='$(HVT_PCI_DEVICES)' \
	    "$(HVT_DIR)/t_pci.img dom0" "$$G guest" || fail=1; \
	python3 -c 'import sys; sys.stdout.buffer.write(bytes((o * 7 + o // 512) & 255 for o in range(1 << 20)))' \
	    > $(HVT_VBLK_DISK) && \
	$(HVT_RUN) hv-vblk --status 0 --expect '# RESULT: PASS' --qemu='$(HVT_VBLK_DEVICES)' \
	    "$(HVT_DIR)/t_vblk.img dom0" || fail=1; \
	$(HVT_RUN) hv-bench --status 0 --expect '# RESULT: PASS' \
	    "$(HVT_DIR)/t_bench.img dom0" "$(HVT_DIR)/t_bench_guest.img guest" || fail=1; \
	exit $$fail
