#include <catch2/catch.hpp>

#include "common/strings.h"

using namespace ks;

TEST_CASE("string helpers") {
    CHECK(str::trim("  a b \t") == "a b");
    CHECK(str::split("a, b,,c", ',') == std::vector<std::string>{"a", "b", "c"});
    CHECK(str::iequals("CheckTimeout", "checktimeout"));
    CHECK(str::to_long("42") == 42);
    CHECK_FALSE(str::to_long("42x"));
    CHECK(str::to_double("1.5") == 1.5);
    CHECK(str::to_bool("Yes") == true);
    CHECK(str::to_bool("off") == false);
    CHECK_FALSE(str::to_bool("maybe"));
}
