// base/settings: one table of settings, each a flag and a config-file key; the file
// first, then the flags; one-line errors. Tested on a small config of its own, so
// the engine is seen apart from either binary's rows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <utility>
#include <vector>

#include "base/settings.h"
#include "support/run.h"

namespace ndes::settings {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

struct Toy {
  std::string name = "none";
  std::vector<std::string> tags;
  std::vector<std::string> args;
  bool loud = false;
  std::string loud_dir;
  std::string section_seen;
};

Table toy_table(Toy& toy) {
  return {
      {"toy.name", Kind::text, "NAME", "The name", "none", path_setter(&toy.name), nullptr},
      {"toy.tags", Kind::names, "TAGS", "Tags, comma-separated", "",
       non_empty_list_setter(&toy.tags, "tag"), nullptr},
      {"toy.arg", Kind::list, "ARG", "One argument per flag", "",
       [&toy](const Values& v) {
         toy.args = v;
         return std::string();
       },
       nullptr},
      {"loud", Kind::flag, "", "Be loud", "", bool_setter(&toy.loud), nullptr},
      {"loud.dir", Kind::text, "DIR", "Where to be loud", "", path_setter(&toy.loud_dir), nullptr},
      {"extra", Kind::section, "", "", "", nullptr,
       [&toy](const YAML::Node& node, const std::string& key) {
         toy.section_seen = key + "=" + (node.IsMap() ? "map" : "other");
         return std::string();
       }},
  };
}

struct Parsed {
  Outcome outcome;
  Toy toy;
};

Parsed parse_toy(std::vector<std::string> args, std::string check_error = "") {
  Parsed out;
  args.insert(args.begin(), "toy");
  std::vector<const char*> argv;
  for (const auto& a : args) {
    argv.push_back(a.c_str());
  }
  const Program program{"toy", "A toy program.", "toy, version 1",
                        [check_error] { return check_error; }};
  out.outcome = parse(program, toy_table(out.toy), static_cast<int>(argv.size()), argv.data());
  return out;
}

class SettingsFileTest : public ::testing::Test {
 protected:
  std::string file(const std::string& yaml) {
    const auto path = dir_ / "toy.yml";
    test::write_file(path, yaml);
    return path.string();
  }
  test::TempDir dir_;
};

TEST(SettingsTest, FlagsFillTheRowsAndKindsSplitAsTheySay) {
  const Parsed p = parse_toy({"--toy.name=a", "--toy.name=b", "--toy.tags=x,y", "--toy.tags=z",
                              "--toy.arg=1,2", "--toy.arg=3", "--loud"});
  ASSERT_TRUE(p.outcome.run) << p.outcome.message;
  EXPECT_EQ(p.toy.name, "b");  // the last one wins
  EXPECT_THAT(p.toy.tags, ElementsAre("x", "y", "z"));
  EXPECT_THAT(p.toy.args, ElementsAre("1,2", "3"));  // a list is not split on commas
  EXPECT_TRUE(p.toy.loud);
}

TEST(SettingsTest, ErrorsAreOneLineNamingTheFlag) {
  const Parsed p = parse_toy({"--toy.name", ""});
  EXPECT_FALSE(p.outcome.run);
  EXPECT_EQ(p.outcome.exit_code, 2);
  EXPECT_EQ(p.outcome.message, "toy: error: --toy.name: an empty path is not allowed");
  EXPECT_EQ(parse_toy({"--toy.tags=a", "--toy.tags= "}).outcome.message,
            "toy: error: --toy.tags: an empty tag is not allowed");
  EXPECT_EQ(parse_toy({"--toy.nme=a"}).outcome.message,
            "toy: error: unknown flag --toy.nme (see --help)");
  EXPECT_EQ(parse_toy({"stray"}).outcome.message,
            "toy: error: unexpected argument \"stray\" (flags take the form --name=value)");
  EXPECT_EQ(error_line("toy", "two\nlines\n"), "toy: error: two lines");
}

TEST(SettingsTest, HelpListsEveryFlagButNoSectionAndVersionSaysItsLine) {
  const Parsed help = parse_toy({"--help"});
  EXPECT_FALSE(help.outcome.run);
  EXPECT_EQ(help.outcome.exit_code, 0);
  for (const char* flag : {"--config.file", "--version", "--toy.name", "--toy.tags", "--toy.arg",
                           "--loud", "--loud.dir"}) {
    EXPECT_THAT(help.outcome.message, HasSubstr(flag));
  }
  EXPECT_THAT(help.outcome.message, HasSubstr("A toy program."));
  EXPECT_THAT(help.outcome.message, Not(HasSubstr("--extra")));
  const Parsed version = parse_toy({"--version"});
  EXPECT_EQ(version.outcome.exit_code, 0);
  EXPECT_EQ(version.outcome.message, "toy, version 1\n");
}

TEST_F(SettingsFileTest, TheFileFollowsTheKeyPathsAndFlagsBeatIt) {
  const std::string path = file(R"(
toy:
  name: from-file
  tags: [a, "b,c"]
  arg: single
loud: {enabled: true, dir: /tmp/x}
extra: {anything: [1, 2]}
)");
  const Parsed p = parse_toy({"--config.file=" + path, "--toy.name=from-flag"});
  ASSERT_TRUE(p.outcome.run) << p.outcome.message;
  EXPECT_EQ(p.toy.name, "from-flag");
  EXPECT_THAT(p.toy.tags, ElementsAre("a", "b,c"));  // a YAML list is taken as it is
  EXPECT_THAT(p.toy.args, ElementsAre("single"));
  EXPECT_TRUE(p.toy.loud);
  EXPECT_EQ(p.toy.loud_dir, "/tmp/x");
  EXPECT_EQ(p.toy.section_seen, "extra=map");
}

TEST_F(SettingsFileTest, FileErrorsNameTheFileAndTheKey) {
  const auto error = [&](const std::string& yaml) {
    return parse_toy({"--config.file=" + file(yaml)}).outcome.message;
  };
  const std::string path = (dir_ / "toy.yml").string();
  EXPECT_EQ(error("toy: {nme: a}"), "toy: error: " + path + ": key toy.nme is not known");
  EXPECT_EQ(error("toy: [a]"), "toy: error: " + path + ": toy: expected a map, got a list");
  EXPECT_EQ(error("toy: {name: [a]}"),
            "toy: error: " + path + ": toy.name: expected a string, got a list");
  EXPECT_EQ(error("toy: {tags: []}"), "toy: error: " + path + ": toy.tags: the list is empty");
  EXPECT_EQ(error("toy: {name: }"), "toy: error: " + path + ": toy.name: has no value");
  EXPECT_EQ(error("toy: {name: \"\"}"),
            "toy: error: " + path + ": toy.name: an empty path is not allowed");
  EXPECT_EQ(error("- a"), "toy: error: " + path + ": expected a map at the top level, got a list");
  // A section is a top-level key only.
  EXPECT_EQ(error("toy: {extra: {}}"), "toy: error: " + path + ": key toy.extra is not known");
  EXPECT_THAT(error("toy: {name: [a"), HasSubstr(path + ":1:"));
}

TEST_F(SettingsFileTest, TheFileCheckRunsAfterTheFileAndNamesIt) {
  const std::string path = file("toy: {name: a}\n");
  EXPECT_EQ(parse_toy({"--config.file=" + path}, "it is wrong").outcome.message,
            "toy: error: " + path + ": it is wrong");
  // Without a file there is nothing to check.
  EXPECT_TRUE(parse_toy({}, "it is wrong").outcome.run);
}

TEST(SettingsTest, AMissingFileIsAnError) {
  const Parsed p = parse_toy({"--config.file=/nonexistent/toy.yml"});
  EXPECT_THAT(p.outcome.message,
              HasSubstr("toy: error: --config.file: cannot read \"/nonexistent/toy.yml\": "));
  EXPECT_EQ(parse_toy({"--config.file", ""}).outcome.message,
            "toy: error: --config.file: an empty path is not allowed");
}

TEST(SettingsTest, SetterShapes) {
  std::string level;
  const Setter set = one_of_setter(&level, {"debug", "info"});
  EXPECT_EQ(set({"loud"}), "\"loud\" is not one of debug, info");
  EXPECT_EQ(level, "");
  EXPECT_EQ(set({"info"}), "");
  EXPECT_EQ(level, "info");
  std::vector<std::string> names;
  EXPECT_EQ(non_empty_list_setter(&names, "name")({"a", " "}), "an empty name is not allowed");
  EXPECT_EQ(non_empty_list_setter(&names, "name")({" a ", "b"}), "");
  EXPECT_THAT(names, ElementsAre("a", "b"));
}

// Moved from config_test with parse_byte_size (--collector.files.max-file-size and
// the probe modules' body limit use it).
TEST(SettingsTest, ByteSizes) {
  const std::pair<const char*, std::uint64_t> good[] = {
      {"1048576", 1048576U}, {"1MiB", 1048576U},  {"1mib", 1048576U},
      {"512KiB", 524288U},   {"10MB", 10000000U}, {"2 GiB", 2ULL * 1024 * 1024 * 1024},
      {"100B", 100U}};
  for (const auto& [text, want] : good) {
    EXPECT_EQ(parse_byte_size(text), want) << text;
  }
  for (const char* bad :
       {"", "MiB", "1.5MiB", "-1", "1 parsec", "99999999999999999999", "18446744073709551615GiB"}) {
    EXPECT_FALSE(parse_byte_size(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace ndes::settings
