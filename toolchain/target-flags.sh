#!/bin/sh
# Prints the code-generation and predefine flags that every piece of Keel
# guest code is compiled with: newlib (build-newlib.sh), the libos and
# applications (x86_64-keel-gcc).  One list, so the C library and the
# programs linked against it never disagree.
#
#   -U...             the host gcc predefines Linux/Unix macros; a Keel guest
#                     is neither, and headers must not take those paths.
#   -D__keel__        lets portable code recognise the platform.
#   -D_POSIX_*        Keel implements clock_gettime/clock_getres/nanosleep/
#                     clock_nanosleep with CLOCK_REALTIME and CLOCK_MONOTONIC;
#                     newlib's <time.h> declares them only under these
#                     feature macros, which only the platform may define.
#   -D_READ_WRITE_RETURN_TYPE  read() and write() return ssize_t, as POSIX
#                     says (newlib's generic default is int).
#   -fno-pie          images are static executables at a fixed address.
#   -fno-omit-frame-pointer  dom0 walks the rbp chain for crash backtraces.
#   -fno-stack-protector     the default canary is read from %fs:0x28 and
#                     guests have no thread pointer.
#   -mstack-protector-guard=global   so an app that turns the protector on
#                     (-fstack-protector-strong) reads the canary from the
#                     global __stack_chk_guard the libos provides.
echo "-U__linux__ -U__linux -Ulinux -U__gnu_linux__" \
     "-U__unix__ -U__unix -Uunix -D__keel__=1" \
     "-D_POSIX_TIMERS=200112L -D_POSIX_MONOTONIC_CLOCK=200112L" \
     "-D_POSIX_CLOCK_SELECTION=200112L -D_READ_WRITE_RETURN_TYPE=_ssize_t" \
     "-fno-pie -fno-omit-frame-pointer -fno-stack-protector" \
     "-mstack-protector-guard=global"
