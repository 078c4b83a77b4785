#include "aws/credentials/cached_provider.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <utility>

namespace codeguru::aws {

namespace {

// Seconds from `now` to `when`, for log lines.
long long seconds_until(std::chrono::system_clock::time_point when,
                        std::chrono::system_clock::time_point now) {
    return std::chrono::duration_cast<std::chrono::seconds>(when - now).count();
}

}  // namespace

CachedProvider::CachedProvider(std::unique_ptr<CredentialsProvider> inner, const Clock& clock,
                               std::chrono::seconds refresh_before)
    : inner_(std::move(inner)), clock_(clock), refresh_before_(refresh_before) {}

std::optional<Credentials> CachedProvider::fresh_cached(
    std::chrono::system_clock::time_point now) const {
    std::lock_guard lock(cache_mutex_);
    if (cached_ && (!cached_->expiration || now < *cached_->expiration - refresh_before_)) {
        return cached_;
    }
    return std::nullopt;
}

std::optional<Credentials> CachedProvider::unexpired_cached(
    std::chrono::system_clock::time_point now) const {
    std::lock_guard lock(cache_mutex_);
    if (cached_ && (!cached_->expiration || now < *cached_->expiration)) {
        return cached_;
    }
    return std::nullopt;
}

std::optional<std::chrono::system_clock::time_point> CachedProvider::expiration() const {
    std::lock_guard lock(cache_mutex_);
    return cached_ ? cached_->expiration : std::nullopt;
}

std::optional<Credentials> CachedProvider::resolve() {
    if (auto cached = fresh_cached(clock_.now())) {
        return cached;
    }

    std::unique_lock refresh(refresh_mutex_, std::try_to_lock);
    if (!refresh.owns_lock()) {
        // Someone else is refreshing: use what is still valid, or wait for their result.
        if (auto cached = unexpired_cached(clock_.now())) {
            return cached;
        }
        refresh.lock();
    }
    const auto now = clock_.now();
    if (auto cached = fresh_cached(now)) {
        return cached;  // refreshed by another caller while we waited
    }

    std::optional<Credentials> resolved;
    try {
        resolved = inner_->resolve();
    } catch (const std::exception& error) {
        ++refresh_failures_;
        auto cached = unexpired_cached(now);
        if (!cached) {
            throw;
        }
        spdlog::warn(
            "refreshing AWS credentials from {} failed ({}); keeping the current ones, which "
            "expire in {}s",
            inner_->name(), error.what(), seconds_until(*cached->expiration, now));
        return cached;
    }

    std::lock_guard lock(cache_mutex_);
    cached_ = resolved;
    return resolved;
}

}  // namespace codeguru::aws
