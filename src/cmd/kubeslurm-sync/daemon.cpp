#include "daemon.h"

#include <algorithm>
#include <cstdio>
#include <thread>
#include <tuple>
#include <utility>

#include "common/log.h"
#include "slurm/nodes.h"

namespace ks::sync_daemon {
namespace {

constexpr log::Logger kLog("sync");
constexpr int kListPageSize = 2000;
constexpr auto kRecheckAge = std::chrono::milliseconds(50);

std::string nodes_path() { return "/api/v1/nodes"; }
std::string pods_path(const std::string& ns) { return "/api/v1/namespaces/" + ns + "/pods"; }

}  // namespace

Result<Reloadable> Reloadable::from(const config::Config& cfg) {
    auto settings = sync::Settings::from(cfg);
    if (!settings) return Error{settings.error()};
    auto labels = topology::LabelOptions::from_config(cfg);
    if (!labels) return Error{labels.error()};
    auto targets = TopologyTargets::from_config(cfg);
    if (!targets) return Error{targets.error()};
    return Reloadable{std::move(*settings), std::move(*labels), std::move(*targets)};
}

Daemon::Daemon(Reloadable conf, std::unique_ptr<k8s::Client> client, RunFlags flags)
    : m_conf(std::move(conf)), m_client(std::move(client)), m_flags(std::move(flags)),
      m_cache(m_conf.labels, m_metrics), m_events(std::make_unique<k8s::Client>(m_client->config()), m_metrics, m_flags.identity),
      m_executor(m_client.get(), m_metrics, m_conf.settings.options, m_flags.dry_run ? nullptr : &m_events),
      m_checks(m_client.get(), m_metrics, m_flags.dry_run ? nullptr : &m_events) {
    if (!m_flags.action_log.empty())
        if (auto st = m_executor.open_action_log(m_flags.action_log); !st) kLog.error(st.error());
}

Daemon::~Daemon() { stop(); }

void Daemon::stop() {
    m_stop = true;
    m_cache.wake();
    std::lock_guard lock(m_topo_mu);
    m_topo_cv.notify_all();
}

void Daemon::reload(Reloadable conf) {
    {
        std::lock_guard lock(m_conf_mu);
        if (conf.settings.mapping != m_conf.settings.mapping ||
            conf.settings.pod_namespace != m_conf.settings.pod_namespace ||
            conf.settings.pod_selector != m_conf.settings.pod_selector ||
            conf.settings.metrics_host != m_conf.settings.metrics_host ||
            conf.settings.metrics_port != m_conf.settings.metrics_port ||
            conf.settings.leader_election != m_conf.settings.leader_election ||
            conf.settings.lease_name != m_conf.settings.lease_name ||
            conf.settings.lease_namespace != m_conf.settings.lease_namespace)
            kLog.warning("reload: node mapping, metrics address and leader election keys take effect "
                         "only after a restart");
        m_conf.settings.options = conf.settings.options;
        m_conf.settings.slurm_poll_ms = conf.settings.slurm_poll_ms;
        m_conf.settings.return_check_timeout_s = conf.settings.return_check_timeout_s;
        m_conf.settings.return_check_partition = conf.settings.return_check_partition;
        m_conf.topology = conf.topology;
        m_conf.labels = conf.labels;
        m_executor.set_options(conf.settings.options);
    }
    m_cache.set_label_options(conf.labels);
    m_force_topology = true;
    kLog.info("configuration reloaded");
}

Status Daemon::poll_slurm() {
    std::time_t update = 0;
    auto loaded = slurm::load_nodes(m_slurm_update, update);
    if (!loaded) {
        m_metrics.slurm_errors.fetch_add(1);
        m_slurm_ok = false;
        return Error{loaded.error()};
    }
    m_slurm_ok = true;
    m_polled_at = Clock::now();
    if (!*loaded) return {};  // nothing changed since the last poll
    m_slurm_update = update;
    m_slurm.clear();
    for (auto& n : **loaded)
        m_slurm[n.name] = sync::SlurmNode{n.name, n.drain, n.reason, n.features};
    m_metrics.slurm_nodes = static_cast<long>(m_slurm.size());
    return {};
}

std::vector<sync::NodePair> Daemon::pairs(const std::map<std::string, sync::KubeNode>& nodes,
                                          const std::vector<sync::SlurmdPod>& pods) const {
    return m_conf.settings.mapping == sync::Mapping::Pod ? sync::map_by_pods(pods)
                                                         : sync::map_by_name(m_slurm, nodes);
}

void Daemon::write_topology_now() {
    TopologyTargets targets;
    bool by_pods;
    {
        std::lock_guard lock(m_conf_mu);
        targets = m_conf.topology;
        by_pods = m_conf.settings.mapping == sync::Mapping::Pod;
    }
    auto w = write_topology(m_cache.topology_nodes(by_pods), targets, m_flags.dry_run, &m_live_topology);
    if (!w) {
        // Retried every second: say it once, then again only after it worked in between.
        if (!m_topology_failed.exchange(true)) kLog.error(w.error());
        else kLog.debug(w.error());
        return;
    }
    if (m_topology_failed.exchange(false)) kLog.info("topology files written again");
    if (*w && !m_flags.dry_run) m_metrics.topology_writes.fetch_add(1);
}

// Drains and resumes are decided on the Slurm view of this pass; re-read it when the pass has
// taken long enough for an admin to have changed a node since, and drop what no longer holds.
std::vector<sync::Action> Daemon::recheck(std::vector<sync::Action> slurm_actions) {
    auto risky = [](const sync::Action& a) {
        return a.kind == sync::ActionKind::Drain || a.kind == sync::ActionKind::Resume ||
               a.kind == sync::ActionKind::StartReturnCheck;
    };
    if (std::none_of(slurm_actions.begin(), slurm_actions.end(), risky)) return slurm_actions;
    if (Clock::now() - m_polled_at > kRecheckAge) {
        if (auto st = poll_slurm(); !st) {
            kLog.warning("cannot re-read Slurm node state: ", st.error());
            std::erase_if(slurm_actions, risky);
            return slurm_actions;
        }
    }
    std::erase_if(slurm_actions, [&](const sync::Action& a) {
        if (!risky(a)) return false;
        auto it = m_slurm.find(a.slurm_node);
        const bool keep = it != m_slurm.end() && sync::still_wanted(a, it->second);
        if (!keep) kLog.verbose("skipped: ", sync::describe(a), ": the Slurm node changed meanwhile");
        return !keep;
    });
    return slurm_actions;
}

void Daemon::act(const std::vector<sync::Action>& actions) {
    if (m_flags.dry_run) {
        for (const auto& a : actions) {
            const std::string line = sync::describe(a);
            if (m_printed.insert(line).second) std::printf("would %s\n", line.c_str());
        }
        std::fflush(stdout);
        return;
    }
    sync::Options options;
    {
        std::lock_guard lock(m_conf_mu);
        options = m_conf.settings.options;
    }
    auto done = [&](const sync::Action& a) {
        kLog.info(sync::describe(a));
        // Until the next Slurm poll / watch event shows it, assume the change took effect so that
        // the next pass does not repeat it.
        m_cache.with_state([&](auto& nodes, const auto&) { sync::apply(a, m_slurm, nodes, options); });
    };
    auto failed = [&](const sync::Action& a, const Status& st) {
        kLog.warning("failed: ", sync::describe(a), ": ", st.error(), " (retried on the next pass)");
    };

    // Slurm first (identical actions batched into one RPC), then return-to-service checks, then
    // Kubernetes.
    std::vector<sync::Action> slurm_actions, checks;
    for (const auto& a : actions)
        if (sync::is_slurm_action(a.kind) || a.kind == sync::ActionKind::StartReturnCheck) slurm_actions.push_back(a);
    std::map<std::tuple<int, std::string, std::vector<std::string>>, std::vector<sync::Action>> batches;
    for (auto& a : recheck(std::move(slurm_actions))) {
        if (a.kind == sync::ActionKind::StartReturnCheck) checks.push_back(std::move(a));
        else batches[{static_cast<int>(a.kind), a.reason, a.features}].push_back(std::move(a));
    }
    for (const auto& [key, same] : batches) {
        if (m_executor.execute_slurm_batch(same)) {
            for (const auto& a : same) done(a);
            continue;
        }
        for (const auto& a : same)  // one bad node must not hold back the others
            if (auto st = m_executor.execute(a); st) done(a); else failed(a, st);
    }
    for (const auto& a : actions)  // the starts come from recheck(): only those still wanted
        if (a.kind == sync::ActionKind::RefuseReturnCheck) checks.push_back(a);
    return_to_service(checks);
    for (const auto& a : actions) {
        if (sync::is_slurm_action(a.kind) || a.kind == sync::ActionKind::StartReturnCheck ||
            a.kind == sync::ActionKind::RefuseReturnCheck)
            continue;
        if (auto st = m_executor.execute(a); st) done(a); else failed(a, st);
    }
}

// Starts the checks (already re-checked against the fresh Slurm view), tells refusals.
void Daemon::return_to_service(const std::vector<sync::Action>& actions) {
    if (m_flags.once) {
        for (const auto& a : actions)
            if (a.kind == sync::ActionKind::StartReturnCheck)
                kLog.warning(a.slurm_node, " stays drained: a return-to-service check needs the daemon, not --once");
        return;
    }
    ReturnCheckSettings settings;
    {
        std::lock_guard lock(m_conf_mu);
        settings = {m_conf.settings.return_check_timeout_s, m_conf.settings.return_check_partition};
    }
    for (const auto& a : actions) {
        if (a.kind == sync::ActionKind::RefuseReturnCheck) m_checks.refuse(a);
        if (a.kind != sync::ActionKind::StartReturnCheck) continue;
        auto it = m_slurm.find(a.slurm_node);
        if (it != m_slurm.end()) m_checks.start(a, it->second, settings);
    }
}

// A replaced Kubernetes node is handed back like an admin would: with the annotation, which
// makes its Slurm nodes go through the return-to-service check (and survives a restart).
void Daemon::mark_replaced() {
    const auto replaced = m_cache.take_replaced();
    if (replaced.empty() || m_flags.dry_run) return;
    {
        std::lock_guard lock(m_conf_mu);
        if (m_conf.settings.options.return_check_level.empty()) return;
    }
    for (const auto& name : replaced)
        if (auto r = m_client->patch_node_annotations(name, {{std::string(sync::kReturnCheckAnnotation),
                                                               std::string(sync::kReplacedRequest)}});
            !r) {
            m_metrics.action_errors.fetch_add(1);
            kLog.warning(r.error());
        }
}

void Daemon::pass() {
    if (auto st = poll_slurm(); !st) {
        kLog.warning("cannot read Slurm node state: ", st.error());
        return;  // nothing is decided on a stale or missing Slurm view
    }
    auto pending = m_cache.take_pending();
    m_metrics.passes.fetch_add(1, std::memory_order_relaxed);
    m_metrics.kube_nodes = static_cast<long>(m_cache.node_count());
    if (!leader()) {
        if (pending.topology_changed) m_force_topology = true;  // written once we lead
        m_was_leader = false;
        (void)m_cache.take_replaced();  // the leader sees the same change
        return;
    }
    if (!std::exchange(m_was_leader, true) && !m_flags.dry_run && !m_flags.once) m_checks.recover();
    mark_replaced();
    // An answered request's annotation is gone: assume so until the watch shows it, lest this very
    // pass start the check again.
    if (auto answered = m_checks.poll(m_slurm); !answered.empty())
        m_cache.with_state([&](auto& nodes, const auto&) {
            for (const auto& name : answered)
                if (auto it = nodes.find(name); it != nodes.end()) it->second.return_request.reset();
        });
    if (pending.topology_changed || m_force_topology.exchange(false)) request_topology();
    std::vector<sync::Action> actions;
    sync::Options options;
    {
        std::lock_guard lock(m_conf_mu);
        options = m_conf.settings.options;
    }
    m_cache.with_state([&](auto& nodes, const auto& pods) {
        auto p = pairs(nodes, pods);
        m_metrics.mapped_nodes = static_cast<long>(p.size());
        actions = sync::reconcile(p, m_slurm, nodes, options, m_checks.checking());
    });
    act(actions);
    const auto now = Clock::now();
    for (auto t : pending.events) m_metrics.lag.observe(std::chrono::duration<double>(now - t).count());
}

// The topology files are written by their own thread so that rewriting a large topology never
// delays the Slurm side; changes that arrive while it writes coalesce into one more write.
void Daemon::request_topology() {
    std::lock_guard lock(m_topo_mu);
    m_topo_dirty = true;
    m_topo_cv.notify_all();
}

void Daemon::topology_loop() {
    std::unique_lock lock(m_topo_mu);
    while (!m_stop) {
        m_topo_cv.wait_for(lock, std::chrono::seconds(1), [&] { return m_topo_dirty || m_stop.load(); });
        if (m_stop) break;
        if (!m_topo_dirty && !m_topology_failed) continue;  // a failed write is retried every second
        m_topo_dirty = false;
        lock.unlock();
        write_topology_now();
        lock.lock();
    }
}

int Daemon::run_once() {
    k8s::ListOptions lo;
    lo.limit = kListPageSize;
    auto nodes = m_client->list(nodes_path(), lo);
    if (!nodes) {
        kLog.error("listing nodes: ", nodes.error());
        return 1;
    }
    for (const auto& n : nodes->items) m_cache.upsert_node(n);
    if (m_conf.settings.mapping == sync::Mapping::Pod) {
        lo.label_selector = m_conf.settings.pod_selector;
        auto pods = m_client->list(pods_path(m_conf.settings.pod_namespace), lo);
        if (!pods) {
            kLog.error("listing pods: ", pods.error());
            return 1;
        }
        for (const auto& p : pods->items) m_cache.upsert_pod(p);
    }
    if (auto st = poll_slurm(); !st) {
        kLog.error("cannot read Slurm node state: ", st.error());
        return 1;
    }
    const long before = m_metrics.action_errors + m_metrics.slurm_errors;
    pass();
    write_topology_now();
    if (m_topology_failed) return 1;
    return m_metrics.action_errors + m_metrics.slurm_errors > before ? 1 : 0;
}

std::string Daemon::metrics_text() {
    long relists = 0;
    for (auto* inf : {m_nodes.get(), m_pods.get()})
        if (inf) relists += inf->stats().relists.load();
    m_metrics.relists = relists;
    m_metrics.api_errors = m_client->stats().errors.load();
    m_metrics.api_retries = m_client->stats().retries.load();
    return m_metrics.render();
}

bool Daemon::healthy(std::string& why) {
    if (!m_nodes || !m_nodes->synced() || (m_pods && !m_pods->synced())) {
        why = "kubernetes informers not synced";
        return false;
    }
    if (!m_slurm_ok) {
        why = "slurmctld not reachable";
        return false;
    }
    return true;
}

int Daemon::run() {
    const sync::Settings s = m_conf.settings;
    if (!s.metrics_host.empty()) {
        m_server = std::make_unique<MetricsServer>([this] { return metrics_text(); },
                                                   [this](std::string& why) { return healthy(why); });
        if (auto st = m_server->start(s.metrics_host, s.metrics_port); !st) {
            kLog.error(st.error());
            return 1;
        }
        kLog.info("metrics on http://", s.metrics_host, ":", m_server->port(), "/metrics");
    }

    k8s::InformerHandlers nh;
    nh.on_add = [this](const k8s::Json& o) { m_cache.upsert_node(o); };
    nh.on_update = [this](const k8s::Json&, const k8s::Json& o) { m_cache.upsert_node(o); };
    nh.on_delete = [this](const k8s::Json& o) { m_cache.remove_node(o); };
    // Large pages: a 10,000-node cluster lists in 5 requests instead of 20, well inside the
    // client's QPS budget (the API server serves pages from its watch cache either way).
    k8s::InformerOptions no;
    no.list.limit = kListPageSize;
    m_nodes = std::make_unique<k8s::Informer>(*m_client, nodes_path(), nh, no);
    m_nodes->start();
    if (s.mapping == sync::Mapping::Pod) {
        k8s::InformerHandlers ph;
        ph.on_add = [this](const k8s::Json& o) { m_cache.upsert_pod(o); };
        ph.on_update = [this](const k8s::Json&, const k8s::Json& o) { m_cache.upsert_pod(o); };
        ph.on_delete = [this](const k8s::Json& o) { m_cache.remove_pod(o); };
        k8s::InformerOptions po;
        po.list.label_selector = s.pod_selector;
        po.list.limit = kListPageSize;
        m_pods = std::make_unique<k8s::Informer>(*m_client, pods_path(s.pod_namespace), ph, po);
        m_pods->start();
    }
    if (s.leader_election && !m_flags.dry_run) {
        m_elector = std::make_unique<LeaderElector>(*m_client, s.lease_namespace, s.lease_name, m_flags.identity,
                                                    s.lease_duration_s, m_metrics, [this](bool leading) {
                                                        if (leading) m_force_topology = true;
                                                        m_cache.wake();
                                                    });
        m_elector->start();
    } else {
        m_metrics.leader = 1;
    }

    // Decide nothing before the first full list of every collection.
    while (!m_stop && !(m_nodes->synced() && (!m_pods || m_pods->synced())))
        m_nodes->wait_synced(std::chrono::milliseconds(200));
    if (!m_stop) kLog.info("informers synced: ", m_cache.node_count(), " nodes");

    std::thread topology_writer([this] { topology_loop(); });
    auto next_poll = Clock::now();
    while (!m_stop) {
        m_cache.wait(next_poll);
        if (m_stop) break;
        int poll_ms;
        {
            std::lock_guard lock(m_conf_mu);
            poll_ms = m_conf.settings.slurm_poll_ms;
        }
        if (Clock::now() >= next_poll) next_poll = Clock::now() + std::chrono::milliseconds(poll_ms);
        pass();
    }

    topology_writer.join();
    if (m_elector) m_elector->stop();
    m_nodes->stop();
    if (m_pods) m_pods->stop();
    if (m_server) m_server->stop();
    kLog.info("stopped");
    return 0;
}

}  // namespace ks::sync_daemon
