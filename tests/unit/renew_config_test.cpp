// The hook's flags and config file, in the exporter's conventions: defaults, the file
// mirrored by flags (flags win), and one-line errors with exit code 2.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <utility>

#include "renew/hook_config.h"
#include "support/run.h"

namespace ndes::renew {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

HookParseOutcome parse(std::vector<std::string> args, const std::string& host = "NDES01") {
  args.insert(args.begin(), "ndes_renew_hook");
  std::vector<const char*> argv;
  argv.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.c_str());
  }
  return parse_hook_command_line(static_cast<int>(argv.size()), argv.data(), host);
}

HookConfig config(std::vector<std::string> args) {
  const auto out = parse(std::move(args));
  EXPECT_TRUE(out.should_run()) << out.message;
  return out.should_run() ? *out.config : HookConfig{};
}

std::string error(std::vector<std::string> args) {
  const auto out = parse(std::move(args));
  EXPECT_FALSE(out.should_run());
  EXPECT_EQ(out.exit_code, 2);
  EXPECT_EQ(out.message.find('\n'), std::string::npos) << out.message;
  EXPECT_THAT(out.message, StartsWith("ndes_renew_hook: error: "));
  return out.message;
}

const std::vector<std::string> kBase = {"--state.dir=/tmp/x", "--web.auth-token-file=/tmp/t"};

std::vector<std::string> with_base(std::vector<std::string> more) {
  std::vector<std::string> out = kBase;
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

TEST(RenewConfigTest, Defaults) {
  const HookConfig c = config(kBase);
  EXPECT_EQ(c.listen_address, "127.0.0.1:10228");
  EXPECT_EQ(c.mode, Mode::dry_run);
  EXPECT_EQ(c.executor, "windows");
  EXPECT_EQ(c.instance, "ndes01");  // the host name, lower-cased
  EXPECT_THAT(c.alertnames, ElementsAre("NdesCertificateExpiringSoon", "NdesCertificateExpired",
                                        "NdesRaCertificateDuplicate"));
  EXPECT_THAT(c.templates, ElementsAre("CEPEncryption", "EnrollmentAgentOffline"));
  // IIS first (WAS before W3SVC, which depends on it), then every connector service.
  EXPECT_THAT(c.restart_services, ElementsAre("WAS", "W3SVC", "PFXCertificateConnectorSvc",
                                              "PkiCreateConnectorSvc", "PkiRevokeConnectorSvc",
                                              "PfxCreateLegacyConnectorSvc", "PKIConnectorSvc"));
  EXPECT_EQ(c.audit_file, "/tmp/x/audit.log");
  // The whole procedure is the default: a renewal that leaves two valid RA certificates
  // of one template stops NDES at its next start.
  EXPECT_TRUE(c.remove_old_certs);
  EXPECT_TRUE(c.restart_stack);
  EXPECT_TRUE(c.verify_files.empty());
  EXPECT_EQ(c.verify_scep_url, "");
  EXPECT_EQ(c.renew_window_seconds, 30 * 86400);
  EXPECT_EQ(c.command.timeout_seconds, 120);
}

TEST(RenewConfigTest, EveryFlag) {
  const HookConfig c = config(with_base(
      {"--web.listen-address=:9999", "--mode=dry-run", "--ca.config=ca01.corp\\Corp Issuing CA",
       "--service-account=CORP\\gmsa_ndes$", "--remove-old-certs", "--restart-stack",
       "--instance=NDES02.corp.example:10227", "--alerts.names=A,B", "--templates.allowed=X",
       "--templates.allowed=Y", "--restart.services=S1,S2", "--audit.file=/var/log/a.log",
       "--log.level=debug", "--log.format=json", "--verify.files.path=/etc/ra/a.pem",
       "--verify.files.path=/etc/ra/b", "--verify.scep-url=https://ndes01/certsrv/mscep/mscep.dll",
       "--verify.events.xml-dir=/tmp/ev", "--renew.window=10d"}));
  EXPECT_EQ(c.listen_address, ":9999");
  EXPECT_THAT(c.verify_files, ElementsAre("/etc/ra/a.pem", "/etc/ra/b"));
  EXPECT_EQ(c.verify_scep_url, "https://ndes01/certsrv/mscep/mscep.dll");
  EXPECT_EQ(c.verify_events_xml_dir, "/tmp/ev");
  EXPECT_EQ(c.renew_window_seconds, 10 * 86400);
  EXPECT_EQ(c.ca_config, "ca01.corp\\Corp Issuing CA");
  EXPECT_EQ(c.service_account, "CORP\\gmsa_ndes$");
  EXPECT_TRUE(c.remove_old_certs);
  EXPECT_TRUE(c.restart_stack);
  EXPECT_EQ(c.instance, "ndes02.corp.example");  // the port is ignored
  EXPECT_THAT(c.alertnames, ElementsAre("A", "B"));
  EXPECT_THAT(c.templates, ElementsAre("X", "Y"));
  EXPECT_THAT(c.restart_services, ElementsAre("S1", "S2"));
  EXPECT_EQ(c.audit_file, "/var/log/a.log");
  EXPECT_EQ(c.log_format, "json");
}

TEST(RenewConfigTest, TheProcedureOptsOutByName) {
  const HookConfig c = config(with_base({"--no-remove-old-certs", "--no-restart-stack"}));
  EXPECT_FALSE(c.remove_old_certs);
  EXPECT_FALSE(c.restart_stack);
  EXPECT_THAT(error(with_base({"--verify.scep-url=ftp://x/"})),
              HasSubstr("is not an http:// or https:// URL"));
  EXPECT_THAT(error(with_base({"--renew.window=soon"})), HasSubstr("is not a duration"));
}

TEST(RenewConfigTest, TheCommandExecutor) {
  const HookConfig c = config(with_base(
      {"--executor=command", "--mode=execute", "--command.argv=true", "--command.argv={thumbprint}",
       "--command.argv=a,b", "--command.timeout=2m", "--verify.files.path=/etc/ra"}));
  EXPECT_EQ(c.executor, "command");
  EXPECT_EQ(c.mode, Mode::execute);
  // The program is resolved in the clean PATH; commas are not split.
  EXPECT_THAT(c.command.argv, ElementsAre(::testing::EndsWith("/true"), "{thumbprint}", "a,b"));
  EXPECT_EQ(c.command.argv[0].front(), '/');
  EXPECT_EQ(c.command.timeout_seconds, 120);
}

TEST(RenewConfigTest, TheConfigFileMirrorsTheFlags) {
  test::TempDir dir;
  test::write_file(dir / "hook.yml",
                   "web:\n"
                   "  listen-address: 127.0.0.1:1\n"
                   "  auth-token-file: /etc/token\n"
                   "state: {dir: /var/lib/hook}\n"
                   "mode: execute\n"
                   "executor: command\n"
                   "command:\n"
                   "  argv: [/bin/sh, -c, 'echo {thumbprint}']\n"
                   "  timeout: 30s\n"
                   "instance: ndes03\n"
                   "templates: {allowed: [CEPEncryption]}\n"
                   "no-restart-stack: true\n"
                   "verify: {files: {path: [/etc/ra]}}\n"
                   "ca: {config: 'ca\\Corp CA'}\n");
  HookConfig c = config({"--config.file=" + (dir / "hook.yml").string()});
  EXPECT_EQ(c.listen_address, "127.0.0.1:1");
  EXPECT_EQ(c.auth_token_file, "/etc/token");
  EXPECT_EQ(c.state_dir, "/var/lib/hook");
  EXPECT_EQ(c.mode, Mode::execute);
  EXPECT_THAT(c.command.argv, ElementsAre("/bin/sh", "-c", "echo {thumbprint}"));
  EXPECT_EQ(c.command.timeout_seconds, 30);
  EXPECT_EQ(c.instance, "ndes03");
  EXPECT_THAT(c.templates, ElementsAre("CEPEncryption"));
  EXPECT_TRUE(c.remove_old_certs);
  EXPECT_FALSE(c.restart_stack);
  EXPECT_EQ(c.ca_config, "ca\\Corp CA");
  // A flag beats the file.
  c = config(
      {"--config.file=" + (dir / "hook.yml").string(), "--mode=dry-run", "--instance=other"});
  EXPECT_EQ(c.mode, Mode::dry_run);
  EXPECT_EQ(c.instance, "other");
}

TEST(RenewConfigTest, ConfigFileErrorsNameTheKey) {
  test::TempDir dir;
  test::write_file(dir / "a.yml", "state: {dir: /x}\nweb: {auth-token-file: /t}\nmode: yes\n");
  EXPECT_THAT(error({"--config.file=" + (dir / "a.yml").string()}),
              HasSubstr("mode: \"yes\" is not one of dry-run, execute"));
  test::write_file(dir / "b.yml", "nope: 1\n");
  EXPECT_THAT(error({"--config.file=" + (dir / "b.yml").string()}),
              HasSubstr("key nope is not known"));
  test::write_file(dir / "c.yml", "command: {argv: {a: b}}\n");
  EXPECT_THAT(error({"--config.file=" + (dir / "c.yml").string()}),
              HasSubstr("command.argv: expected a string or a list"));
  test::write_file(dir / "d.yml", "web: [\n");
  EXPECT_THAT(error({"--config.file=" + (dir / "d.yml").string()}), HasSubstr("d.yml:"));
  EXPECT_THAT(error({"--config.file=" + (dir / "missing.yml").string()}), HasSubstr("cannot read"));
}

TEST(RenewConfigTest, RefusesToStartWithoutAToken) {
  EXPECT_THAT(error({"--state.dir=/x"}), HasSubstr("--web.auth-token-file is required"));
  const HookConfig c = config({"--state.dir=/x", "--web.insecure-no-auth"});
  EXPECT_TRUE(c.insecure_no_auth);
}

TEST(RenewConfigTest, NeedsAStateDirectory) {
  EXPECT_THAT(error({"--web.insecure-no-auth"}), HasSubstr("--state.dir is required"));
}

TEST(RenewConfigTest, RefusesBadValues) {
  EXPECT_THAT(error(with_base({"--mode=yolo"})), HasSubstr("--mode: \"yolo\" is not one of"));
  EXPECT_THAT(error(with_base({"--executor=shell"})), HasSubstr("--executor"));
  EXPECT_THAT(error(with_base({"--ca.config=no-backslash"})), HasSubstr("<ca-host>\\<ca-name>"));
  EXPECT_THAT(error(with_base({"--ca.config=ca\\Bad\"Name"})), HasSubstr("--ca.config"));
  EXPECT_THAT(error(with_base({"--service-account=svc"})), HasSubstr("DOMAIN\\name"));
  EXPECT_THAT(error(with_base({"--service-account=CORP\\a;b"})), HasSubstr("DOMAIN\\name"));
  EXPECT_THAT(error(with_base({"--instance=a b"})), HasSubstr("not a host name"));
  EXPECT_THAT(error(with_base({"--web.listen-address=nope"})), HasSubstr("has no port"));
  EXPECT_THAT(error(with_base({"--command.timeout=soon"})), HasSubstr("not a duration"));
  EXPECT_THAT(error(with_base({"--bogus=1"})), HasSubstr("unknown flag --bogus"));
}

TEST(RenewConfigTest, TheCommandExecutorNeedsAGoodArgv) {
  EXPECT_THAT(error(with_base({"--executor=command"})), HasSubstr("needs --command.argv"));
  // Execute mode renews only what it has found valid itself: no source, no start.
  EXPECT_THAT(
      error(with_base({"--executor=command", "--command.argv=/bin/true", "--mode=execute"})),
      HasSubstr("needs --verify.files.path"));
  EXPECT_THAT(error(with_base({"--executor=command", "--command.argv=/bin/true",
                               "--command.argv={thumbprnt}"})),
              HasSubstr("unknown placeholder {thumbprnt}"));
  EXPECT_THAT(error(with_base({"--executor=command", "--command.argv=/bin/{template}"})),
              HasSubstr("may not hold a placeholder"));
  EXPECT_THAT(error(with_base({"--executor=command", "--command.argv=no-such-program-xyz"})),
              HasSubstr("not found in the clean PATH"));
}

TEST(RenewConfigTest, TheWindowsExecutorOnlyExecutesOnWindows) {
#ifndef _WIN32
  EXPECT_THAT(error(with_base({"--mode=execute"})), HasSubstr("runs on Windows only"));
#endif
}

TEST(RenewConfigTest, HelpAndVersion) {
  auto out = parse({"--help"});
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_THAT(out.message, HasSubstr("--web.auth-token-file"));
  EXPECT_THAT(out.message, HasSubstr("--command.argv"));
  out = parse({"--version"});
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_THAT(out.message, StartsWith("ndes_renew_hook, version "));
}

TEST(RenewConfigTest, Durations) {
  const std::pair<const char*, std::int64_t> good[] = {
      {"90", 90}, {"120s", 120}, {"5m", 300}, {"1h", 3600}};
  for (const auto& [text, want] : good) {
    EXPECT_EQ(parse_duration_seconds(text), want) << text;
  }
  for (const char* bad : {"0s", "1w", "", "-5"}) {
    EXPECT_FALSE(parse_duration_seconds(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace ndes::renew
