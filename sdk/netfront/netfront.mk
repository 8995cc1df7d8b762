# netfront: the guest's network frontend (docs/net.md), installed as
# libkeel-netfront.a with its headers (netfront/raw.h, netfront/netif.h):
# the raw-frame API and lwIP's interface over it.  Linking it gives an
# image its NIC (the devices note in open.c).  netif.c includes lwIP's
# headers, which the sysroot has once lwIP is installed.
$(call keel_sdk_library,netfront,sdk/netfront,-Wformat=2)
$(SDK_OBJS_netfront): | $(SYSROOT_LWIP)
