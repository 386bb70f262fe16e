// Authenticated rendezvous messages. Every message is a munge credential wrapping a JSON payload;
// a receiver accepts it only from root or SlurmUser and only for its own job.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace ks::health {

struct Credential {
    std::string payload;
    uid_t uid = 0;
    gid_t gid = 0;
};

class Authenticator {
public:
    virtual ~Authenticator() = default;
    virtual Result<std::string> seal(std::string_view payload) = 0;
    virtual Result<Credential> open(std::string_view token) = 0;
};

// libmunge; an empty socket path means munge's default socket.
std::unique_ptr<Authenticator> make_munge_authenticator(std::string socket_path);

struct AcceptPolicy {
    std::vector<uid_t> uids;  // root and SlurmUser
    long job_id = 0;
};

// The payload as JSON when the sender's uid is allowed, the payload is a JSON object and its
// "job_id" is ours; otherwise an error saying why (for the log).
Result<nlohmann::json> accept_message(const Credential& cred, const AcceptPolicy& policy);

}  // namespace ks::health
