#include <catch2/catch.hpp>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>


#include "topology/topology.h"

using namespace ks::topology;

namespace {

std::string temp_dir() {
    char tmpl[] = "/tmp/ks-topo-test.XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    return tmpl;
}

}  // namespace

TEST_CASE("topology.json round-trips") {
    auto t = Topology::build({{"n1", "d1", {"l1", "s1"}}, {"n2", "", {}}, {"n3", "d1", {"l1", "s1"}}});
    REQUIRE(t.ok());
    std::string text = to_json(*t);
    CHECK_THAT(text, Catch::Contains("\"version\": 1"));
    CHECK_THAT(text, Catch::Contains("\"hash\": \"" + t->hash() + "\""));
    auto back = from_json(text, "mem");
    REQUIRE(back.ok());
    CHECK(*back == *t);
    CHECK(back->hash() == t->hash());
}

TEST_CASE("topology.json readers reject malformed files clearly") {
    auto err = [](std::string_view text) {
        auto r = from_json(text, "topo.json");
        REQUIRE_FALSE(r.ok());
        return r.error();
    };
    CHECK_THAT(err("{"), Catch::Contains("topo.json: not valid JSON"));
    CHECK_THAT(err("[]"), Catch::Contains("expected a JSON object"));
    CHECK_THAT(err(R"({"nodes": []})"), Catch::Contains("missing \"version\""));
    CHECK_THAT(err(R"({"version": 2, "nodes": []})"), Catch::Contains("unsupported version 2"));
    CHECK_THAT(err(R"({"version": "1", "nodes": []})"), Catch::Contains("unsupported version"));
    CHECK_THAT(err(R"({"version": 1})"), Catch::Contains("\"nodes\" must be an array"));
    CHECK_THAT(err(R"({"version": 1, "nodes": [], "extra": 1})"), Catch::Contains("unknown field 'extra'"));
    CHECK_THAT(err(R"({"version": 1, "nodes": [{"name": "n1"}, {"name": "n1"}]})"),
               Catch::Contains("duplicate node 'n1'"));
    CHECK_THAT(err(R"({"version": 1, "nodes": [{"name": 5}]})"), Catch::Contains("nodes[0]: \"name\""));
    CHECK_THAT(err(R"({"version": 1, "nodes": [{"domain": "d"}]})"), Catch::Contains("missing \"name\""));
    CHECK_THAT(err(R"({"version": 1, "nodes": [{"name": "n1", "domain": 3}]})"), Catch::Contains("\"domain\" must be a string"));
    CHECK_THAT(err(R"({"version": 1, "nodes": [{"name": "n1", "tiers": "l1"}]})"), Catch::Contains("\"tiers\" must be an array"));
    CHECK_THAT(err(R"({"version": 1, "nodes": [{"name": "n1", "tiers": [1]}]})"), Catch::Contains("\"tiers\" must be an array"));
    CHECK_THAT(err(R"({"version": 1, "nodes": [{"name": "n1", "rack": "r"}]})"), Catch::Contains("nodes[0]: unknown field 'rack'"));
    CHECK_THAT(err(R"({"version": 1, "nodes": [7]})"), Catch::Contains("must be an object"));
}

TEST_CASE("topology.json accepts null domain/tiers and no hash") {
    auto r = from_json(R"({"version": 1, "nodes": [{"name": "n1", "domain": null, "tiers": null}]})", "x");
    REQUIRE(r.ok());
    CHECK(r->nodes()[0].domain.empty());
}

TEST_CASE("write_json_atomic writes once and leaves unchanged content alone") {
    std::string dir = temp_dir();
    std::string path = dir + "/topology.json";
    auto t = Topology::build({{"n1", "d1", {}}, {"n2", "d1", {}}});
    REQUIRE(t.ok());

    auto first = write_json_atomic(*t, path);
    REQUIRE(first.ok());
    CHECK(*first == true);
    struct stat st1 {};
    REQUIRE(stat(path.c_str(), &st1) == 0);
    CHECK((st1.st_mode & 0777) == 0644);

    auto second = write_json_atomic(*t, path);
    REQUIRE(second.ok());
    CHECK(*second == false);
    struct stat st2 {};
    REQUIRE(stat(path.c_str(), &st2) == 0);
    CHECK(st1.st_ino == st2.st_ino);  // not replaced

    auto t2 = Topology::build({{"n1", "d1", {}}, {"n2", "d2", {}}});
    REQUIRE(t2.ok());
    auto third = write_json_atomic(*t2, path);
    REQUIRE(third.ok());
    CHECK(*third == true);
    auto loaded = load_json_file(path);
    REQUIRE(loaded.ok());
    CHECK(*loaded == *t2);

    // No temporary files are left behind.
    {
        int entries = 0;
        if (auto* d = opendir(dir.c_str())) {
            while (auto* e = readdir(d)) entries += e->d_name[0] != '.';
            closedir(d);
        }
        CHECK(entries == 1);
    }
    unlink(path.c_str());
    rmdir(dir.c_str());
}

TEST_CASE("write_file_atomic reports unwritable paths") {
    auto r = write_file_atomic("/nonexistent-dir/x/topology.json", "{}");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error(), Catch::Contains("/nonexistent-dir/x/topology.json"));
    auto missing = load_json_file("/nonexistent-dir/topology.json");
    REQUIRE_FALSE(missing.ok());
    CHECK_THAT(missing.error(), Catch::Contains("cannot open /nonexistent-dir/topology.json"));
}
