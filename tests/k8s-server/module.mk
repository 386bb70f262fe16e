# Kubernetes API test server (a test double driven by kubectl and the k8s client tests).
K8S_TESTSERVER := $(B)/tests/kubeslurm-k8s-testserver
K8S_TESTSERVER_SRCS := $(wildcard tests/k8s-server/*.cpp)
EXTRA_BINS += $(K8S_TESTSERVER)

# Debian's libcpp-httplib is compiled with these; the header must see the same configuration.
$(B)/obj/tests/k8s-server/%.o: CPPFLAGS += -DCPPHTTPLIB_OPENSSL_SUPPORT -DCPPHTTPLIB_ZLIB_SUPPORT \
                                           -DCPPHTTPLIB_BROTLI_SUPPORT

$(K8S_TESTSERVER): $(call objs_of,$(K8S_TESTSERVER_SRCS))
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $(EXE_LDFLAGS) -o $@ $^ -lcpp-httplib -lssl -lcrypto -pthread
