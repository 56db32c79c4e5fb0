// A small XML reader for the two documents the Windows health collectors read,
// IIS's applicationHost.config (the renew hook reads it too) and the event XML
// that EvtRender gives. Elements,
// attributes, text, the five named entities and character references; the XML
// declaration, comments, processing instructions, DOCTYPE and CDATA are handled;
// no DTDs, no namespaces beyond the prefix in a name (local_name() drops it).
// Pure, so it is unit-tested on Linux and Windows alike.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ndes::xml {

struct Element {
  std::string name;  // as written, with any prefix ("evt:Event")
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string text;  // the character data directly inside, concatenated
  std::vector<Element> children;

  // The name without a namespace prefix.
  std::string_view local_name() const;
  // The first child with that local name, or nullptr.
  const Element* child(std::string_view local) const;
  // All children with that local name.
  std::vector<const Element*> children_named(std::string_view local) const;
  // The attribute's value (by local name), or nullopt.
  std::optional<std::string> attribute(std::string_view local) const;
};

// Appends code point cp as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);

// Parses a whole document (one root element). On a malformed document: nullopt,
// and *error says what and at which line.
std::optional<Element> parse(std::string_view document, std::string* error);

}  // namespace ndes::xml
