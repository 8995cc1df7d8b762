# Sockets: BSD sockets as the libos's file descriptors over lwIP, and name
# resolution without DNS (libkeel-sockets.a), with the POSIX networking
# headers newlib lacks (sys/socket.h, netinet/in.h, netinet/tcp.h,
# arpa/inet.h, net/if.h, netdb.h) installed into the sysroot.  lwIP is
# compiled against those headers too (docs/net.md, "Sockets").
$(call keel_sdk_library,sockets,sdk/sockets)
$(call keel_sdk_top_headers,sdk/sockets/include)
# its objects use lwIP's headers, which come with lwIP's build
$(SDK_OBJS_sockets): $(SYSROOT_LWIP)
# a changed header rebuilds lwIP
$(LWIP_STAMP): $(wildcard sdk/sockets/include/*.h sdk/sockets/include/*/*.h)
