# Appliances: one image per folder under apps/, built with bin/mkimage.
#   apps/NAME/*.c  ->  build/apps/NAME.img
# MKIMAGE_FLAGS_NAME adds mkimage options for one app (--mem, --stack, -l).

APPS_OUT  := $(BUILD)/apps
APPS      := hello
APPS_IMGS := $(patsubst %,$(APPS_OUT)/%.img,$(APPS))
APPS_CFLAGS := -Wall -Wextra

.PHONY: apps
apps: $(APPS_IMGS)

define keel_app_rule
$(APPS_OUT)/$(1).img: $(wildcard apps/$(1)/*.c) $(MKIMAGE_DEPS)
	@mkdir -p $$(dir $$@)
	@echo "  MKIMAGE $$@"
	@$(MKIMAGE) $(APPS_CFLAGS) $$(MKIMAGE_FLAGS_$(1)) $(wildcard apps/$(1)/*.c) -o $$@
endef
$(foreach a,$(APPS),$(eval $(call keel_app_rule,$(a))))
