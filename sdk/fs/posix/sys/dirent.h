/*
 * <dirent.h>'s types for Keel (newlib's dirent.h includes this file; its
 * own is an #error).  opendir/readdir/closedir are sdk/fs's (dir.c).
 */
#ifndef _SYS_DIRENT_H
#define _SYS_DIRENT_H

#include <sys/types.h>

#define DT_UNKNOWN 0
#define DT_REG     8
#define DT_DIR     4
#define DT_LNK     10

struct dirent {
    ino_t d_ino;
    unsigned char d_type;
    char d_name[256];
};

typedef struct fs_dir DIR;

#endif /* _SYS_DIRENT_H */
