// The munge authenticator against a real munged of its own (temporary key and socket), when the
// munged binary is installed; stopped at the end of the test.
#include <catch2/catch.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "health/auth.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;

std::string find_munged() {
    for (const char* dir : {"/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin"})
        if (access((std::string(dir) + "/munged").c_str(), X_OK) == 0) return std::string(dir) + "/munged";
    return {};
}

class PrivateMunged {
public:
    explicit PrivateMunged(const std::string& munged) : m_dir(fs::temp_directory_path() / ("ks-munge-" + std::to_string(getpid()))) {
        fs::create_directories(m_dir);
        fs::permissions(m_dir, fs::perms::owner_all);
        {
            std::ofstream key(m_dir / "key", std::ios::binary);
            std::mt19937_64 rng(std::random_device{}());
            for (int i = 0; i < 128; ++i) {
                uint64_t v = rng();
                key.write(reinterpret_cast<const char*>(&v), sizeof v);
            }
        }
        fs::permissions(m_dir / "key", fs::perms::owner_read);
        std::vector<std::string> args{munged, "--foreground", "--force", "--socket=" + socket(),
                                      "--key-file=" + (m_dir / "key").string(), "--log-file=" + (m_dir / "log").string(),
                                      "--pid-file=" + (m_dir / "pid").string(), "--seed-file=" + (m_dir / "seed").string()};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawn(&m_pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) m_pid = -1;
        for (int i = 0; i < 200 && m_pid > 0 && !fs::exists(socket()); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ~PrivateMunged() {
        if (m_pid > 0) {
            kill(m_pid, SIGTERM);
            waitpid(m_pid, nullptr, 0);
        }
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }
    bool up() const { return m_pid > 0 && fs::exists(socket()); }
    std::string socket() const { return (m_dir / "sock").string(); }

private:
    fs::path m_dir;
    pid_t m_pid = -1;
};

}  // namespace

TEST_CASE("munge credentials: round trip, sender uid, replay and forgery rejected") {
    std::string munged = find_munged();
    if (munged.empty()) {
        WARN("munged not installed: real munge test skipped");
        return;
    }
    PrivateMunged daemon(munged);
    REQUIRE(daemon.up());
    auto auth = ks::health::make_munge_authenticator(daemon.socket());
    auto sealed = auth->seal(R"({"job_id":5})");
    INFO((sealed.ok() ? std::string() : sealed.error()));
    REQUIRE(sealed.ok());
    CHECK(sealed.value().rfind("MUNGE:", 0) == 0);
    auto cred = auth->open(sealed.value());
    REQUIRE(cred.ok());
    CHECK(cred->payload == R"({"job_id":5})");
    CHECK(cred->uid == getuid());
    CHECK(ks::health::accept_message(cred.value(), {{getuid()}, 5}).ok());

    auto replay = auth->open(sealed.value());
    REQUIRE_FALSE(replay.ok());
    CHECK_THAT(replay.error(), Catch::StartsWith("invalid munge credential"));
    CHECK_FALSE(auth->open("MUNGE:forged:").ok());

    auto nowhere = ks::health::make_munge_authenticator("/nonexistent/munge.sock");
    CHECK_FALSE(nowhere->seal("{}").ok());
}
