// exporter/config: flags and the YAML file -> ExporterConfig, and the one-line
// errors (exit 2) for everything that is wrong.
#include "exporter/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "exporter/version.h"
#include "support/run.h"
#include "web/http_server.h"

namespace ndes {
namespace {

using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Matcher;
using ::testing::StartsWith;

// Lists of several names use the real `files` and `tls` collectors (the Linux table).

ParseOutcome parse(std::vector<std::string> args) {
  args.insert(args.begin(), "ndes_exporter");
  std::vector<const char*> argv;
  argv.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.c_str());
  }
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

ExporterConfig parse_ok(std::vector<std::string> args) {
  const ParseOutcome out = parse(std::move(args));
  EXPECT_TRUE(out.should_run()) << out.message;
  EXPECT_EQ(out.exit_code, 0);
  return out.config.value_or(ExporterConfig{});
}

// Expects a usage error: exit 2, no config, and exactly one line.
std::string parse_error(std::vector<std::string> args) {
  const ParseOutcome out = parse(std::move(args));
  EXPECT_FALSE(out.should_run());
  EXPECT_EQ(out.exit_code, 2);
  EXPECT_THAT(out.message, StartsWith("ndes_exporter: error: "));
  EXPECT_EQ(out.message.find('\n'), std::string::npos) << out.message;
  return out.message;
}

// Every flag, each with a value other than its default (the second path as a separate
// argument); ConfigFileTest.MirrorsEveryFlag writes the same settings as a file.
std::vector<std::string> every_flag() {
  return {
      "--web.listen-address=127.0.0.1:9100",
      "--web.telemetry-path=/probe-metrics",
      "--collectors.enabled=tls,files",
      "--collector.files.path=/etc/ndes",
      "--collector.files.path",
      "/var/lib/ndes/certs",
      "--collector.files.pkcs12-passphrase-file=/etc/ndes/pfx.pass",
      "--collector.files.max-file-size=512KiB",
      "--collector.files.watch=false",
      "--log.level=debug",
      "--log.format=json",
      "--demo",
      "--demo.dir=/tmp/ndes-demo",
  };
}

class ConfigFileTest : public ::testing::Test {
 protected:
  // Writes `yaml` to <tmp>/config.yml and returns its path.
  std::string write_config(const std::string& yaml, const std::string& name = "config.yml") {
    const auto path = dir_ / name;
    test::write_file(path, yaml);
    return path.string();
  }
  // Expects each config file refused with an error that holds the text paired with it
  // (the file's text names a failure).
  void expect_file_errors(std::initializer_list<std::pair<std::string, std::string>> cases) {
    for (const auto& [yaml, names] : cases) {
      EXPECT_THAT(parse_error({"--config.file=" + write_config(yaml)}), HasSubstr(names)) << yaml;
    }
  }
  test::TempDir dir_{"ndes-config-test"};
};

// ---------------------------------------------------------------------------
// Defaults and flags

TEST(ConfigTest, DefaultsWithoutArguments) {
  const ExporterConfig cfg = parse_ok({});
  EXPECT_EQ(cfg.listen_address, ":10227");
  EXPECT_EQ(cfg.telemetry_path, "/metrics");
  EXPECT_THAT(cfg.collectors_enabled, ElementsAre("files"));
  EXPECT_EQ(cfg.log_level, "info");
  EXPECT_EQ(cfg.log_format, "logfmt");
  EXPECT_TRUE(cfg.files.roots.empty());
  EXPECT_FALSE(cfg.files.pkcs12_passphrase_file.has_value());
  EXPECT_EQ(cfg.files.max_file_size, 1024U * 1024U);
  EXPECT_TRUE(cfg.files.watch);
  EXPECT_TRUE(cfg.template_names.empty());
  EXPECT_FALSE(cfg.demo);
  EXPECT_EQ(cfg.demo_dir, "");
}

TEST(ConfigTest, EveryFlag) {
  const ExporterConfig cfg = parse_ok(every_flag());
  EXPECT_EQ(cfg.listen_address, "127.0.0.1:9100");
  EXPECT_EQ(cfg.telemetry_path, "/probe-metrics");
  EXPECT_THAT(cfg.collectors_enabled, ElementsAre("tls", "files"));
  ASSERT_EQ(cfg.files.roots.size(), 2U);
  EXPECT_EQ(cfg.files.roots[0].path, "/etc/ndes");
  EXPECT_EQ(cfg.files.roots[1].path, "/var/lib/ndes/certs");
  EXPECT_FALSE(cfg.files.roots[0].pkcs12_passphrase_file.has_value());
  EXPECT_EQ(cfg.files.pkcs12_passphrase_file, "/etc/ndes/pfx.pass");
  EXPECT_EQ(cfg.files.max_file_size, 512U * 1024U);
  EXPECT_FALSE(cfg.files.watch);
  EXPECT_EQ(cfg.log_level, "debug");
  EXPECT_EQ(cfg.log_format, "json");
  EXPECT_TRUE(cfg.demo);
  EXPECT_EQ(cfg.demo_dir, "/tmp/ndes-demo");
}

TEST(ConfigTest, CollectorsAreSplitOnCommasAndRepeatable) {
  EXPECT_THAT(parse_ok({"--collectors.enabled=tls"}).collectors_enabled, ElementsAre("tls"));
  EXPECT_THAT(
      parse_ok({"--collectors.enabled=tls", "--collectors.enabled=files"}).collectors_enabled,
      ElementsAre("tls", "files"));
  // Duplicates collapse, order is kept.
  EXPECT_THAT(parse_ok({"--collectors.enabled=files,tls,files"}).collectors_enabled,
              ElementsAre("files", "tls"));
}

TEST(ConfigTest, DemoAddsTheFilesCollector) {
  EXPECT_THAT(parse_ok({"--collectors.enabled=tls", "--demo"}).collectors_enabled,
              ElementsAre("tls", "files"));
  EXPECT_FALSE(parse_ok({"--demo=false"}).demo);
}

TEST(ConfigTest, ListenAddressForms) {
  EXPECT_EQ(parse_ok({"--web.listen-address=:1"}).listen_address, ":1");
  EXPECT_EQ(parse_ok({"--web.listen-address=[::1]:10227"}).listen_address, "[::1]:10227");
  EXPECT_EQ(parse_ok({"--web.listen-address=localhost:10227"}).listen_address, "localhost:10227");
  EXPECT_EQ(parse_ok({"--web.listen-address=0.0.0.0:0"}).listen_address, "0.0.0.0:0");
}

TEST(ConfigTest, LastValueOfASingleFlagWins) {
  EXPECT_EQ(parse_ok({"--log.level=debug", "--log.level=warn"}).log_level, "warn");
}

TEST(ConfigTest, HelpAndVersionExitZero) {
  const ParseOutcome help = parse({"--help"});
  EXPECT_FALSE(help.should_run());
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag :
       {"--web.listen-address", "--web.telemetry-path", "--config.file", "--collectors.enabled",
        "--collector.files.path", "--collector.files.pkcs12-passphrase-file",
        "--collector.files.max-file-size", "--collector.files.watch", "--log.level", "--log.format",
        "--demo", "--demo.dir", "--version"}) {
    EXPECT_THAT(help.message, HasSubstr(flag));
  }
  EXPECT_THAT(help.message, HasSubstr(":10227"));

  const ParseOutcome version = parse({"--version"});
  EXPECT_FALSE(version.should_run());
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.message, StartsWith("ndes_exporter, version "));
  EXPECT_THAT(version.message, HasSubstr(exporter_build_info().version));
  EXPECT_THAT(version.message, HasSubstr(platform_string()));
}

// ---------------------------------------------------------------------------
// Flag errors

TEST(ConfigTest, BadLogLevelNamesTheFlag) {
  EXPECT_EQ(parse_error({"--log.level=loud"}),
            "ndes_exporter: error: --log.level: \"loud\" is not one of debug, info, warn, error");
}

TEST(ConfigTest, BadValuesNameTheFlag) {
  // Each case: one flag and what its error says (the flag names a failure).
  const std::pair<const char*, Matcher<const std::string&>> cases[] = {
      {"--log.format=xml",
       Eq("ndes_exporter: error: --log.format: \"xml\" is not one of logfmt, json")},
      {"--collectors.enabled=files,nosuch",
       StartsWith("ndes_exporter: error: --collectors.enabled: \"nosuch\" is not a known "
                  "collector (known: ")},
      {"--collectors.enabled=", StartsWith("ndes_exporter: error: --collectors.enabled: ")},
      {"--web.listen-address=localhost",
       StartsWith("ndes_exporter: error: --web.listen-address: \"localhost\" has no port")},
      {"--web.listen-address=10227",
       StartsWith("ndes_exporter: error: --web.listen-address: \"10227\" has no port")},
      {"--web.listen-address=:99999",
       StartsWith("ndes_exporter: error: --web.listen-address: \":99999\" has an invalid "
                  "port")},
      {"--web.listen-address=:",
       StartsWith("ndes_exporter: error: --web.listen-address: \":\" has no port")},
      {"--web.listen-address=[::1:80", StartsWith("ndes_exporter: error: --web.listen-address: ")},
      {"--web.telemetry-path=metrics",
       StartsWith("ndes_exporter: error: --web.telemetry-path: \"metrics\" must start "
                  "with /")},
      {"--web.telemetry-path=/", StartsWith("ndes_exporter: error: --web.telemetry-path: ")},
      {"--web.max-connections=0",
       HasSubstr("--web.max-connections: \"0\" is not a number from 1 to 99999")},
      {"--collector.files.watch=sometimes", HasSubstr("--collector.files.watch")},
      {"--collector.files.max-file-size=lots",
       StartsWith("ndes_exporter: error: --collector.files.max-file-size: \"lots\" is not "
                  "a size")},
      {"--collector.files.max-file-size=0",
       StartsWith("ndes_exporter: error: --collector.files.max-file-size: \"0\" must be "
                  "more than 0")},
      {"--collector.files.path=", StartsWith("ndes_exporter: error: --collector.files.path: ")},
      {"--demo=maybe", HasSubstr("--demo")},
  };
  for (const auto& [flag, says] : cases) {
    EXPECT_THAT(parse_error({flag}), says) << flag;
  }
  EXPECT_EQ(parse_ok({"--web.max-connections=300"}).web_max_connections, 300);
  EXPECT_EQ(parse_ok({}).web_max_connections, 128);
}

TEST(ConfigTest, UnknownFlagsAndArguments) {
  EXPECT_EQ(parse_error({"--web.listen-adress=:1"}),
            "ndes_exporter: error: unknown flag --web.listen-adress (see --help)");
  EXPECT_THAT(parse_error({"serve"}),
              StartsWith("ndes_exporter: error: unexpected argument \"serve\""));
  // A repeatable flag takes one value per occurrence.
  EXPECT_THAT(parse_error({"--collector.files.path", "/a", "/b"}),
              StartsWith("ndes_exporter: error: unexpected argument \"/b\""));
  EXPECT_THAT(parse_error({"--log.level"}), HasSubstr("--log.level"));
}

TEST(ConfigTest, MissingConfigFileNamesTheFlag) {
  EXPECT_THAT(parse_error({"--config.file=/nonexistent/ndes/config.yml"}),
              StartsWith("ndes_exporter: error: --config.file: cannot read "
                         "\"/nonexistent/ndes/config.yml\": "));
}

// ---------------------------------------------------------------------------
// The config file

TEST_F(ConfigFileTest, MirrorsEveryFlag) {
  const std::string path = write_config(R"(
web:
  listen-address: "127.0.0.1:9100"
  telemetry-path: /probe-metrics
collectors:
  enabled: [tls, files]
collector:
  files:
    path:
      - /etc/ndes
      - /var/lib/ndes/certs
    pkcs12-passphrase-file: /etc/ndes/pfx.pass
    max-file-size: 512KiB
    watch: false
log:
  level: debug
  format: json
demo:
  enabled: true
  dir: /tmp/ndes-demo
)");
  const ExporterConfig from_file = parse_ok({"--config.file=" + path});
  const ExporterConfig from_flags = parse_ok(every_flag());
  EXPECT_EQ(from_file.listen_address, from_flags.listen_address);
  EXPECT_EQ(from_file.telemetry_path, from_flags.telemetry_path);
  EXPECT_EQ(from_file.collectors_enabled, from_flags.collectors_enabled);
  ASSERT_EQ(from_file.files.roots.size(), 2U);
  EXPECT_EQ(from_file.files.roots[0].path, "/etc/ndes");
  EXPECT_EQ(from_file.files.roots[1].path, "/var/lib/ndes/certs");
  EXPECT_EQ(from_file.files.pkcs12_passphrase_file, from_flags.files.pkcs12_passphrase_file);
  EXPECT_EQ(from_file.files.max_file_size, from_flags.files.max_file_size);
  EXPECT_FALSE(from_file.files.watch);
  EXPECT_FALSE(from_flags.files.watch);
  EXPECT_EQ(from_file.log_level, from_flags.log_level);
  EXPECT_EQ(from_file.log_format, from_flags.log_format);
  EXPECT_EQ(from_file.demo, from_flags.demo);
  EXPECT_EQ(from_file.demo_dir, from_flags.demo_dir);
}

TEST_F(ConfigFileTest, ScalarFormsAndNumbers) {
  const std::string path = write_config(R"(
collectors: {enabled: "files, tls"}
collector: {files: {path: /srv/pki, max-file-size: 2048}}
demo: yes
)");
  const ExporterConfig cfg = parse_ok({"--config.file", path});
  EXPECT_THAT(cfg.collectors_enabled, ElementsAre("files", "tls"));
  ASSERT_EQ(cfg.files.roots.size(), 1U);
  EXPECT_EQ(cfg.files.roots[0].path, "/srv/pki");
  EXPECT_EQ(cfg.files.max_file_size, 2048U);
  EXPECT_TRUE(cfg.demo);
}

TEST_F(ConfigFileTest, PathEntriesMayCarryAPassphraseFile) {
  const std::string path = write_config(R"(
collector:
  files:
    pkcs12-passphrase-file: /etc/ndes/default.pass
    path:
      - /etc/ndes/pem
      - path: /etc/ndes/pfx
        pkcs12_passphrase_file: /etc/ndes/pfx.pass
      - {path: /etc/ndes/other}
)");
  const ExporterConfig cfg = parse_ok({"--config.file=" + path});
  ASSERT_EQ(cfg.files.roots.size(), 3U);
  EXPECT_EQ(cfg.files.roots[0].path, "/etc/ndes/pem");
  EXPECT_FALSE(cfg.files.roots[0].pkcs12_passphrase_file.has_value());
  EXPECT_EQ(cfg.files.roots[1].path, "/etc/ndes/pfx");
  EXPECT_EQ(cfg.files.roots[1].pkcs12_passphrase_file, "/etc/ndes/pfx.pass");
  EXPECT_EQ(cfg.files.roots[2].path, "/etc/ndes/other");
  EXPECT_FALSE(cfg.files.roots[2].pkcs12_passphrase_file.has_value());
  EXPECT_EQ(cfg.files.pkcs12_passphrase_file, "/etc/ndes/default.pass");
}

TEST_F(ConfigFileTest, TemplatesFillTemplateNames) {
  const std::string path = write_config(R"(
templates:
  "1.3.6.1.4.1.311.21.8.1.2.3": NDES-SSL
  1.3.6.1.4.1.311.21.8.4.5.6: "Intune Connector"
)");
  const ExporterConfig cfg = parse_ok({"--config.file=" + path});
  ASSERT_EQ(cfg.template_names.size(), 2U);
  EXPECT_EQ(cfg.template_names.at("1.3.6.1.4.1.311.21.8.1.2.3"), "NDES-SSL");
  EXPECT_EQ(cfg.template_names.at("1.3.6.1.4.1.311.21.8.4.5.6"), "Intune Connector");
}

TEST_F(ConfigFileTest, EmptyFileAndEmptySectionsKeepDefaults) {
  EXPECT_EQ(parse_ok({"--config.file=" + write_config("")}).listen_address, ":10227");
  const ExporterConfig cfg = parse_ok({"--config.file=" + write_config("web:\nlog:\n")});
  EXPECT_EQ(cfg.listen_address, ":10227");
  EXPECT_EQ(cfg.log_level, "info");
}

TEST_F(ConfigFileTest, FlagBeatsFile) {
  const std::string path = write_config(R"(
web: {listen-address: ":9999", telemetry-path: /from-file}
log: {level: debug}
collector: {files: {path: [/from/file/a, /from/file/b]}}
)");
  const ExporterConfig cfg = parse_ok(
      {"--web.listen-address=:1234", "--config.file=" + path, "--collector.files.path=/from/flag"});
  EXPECT_EQ(cfg.listen_address, ":1234");       // flag
  EXPECT_EQ(cfg.telemetry_path, "/from-file");  // file
  EXPECT_EQ(cfg.log_level, "debug");            // file
  // A list flag replaces the file's list.
  ASSERT_EQ(cfg.files.roots.size(), 1U);
  EXPECT_EQ(cfg.files.roots[0].path, "/from/flag");
}

TEST_F(ConfigFileTest, UnknownKeyIsNamed) {
  const std::string path = write_config("web:\n  listen-adress: \":9999\"\n");
  EXPECT_EQ(parse_error({"--config.file=" + path}),
            "ndes_exporter: error: " + path + ": key web.listen-adress is not known");
}

TEST_F(ConfigFileTest, UnknownKeysAtEveryLevel) {
  expect_file_errors({
      {"listen-address: \":1\"\n", ": key listen-address is not known"},
      {"collector: {files: {paths: [/a]}}", ": key collector.files.paths is not known"},
      {"collector: {nosuch: {}}", ": key collector.nosuch is not known"},
      {"collector: {files: {path: [{path: /a, passphrase: x}]}}",
       ": key collector.files.path[0].passphrase is not known"},
      // Command-line-only flags are not config keys.
      {"config: {file: /x}", ": key config is not known"},
  });
}

TEST_F(ConfigFileTest, WrongTypesAreNamed) {
  expect_file_errors({
      {"web: [a, b]", ": web: expected a map, got a list"},
      {"log: {level: [debug]}", ": log.level: expected a string, got a list"},
      {"web: {listen-address: }", ": web.listen-address: has no value"},
      {"collector: {files: {path: [[/a]]}}", ": collector.files.path[0]: expected a path or a map"},
      {"collector: {files: {path: [{}]}}", ": collector.files.path[0]: has no path"},
      {"templates: [a]", ": templates: expected a map"},
      {"templates: {abc: Name}", ": templates: \"abc\" is not a dotted OID"},
      {"templates: {1.2.3: {a: b}}", ": templates.1.2.3: expected a template name, got a map"},
      {"- a\n- b\n", ": expected a map at the top level"},
  });
}

TEST_F(ConfigFileTest, BadValuesAreNamed) {
  const std::string path = write_config("log:\n  level: loud\n");
  EXPECT_EQ(parse_error({"--config.file=" + path}),
            "ndes_exporter: error: " + path +
                ": log.level: \"loud\" is not one of debug, info, warn, error");
  expect_file_errors({
      {"collectors: {enabled: [nosuch]}",
       ": collectors.enabled: \"nosuch\" is not a known collector"},
      {"web: {listen-address: myhost}", ": web.listen-address: \"myhost\" has no port"},
      {"demo: perhaps", ": demo: \"perhaps\" is not true or false"},
  });
}

TEST_F(ConfigFileTest, AFlagDoesNotHideABadFile) {
  // The file is read in full even where flags override it.
  const std::string path = write_config("log: {level: loud}");
  EXPECT_THAT(parse_error({"--config.file=" + path, "--log.level=info"}),
              HasSubstr(": log.level: \"loud\""));
}

TEST_F(ConfigFileTest, SyntaxErrorGivesFileAndLine) {
  const std::string path = write_config("web:\n  listen-address: \":1\n  other: [\n");
  EXPECT_THAT(parse_error({"--config.file=" + path}),
              StartsWith("ndes_exporter: error: " + path + ":"));
}

TEST_F(ConfigFileTest, RenewHookFlagsAndTheirYamlTwins) {
  ExporterConfig cfg = parse_ok({"--renew-hook.url=http://127.0.0.1:10228",
                                 "--renew-hook.auth-token-file=/etc/ndes/hook.token"});
  EXPECT_EQ(cfg.renew_hook.url, "http://127.0.0.1:10228");
  EXPECT_EQ(cfg.renew_hook.auth_token_file, "/etc/ndes/hook.token");
  cfg = parse_ok({"--config.file=" +
                  write_config("renew-hook:\n  url: http://[::1]:10228\n  auth-token-file: /t\n")});
  EXPECT_EQ(cfg.renew_hook.url, "http://[::1]:10228");
  EXPECT_EQ(cfg.renew_hook.auth_token_file, "/t");

  EXPECT_THAT(parse_error({"--renew-hook.url=https://h:1"}),
              HasSubstr("--renew-hook.url: \"https://h:1\" must start with http://"));
  EXPECT_THAT(parse_error({"--config.file=" + write_config("renew-hook: {url: 'h:1'}")}),
              HasSubstr(": renew-hook.url: \"h:1\" must start with http://"));
}

// ---------------------------------------------------------------------------
// Listen addresses (shared with the HTTP server)

TEST(ListenAddressTest, ParsesTheThreeForms) {
  std::string err;
  auto a = parse_listen_address(":10227", &err);
  ASSERT_TRUE(a.has_value()) << err;
  EXPECT_EQ(a->host, "");
  EXPECT_EQ(a->port, 10227);
  EXPECT_EQ(to_civetweb_ports(*a, false), "10227");
  EXPECT_EQ(to_civetweb_ports(*a, true), "+10227");

  a = parse_listen_address("127.0.0.1:9100", &err);
  ASSERT_TRUE(a.has_value()) << err;
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_FALSE(a->ipv6);
  EXPECT_EQ(to_civetweb_ports(*a, true), "127.0.0.1:9100");

  a = parse_listen_address("[::1]:10227", &err);
  ASSERT_TRUE(a.has_value()) << err;
  EXPECT_EQ(a->host, "::1");
  EXPECT_TRUE(a->ipv6);
  EXPECT_EQ(to_civetweb_ports(*a, true), "[::1]:10227");

  a = parse_listen_address("localhost:8080", &err);
  ASSERT_TRUE(a.has_value()) << err;
  EXPECT_EQ(to_civetweb_ports(*a, true), "127.0.0.1:8080");
}

TEST(ListenAddressTest, Rejects) {
  for (const char* bad : {"", "10227", "localhost", ":", ":http", ":-1", ":65536", "::1:80",
                          "[::1]", "[::1]80", "[nope]:80", "a b:80"}) {
    std::string err;
    EXPECT_FALSE(parse_listen_address(bad, &err).has_value()) << bad;
    EXPECT_FALSE(err.empty()) << bad;
  }
}

}  // namespace
}  // namespace ndes
