# netback: the network backend and L2 switch (docs/net.md), installed as
# libkeel-netback.a with its headers (netback/) in the sysroot; dom0 or a
# driver domain links it.  Nothing here includes dom0/.
$(call keel_sdk_library,netback,sdk/netback,-Wformat=2)
