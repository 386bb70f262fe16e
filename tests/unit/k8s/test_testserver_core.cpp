// The API test server's HTTP-free core: its semantics are what the client tests rely on.
#include <catch2/catch.hpp>

#include "../../k8s-server/patch.h"
#include "../../k8s-server/selector.h"
#include "../../k8s-server/store.h"
#include "../../k8s-server/validate.h"

using kstest::Json;

namespace {
Json node(const std::string& name, Json labels = Json::object()) {
    return {{"metadata", {{"name", name}, {"labels", labels}}}, {"spec", Json::object()}};
}
const kstest::Kind& nodes() { return *kstest::find_kind("nodes"); }
}  // namespace

TEST_CASE("test server: strategic merge merges conditions by type, replaces taints") {
    Json target = Json::parse(R"({"spec":{"taints":[{"key":"a","effect":"NoSchedule"}]},
        "status":{"conditions":[{"type":"Ready","status":"True"},{"type":"X","status":"True"}]}})");
    Json out = kstest::strategic_merge(target, Json::parse(R"({
        "spec":{"taints":[{"key":"b","effect":"NoExecute"}]},
        "status":{"conditions":[{"type":"X","status":"False"},{"type":"Y","status":"True"},
                                {"type":"Ready","$patch":"delete"}]}})"));
    CHECK(out["spec"]["taints"] == Json::parse(R"([{"key":"b","effect":"NoExecute"}])"));
    CHECK(out["status"]["conditions"] ==
          Json::parse(R"([{"type":"X","status":"False"},{"type":"Y","status":"True"}])"));
    Json removed = kstest::strategic_merge(out, Json::parse(R"({"spec":{"taints":null},
        "$setElementOrder/x":[1]})"));
    CHECK_FALSE(removed["spec"].contains("taints"));
    Json fin = kstest::strategic_merge(Json::parse(R"({"metadata":{"finalizers":["a","b"]}})"),
        Json::parse(R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}})"));
    CHECK(fin["metadata"]["finalizers"] == Json::parse(R"(["b"])"));
}

TEST_CASE("test server: patch types") {
    std::string err;
    Json t = node("n1", {{"a", "1"}});
    auto merged = kstest::apply_patch(t, Json::parse(R"({"metadata":{"labels":{"a":null,"b":"2"}}})"),
                                      "application/merge-patch+json; charset=utf-8", err);
    REQUIRE(merged);
    CHECK((*merged)["metadata"]["labels"] == Json::parse(R"({"b":"2"})"));
    auto jp = kstest::apply_patch(t, Json::parse(R"([{"op":"replace","path":"/metadata/labels/a","value":"9"}])"),
                                  "application/json-patch+json", err);
    REQUIRE(jp);
    CHECK((*jp)["metadata"]["labels"]["a"] == "9");
    CHECK_FALSE(kstest::apply_patch(t, Json::parse(R"([{"op":"remove","path":"/nope"}])"),
                                    "application/json-patch+json", err));
    CHECK(err.find("cannot apply") != std::string::npos);
    CHECK_FALSE(kstest::apply_patch(t, Json::object(), "application/apply-patch+yaml", err));
    CHECK(err.rfind("415", 0) == 0);
    CHECK_FALSE(kstest::apply_patch(t, Json::array(), "application/merge-patch+json", err));
}

TEST_CASE("test server: label and field selectors") {
    std::string err;
    Json n = node("n1", {{"rack", "a"}, {"gpu", "h100"}});
    auto match = [&](const std::string& l, const std::string& f = "") {
        auto s = kstest::parse_selector(l, f, err);
        REQUIRE(s);
        return s->matches(n);
    };
    CHECK(match("rack=a"));
    CHECK(match("rack==a,gpu"));
    CHECK_FALSE(match("rack!=a"));
    CHECK(match("rack in (a, b)"));
    CHECK_FALSE(match("rack notin (a,b)"));
    CHECK(match("!missing"));
    CHECK_FALSE(match("missing"));
    CHECK(match("", "metadata.name=n1"));
    CHECK(match("", "spec.unschedulable=false"));  // absent reads as false
    CHECK_FALSE(match("", "metadata.name!=n1"));
    CHECK_FALSE(kstest::parse_selector("rack in a", "", err));
    CHECK_FALSE(kstest::parse_selector("", "spec.color=red", err));
    CHECK(err.find("spec.color") != std::string::npos);
    CHECK_FALSE(kstest::parse_selector("", "metadata.name in (a)", err));
}

TEST_CASE("test server store: RVs, 409 on a stale RV, no-op writes, compaction") {
    kstest::Store store(100);
    auto a = store.create(nodes(), node("n1"));
    REQUIRE(a.ok());
    const std::string rv1 = (*a.value)["metadata"]["resourceVersion"];
    CHECK_FALSE(store.create(nodes(), node("n1")).ok());  // AlreadyExists
    auto same = store.update(nodes(), "", "n1", [](const Json& cur) { return kstest::Outcome<Json>{cur}; });
    REQUIRE(same.ok());
    CHECK((*same.value)["metadata"]["resourceVersion"] == rv1);  // unchanged: no new RV
    auto changed = store.update(nodes(), "", "n1", [](const Json& cur) {
        Json n = cur;
        n["metadata"]["labels"]["x"] = "1";
        return kstest::Outcome<Json>{n};
    });
    REQUIRE(changed.ok());
    CHECK((*changed.value)["metadata"]["resourceVersion"] != rv1);
    auto stale = store.update(nodes(), "", "n1", [&](const Json& cur) {
        Json n = cur;
        n["metadata"]["resourceVersion"] = rv1;
        n["metadata"]["labels"]["x"] = "2";
        return kstest::Outcome<Json>{n};
    });
    REQUIRE_FALSE(stale.ok());
    CHECK(stale.error.code == 409);
    std::vector<kstest::Event> events;
    REQUIRE(store.events_after(nodes(), std::stoull(rv1) - 1, events));
    REQUIRE(events.size() == 2);
    CHECK(events[0].type == "ADDED");
    CHECK(events[1].type == "MODIFIED");
    store.compact();
    events.clear();
    CHECK_FALSE(store.events_after(nodes(), std::stoull(rv1), events));  // 410
    CHECK(store.events_after(nodes(), store.resource_version(), events));
    CHECK(store.get(nodes(), "", "nope").error.code == 404);
}

TEST_CASE("test server store: pages in key order, bounded history") {
    kstest::Store store(3);
    for (const char* n : {"c", "a", "d", "b", "e"}) REQUIRE(store.create(nodes(), node(n)).ok());
    auto all = [](const Json&) { return true; };
    auto p1 = store.list(nodes(), "", "", 2, all);
    REQUIRE(p1.items.size() == 2);
    CHECK((*p1.items[0])["metadata"]["name"] == "a");
    CHECK(p1.more);
    auto p3 = store.list(nodes(), "", "d", 2, all);
    REQUIRE(p3.items.size() == 1);
    CHECK_FALSE(p3.more);
    std::vector<kstest::Event> events;
    CHECK_FALSE(store.events_after(nodes(), 1, events));  // older than the 3 retained events
    CHECK(store.events_after(nodes(), store.resource_version() - 3, events));
    CHECK(events.size() == 3);
}

TEST_CASE("test server: events are validated as the API server's legacy rules do") {
    Json ok = Json::parse(R"({"metadata":{"name":"n1.17a","namespace":"default"},
        "involvedObject":{"kind":"Node","name":"n1"},"type":"Warning","reason":"X","count":1})");
    CHECK(kstest::validate_object("Event", ok).empty());
    Json e = ok;
    e["metadata"]["namespace"] = "slurm";
    CHECK(kstest::validate_object("Event", e).find("does not match event.namespace") != std::string::npos);
    e = ok;
    e["involvedObject"]["namespace"] = "slurm";
    e["metadata"]["namespace"] = "slurm";
    CHECK(kstest::validate_object("Event", e).empty());
    e = ok;
    e["type"] = "Error";
    CHECK(kstest::validate_object("Event", e).find("type: Unsupported value") != std::string::npos);
    e = ok;
    e["involvedObject"].erase("name");
    CHECK(kstest::validate_object("Event", e) == "involvedObject.name: Required value");
    e = ok;
    e["metadata"]["name"] = "N1_bad";
    CHECK(kstest::validate_object("Event", e).find("metadata.name: Invalid value") != std::string::npos);
    CHECK(kstest::validate_object("Node", e).empty());
}

TEST_CASE("test server: event field selectors") {
    std::string err;
    auto sel = kstest::parse_selector("", "involvedObject.kind=Node,involvedObject.name=n1,reason=X", err);
    REQUIRE(sel);
    Json e = Json::parse(R"({"metadata":{"name":"a"},"involvedObject":{"kind":"Node","name":"n1"},"reason":"X"})");
    CHECK(sel->matches(e));
    e["reason"] = "Y";
    CHECK_FALSE(sel->matches(e));
}
