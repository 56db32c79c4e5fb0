// Words for a YAML node's kind in config error messages ("expected a map, got a
// list"), shared by the config readers of both binaries.
#pragma once

namespace YAML {
class Node;
}

namespace ndes {

// "nothing", "a scalar", "a list", "a map" or "an undefined value".
const char* yaml_node_kind(const YAML::Node& node);

}  // namespace ndes
