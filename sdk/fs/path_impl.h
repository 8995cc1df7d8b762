/* Inside sdk/fs: what path.c, remove.c and dir.c share. */
#ifndef FS_PATH_IMPL_H
#define FS_PATH_IMPL_H

#include "fs_impl.h"

/* r >= 0 as it is; -errno as -1 and errno */
int fs_result(int r);
/* ext2fs_link, growing dir by a block when it is full */
errcode_t fs_link_expanding(ext2_filsys fs, ext2_ino_t dir, const char *name,
                            ext2_ino_t ino, int type);

#endif /* FS_PATH_IMPL_H */
