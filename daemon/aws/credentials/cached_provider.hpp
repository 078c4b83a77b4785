#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include "aws/credentials/credentials.hpp"
#include "util/clock.hpp"

namespace codeguru::aws {

// Caches what another provider resolves and resolves again once the credentials are
// within `refresh_before` of their expiration (credentials without one are kept for good).
// If a refresh fails while the cached credentials have not expired yet, they are kept
// and a warning is logged. Thread-safe: one refresh at a time; while it runs, other
// callers get the still-valid cached credentials instead of waiting. `clock` must
// outlive the provider. It counts its failed resolves for the metrics.
class CachedProvider final : public CredentialsProvider {
  public:
    static constexpr std::chrono::minutes kDefaultRefreshBefore{5};

    CachedProvider(std::unique_ptr<CredentialsProvider> inner, const Clock& clock,
                   std::chrono::seconds refresh_before = kDefaultRefreshBefore);

    std::optional<Credentials> resolve() override;
    std::string_view name() const override { return inner_->name(); }

    // Resolves of the inner provider that threw, whether or not cached credentials stood in.
    long refresh_failures() const { return refresh_failures_.load(); }
    // When the cached credentials expire; std::nullopt when none are cached or they never do.
    std::optional<std::chrono::system_clock::time_point> expiration() const;

  private:
    // The cached credentials if they need no refresh at `now`.
    std::optional<Credentials> fresh_cached(std::chrono::system_clock::time_point now) const;
    // The cached credentials if they have not expired at `now`.
    std::optional<Credentials> unexpired_cached(std::chrono::system_clock::time_point now) const;

    std::unique_ptr<CredentialsProvider> inner_;
    const Clock& clock_;
    const std::chrono::seconds refresh_before_;
    std::mutex refresh_mutex_;        // held for the whole of a refresh
    mutable std::mutex cache_mutex_;  // guards cached_
    std::optional<Credentials> cached_;
    std::atomic<long> refresh_failures_{0};
};

}  // namespace codeguru::aws
