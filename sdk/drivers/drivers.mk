# Physical device drivers (sdk/drivers/, contract in README.md): one
# library, libkeel-drivers.a in the sysroot, with its headers (drivers/),
# for dom0 today and a driver domain later; a subfolder per family
# (virtio/: legacy PCI transport, split virtqueues, virtio-net).
$(call keel_sdk_library,drivers,sdk/drivers)
