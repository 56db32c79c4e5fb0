// Label names of enums, from one list per enum in the enum's order: a table where
// each enum had a switch of its own. Pure, header only.
//
// The list must name every value, in declaration order; each enum's tests check its
// names (tests/unit/label_names.h), so a value added without a name shows there.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace ndes {

// The name of `value`; `fallback` for a value past the end of `names`.
template <typename Enum, std::size_t N>
constexpr std::string_view enum_name(Enum value, const std::array<std::string_view, N>& names,
                                     std::string_view fallback) {
  const auto i = static_cast<std::size_t>(value);
  return i < N ? names[i] : fallback;
}

// The value that `text` names; nullopt when no value has that name.
template <typename Enum, std::size_t N>
constexpr std::optional<Enum> enum_from_name(std::string_view text,
                                             const std::array<std::string_view, N>& names) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) {
      return static_cast<Enum>(i);
    }
  }
  return std::nullopt;
}

}  // namespace ndes
