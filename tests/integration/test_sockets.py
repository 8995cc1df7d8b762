"""BSD sockets over lwIP as the libos's file descriptors (docs/net.md,
"Sockets"), on the loopback: every guest here is a program written for
Linux (sock_*.c, no Keel header but the driver of sock_httpd_self.c),
compiled unchanged with bin/mkimage.  Also: the headers have Linux's values
and layouts (checked against the host's glibc without booting), and a
program that uses no network links none of it.
"""
import os
import re
import subprocess

from conftest import REPO, Session, guest, keel_run, mkimage, text

KEEL_CC = os.path.join(REPO, "toolchain", "x86_64-keel-gcc")
LIB = os.path.join(REPO, "build", "sysroot", "lib")
NET_ARCHIVES = [os.path.join(LIB, "libkeel-sockets.a"), os.path.join(LIB, "liblwip.a")]
GUESTS_SRC = os.path.join(REPO, "tests", "guests")
STEP_TIMEOUT = 30.0


def lines_of(r):
    return text(r.stdout).splitlines()


def test_tcp_event_loop_echo():
    r = keel_run([guest("sock_tcp.img")], timeout=120)
    out = lines_of(r)
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)
    assert out[-1] == "sock_tcp: ok", out
    for step in ["accept EAGAIN ok", "connect EINPROGRESS ok", "accepted",
                 "connected, SO_ERROR 0, recv EAGAIN ok"]:
        assert any(step in line for line in out), (step, out)
    echo = [line for line in out if line.startswith("echo of 1048576 bytes")]
    assert echo, out
    digests = re.findall(r"[0-9a-f]{16}", echo[0])
    assert len(digests) == 3 and len(set(digests)) == 1, echo


def test_udp_timeouts_names_and_errors():
    r = keel_run([guest("sock_misc.img")], timeout=120)
    out = lines_of(r)
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)
    assert out == ["udp sendto/recvfrom, connected udp, boundaries ok",
                   out[1],
                   "names: localhost, numeric, passive, own name 'sock_misc', "
                   "EAI_NONAME ok",
                   "EBADF, ENOTSOCK, EAFNOSUPPORT ok",
                   "ECONNREFUSED, blocking and not ok",
                   "spinning on EINPROGRESS/EAGAIN lets the stack move ok",
                   "EADDRINUSE, TIME-WAIT and SO_REUSEADDR ok",
                   "sock_misc: ok"], out
    waited = re.fullmatch(r"SO_RCVTIMEO 200 ms: recv gave up after (\d+) ms ok", out[1])
    assert waited and 200 <= int(waited.group(1)) < 2200, out[1]


def expect(s, want):
    assert s.read_until(want, STEP_TIMEOUT), \
        "no %r; got %r; stderr %s" % (want, s.buf[-400:], s.stderr()
                                       if s.p.poll() is not None else "")


def test_select_and_poll_over_sockets_and_stdin():
    """The guest blocks in select, then poll, with no timeout until a line
    is typed: only console input can wake it."""
    s = Session(guest("sock_select.img"), timeout=120)
    try:
        expect(s, b"waiting for a line (select)\n")
        s.write(b"typed into select\n")
        expect(s, b"got: typed into select\n")
        expect(s, b"waiting for a line (poll)\n")
        s.write(b"typed into poll\n")
        expect(s, b"got: typed into poll\n")
        expect(s, b"waiting for end of input\n")
        status = s.finish()
    except BaseException:
        s.kill()
        raise
    assert status == 0, text(s.buf) + s.stderr()
    assert text(s.buf).splitlines() == [
        "nothing ready: poll and select time out ok",
        "listener, then connection readable ok",
        "waiting for a line (select)", "got: typed into select",
        "waiting for a line (poll)", "got: typed into poll",
        "waiting for end of input", "sock_select: ok"]


def test_poll_across_a_channel_and_sockets():
    img = guest("sock_chan.img")
    r = keel_run([img, img], options=["--connect", "0:1"], timeout=120)
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)
    assert "sock_chan-2| sock_chan: sent 50 lines: ok" in lines_of(r)
    assert "sock_chan| sock_chan: relayed 50 lines: ok" in lines_of(r)


def test_linux_http_responder_unchanged(tmp_path):
    """sock_httpd.c builds with the host's gcc against glibc, warning-free,
    and the same file serves three requests in a guest."""
    src = os.path.join(GUESTS_SRC, "sock_httpd.c")
    host = subprocess.run(["gcc", "-Wall", "-Wextra", "-Werror", "-o",
                           str(tmp_path / "httpd"), src],
                          capture_output=True, timeout=120)
    assert host.returncode == 0, text(host.stderr)
    assert os.path.isfile(guest("sock_httpd.img"))
    r = keel_run([guest("sock_httpd_self.img")], timeout=120)
    out = lines_of(r)
    assert r.returncode == 0, text(r.stdout) + text(r.stderr)
    assert out == ["httpd: listening on port 8080",
                   "httpd: GET /page0 from 127.0.0.1",
                   "httpd: GET /page1 from 10.0.1.1",    # its own name: its NIC
                   "httpd: GET /page2 from 10.0.1.1",
                   "sock_httpd_self: ok"], out


# Every constant and layout a program may rely on, as numbers.
ABI_HEADERS = ["sys/socket.h", "netinet/in.h", "netinet/tcp.h", "arpa/inet.h",
               "netdb.h", "poll.h", "sys/ioctl.h", "sys/uio.h", "net/if.h"]
ABI_VALUES = """
AF_UNSPEC AF_UNIX AF_INET AF_INET6 PF_INET SOCK_STREAM SOCK_DGRAM SOCK_RAW
SOCK_NONBLOCK SOCK_CLOEXEC SOL_SOCKET SO_REUSEADDR SO_TYPE SO_ERROR SO_BROADCAST
SO_SNDBUF SO_RCVBUF SO_KEEPALIVE SO_LINGER SO_REUSEPORT SO_RCVTIMEO SO_SNDTIMEO
SO_ACCEPTCONN SO_BINDTODEVICE SOMAXCONN MSG_OOB MSG_PEEK MSG_DONTROUTE MSG_TRUNC
MSG_DONTWAIT MSG_WAITALL MSG_NOSIGNAL MSG_MORE SHUT_RD SHUT_WR SHUT_RDWR
IPPROTO_IP IPPROTO_TCP IPPROTO_UDP IPPROTO_IPV6 INADDR_ANY INADDR_LOOPBACK
INADDR_BROADCAST INADDR_NONE INET_ADDRSTRLEN INET6_ADDRSTRLEN IP_TOS IP_TTL
TCP_NODELAY TCP_MAXSEG TCP_KEEPIDLE TCP_KEEPINTVL TCP_KEEPCNT
AI_PASSIVE AI_CANONNAME AI_NUMERICHOST AI_NUMERICSERV AI_ADDRCONFIG
EAI_BADFLAGS EAI_NONAME EAI_AGAIN EAI_FAIL EAI_FAMILY EAI_SOCKTYPE EAI_SERVICE
EAI_MEMORY EAI_SYSTEM EAI_OVERFLOW NI_MAXHOST NI_MAXSERV NI_NUMERICHOST
NI_NUMERICSERV NI_NAMEREQD HOST_NOT_FOUND POLLIN POLLPRI POLLOUT POLLERR
POLLHUP POLLNVAL FIONREAD FIONBIO IFNAMSIZ
sizeof(struct_sockaddr) sizeof(struct_sockaddr_in) sizeof(struct_sockaddr_in6)
sizeof(struct_sockaddr_storage) sizeof(struct_in_addr) sizeof(struct_addrinfo)
sizeof(struct_pollfd) sizeof(struct_msghdr) sizeof(struct_iovec)
sizeof(struct_linger) sizeof(struct_ifreq) sizeof(socklen_t) sizeof(sa_family_t)
offsetof(struct_sockaddr_in,sin_port) offsetof(struct_sockaddr_in,sin_addr)
offsetof(struct_sockaddr_in6,sin6_addr) offsetof(struct_addrinfo,ai_addr)
offsetof(struct_addrinfo,ai_canonname) offsetof(struct_addrinfo,ai_next)
offsetof(struct_msghdr,msg_iovlen) offsetof(struct_msghdr,msg_flags)
offsetof(struct_hostent,h_addr_list) offsetof(struct_pollfd,revents)
""".split()


def abi_source(body):
    inc = "".join("#include <%s>\n" % h for h in ABI_HEADERS)
    return "#define _GNU_SOURCE\n#include <stddef.h>\n#include <stdio.h>\n" + inc + body


def c_expr(name):
    return name.replace("struct_", "struct ")


def test_headers_have_linux_values_and_layouts(tmp_path):
    """The host's glibc prints each value; the Keel compiler then checks
    each one with a static assertion: no boot needed."""
    prints = "".join('    printf("%%lld\\n", (long long)(%s));\n' % c_expr(v) for v in ABI_VALUES)
    host_c = tmp_path / "abi_host.c"
    host_c.write_text(abi_source("int main(void)\n{\n" + prints + "    return 0;\n}\n"))
    exe = tmp_path / "abi_host"
    r = subprocess.run(["gcc", "-o", str(exe), str(host_c)], capture_output=True, timeout=120)
    assert r.returncode == 0, text(r.stderr)
    values = subprocess.run([str(exe)], capture_output=True, timeout=60).stdout.split()
    asserts = "".join('_Static_assert((long long)(%s) == %sLL, "%s");\n'
                      % (c_expr(n), v.decode(), n) for n, v in zip(ABI_VALUES, values))
    keel_c = tmp_path / "abi_keel.c"
    keel_c.write_text(abi_source(asserts))
    r = subprocess.run([KEEL_CC, "-c", "-o", str(tmp_path / "abi_keel.o"), str(keel_c)],
                       capture_output=True, timeout=120)
    assert r.returncode == 0, text(r.stderr)


def test_program_without_network_links_none_of_it(tmp_path):
    hello = os.path.join(GUESTS_SRC, "hello.c")
    plain = mkimage(tmp_path / "plain.img", hello)
    linked = mkimage(tmp_path / "linked.img", hello, *NET_ARCHIVES)
    assert plain.read_bytes() == linked.read_bytes()
    syms = subprocess.run(["nm", str(linked)], capture_output=True, timeout=60).stdout
    assert not re.search(rb"\b(lwip_|tcpip_|sk_|getaddrinfo|socket|poll|select)\b", syms)
