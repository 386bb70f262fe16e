# kubeslurm-sync: the Kubernetes <-> Slurm node sync daemon.
kubeslurm-sync_MODULES := sync slurm k8s topology
kubeslurm-sync_LDLIBS := -lcpp-httplib

# Debian's libcpp-httplib is compiled with these; the header must see the same configuration.
$(B)/obj/src/cmd/kubeslurm-sync/metrics_server.o: CPPFLAGS += -DCPPHTTPLIB_OPENSSL_SUPPORT \
    -DCPPHTTPLIB_ZLIB_SUPPORT -DCPPHTTPLIB_BROTLI_SUPPORT

# bench-sync: 10,000 nodes in the Kubernetes API test server, a local Slurm cluster
# (BENCH_SYNC_SLURM_NODES, default 128); BENCH_DOC=1 also updates docs/benchmarks.md.
.PHONY: bench-sync
bench-sync: $(B)/bin/kubeslurm-sync $(B)/tests/kubeslurm-k8s-testserver
	$(SLURM_RUN_ENV) KUBESLURM_BUILD=$(abspath $(B)) $(PYTHON) tests/bench/sync/run_bench.py \
	  $(if $(filter 1,$(BENCH_DOC)),--doc docs/benchmarks.md)
BENCH_TARGETS += bench-sync
