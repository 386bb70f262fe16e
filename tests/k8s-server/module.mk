# Kubernetes API test server (a test double driven by kubectl and the k8s client tests), and the
# probe that drives ks::k8s from integration tests.
K8S_TESTSERVER := $(B)/tests/kubeslurm-k8s-testserver
K8S_TESTSERVER_SRCS := $(wildcard tests/k8s-server/*.cpp)
K8S_PROBE := $(B)/tests/kubeslurm-k8s-probe
K8S_PROBE_SRCS := $(wildcard tests/k8s-server/probe/*.cpp)
EXTRA_BINS += $(K8S_TESTSERVER) $(K8S_PROBE)

# Debian's libcpp-httplib is compiled with these; the header must see the same configuration.
$(call objs_of,$(K8S_TESTSERVER_SRCS)): CPPFLAGS += -DCPPHTTPLIB_OPENSSL_SUPPORT \
                                                    -DCPPHTTPLIB_ZLIB_SUPPORT -DCPPHTTPLIB_BROTLI_SUPPORT

$(K8S_TESTSERVER): $(call objs_of,$(K8S_TESTSERVER_SRCS))
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $(EXE_LDFLAGS) -o $@ $^ -lcpp-httplib -lssl -lcrypto -pthread

# The server's HTTP-free core (store, patches, selectors) is unit tested in unit-k8s.
K8S_TESTSERVER_CORE := $(B)/lib/libks-k8s-testserver-core.a
$(K8S_TESTSERVER_CORE): $(call objs_of,$(addprefix tests/k8s-server/,store.cpp patch.cpp selector.cpp validate.cpp))
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^
unit_k8s_EXTRA_LIBS += $(K8S_TESTSERVER_CORE)

$(K8S_PROBE): $(call objs_of,$(K8S_PROBE_SRCS)) $(call modlib,k8s) $(call modlib,common)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $(EXE_LDFLAGS) -o $@ $(filter %.o,$^) $(call modlibs,k8s) $(CMD_LDLIBS)
