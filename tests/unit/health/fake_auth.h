// An in-memory stand-in for munge in unit tests: the "credential" states the sender's uid in
// clear text. Integration tests use the real munged of the local cluster.
#pragma once

#include <string>

#include "common/strings.h"
#include "health/auth.h"

namespace ks::health::test {

class FakeAuth final : public Authenticator {
public:
    explicit FakeAuth(uid_t uid) : m_uid(uid) {}
    Result<std::string> seal(std::string_view payload) override {
        return "FAKE:" + std::to_string(m_uid) + ":" + std::string(payload);
    }
    Result<Credential> open(std::string_view token) override {
        if (!str::starts_with(token, "FAKE:")) return Error{"invalid credential"};
        token.remove_prefix(5);
        auto colon = token.find(':');
        auto uid = str::to_long(token.substr(0, colon));
        if (colon == std::string_view::npos || !uid) return Error{"invalid credential"};
        return Credential{std::string(token.substr(colon + 1)), static_cast<uid_t>(*uid), 0};
    }

private:
    uid_t m_uid;
};

}  // namespace ks::health::test
