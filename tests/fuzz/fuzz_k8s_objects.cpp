// What the Kubernetes client decodes: watch stream lines, Node and Pod objects, kubeconfig files.
// Never crash, never throw. The first byte picks the decoder.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

#include "k8s/client.h"
#include "sync/kube_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 3) {
        case 0:
            (void)ks::k8s::parse_watch_event(text);
            break;
        case 1: {
            auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
            if (j.is_discarded()) return 0;
            (void)ks::sync::kube_node_from_json(j);
            (void)ks::sync::slurmd_pod_from_json(j);
            break;
        }
        default:
            (void)ks::k8s::parse_kubeconfig(text, "/nonexistent/kubeconfig");
    }
    return 0;
}
