#include "health/auth.h"

#include <munge.h>

#include <algorithm>
#include <cstdlib>

namespace ks::health {
namespace {

struct MungeCtx {
    munge_ctx_t ctx = munge_ctx_create();
    ~MungeCtx() {
        if (ctx) munge_ctx_destroy(ctx);
    }
};

class MungeAuthenticator final : public Authenticator {
public:
    explicit MungeAuthenticator(std::string socket) : m_socket(std::move(socket)) {}

    Result<std::string> seal(std::string_view payload) override {
        MungeCtx m;
        if (auto st = prepare(m); !st) return Error{st.error()};
        char* cred = nullptr;
        munge_err_t err = munge_encode(&cred, m.ctx, payload.data(), static_cast<int>(payload.size()));
        if (err != EMUNGE_SUCCESS) {
            std::string msg = "munge_encode: " + std::string(munge_ctx_strerror(m.ctx) ? munge_ctx_strerror(m.ctx) : munge_strerror(err));
            std::free(cred);
            return Error{msg};
        }
        std::string out(cred);
        std::free(cred);
        return out;
    }

    Result<Credential> open(std::string_view token) override {
        MungeCtx m;
        if (auto st = prepare(m); !st) return Error{st.error()};
        std::string cred(token);
        void* buf = nullptr;
        int len = 0;
        uid_t uid = 0;
        gid_t gid = 0;
        munge_err_t err = munge_decode(cred.c_str(), m.ctx, &buf, &len, &uid, &gid);
        if (err != EMUNGE_SUCCESS) {
            std::string msg = "invalid munge credential: " +
                              std::string(munge_ctx_strerror(m.ctx) ? munge_ctx_strerror(m.ctx) : munge_strerror(err));
            std::free(buf);
            return Error{msg};
        }
        Credential c{std::string(static_cast<char*>(buf), static_cast<size_t>(len)), uid, gid};
        std::free(buf);
        return c;
    }

private:
    ks::Status prepare(MungeCtx& m) {
        if (!m.ctx) return Error{"munge_ctx_create failed"};
        if (!m_socket.empty() && munge_ctx_set(m.ctx, MUNGE_OPT_SOCKET, m_socket.c_str()) != EMUNGE_SUCCESS)
            return Error{"munge socket " + m_socket + ": " + munge_ctx_strerror(m.ctx)};
        return {};
    }
    std::string m_socket;
};

}  // namespace

std::unique_ptr<Authenticator> make_munge_authenticator(std::string socket_path) {
    return std::make_unique<MungeAuthenticator>(std::move(socket_path));
}

Result<nlohmann::json> accept_message(const Credential& cred, const AcceptPolicy& policy) {
    if (std::find(policy.uids.begin(), policy.uids.end(), cred.uid) == policy.uids.end())
        return Error{"sender uid " + std::to_string(cred.uid) + " is neither root nor SlurmUser"};
    auto j = nlohmann::json::parse(cred.payload, nullptr, false);
    if (!j.is_object()) return Error{"payload is not a JSON object"};
    auto id = j.find("job_id");
    if (id == j.end() || !id->is_number_integer()) return Error{"message carries no job ID"};
    if (id->get<long>() != policy.job_id)
        return Error{"message is for job " + std::to_string(id->get<long>()) + ", not job " + std::to_string(policy.job_id)};
    return j;
}

}  // namespace ks::health
