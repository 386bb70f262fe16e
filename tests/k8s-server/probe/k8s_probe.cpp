// kubeslurm-k8s-probe: drives the ks::k8s client from the command line so that integration
// tests can check the client against the API test server. Every result is one JSON line on
// stdout (flushed); errors are {"error": "..."} with exit status 1, usage errors exit 64.
//
//   kubeslurm-k8s-probe --kubeconfig F [--insecure] [--qps N] [--burst N] [--retries N]
//                       [--token-reload S] CMD ...
//     get PATH | list PATH [--limit N] [--selector S] [--fields S] | request METHOD PATH
//     label NODE k=v|k- ... | taint NODE key=value:Effect | untaint NODE key[:Effect]
//     label-loop NODE KEY COUNT INTERVAL_S   (one label patch per interval; one line each)
//     condition NODE TYPE STATUS REASON MESSAGE | cordon NODE | uncordon NODE
//     lease-get NS NAME | lease-create NS NAME HOLDER | lease-update NS NAME HOLDER RV
//     watch PATH [--rv RV] [--timeout S] [--max-events N]
//     inform PATH [--seconds S] [--selector S] [--resync S] [--watch-timeout S]
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "k8s/client.h"

using namespace ks::k8s;

namespace {

void emit(const Json& j) { std::cout << j.dump() << std::endl; }

int fail(const std::string& why) {
    emit({{"error", why}});
    return 1;
}

int usage(const std::string& why) {
    std::cerr << "kubeslurm-k8s-probe: " << why << " (see the header of k8s_probe.cpp)\n";
    return 64;
}

std::string name_of(const Json& o) {
    if (!o.is_object() || !o.contains("metadata")) return "";
    const Json& m = o["metadata"];
    const std::string ns = m.value("namespace", "");
    return (ns.empty() ? "" : ns + "/") + m.value("name", "");
}

std::string rv_of(const Json& o) {
    return o.is_object() && o.contains("metadata") ? o["metadata"].value("resourceVersion", "") : "";
}

// Options after the positional arguments: --key value.
struct Opts {
    std::vector<std::string> pos;
    std::map<std::string, std::string> kv;
    std::string get(const std::string& k, const std::string& def = "") const {
        auto it = kv.find(k);
        return it == kv.end() ? def : it->second;
    }
};

Opts split_opts(const std::vector<std::string>& args) {
    Opts o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i].rfind("--", 0) == 0 && i + 1 < args.size()) {
            o.kv[args[i].substr(2)] = args[i + 1];
            ++i;
        } else {
            o.pos.push_back(args[i]);
        }
    }
    return o;
}

int run(Client& c, const std::string& cmd, const Opts& o) {
    const auto& p = o.pos;
    auto need = [&](std::size_t n) { return p.size() >= n; };
    if (cmd == "get" && need(1)) {
        auto r = c.get(p[0]);
        if (!r) return fail(r.error());
        emit({{"found", r->has_value()}, {"object", r->has_value() ? **r : Json(nullptr)}});
        return 0;
    }
    if (cmd == "request" && need(2)) {
        auto r = c.request(p[0], p[1]);
        if (!r) return fail(r.error());
        emit({{"status", r->status}, {"requests", c.stats().requests.load()},
              {"retries", c.stats().retries.load()}});
        return 0;
    }
    if (cmd == "list" && need(1)) {
        ListOptions lo;
        lo.limit = std::stoi(o.get("limit", "500"));
        lo.label_selector = o.get("selector");
        lo.field_selector = o.get("fields");
        const auto t0 = std::chrono::steady_clock::now();
        auto r = c.list(p[0], lo);
        if (!r) return fail(r.error());
        Json names = Json::array();
        for (const auto& i : r->items) names.push_back(name_of(i));
        emit({{"count", r->items.size()}, {"pages", r->pages},
              {"resourceVersion", r->resource_version}, {"names", names},
              {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()},
              {"requests", c.stats().requests.load()}, {"retries", c.stats().retries.load()}});
        return 0;
    }
    if (cmd == "label" && need(2)) {
        std::map<std::string, std::optional<std::string>> labels;
        for (std::size_t i = 1; i < p.size(); ++i) {
            auto eq = p[i].find('=');
            if (eq != std::string::npos) labels[p[i].substr(0, eq)] = p[i].substr(eq + 1);
            else if (!p[i].empty() && p[i].back() == '-') labels[p[i].substr(0, p[i].size() - 1)] = std::nullopt;
            else return usage("label: expected k=v or k-");
        }
        auto r = c.patch_node_labels(p[0], labels);
        if (!r) return fail(r.error());
        emit({{"labels", (*r)["metadata"].value("labels", Json::object())}});
        return 0;
    }
    if (cmd == "label-loop" && need(4)) {
        const int count = std::stoi(p[2]);
        const double interval = std::stod(p[3]);
        for (int i = 0; i < count; ++i) {
            auto r = c.patch_node_labels(p[0], {{p[1], std::to_string(i)}});
            emit(r ? Json{{"i", i}, {"ok", true}} : Json{{"i", i}, {"ok", false}, {"error", r.error()}});
            std::this_thread::sleep_for(std::chrono::duration<double>(interval));
        }
        return 0;
    }
    if ((cmd == "taint" || cmd == "untaint") && need(2)) {
        Taint t;
        std::string spec = p[1];
        auto colon = spec.rfind(':');
        if (colon != std::string::npos) {
            t.effect = spec.substr(colon + 1);
            spec = spec.substr(0, colon);
        }
        auto eq = spec.find('=');
        t.key = spec.substr(0, eq);
        if (eq != std::string::npos) t.value = spec.substr(eq + 1);
        if (cmd == "taint" && t.effect.empty()) return usage("taint: key=value:Effect");
        auto r = cmd == "taint" ? c.add_node_taint(p[0], t) : c.remove_node_taint(p[0], t.key, t.effect);
        if (!r) return fail(r.error());
        emit({{"changed", *r}, {"requests", c.stats().requests.load()}});
        return 0;
    }
    if (cmd == "condition" && need(5)) {
        auto r = c.set_node_condition(p[0], {p[1], p[2], p[3], p[4], "", ""});
        if (!r) return fail(r.error());
        emit({{"conditions", (*r)["status"].value("conditions", Json::array())}});
        return 0;
    }
    if ((cmd == "cordon" || cmd == "uncordon") && need(1)) {
        auto r = c.set_node_unschedulable(p[0], cmd == "cordon");
        if (!r) return fail(r.error());
        emit({{"unschedulable", (*r)["spec"].value("unschedulable", false)}});
        return 0;
    }
    if (cmd == "lease-get" && need(2)) {
        auto r = c.get_lease(p[0], p[1]);
        if (!r) return fail(r.error());
        if (!r->has_value()) {
            emit({{"found", false}});
        } else {
            const Lease& l = **r;
            emit({{"found", true}, {"holder", l.holder}, {"resourceVersion", l.resource_version},
                  {"transitions", l.transitions}, {"duration", l.duration_s}});
        }
        return 0;
    }
    if ((cmd == "lease-create" && need(3)) || (cmd == "lease-update" && need(4))) {
        Lease l;
        l.ns = p[0];
        l.name = p[1];
        l.holder = p[2];
        if (cmd == "lease-update") l.resource_version = p[3];
        auto r = cmd == "lease-create" ? c.create_lease(l) : c.update_lease(l);
        if (!r) return fail(r.error());
        emit({{"ok", *r}});
        return 0;
    }
    if (cmd == "watch" && need(1)) {
        WatchOptions wo;
        wo.resource_version = o.get("rv");
        wo.timeout_s = std::stoi(o.get("timeout", "5"));
        const long max_events = std::stol(o.get("max-events", "0"));
        long n = 0;
        auto r = c.watch(p[0], {}, wo, [&](const WatchEvent& ev) {
            emit({{"type", event_type_name(ev.type)}, {"name", name_of(ev.object)},
                  {"rv", ev.resource_version()}});
            if (ev.type != EventType::Bookmark) ++n;
            return max_events == 0 || n < max_events;
        });
        if (!r) return fail(r.error());
        const char* end = r->end == WatchEnd::Expired   ? "expired"
                          : r->end == WatchEnd::Stopped ? "stopped"
                          : r->end == WatchEnd::Refused ? "refused"
                                                        : "closed";
        Json line = {{"end", end}, {"rv", r->resource_version}, {"events", r->events}};
        if (r->end == WatchEnd::Refused) {
            line["status"] = r->status;
            if (r->retry_after) line["retryAfter"] = *r->retry_after;
            line["message"] = r->message;
        }
        emit(line);
        return 0;
    }
    if (cmd == "inform" && need(1)) {
        InformerOptions io;
        io.list.label_selector = o.get("selector");
        io.list.limit = std::stoi(o.get("limit", "500"));
        io.resync = std::chrono::seconds(std::stoi(o.get("resync", "0")));
        io.watch_timeout_s = std::stoi(o.get("watch-timeout", "300"));
        InformerHandlers h;
        h.on_add = [](const Json& obj) { emit({{"op", "add"}, {"name", name_of(obj)}, {"rv", rv_of(obj)}}); };
        h.on_update = [](const Json& old, const Json& obj) {
            emit({{"op", "update"}, {"name", name_of(obj)}, {"rv", rv_of(obj)}, {"old", rv_of(old)},
                  {"labels", obj["metadata"].value("labels", Json::object())}});
        };
        h.on_delete = [](const Json& obj) { emit({{"op", "delete"}, {"name", name_of(obj)}}); };
        h.on_synced = [](bool first) { emit({{"op", "synced"}, {"first", first}}); };
        Informer inf(c, p[0], h, io);
        inf.start();
        std::this_thread::sleep_for(std::chrono::duration<double>(std::stod(o.get("seconds", "5"))));
        inf.stop();
        const auto& s = inf.stats();
        emit({{"op", "stats"}, {"lists", s.lists.load()}, {"relists", s.relists.load()},
              {"watches", s.watches.load()}, {"events", s.events.load()},
              {"bookmarks", s.bookmarks.load()}, {"errors", s.errors.load()},
              {"count", inf.snapshot().size()}, {"rv", inf.resource_version()}});
        return 0;
    }
    return usage("unknown command or missing arguments: " + cmd);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string kubeconfig;
    bool insecure = false;
    double qps = 1000;
    int burst = 1000, retries = 5, token_reload = 60;
    std::size_t i = 0;
    for (; i < args.size() && args[i].rfind("--", 0) == 0; ++i) {
        if (args[i] == "--insecure") {
            insecure = true;
            continue;
        }
        if (i + 1 >= args.size()) return usage("missing value for " + args[i]);
        if (args[i] == "--kubeconfig") kubeconfig = args[++i];
        else if (args[i] == "--qps") qps = std::stod(args[++i]);
        else if (args[i] == "--burst") burst = std::stoi(args[++i]);
        else if (args[i] == "--retries") retries = std::stoi(args[++i]);
        else if (args[i] == "--token-reload") token_reload = std::stoi(args[++i]);
        else return usage("unknown option " + args[i]);
    }
    if (i >= args.size()) return usage("missing command");
    auto cfg = kubeconfig.empty() ? in_cluster_config() : load_kubeconfig(kubeconfig);
    if (!cfg) return fail(cfg.error());
    cfg->insecure_skip_tls_verify = insecure;
    cfg->qps = qps;
    cfg->burst = burst;
    cfg->max_retries = retries;
    cfg->token_reload = std::chrono::seconds(token_reload);
    Client client(*cfg);
    const std::string cmd = args[i];
    try {
        return run(client, cmd, split_opts({args.begin() + static_cast<long>(i) + 1, args.end()}));
    } catch (const std::exception& e) {
        return usage(std::string("bad argument: ") + e.what());
    }
}
