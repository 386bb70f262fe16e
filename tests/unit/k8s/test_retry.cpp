#include <catch2/catch.hpp>

#include "k8s/client.h"

using namespace ks::k8s;
using namespace std::chrono;

TEST_CASE("backoff grows x2 from 0.8 s to 30 s within the jitter band") {
    Backoff b(0.8, 30.0, 2.0, 0.2, 42);
    double expected = 0.8;
    for (int i = 0; i < 10; ++i) {
        const double d = b.next();
        CHECK(d >= expected * 0.8 - 1e-9);
        CHECK(d <= expected * 1.2 + 1e-9);
        expected = std::min(30.0, expected * 2);
    }
    CHECK(b.current() == Approx(30.0));
    b.reset();
    CHECK(b.current() == Approx(0.8));
}

TEST_CASE("backoff jitter spreads clients apart and is deterministic per seed") {
    Backoff a(0.8, 30, 2, 0.2, 1), a2(0.8, 30, 2, 0.2, 1), c(0.8, 30, 2, 0.2, 2);
    const double x = a.next(), x2 = a2.next(), y = c.next();
    CHECK(x == x2);
    CHECK(x != y);
    Backoff none(1.0, 30, 2, 0.0, 7);
    CHECK(none.next() == Approx(1.0));
    CHECK(none.next() == Approx(2.0));
}

TEST_CASE("Retry-After: seconds and HTTP dates") {
    CHECK(parse_retry_after("3") == 3.0);
    CHECK(parse_retry_after(" 1.5 ") == 1.5);
    CHECK_FALSE(parse_retry_after(""));
    CHECK_FALSE(parse_retry_after("soon"));
    CHECK_FALSE(parse_retry_after("3s"));
    const auto now = system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
    CHECK(*parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now) == Approx(10.0));
    CHECK(*parse_retry_after("Sun, 06 Nov 1994 08:49:27 GMT", now) == 0.0);  // in the past
}

TEST_CASE("retry decisions honour Retry-After on 429 and 5xx only") {
    CHECK(is_retryable(0));
    CHECK(is_retryable(429));
    CHECK(is_retryable(500));
    CHECK(is_retryable(503));
    CHECK_FALSE(is_retryable(404));
    CHECK_FALSE(is_retryable(409));
    CHECK_FALSE(is_retryable(410));
    Backoff b(0.8, 30, 2, 0.0, 3);
    CHECK(retry_delay(429, 5.0, b) == 5.0);
    CHECK(retry_delay(503, 600.0, b) == 60.0);  // capped
    CHECK(retry_delay(500, std::nullopt, b) == Approx(3.2));  // backoff kept growing: 0.8, 1.6, 3.2
    CHECK(retry_delay(0, 9.0, b) == Approx(6.4));  // transport error: Retry-After does not apply
}

TEST_CASE("token bucket: burst, then the rate") {
    const auto t0 = steady_clock::now();
    TokenBucket tb(5.0, 10, t0);
    for (int i = 0; i < 10; ++i) CHECK(tb.reserve(t0).count() == 0.0);
    CHECK(tb.reserve(t0).count() == Approx(0.2));  // 11th waits one token
    CHECK(tb.reserve(t0).count() == Approx(0.4));  // and the next queues behind it
    // After 2 s, 10 tokens were earned, 2 of them already promised.
    const auto t2 = t0 + seconds(2);
    for (int i = 0; i < 8; ++i) CHECK(tb.reserve(t2).count() == 0.0);
    CHECK(tb.reserve(t2).count() == Approx(0.2));
    // Idle for long: never more than the burst.
    const auto t100 = t0 + seconds(100);
    for (int i = 0; i < 10; ++i) CHECK(tb.reserve(t100).count() == 0.0);
    CHECK(tb.reserve(t100).count() > 0.0);
}
