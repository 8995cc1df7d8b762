# Appliances: one image per folder under apps/, built with bin/mkimage.
#   apps/NAME/*.c  ->  build/apps/NAME.img
# MKIMAGE_FLAGS_NAME adds mkimage options for one app (--mem, --stack, -l).

APPS_OUT  := $(BUILD)/apps
APPS      := hello
APPS_IMGS := $(patsubst %,$(APPS_OUT)/%.img,$(APPS))
APPS_CFLAGS := -Wall -Wextra

.PHONY: apps
apps: $(APPS_IMGS) $(APPS_OUT)/httpd.img $(APPS_OUT)/kv.img $(APPS_OUT)/kv.host

define keel_app_rule
$(APPS_OUT)/$(1).img: $(wildcard apps/$(1)/*.c) $(MKIMAGE_DEPS)
	@mkdir -p $$(dir $$@)
	@echo "  MKIMAGE $$@"
	@$(MKIMAGE) $(APPS_CFLAGS) $$(MKIMAGE_FLAGS_$(1)) $(wildcard apps/$(1)/*.c) -o $$@
endef
$(foreach a,$(APPS),$(eval $(call keel_app_rule,$(a))))

# httpd (apps/httpd): its built-in files, apps/httpd/www/, become one C
# source (mkwww.py) that both builds link.
HTTPD_SRCS   := $(wildcard apps/httpd/*.c)
HTTPD_HDRS   := $(wildcard apps/httpd/*.h)
HTTPD_WWW    := $(APPS_OUT)/httpd_www.c
HTTPD_CFLAGS := -O2 -g -Wall -Wextra -I apps/httpd

$(HTTPD_WWW): apps/httpd/mkwww.py $(shell find apps/httpd/www -type f)
	@mkdir -p $(@D)
	@echo "  MKWWW   $@"
	@$(PYTHON) apps/httpd/mkwww.py apps/httpd/www > $@.tmp && mv $@.tmp $@

# The same sources as a host program: the integration tests drive it on
# loopback, and the benchmark compares it with the Keel image.
$(APPS_OUT)/httpd.host: $(HTTPD_SRCS) $(HTTPD_HDRS) $(HTTPD_WWW)
	@echo "  HOSTCC  $@"
	@$(HOSTCC) -std=gnu11 $(HTTPD_CFLAGS) -Werror -o $@ $(HTTPD_SRCS) $(HTTPD_WWW)

# The Keel image, in `make all` (apps).  --mem 8M: idle it holds about
# 730 KiB (image, lwIP, the NIC's buffers, its tables); 200 clients at once
# took it to 1.9 MiB; each connection can take httpd's 10.5 KiB and lwIP's
# buffers (up to a window each way, 23 KiB), so 256 busy ones want ~8 MiB
# (docs/net.md, "Memory, measured").
.PHONY: httpd-img
httpd-img: $(APPS_OUT)/httpd.img
$(APPS_OUT)/httpd.img: $(HTTPD_SRCS) $(HTTPD_HDRS) $(HTTPD_WWW) $(MKIMAGE_DEPS)
	@echo "  MKIMAGE $@"
	@$(MKIMAGE) --mem 8M $(HTTPD_CFLAGS) $(HTTPD_SRCS) $(HTTPD_WWW) -o $@

# kv (apps/kv): a key-value store on the guest's disk, which parses its
# requests with httpd's parser (apps/httpd/parse.c, shared, not copied).
# --mem 16M: values stream through one 16 KiB buffer; lwIP, the NIC's and
# the disk's buffers and libext2fs's bitmaps and tables take the rest.
KV_SRCS   := $(wildcard apps/kv/*.c) apps/httpd/parse.c
KV_HDRS   := $(wildcard apps/kv/*.h) apps/httpd/parse.h
KV_CFLAGS := -O2 -g -Wall -Wextra -I apps/kv -I apps/httpd

$(APPS_OUT)/kv.host: $(KV_SRCS) $(KV_HDRS)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(HOSTCC) -std=gnu11 $(KV_CFLAGS) -Werror -o $@ $(KV_SRCS)

$(APPS_OUT)/kv.img: $(KV_SRCS) $(KV_HDRS) $(MKIMAGE_DEPS)
	@mkdir -p $(@D)
	@echo "  MKIMAGE $@"
	@$(MKIMAGE) --mem 16M $(KV_CFLAGS) $(KV_SRCS) -o $@
