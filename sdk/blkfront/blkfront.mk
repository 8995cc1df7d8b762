# blkfront: the guest's disk frontend (docs/blk.md), installed as
# libkeel-blkfront.a with its header (blkfront/blkfront.h).  Linking it
# gives an image its disk (the devices note in open.c).
$(call keel_sdk_library,blkfront,sdk/blkfront,-Wformat=2)
