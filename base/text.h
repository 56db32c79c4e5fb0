// Text helpers every part of the tree uses: one copy each. Pure, no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ndes {

// `s` without leading and trailing white space (space, tab, CR, LF, FF, VT).
std::string_view trim_view(std::string_view s);
std::string trim(std::string_view s);

// ASCII case mapping; other bytes are kept as they are.
std::string lower(std::string_view s);
std::string upper(std::string_view s);
// ASCII case-insensitive equality and prefix test.
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);

std::string join(const std::vector<std::string>& items, std::string_view sep);
// `s` cut at every `sep` (empty pieces kept; "" gives one empty piece).
std::vector<std::string> split(std::string_view s, char sep);

// `value` made safe to echo in a reason or a log line: control characters become '?',
// and past `max` bytes it is cut with "...". Untrusted text goes through this before
// it is stored anywhere a person reads.
std::string printable(std::string_view value, std::size_t max = 64);
// "value" for error messages: quotes and backslashes escaped, \n and \t spelled out,
// other control characters '?', cut past `max` bytes with "...", so every message
// stays on one line.
std::string quote(std::string_view value, std::size_t max = 200);
// `text` on one line: trailing white space dropped, CR and LF made spaces.
std::string one_line(std::string text);

// true/yes/on/1 and false/no/off/0 (any case, white space around); else nullopt.
std::optional<bool> parse_bool(std::string_view text);

bool is_hex(std::string_view s);  // non-empty, 0-9a-fA-F only
bool is_digits(std::string_view s);  // non-empty, 0-9 only

}  // namespace ndes
