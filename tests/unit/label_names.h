// The names that enums give as label values, in one string for one comparison.
#pragma once

#include <initializer_list>
#include <string>

namespace ndes::test {

// to_string() of each value (found beside the enum), separated by spaces:
// EXPECT_EQ(label_names({Role::ca, Role::ssl}), "ca ssl").
template <class Enum>
std::string label_names(std::initializer_list<Enum> values) {
  std::string names;
  for (const Enum value : values) {
    if (!names.empty()) {
      names += ' ';
    }
    names += to_string(value);
  }
  return names;
}

}  // namespace ndes::test
