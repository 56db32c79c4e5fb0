#include "base/xml_lite.h"

#include <cstdint>

namespace ndes::xml {
namespace {

// Deeper than any document the collectors read; a bound keeps a hostile file
// from exhausting the stack.
constexpr int kMaxDepth = 128;

std::string_view strip_prefix(std::string_view name) {
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

}  // namespace

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

namespace {

class Parser {
 public:
  explicit Parser(std::string_view doc) : s_(doc) {}

  std::optional<Element> document(std::string* error) {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") {
      pos_ = 3;  // UTF-8 byte order mark
    }
    std::optional<Element> root;
    while (ok_) {
      skip_space();
      if (pos_ >= s_.size()) {
        break;
      }
      if (starts("<?") || starts("<!--") || starts("<!")) {
        skip_markup();
      } else if (starts("<")) {
        if (root) {
          fail("a second root element");
          break;
        }
        Element e;
        element(e, 0);
        root = std::move(e);
      } else {
        fail("text outside the root element");
      }
    }
    if (ok_ && !root) {
      fail("no root element");
    }
    if (!ok_) {
      if (error != nullptr) {
        *error = error_;
      }
      return std::nullopt;
    }
    return root;
  }

 private:
  bool starts(std::string_view p) const { return s_.substr(pos_, p.size()) == p; }

  void fail(const std::string& what) {
    if (!ok_) {
      return;
    }
    ok_ = false;
    std::size_t line = 1;
    for (std::size_t i = 0; i < pos_ && i < s_.size(); ++i) {
      line += s_[i] == '\n' ? 1 : 0;
    }
    error_ = "line " + std::to_string(line) + ": " + what;
  }

  void skip_space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r' || s_[pos_] == '\n')) {
      ++pos_;
    }
  }

  // <?...?>, <!--...-->, <!DOCTYPE ...> (no internal subset with '>' inside).
  void skip_markup() {
    std::string_view end = starts("<?") ? "?>" : starts("<!--") ? "-->" : ">";
    const auto at = s_.find(end, pos_ + (end == "-->" ? 4 : 2));
    if (at == std::string_view::npos) {
      fail("unterminated markup");
      return;
    }
    pos_ = at + end.size();
  }

  std::string name() {
    const std::size_t start = pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '>' || c == '/' || c == '=' ||
          c == '<' || c == '"' || c == '\'') {
        break;
      }
      ++pos_;
    }
    if (pos_ == start) {
      fail("a name was expected");
    }
    return std::string(s_.substr(start, pos_ - start));
  }

  // Decodes entities in raw character data.
  std::string decode(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '&') {
        out += raw[i];
        continue;
      }
      const auto semi = raw.find(';', i);
      if (semi == std::string_view::npos) {
        fail("an '&' without ';'");
        return out;
      }
      const std::string_view ent = raw.substr(i + 1, semi - i - 1);
      if (ent == "lt") {
        out += '<';
      } else if (ent == "gt") {
        out += '>';
      } else if (ent == "amp") {
        out += '&';
      } else if (ent == "quot") {
        out += '"';
      } else if (ent == "apos") {
        out += '\'';
      } else if (ent.size() > 1 && ent[0] == '#') {
        const bool hex = ent[1] == 'x' || ent[1] == 'X';
        const std::string_view digits = ent.substr(hex ? 2 : 1);
        std::uint32_t cp = 0;
        if (digits.empty() || digits.size() > 8) {
          fail("a bad character reference");
          return out;
        }
        for (const char c : digits) {
          int d = -1;
          if (c >= '0' && c <= '9') {
            d = c - '0';
          } else if (hex && c >= 'a' && c <= 'f') {
            d = c - 'a' + 10;
          } else if (hex && c >= 'A' && c <= 'F') {
            d = c - 'A' + 10;
          }
          if (d < 0) {
            fail("a bad character reference");
            return out;
          }
          cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
        }
        if (cp == 0 || cp > 0x10FFFF) {
          fail("a bad character reference");
          return out;
        }
        append_utf8(out, cp);
      } else {
        fail("unknown entity &" + std::string(ent) + ";");
        return out;
      }
      i = semi;
    }
    return out;
  }

  void attributes(Element& e) {
    while (ok_) {
      skip_space();
      if (pos_ >= s_.size()) {
        fail("unterminated start tag <" + e.name + ">");
        return;
      }
      if (s_[pos_] == '>' || s_[pos_] == '/') {
        return;
      }
      std::string key = name();
      skip_space();
      if (!ok_ || pos_ >= s_.size() || s_[pos_] != '=') {
        fail("attribute " + key + " of <" + e.name + "> has no value");
        return;
      }
      ++pos_;
      skip_space();
      if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) {
        fail("attribute " + key + " of <" + e.name + "> is not quoted");
        return;
      }
      const char quote = s_[pos_++];
      const auto end = s_.find(quote, pos_);
      if (end == std::string_view::npos) {
        fail("attribute " + key + " of <" + e.name + "> is not closed");
        return;
      }
      e.attributes.emplace_back(std::move(key), decode(s_.substr(pos_, end - pos_)));
      pos_ = end + 1;
    }
  }

  void element(Element& e, int depth) {
    if (depth > kMaxDepth) {
      fail("elements nested deeper than " + std::to_string(kMaxDepth));
      return;
    }
    ++pos_;  // '<'
    e.name = name();
    attributes(e);
    if (!ok_) {
      return;
    }
    if (starts("/>")) {
      pos_ += 2;
      return;
    }
    ++pos_;  // '>'
    while (ok_) {
      const auto lt = s_.find('<', pos_);
      if (lt == std::string_view::npos) {
        fail("<" + e.name + "> is not closed");
        return;
      }
      e.text += decode(s_.substr(pos_, lt - pos_));
      pos_ = lt;
      if (starts("</")) {
        pos_ += 2;
        const std::string closing = name();
        skip_space();
        if (closing != e.name || pos_ >= s_.size() || s_[pos_] != '>') {
          fail("<" + e.name + "> is closed by </" + closing + ">");
          return;
        }
        ++pos_;
        return;
      }
      if (starts("<![CDATA[")) {
        const auto end = s_.find("]]>", pos_);
        if (end == std::string_view::npos) {
          fail("unterminated CDATA");
          return;
        }
        e.text += std::string(s_.substr(pos_ + 9, end - pos_ - 9));
        pos_ = end + 3;
      } else if (starts("<?") || starts("<!")) {
        skip_markup();
      } else {
        Element child;
        element(child, depth + 1);
        e.children.push_back(std::move(child));
      }
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  bool ok_ = true;
  std::string error_;
};

}  // namespace

std::string_view Element::local_name() const { return strip_prefix(name); }

const Element* Element::child(std::string_view local) const {
  for (const auto& c : children) {
    if (c.local_name() == local) {
      return &c;
    }
  }
  return nullptr;
}

std::vector<const Element*> Element::children_named(std::string_view local) const {
  std::vector<const Element*> out;
  for (const auto& c : children) {
    if (c.local_name() == local) {
      out.push_back(&c);
    }
  }
  return out;
}

std::optional<std::string> Element::attribute(std::string_view local) const {
  for (const auto& [k, v] : attributes) {
    if (strip_prefix(k) == local) {
      return v;
    }
  }
  return std::nullopt;
}

std::optional<Element> parse(std::string_view document, std::string* error) {
  return Parser(document).document(error);
}

}  // namespace ndes::xml
