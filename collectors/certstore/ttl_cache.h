// A small cache of values by key, each kept for a fixed time (TTL) and at most
// `capacity` of them: the certstore collector keeps an Authz client context per
// identity (one S4U logon per identity and TTL, not per key and scrape) and the
// local group memberships. Failures are cached like answers, so an unreachable
// domain controller is asked once per TTL. Thread-safe; make() runs under the lock.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace ndes::certstore {

template <class Value>
class TtlCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = std::function<Clock::time_point()>;

  // capacity 0 is read as 1.
  TtlCache(Clock::duration ttl, std::size_t capacity, Now now = Clock::now)
      : ttl_(ttl), capacity_(capacity == 0 ? 1 : capacity), now_(std::move(now)) {}

  // The value for `key`: the cached one while younger than the TTL, else make()'s
  // (cached from now on). When full, the entry made longest ago makes room.
  Value get(const std::string& key, const std::function<Value()>& make) {
    std::lock_guard lock(mutex_);
    const Clock::time_point now = now_();
    if (auto it = entries_.find(key); it != entries_.end()) {
      if (now - it->second.made < ttl_) {
        return it->second.value;
      }
      entries_.erase(it);
    }
    while (entries_.size() >= capacity_) {
      auto oldest = entries_.begin();
      for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->second.made < oldest->second.made) {
          oldest = it;
        }
      }
      entries_.erase(oldest);
    }
    Value value = make();
    entries_.emplace(key, Entry{value, now});
    return value;
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }

 private:
  struct Entry {
    Value value;
    Clock::time_point made;
  };
  Clock::duration ttl_;
  std::size_t capacity_;
  Now now_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace ndes::certstore
