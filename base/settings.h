// One settings engine for both binaries: a table of settings, each both a flag
// --a.b.c and a config-file key at the path a -> b -> c, read from the YAML file
// first and then from the command line (a flag beats the file). Errors are one line,
// "<program>: error: ...", exit code 2.
//
// A row's setter fills the config being built: it captures a pointer into it, so the
// engine knows no config struct. Each binary (and each collector) lists its own rows.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace YAML {
class Node;
}

namespace ndes::settings {

using Values = std::vector<std::string>;
// Takes the value(s) of one setting: "" or the body of an error ("\"loud\" is not one
// of ..."), without naming the flag or the key.
using Setter = std::function<std::string(const Values&)>;
// Reads one key of the config file whole: "" or the message after "<file>: ".
using YamlReader = std::function<std::string(const YAML::Node&, const std::string& key)>;

enum class Kind {
  text,     // one value; the last one given wins
  list,     // repeatable, one element per flag; the command line replaces the file's list
  names,    // as list, and each flag may also hold comma-separated names
  flag,     // boolean switch
  section,  // a config-file key only (no flag), read whole by read_yaml
};

struct Setting {
  std::string key;  // "web.listen-address"; the flag is "--" + key
  Kind kind = Kind::text;
  std::string type_name;     // for --help: ADDRESS, PATH...
  std::string help;          // for --help
  std::string default_text;  // for --help; "" = none
  Setter set;
  YamlReader read_yaml;  // null: the generic reader (a string, or a list of strings)
};

using Table = std::vector<Setting>;

struct Program {
  std::string name;         // "ndes_exporter": the first word of every error line
  std::string description;  // the first paragraph of --help
  std::string version;      // what --version prints (one line, without "\n")
  // After the config file was read, before the flags: "" or the message after "<file>: ".
  std::function<std::string()> check_file;
};

struct Outcome {
  bool run = false;  // the settings are filled: the program should run with them
  // When !run: 0 for --help/--version (message for stdout), 2 for a usage or config
  // error (one line for stderr, "<program>: error: ...").
  int exit_code = 0;
  std::string message;
};

// Parses argv (argv[0] is the program) into the table's setters: --help, --version,
// --config.file, then every row.
Outcome parse(const Program& program, const Table& table, int argc, const char* const* argv);

// What a program that will not run says: the message (--help, --version) on stdout
// for exit code 0, else (an error) on stderr, ending in a newline. Returns exit_code.
int print_message(int exit_code, const std::string& message);

// "<program>: error: <body on one line>".
std::string error_line(std::string_view program, std::string_view body);
// An Outcome for a usage error: exit 2 and error_line.
Outcome fail(std::string_view program, std::string_view body);

// Setters for the common shapes of values.
Setter path_setter(std::string* target);  // a non-empty path
Setter bool_setter(bool* target);         // true/false, yes/no, on/off, 1/0
// Repeatable non-empty names, trimmed: "an empty <what> is not allowed".
Setter non_empty_list_setter(std::vector<std::string>* target, std::string what);
// The last value, when `check` says "" of it (else its error).
Setter checked_setter(std::string* target, std::function<std::string(const std::string&)> check);
// One of `allowed`, as given.
Setter one_of_setter(std::string* target, std::vector<std::string> allowed);
// "" or "\"x\" is not one of a, b, c".
std::string one_of(const std::string& value, const std::vector<std::string>& allowed);
// "1048576", "512KiB", "1MiB", "10MB", "1G"... -> bytes. nullopt if malformed.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

// "" or what is wrong when the value is not a string (YAML): "<key>: has no value",
// "<key>: expected <want>, got a map".
std::string expect_scalar(const YAML::Node& node, const std::string& key, const char* want);

}  // namespace ndes::settings
