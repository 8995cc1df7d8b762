# Tests.
#
#   make unit          build and run every tests/unit/*_test.c (KTAP), then
#                      one line "N passed, N failed" over every case
#   make integration   build tests/guests/*.c into images, then pytest
#                      tests/integration (boots QEMU through bin/keel run)
#   make check         both (the top Makefile)

PYTHON      ?= /usr/bin/python3
UNIT_DIR    := $(BUILD)/tests/unit
UNIT_SRCS   := $(wildcard tests/unit/*_test.c)
UNIT_BINS   := $(patsubst tests/unit/%.c,$(UNIT_DIR)/%,$(UNIT_SRCS))
# SDK include folders that hold POSIX headers (sys/socket.h, netinet/in.h,
# lwipopts.h's world) would shadow the host's own in host unit tests
UNIT_HOST_SHADOWING := sdk/sockets/include sdk/lwip-port/include
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
               -I $(PUBLIC_INC) -I hv/include -I $(LIB_INC) -I tests/unit \
               $(addprefix -I ,$(filter-out $(UNIT_HOST_SHADOWING),$(wildcard sdk/*/include)))

.PHONY: unit integration test-guests

$(UNIT_DIR)/%: tests/unit/%.c
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) -MMD -MP -o $@ $< -lm

-include $(UNIT_BINS:=.d)

# Each program's KTAP is printed; every "ok"/"not ok" line counts.  A program
# that exits non-zero, or reports fewer results than its plan, adds a failure
# (it crashed).
unit: $(UNIT_BINS)
	@pass=0; fail=0; \
	for t in $(UNIT_BINS); do \
	    out=$$(stdbuf -oL $$t 2>&1); rc=$$?; echo "$$out"; \
	    ok=$$(printf '%s\n' "$$out" | grep -c '^ok '); \
	    bad=$$(printf '%s\n' "$$out" | grep -c '^not ok '); \
	    plan=$$(printf '%s\n' "$$out" | sed -n 's/^1\.\.\([0-9]*\).*/\1/p' | head -1); \
	    if [ -n "$$plan" ] && [ $$((ok + bad)) -lt "$$plan" ]; then \
	        echo "# $$t: $$((plan - ok - bad)) case(s) never reported"; \
	        bad=$$((bad + plan - ok - bad)); fi; \
	    if [ $$rc -ne 0 ] && [ $$bad -eq 0 ]; then \
	        echo "# $$t: exited with status $$rc"; bad=$$((bad + 1)); fi; \
	    pass=$$((pass + ok)); fail=$$((fail + bad)); \
	done; \
	echo "$$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ] && [ $$pass -gt 0 ]

include tests/guests/guests.mk

# pytest's status 5 ("no tests collected") is a failure too.
integration: hv dom0 keel test-guests $(APPS_OUT)/httpd.host $(APPS_OUT)/httpd.img
	PYTHONDONTWRITEBYTECODE=1 $(PYTHON) -m pytest -q -p no:cacheprovider tests/integration

-include tests/hv/hvtest.mk
