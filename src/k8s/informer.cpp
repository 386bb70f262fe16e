// Informer: list then watch one collection like client-go's reflector, with a local cache.
#include <random>

#include "common/log.h"
#include "k8s/client.h"

namespace ks::k8s {

namespace {
const ks::log::Logger logger("k8s");

std::string rv_of(const Json& obj) {
    if (!obj.is_object() || !obj.contains("metadata")) return "";
    return obj["metadata"].value("resourceVersion", "");
}

bool sleep_unless(double seconds, const std::atomic<bool>& stop) {
    const auto until = std::chrono::steady_clock::now() +
                       std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(seconds));
    while (std::chrono::steady_clock::now() < until) {
        if (stop) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return !stop;
}
}  // namespace

Informer::Informer(Client& client, std::string collection_path, InformerHandlers handlers,
                   InformerOptions options)
    : m_client(client), m_path(std::move(collection_path)), m_handlers(std::move(handlers)),
      m_options(std::move(options)) {}

Informer::~Informer() { stop(); }

void Informer::start() {
    if (m_thread.joinable()) return;
    m_stop = false;
    m_thread = std::thread([this] { run(); });
}

void Informer::stop() {
    m_stop = true;
    if (m_thread.joinable() && m_thread.get_id() != std::this_thread::get_id()) m_thread.join();
}

bool Informer::wait_synced(std::chrono::milliseconds timeout) const {
    std::unique_lock lk(m_mu);
    return m_cv.wait_for(lk, timeout, [&] { return m_synced.load(); });
}

std::optional<Json> Informer::get(const std::string& key) const {
    std::lock_guard lk(m_mu);
    auto it = m_cache.find(key);
    if (it == m_cache.end()) return std::nullopt;
    return it->second;
}

std::vector<Json> Informer::snapshot() const {
    std::lock_guard lk(m_mu);
    std::vector<Json> out;
    out.reserve(m_cache.size());
    for (const auto& [k, v] : m_cache) out.push_back(v);
    return out;
}

std::string Informer::resource_version() const {
    std::lock_guard lk(m_mu);
    return m_rv;
}

std::string Informer::key_of(const Json& object) {
    if (!object.is_object() || !object.contains("metadata")) return "";
    const Json& m = object["metadata"];
    const std::string ns = m.value("namespace", "");
    const std::string name = m.value("name", "");
    return ns.empty() ? name : ns + "/" + name;
}

Status Informer::relist(bool first) {
    auto list = m_client.list(m_path, m_options.list, &m_stop);
    if (!list) return Error{list.error()};
    ++m_stats.lists;
    if (!first) ++m_stats.relists;
    std::map<std::string, Json> fresh;
    for (auto& item : list->items) {
        std::string key = key_of(item);
        if (!key.empty()) fresh.emplace(std::move(key), std::move(item));
    }
    // Diff against the cache so that a relist reports exactly what changed while we were blind.
    std::vector<Json> added, deleted;
    std::vector<std::pair<Json, Json>> updated;
    {
        std::lock_guard lk(m_mu);
        for (const auto& [key, obj] : fresh) {
            auto it = m_cache.find(key);
            if (it == m_cache.end()) added.push_back(obj);
            else if (rv_of(it->second) != rv_of(obj)) updated.emplace_back(it->second, obj);
        }
        for (const auto& [key, obj] : m_cache)
            if (!fresh.count(key)) deleted.push_back(obj);
        m_cache = std::move(fresh);
        m_rv = list->resource_version;
    }
    for (const auto& o : added)
        if (m_handlers.on_add) m_handlers.on_add(o);
    for (const auto& [o, n] : updated)
        if (m_handlers.on_update) m_handlers.on_update(o, n);
    for (const auto& o : deleted)
        if (m_handlers.on_delete) m_handlers.on_delete(o);
    {
        std::lock_guard lk(m_mu);
        m_synced = true;
    }
    m_cv.notify_all();
    if (m_handlers.on_synced) m_handlers.on_synced(first);
    return {};
}

void Informer::apply(const WatchEvent& event) {
    const std::string rv = event.resource_version();
    if (event.type == EventType::Bookmark) {
        ++m_stats.bookmarks;
        std::lock_guard lk(m_mu);
        if (!rv.empty()) m_rv = rv;
        return;
    }
    ++m_stats.events;
    const std::string key = key_of(event.object);
    std::optional<Json> old;
    {
        std::lock_guard lk(m_mu);
        if (!rv.empty()) m_rv = rv;
        auto it = m_cache.find(key);
        if (it != m_cache.end()) {
            if (event.type != EventType::Deleted && rv_of(it->second) == rv) return;  // duplicate
            old = std::move(it->second);
        }
        if (event.type == EventType::Deleted) {
            if (!old) return;  // never seen: nothing to report
            m_cache.erase(key);
        } else {
            m_cache[key] = event.object;
        }
    }
    if (event.type == EventType::Deleted) {
        if (m_handlers.on_delete) m_handlers.on_delete(event.object);
    } else if (old) {
        if (m_handlers.on_update) m_handlers.on_update(*old, event.object);
    } else if (m_handlers.on_add) {
        m_handlers.on_add(event.object);
    }
}

void Informer::run() {
    Backoff backoff(0.8, 30.0, 2.0, 0.2, std::random_device{}());
    bool need_list = true, first = true;
    auto last_resync = std::chrono::steady_clock::now();
    const bool resync = m_options.resync.count() > 0;
    auto maybe_resync = [&] {
        if (!resync || std::chrono::steady_clock::now() - last_resync < m_options.resync) return;
        last_resync = std::chrono::steady_clock::now();
        if (m_handlers.on_update)
            for (const auto& o : snapshot()) m_handlers.on_update(o, o);
    };
    while (!m_stop) {
        if (need_list) {
            if (Status s = relist(first); !s) {
                ++m_stats.errors;
                logger.warning("list ", m_path, ": ", s.error());
                sleep_unless(backoff.next(), m_stop);
                continue;
            }
            first = need_list = false;
            backoff.reset();
        }
        WatchOptions wo;
        wo.resource_version = resource_version();
        wo.timeout_s = m_options.watch_timeout_s;
        if (resync)
            wo.timeout_s = std::max<int>(1, std::min<int>(wo.timeout_s, static_cast<int>(m_options.resync.count())));
        ++m_stats.watches;
        const auto started = std::chrono::steady_clock::now();
        auto r = m_client.watch(m_path, m_options.list, wo,
                                [&](const WatchEvent& ev) {
                                    apply(ev);
                                    maybe_resync();
                                    return !m_stop.load();
                                },
                                &m_stop);
        if (!r) {
            ++m_stats.errors;
            logger.warning("watch ", m_path, ": ", r.error());
            sleep_unless(backoff.next(), m_stop);
            continue;
        }
        maybe_resync();
        switch (r->end) {
            case WatchEnd::Stopped: return;
            case WatchEnd::Expired:
                logger.info("watch ", m_path, ": resourceVersion expired (410), relisting");
                need_list = true;
                break;
            case WatchEnd::Refused: {
                // 429 / 5xx: the server's Retry-After when it gives one, else our own backoff.
                ++m_stats.errors;
                const double delay = retry_delay(r->status, r->retry_after, backoff);
                logger.warning("watch ", m_path, ": HTTP ", r->status, ": ", r->message,
                               "; watching again in ", delay, " s");
                sleep_unless(delay, m_stop);
                break;
            }
            case WatchEnd::Closed:
                // A stream that closed at once without events is a server in trouble: back off.
                if (r->events == 0 && std::chrono::steady_clock::now() - started < std::chrono::seconds(1))
                    sleep_unless(backoff.next(), m_stop);
                else
                    backoff.reset();
                break;
        }
    }
}

}  // namespace ks::k8s
