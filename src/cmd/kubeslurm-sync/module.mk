# kubeslurm-sync: the Kubernetes <-> Slurm node sync daemon.
kubeslurm-sync_MODULES := sync slurm k8s topology
kubeslurm-sync_LDLIBS := -lcpp-httplib

# Debian's libcpp-httplib is compiled with these; the header must see the same configuration.
$(B)/obj/src/cmd/kubeslurm-sync/metrics_server.o: CPPFLAGS += -DCPPHTTPLIB_OPENSSL_SUPPORT \
    -DCPPHTTPLIB_ZLIB_SUPPORT -DCPPHTTPLIB_BROTLI_SUPPORT
