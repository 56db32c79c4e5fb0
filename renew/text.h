// Small text helpers shared by the renew hook: safe echoes of untrusted label values,
// and the one time format the journal and /renewals use. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ndes::renew {

// `value` made safe to echo in a reason or a log line: control characters become '?',
// and past `max` bytes it is cut with "...". Untrusted label values go through this
// before they are stored anywhere a person reads.
std::string printable(std::string_view value, std::size_t max = 64);

std::string to_upper(std::string_view s);
std::string to_lower(std::string_view s);
bool is_hex(std::string_view s);

// Unix seconds <-> "2026-11-25T15:00:00Z" (UTC, whole seconds). 0 formats as "".
std::string format_time(std::int64_t unix_seconds);
std::optional<std::int64_t> parse_time(std::string_view text);

// Unix seconds now.
std::int64_t unix_now();

}  // namespace ndes::renew
