#include <catch2/catch.hpp>

#include "k8s/client.h"

using namespace ks::k8s;

TEST_CASE("label merge patch sets and removes") {
    Json p = labels_merge_patch({{"a", "1"}, {"gone", std::nullopt}});
    CHECK(p == Json::parse(R"({"metadata":{"labels":{"a":"1","gone":null}}})"));
}

TEST_CASE("taints: add, replace by key+effect, remove; patch carries the RV") {
    Json taints = Json::parse(R"([{"key":"other","effect":"NoExecute"}])");
    Json t1 = taints_with(taints, {"kubeslurm.io/unhealthy", "gpu.memory", "NoSchedule", ""});
    REQUIRE(t1.size() == 2);
    CHECK(t1[1] == Json::parse(R"({"key":"kubeslurm.io/unhealthy","value":"gpu.memory","effect":"NoSchedule"})"));
    Json t2 = taints_with(t1, {"kubeslurm.io/unhealthy", "nccl", "NoSchedule", ""});
    REQUIRE(t2.size() == 2);
    CHECK(t2[1]["value"] == "nccl");
    Json t3 = taints_with(t2, {"kubeslurm.io/unhealthy", "x", "NoExecute", "2026-01-01T00:00:00Z"});
    CHECK(t3.size() == 3);
    CHECK(t3[2]["timeAdded"] == "2026-01-01T00:00:00Z");
    CHECK(taints_without(t3, "kubeslurm.io/unhealthy", "NoSchedule").size() == 2);
    CHECK(taints_without(t3, "kubeslurm.io/unhealthy").size() == 1);
    CHECK(taints_without(Json(nullptr), "x").empty());
    CHECK(taints_with(Json(nullptr), {"k", "", "NoSchedule", ""}) ==
          Json::parse(R"([{"key":"k","effect":"NoSchedule"}])"));
    Json p = taints_patch(t1, "42");
    CHECK(p["metadata"]["resourceVersion"] == "42");
    CHECK(p["spec"]["taints"] == t1);
    CHECK(taints_patch(Json(nullptr), "1")["spec"]["taints"] == Json::array());
}

TEST_CASE("condition patch targets status.conditions by type") {
    Json p = condition_patch({"GPUHealthCheckFailed", "True", "gpu.memory", "ECC errors", "", ""});
    REQUIRE(p["status"]["conditions"].size() == 1);
    const Json& c = p["status"]["conditions"][0];
    CHECK(c["type"] == "GPUHealthCheckFailed");
    CHECK(c["status"] == "True");
    CHECK(c["reason"] == "gpu.memory");
    CHECK(c["message"] == "ECC errors");
    CHECK(c["lastTransitionTime"].get<std::string>().size() == 20);
    CHECK(unschedulable_patch(true) == Json::parse(R"({"spec":{"unschedulable":true}})"));
    CHECK(unschedulable_patch(false) == Json::parse(R"({"spec":{"unschedulable":null}})"));
}

TEST_CASE("find taint and condition on a node") {
    Json node = Json::parse(R"({"metadata":{"name":"n1"},
        "spec":{"taints":[{"key":"k","value":"v","effect":"NoSchedule"}]},
        "status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady"}]}})");
    auto t = find_taint(node, "k");
    REQUIRE(t);
    CHECK(t->value == "v");
    CHECK(t->effect == "NoSchedule");
    CHECK_FALSE(find_taint(node, "x"));
    auto c = find_condition(node, "Ready");
    REQUIRE(c);
    CHECK(c->status == "True");
    CHECK(c->reason == "KubeletReady");
    CHECK_FALSE(find_condition(node, "GPUHealthCheckFailed"));
    CHECK_FALSE(find_condition(Json::parse("[]"), "Ready"));
}

TEST_CASE("watch events parse; bad lines are errors") {
    auto ev = parse_watch_event(R"({"type":"MODIFIED","object":{"kind":"Node","metadata":{"name":"n1","resourceVersion":"7"}}})");
    REQUIRE(ev.ok());
    CHECK(ev->type == EventType::Modified);
    CHECK(ev->resource_version() == "7");
    CHECK(ev->error_code() == 0);
    auto bm = parse_watch_event(R"({"type":"BOOKMARK","object":{"kind":"Node","metadata":{"resourceVersion":"99"}}})");
    REQUIRE(bm.ok());
    CHECK(bm->type == EventType::Bookmark);
    CHECK(bm->resource_version() == "99");
    auto gone = parse_watch_event(R"({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired"}})");
    REQUIRE(gone.ok());
    CHECK(gone->type == EventType::Error);
    CHECK(gone->error_code() == 410);
    CHECK_FALSE(parse_watch_event("not json").ok());
    CHECK_FALSE(parse_watch_event(R"({"type":"EXPLODED","object":{}})").ok());
    CHECK_FALSE(parse_watch_event(R"({"type":"ADDED"})").ok());
    CHECK_FALSE(parse_watch_event(R"({"type":"ADDED","object":{"metadata":{}}})").ok());
    CHECK(std::string(event_type_name(EventType::Deleted)) == "DELETED");
}

TEST_CASE("lease JSON round trip") {
    Lease l{"kube-system", "kubeslurm-sync", "host-a", 15, "2026-01-01T00:00:00.000000Z",
            "2026-01-01T00:00:05.000000Z", 3, "17"};
    Json j = lease_to_json(l);
    CHECK(j["apiVersion"] == "coordination.k8s.io/v1");
    CHECK(j["spec"]["holderIdentity"] == "host-a");
    auto back = lease_from_json(j);
    REQUIRE(back.ok());
    CHECK(back->holder == "host-a");
    CHECK(back->duration_s == 15);
    CHECK(back->transitions == 3);
    CHECK(back->resource_version == "17");
    CHECK(back->renew_time == "2026-01-01T00:00:05.000000Z");
    Lease fresh{"ns", "n", "me", 10, "", "", 0, ""};
    Json f = lease_to_json(fresh);
    CHECK_FALSE(f["metadata"].contains("resourceVersion"));
    CHECK(f["spec"]["renewTime"].get<std::string>().size() == 27);  // MicroTime
    CHECK_FALSE(lease_from_json(Json::parse("{}")).ok());
}

TEST_CASE("query strings are percent-encoded") {
    CHECK(with_query("/api/v1/nodes", {{"labelSelector", "a=b,c in (x,y)"}, {"limit", "5"}}) ==
          "/api/v1/nodes?labelSelector=a%3Db%2Cc%20in%20%28x%2Cy%29&limit=5");
    CHECK(with_query("/p?watch=1", {{"k", "v"}}) == "/p?watch=1&k=v");
}

TEST_CASE("node events are core/v1 Events in default, about the Node, named like client-go's") {
    ks::k8s::NodeEvent e;
    e.node = "gpu-7";
    e.type = "Warning";
    e.reason = "HealthCheckFailed";
    e.message = "bad";
    e.annotations = {{"kubeslurm.io/check", "host.membw"}};
    e.component = "kubeslurm-sync";
    e.instance = "sync-0";
    const auto j = ks::k8s::node_event_json(e, 0x1234abcdLL);
    CHECK(j["apiVersion"] == "v1");
    CHECK(j["kind"] == "Event");
    CHECK(j["metadata"]["name"] == "gpu-7.1234abcd");
    CHECK(j["metadata"]["namespace"] == "default");
    CHECK(j["metadata"]["annotations"]["kubeslurm.io/check"] == "host.membw");
    CHECK(j["involvedObject"] == ks::k8s::Json{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", "gpu-7"}, {"uid", "gpu-7"}});
    CHECK(j["type"] == "Warning");
    CHECK(j["reason"] == "HealthCheckFailed");
    CHECK(j["source"]["component"] == "kubeslurm-sync");
    CHECK(j["reportingInstance"] == "sync-0");
    CHECK(j["count"] == 1);
    CHECK(j["firstTimestamp"] == j["lastTimestamp"]);
}

TEST_CASE("annotation patches set and remove") {
    CHECK(ks::k8s::annotations_merge_patch({{"a", "1"}, {"b", std::nullopt}}) ==
          ks::k8s::Json::parse(R"({"metadata":{"annotations":{"a":"1","b":null}}})"));
}
