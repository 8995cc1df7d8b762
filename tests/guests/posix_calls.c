/*
 * The calls programs expect, as a program written for Linux uses them:
 * getentropy/getrandom and /dev/urandom, the environment, anonymous
 * mmap, sysconf, getcwd/chdir, ids, clock_getres, signals, isatty; each
 * with bad arguments that must give errno, never a crash.  KTAP lines,
 * exit status = failures.  Other modes (argv[1]):
 *   entropy      prints 32 bytes of getentropy in hex (boot-to-boot test)
 *   cwd          walks a volume with chdir and relative paths
 *   atexit       exit ordering: handlers, then stdio flush, then the end
 *   sigterm      raise(SIGTERM) with the default action
 *   abort        abort()
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "ktap_check.h"

extern char **environ;

static void hex(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
    printf("\n");
}

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static void test_entropy(void)
{
    unsigned char a[32], b[32], big[300];

    check(getentropy(a, sizeof(a)) == 0 && getentropy(b, sizeof(b)) == 0 &&
          memcmp(a, b, sizeof(a)) && !all_zero(a, sizeof(a)), "getentropy_differs_each_call");
    errno = 0;
    check(getentropy(big, sizeof(big)) == -1 && errno == EIO, "getentropy_over_256_eio");
    errno = 0;
    check(getentropy(NULL, 16) == -1 && errno == EFAULT, "getentropy_null_efault");
    check(getentropy(NULL, 0) == 0, "getentropy_zero_bytes");
    check(getrandom(big, sizeof(big), 0) == (ssize_t)sizeof(big), "getrandom_300");
    errno = 0;
    check(getrandom(big, 16, 0x100) == -1 && errno == EINVAL, "getrandom_bad_flags_einval");
    errno = 0;
    check(getrandom(big, (size_t)-1, 0) == -1 && errno == EFAULT, "getrandom_huge_efault");
    errno = 0;
    check(getrandom((void *)16, 16, 0) == -1 && errno == EFAULT, "getrandom_wild_efault");
}

static void test_urandom(void)
{
    unsigned char a[64], b[64];
    struct stat st;
    int fd = open("/dev/urandom", O_RDONLY);

    check(fd >= 0 && read(fd, a, sizeof(a)) == sizeof(a) &&
          read(fd, b, sizeof(b)) == sizeof(b) && memcmp(a, b, sizeof(a)),
          "dev_urandom_reads_differ");
    check(fstat(fd, &st) == 0 && S_ISCHR(st.st_mode), "dev_urandom_is_chr");
    check(close(fd) == 0, "dev_urandom_close");
    fd = open("/dev/random", O_RDONLY | O_NONBLOCK);
    check(fd >= 0 && read(fd, a, 16) == 16, "dev_random_reads");
    close(fd);
    errno = 0;
    check(open("/dev/urandom", O_WRONLY) == -1 && errno == EACCES, "dev_urandom_write_eacces");
    FILE *f = fopen("/dev/urandom", "r");
    check(f && fread(a, 1, 40, f) == 40 && fclose(f) == 0, "dev_urandom_stdio");
    fd = open("/dev/urandom", O_RDONLY);
    errno = 0;
    check(read(fd, (void *)16, 64) == -1 && errno == EFAULT, "dev_urandom_wild_efault");
    close(fd);
}

static void test_env(void)
{
    int n = 0;
    const char *v = getenv("KEEL_T1");

    for (char **e = environ; e && *e; e++)
        n++;
    printf("# KEEL_T1=%s KEEL_T2=%s environ=%d\n", v ? v : "(null)",
           getenv("KEEL_T2") ? getenv("KEEL_T2") : "(null)", n);
    check(setenv("KEEL_NEW", "x", 1) == 0 && !strcmp(getenv("KEEL_NEW"), "x"), "setenv");
}

static void test_mmap(void)
{
    size_t len = 1 << 20;
    unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    check(p != MAP_FAILED && ((uintptr_t)p & 4095) == 0 && all_zero(p, len), "mmap_anon_zeroed_aligned");
    if (p != MAP_FAILED) {
        memset(p, 0xab, len);
        check(mprotect(p, len, PROT_READ | PROT_WRITE) == 0, "mprotect_rw");
        check(mprotect(p, 4096, PROT_READ) == 0 && p[4095] == 0xab, "mprotect_readonly_reads");
        check(mprotect(p + 8192, 8192, PROT_NONE) == 0, "mprotect_none");
        check(mprotect(p, 4096, PROT_READ | PROT_WRITE) == 0 && (p[0] = 1) == 1,
              "mprotect_back_to_rw");
        errno = 0;
        check(mprotect(p + 4096, len, PROT_READ) == -1 && errno == ENOTSUP,
              "mprotect_past_the_mapping");
        errno = 0;
        check(mprotect(p, 4096, PROT_READ | PROT_EXEC) == -1 && errno == EACCES,
              "mprotect_exec_eacces");
        char *other = memalign(4096, 8192);    /* the allocator's, not a mapping */
        errno = 0;
        check(other && mprotect(other, 4096, PROT_READ) == -1 && errno == ENOTSUP,
              "mprotect_heap_readonly_enotsup");
        free(other);
        errno = 0;
        check(munmap(p + 4096, 4096) == -1 && errno == EINVAL, "munmap_part_einval");
        check(munmap(p, len) == 0, "munmap_while_protected");
        /* the allocator got its pages back writable */
        p = malloc(len);
        check(p && memset(p, 0x5a, len) == p, "heap_writable_after_munmap");
        free(p);
    }
    for (int i = 0; i < 50; i++) {           /* freed memory is reused */
        p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED || munmap(p, len) != 0)
            break;
        if (i == 49)
            check(1, "mmap_munmap_50_times");
    }
    errno = 0;
    check(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
          errno == EINVAL, "mmap_zero_einval");
    errno = 0;
    check(mmap(NULL, (size_t)1 << 40, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
          MAP_FAILED && errno == ENOMEM, "mmap_huge_enomem");
    errno = 0;
    check(mmap(NULL, (size_t)-1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
          MAP_FAILED && errno == EINVAL, "mmap_size_max_einval");
    errno = 0;
    check(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 0, 0) == MAP_FAILED && errno == ENODEV,
          "mmap_file_enodev");
    errno = 0;
    check(mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
          MAP_FAILED && errno == EACCES, "mmap_exec_eacces");
    errno = 0;
    check(mprotect((void *)test_mmap, 4096, PROT_READ | PROT_WRITE) == -1,
          "mprotect_text_rw_refused");
    errno = 0;
    check(munmap((void *)1, 4096) == -1 && errno == EINVAL, "munmap_unaligned_einval");
}

static void test_sysconf_ids_clock(void)
{
    struct timespec res;

    check(sysconf(_SC_PAGESIZE) == 4096 && sysconf(_SC_PAGE_SIZE) == 4096, "sysconf_pagesize");
    check(sysconf(_SC_NPROCESSORS_ONLN) == 1, "sysconf_nprocessors");
    check(sysconf(_SC_CLK_TCK) > 0 && sysconf(_SC_OPEN_MAX) == 1024, "sysconf_clk_tck_open_max");
    check(sysconf(_SC_PHYS_PAGES) > 0 && sysconf(_SC_AVPHYS_PAGES) > 0, "sysconf_phys_pages");
    errno = 0;
    check(sysconf(-5) == -1 && errno == EINVAL, "sysconf_bad_einval");
    check(getpid() == 1 && getppid() == 0 && getuid() == 0 && geteuid() == 0 &&
          getgid() == 0 && getegid() == 0, "ids");
    check(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0,
          "clock_getres");
    errno = 0;
    check(clock_getres(12345, &res) == -1 && errno == EINVAL, "clock_getres_bad_einval");
    check(isatty(1) == 1 && isatty(99) == 0, "isatty_console");
}

static void test_cwd(void)
{
    char buf[64], *p;

    check(getcwd(buf, sizeof(buf)) && !strcmp(buf, "/"), "getcwd_root");
    errno = 0;
    check(!getcwd(buf, 1) && errno == ERANGE, "getcwd_small_erange");
    errno = 0;
    check(!getcwd(buf, 0) && errno == EINVAL, "getcwd_zero_einval");
    p = getcwd(NULL, 0);
    check(p && !strcmp(p, "/"), "getcwd_null_allocates");
    free(p);
    check(chdir("/") == 0, "chdir_root");
    errno = 0;
    check(chdir(NULL) == -1 && errno == EFAULT, "chdir_null_efault");
    errno = 0;
    check(chdir("") == -1 && errno == ENOENT, "chdir_empty_enoent");
    errno = 0;
    check(chdir("/no/such/dir") == -1 && errno == ENOENT && getcwd(buf, sizeof(buf)) &&
          !strcmp(buf, "/"), "chdir_missing_enoent");
}

static int caught;
static void on_usr1(int sig)
{
    caught = sig;
}

static void test_signals(void)
{
    check(signal(SIGINT, SIG_IGN) != SIG_ERR && raise(SIGINT) == 0, "sigint_ignored");
    check(signal(SIGUSR1, on_usr1) != SIG_ERR && raise(SIGUSR1) == 0 && caught == SIGUSR1,
          "handler_runs");
    check(raise(SIGCHLD) == 0, "sigchld_default_ignored");
    errno = 0;
    check(signal(1000, SIG_IGN) == SIG_ERR && errno == EINVAL, "signal_bad_einval");
}

/* Relative paths on a volume holding sub/file.txt ("inside\n"). */
static int cwd_mode(void)
{
    char buf[64] = "", line[32] = "";
    FILE *f;

    check(chdir("sub") == 0 && getcwd(buf, sizeof(buf)) && !strcmp(buf, "/sub"), "chdir_sub");
    f = fopen("file.txt", "r");
    check(f && fgets(line, sizeof(line), f) && !strcmp(line, "inside\n"), "relative_open");
    if (f)
        fclose(f);
    errno = 0;
    check(chdir("file.txt") == -1 && errno == ENOTDIR, "chdir_file_enotdir");
    check(chdir("./../sub/..") == 0 && getcwd(buf, sizeof(buf)) && !strcmp(buf, "/"), "chdir_dotdot");
    f = fopen("sub/file.txt", "r");
    check(f != NULL, "relative_open_from_root");
    if (f)
        fclose(f);
    printf("1..%d\n# posix_calls cwd: %d failed\n", tests, failures);
    return failures;
}

static void second(void) { printf("|second"); }
static void first(void) { printf("|first\n"); }

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";

    if (!strcmp(mode, "entropy")) {
        unsigned char a[32];
        getentropy(a, sizeof(a));
        hex(a, sizeof(a));
        return 0;
    }
    if (!strcmp(mode, "cwd"))
        return cwd_mode();
    if (!strcmp(mode, "atexit")) {
        atexit(first);
        atexit(second);
        printf("buffered");          /* no newline: exit() must flush it */
        exit(3);
    }
    if (!strcmp(mode, "sigterm")) {
        raise(SIGTERM);
        printf("survived SIGTERM\n");
        return 0;
    }
    if (!strcmp(mode, "abort"))
        abort();
    printf("KTAP version 1\n");
    test_entropy();
    test_urandom();
    test_env();
    test_mmap();
    test_sysconf_ids_clock();
    test_cwd();
    test_signals();
    printf("1..%d\n# posix_calls: %d failed\n", tests, failures);
    return failures;
}
