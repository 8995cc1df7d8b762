# blkback: the block backend (docs/blk.md), installed as libkeel-blkback.a
# with its header (blkback/) in the sysroot; dom0 or a driver domain links
# it.  Nothing here includes dom0/ or a driver.
$(call keel_sdk_library,blkback,sdk/blkback,-Wformat=2)
