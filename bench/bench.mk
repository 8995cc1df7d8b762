# make bench: costs beside their floors, measured in one run (bench/bench.py).
#   bench/hypercall.c   null hypercall vs a plain function call (rdtsc)
#   bench/boot.c        dom0's create request -> the guest's main, vs copying
#                       the image's bytes (keel run --timings), and its
#                       phases (docs/boot-time.md), medians of
#                       BENCH_BOOT_RUNS (7) runs; again with bench/idle.c
#                       guests alive (sleeping) beside it
#   bench/idle.c        BENCH_DENSITY (2000) copies alive at once, built
#                       with 512 KiB of memory (more than the 1022 boot
#                       modules that once bounded a run): boot time per
#                       guest vs one guest of the same size's create ->
#                       main (boot_small.img: boot.c in 512 KiB); the
#                       hypervisor's frames per live guest (dom0's
#                       free_frames timing key) vs the guest's own memory
#                       and its image file; the overhead row subtracts
#                       only the frames the guest owns (its whole
#                       read-only pages are the boot module's, dom0/share.c)
#   tests/guests/cat.c  a stdin line -> its echo on stdout through keel run
#                       (ivshmem and serial), vs the same through host cat
#   tests/hv/t_bench*.c inter-domain event round trip (one CPU, two CPUs)
#                       vs the null hypercall; ring throughput by grant
#                       copy and grant map vs memcpy (raw dom0 + guest
#                       booted on the hypervisor directly, tests/hv/run.py)
#   bench/net.c         TCP guest -> host and guest -> guest vs memcpy and
#                       bench/chan.c (the channel); packets per grant copy
#                       call (dom0's net_* timing keys) vs NB_BATCH; TCP
#                       request/response vs the channel's round trip
#                       (tests/guests/chan_pingpong.c); BENCH_NET_IDLE
#                       (200) listening guests vs as many idle.c guests;
#                       apps/httpd through keel run -p vs httpd.host (ab)
#   bench/blk.c         blkfront's sequential 44 KiB write/read at depth 1
#                       and 8, 4 KiB random reads at depth 1 and 32, vs dom0
#                       on the same virtio-blk device (dom0/disk_bench.c,
#                       KEEL_DISK_BENCH=1) and vs the host on the same file
#   bench/fs.c          a 64 MiB file written (fsync) and read through the
#                       file system vs blkfront on a raw second disk
#   bench/density.py    BENCH_DENSITY_N (10000) bench/idle.c guests built
#                       with default options alive at once: create -> main and memory
#                       per live guest against guests alive, as a table
#                       and a PNG plot in build/bench/ (also `make density`)
#   bench.py --only net (or blk, fs) runs the network (block) rows alone

BENCH_DIR  := $(BUILD)/bench
BENCH_IMGS := $(BENCH_DIR)/hypercall.img $(BENCH_DIR)/boot.img $(BENCH_DIR)/idle.img \
              $(BENCH_DIR)/boot_small.img $(BENCH_DIR)/net.img $(BENCH_DIR)/chan.img \
              $(BENCH_DIR)/blk.img $(BENCH_DIR)/fs.img $(BENCH_DIR)/idle_default.img
BENCH_SMALL := --mem 512K --stack 64K

.PHONY: bench bench-images density
bench: bench-images
	@/usr/bin/python3 bench/bench.py
	@/usr/bin/python3 bench/density.py

# BENCH_DENSITY_N (10000) idle guests in one run: build/bench/density.txt
# and density.png (create -> main and memory per guest vs guests alive)
density: hv dom0 keel $(BENCH_DIR)/idle_default.img
	@/usr/bin/python3 bench/density.py

BENCH_HV_IMGS := $(HVT_DIR)/t_bench.img $(HVT_DIR)/t_bench_guest.img

bench-images: hv dom0 keel $(BENCH_IMGS) $(BENCH_HV_IMGS) $(GUEST_DIR)/cat.img \
              $(GUEST_DIR)/chan_pingpong.img $(APPS_OUT)/httpd.img $(APPS_OUT)/httpd.host

$(BENCH_DIR)/%.img: bench/%.c $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	$(MKIMAGE) -O2 $< -o $@

# 40M: the file system's block cache is an eighth of the heap, at most 4 MiB
$(BENCH_DIR)/fs.img: bench/fs.c $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	$(MKIMAGE) -O2 --mem 40M $< -o $@

$(BENCH_DIR)/idle.img: bench/idle.c $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	$(MKIMAGE) -O2 $(BENCH_SMALL) $< -o $@

# the density run's guest: bench/idle.c built with mkimage's default options
# (the issue's measure: what a hello guest costs as a user builds it)
$(BENCH_DIR)/idle_default.img: bench/idle.c $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	$(MKIMAGE) $< -o $@

$(BENCH_DIR)/boot_small.img: bench/boot.c $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	$(MKIMAGE) -O2 $(BENCH_SMALL) $< -o $@

# Linux sockets on lwIP and netfront, small enough for BENCH_NET_IDLE of them
$(BENCH_DIR)/net.img: bench/net.c $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	$(MKIMAGE) -O2 --mem 1M --stack 64K $< $(SOCK_LINK) -o $@

$(BENCH_DIR)/chan.img: tests/guests/chan_common.h

# tests/integration/test_net_delack.py runs the benchmark's guest
integration: $(BENCH_DIR)/net.img
