// base/yaml_kind.h: the words config errors use for a YAML node's kind.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "base/yaml_kind.h"

namespace ndes {
namespace {

TEST(BaseYamlKind, NamesEveryKind) {
  EXPECT_STREQ(yaml_node_kind(YAML::Load("")), "nothing");
  EXPECT_STREQ(yaml_node_kind(YAML::Load("word")), "a scalar");
  EXPECT_STREQ(yaml_node_kind(YAML::Load("[1, 2]")), "a list");
  EXPECT_STREQ(yaml_node_kind(YAML::Load("{a: 1}")), "a map");
  EXPECT_STREQ(yaml_node_kind(YAML::Load("{a: 1}")["b"]), "an undefined value");
}

}  // namespace
}  // namespace ndes
