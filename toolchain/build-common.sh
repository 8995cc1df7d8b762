# Sourced by the toolchain's build scripts (build-newlib.sh, build-lwip.sh):
# the work folder and its log, and how a failed step reports.
#
#   build_begin NAME WORKDIR
#
# makes WORKDIR, sets $work (absolute) and $log ($work/build.log, emptied),
# and names the build for fail's messages.  Every step's output goes to
# the log; `fail STEP` shows its tail and exits 1.

build_begin() {
    build_name=$1
    mkdir -p "$2"
    work=$(cd "$2" && pwd)
    log=$work/build.log
    : >"$log"
}

fail() {
    echo "$build_name: $1 failed; last lines of $log:" >&2
    tail -n 40 "$log" >&2
    exit 1
}
