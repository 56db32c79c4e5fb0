// exporter/collector_table: one row per collector of this platform, the defaults said
// once, every collector's settings in --help, and every row makes its collector.
#include "exporter/collector_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "exporter/config.h"

namespace ndes {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string help_text() {
  const char* argv[] = {"ndes_exporter", "--help"};
  return parse_command_line(2, argv).message;
}

TEST(CollectorTableTest, EveryNameIsUniqueAndEveryRowIsComplete) {
  std::set<std::string> names;
  for (const auto& row : collector_table()) {
    EXPECT_TRUE(names.insert(row.name).second) << row.name << " is in the table twice";
    EXPECT_FALSE(row.platforms.empty()) << row.name;
    EXPECT_TRUE(row.create) << row.name;
    EXPECT_EQ(find_collector(row.name), &row);
  }
  EXPECT_EQ(find_collector("no-such-collector"), nullptr);
  EXPECT_EQ(collector_names(), std::vector<std::string>(names.begin(), names.end()));
}

TEST(CollectorTableTest, TheDefaultsAreTheDefaultOnRowsAndWhatHelpAndParsingSay) {
  std::vector<std::string> on;
  for (const auto& row : collector_table()) {
    if (row.default_on) {
      on.push_back(row.name);
    }
  }
  EXPECT_EQ(default_collectors(), on);
#ifdef _WIN32
  EXPECT_THAT(on, ElementsAre("certstore"));
#else
  EXPECT_THAT(on, ElementsAre("files"));
#endif
  const char* argv[] = {"ndes_exporter"};
  const ParseOutcome out = parse_command_line(1, argv);
  ASSERT_TRUE(out.should_run()) << out.message;
  EXPECT_EQ(out.config->collectors_enabled, on);
  EXPECT_THAT(help_text(), HasSubstr("--collectors.enabled NAMES=" + on.front() + " "));
}

TEST(CollectorTableTest, HelpListsTheSettingsOfEveryCollector) {
  const std::string help = help_text();
  ExporterConfig cfg;
  std::size_t rows = 0;
  for (const auto& row : collector_table()) {
    if (!row.settings) {
      continue;
    }
    for (const auto& setting : row.settings(cfg)) {
      ++rows;
      EXPECT_THAT(setting.key, ::testing::StartsWith("collector." + row.name + "."));
      const std::string flag = "  --" + setting.key;
      EXPECT_TRUE(help.find(flag + " ") != std::string::npos ||
                  help.find(flag + "=") != std::string::npos)
          << flag << " is not in --help";
    }
  }
  EXPECT_GT(rows, 0U);
  EXPECT_EQ(collector_settings(cfg).size(), rows);
}

TEST(CollectorTableTest, EveryRowMakesItsCollectorUnderItsName) {
  const ExporterConfig cfg;
  for (const auto& row : collector_table()) {
#ifdef _WIN32
    if (row.name == "certstore") {
      continue;  // reads the IIS config at construction: tests/windows covers it
    }
#endif
    const auto collector = create_collector(row.name, cfg);
    ASSERT_NE(collector, nullptr) << row.name;
    EXPECT_EQ(collector->name(), row.name);
  }
  EXPECT_THROW(create_collector("no-such-collector", cfg), std::invalid_argument);
}

}  // namespace
}  // namespace ndes
