// The renewal plan: the INF bytes, and every step's argv and command line, exactly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "renew/placeholders.h"
#include "renew/plan.h"

namespace ndes::renew {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kThumbprint = "0123456789ABCDEF0123456789ABCDEF01234567";

RenewTarget target() {
  RenewTarget t;
  t.thumbprint = kThumbprint;
  t.template_name = "EnrollmentAgentOffline";
  t.role = "enrollment_agent";
  t.instance = "ndes01.corp.example";
  t.instance_label = "ndes01.corp.example:10227";
  t.alertname = "NdesCertificateExpired";
  return t;
}

PlanConfig windows_config() {
  PlanConfig c;
  c.executor = "windows";
  c.work_dir = "C:\\ProgramData\\ndes_renew_hook\\renewals\\r7";
  c.ca_config = "ca01.corp.example\\Corp Issuing CA";
  c.system32 = "C:\\Windows\\System32";
  c.service_account = "CORP\\svc_ndes";
  c.remove_old_certs = true;
  c.restart_stack = true;
  c.restart_services = {"WAS", "W3SVC", "PFXCertificateConnectorSvc"};
  c.backup_dir = "C:\\ProgramData\\ndes_renew_hook\\backups\\r7";
  c.scep_url = "https://ndes01.corp.example/certsrv/mscep/mscep.dll";
  return c;
}

const PlannedStep& step(const Plan& plan, const std::string& name) {
  for (const auto& s : plan.steps) {
    if (s.name == name) {
      return s;
    }
  }
  throw std::runtime_error("no step " + name);
}

TEST(RenewPlanTest, TheInfIsExactlyFiveCrlfLines) {
  EXPECT_EQ(renewal_inf(kThumbprint),
            "[Version]\r\n"
            "Signature=\"$Windows NT$\"\r\n"
            "[NewRequest]\r\n"
            "RenewalCert=\"0123456789ABCDEF0123456789ABCDEF01234567\"\r\n"
            "MachineKeySet=TRUE\r\n");
  const std::string inf = renewal_inf(kThumbprint);
  EXPECT_EQ(std::count(inf.begin(), inf.end(), '\n'), 5);
  EXPECT_EQ(std::count(inf.begin(), inf.end(), '\r'), 5);
  EXPECT_EQ(inf.size(), 11U + 26U + 14U + 56U + 20U);
}

TEST(RenewPlanTest, TheWindowsPlanHasTheStepsInOrder) {
  const Plan plan = build_plan(target(), "r7", windows_config());
  std::vector<std::string> names;
  for (const auto& s : plan.steps) {
    names.push_back(s.name);
  }
  // The SCEP check comes before the event check: its first request is what loads NDES.
  EXPECT_THAT(names, ElementsAre("write_inf", "certreq_new", "certreq_submit", "certreq_accept",
                                 "verify_new_cert", "grant_key_read", "remove_superseded",
                                 "restart_services", "check_scep", "check_ndes_event"));
  for (const auto& s : plan.steps) {
    EXPECT_EQ(s.skip_reason, "") << s.name;
  }
}

TEST(RenewPlanTest, WritesTheInfIntoTheWorkDirectory) {
  const Plan plan = build_plan(target(), "r7", windows_config());
  const PlannedStep& write = step(plan, "write_inf");
  EXPECT_EQ(write.kind, StepKind::write_file);
  EXPECT_EQ(write.path, "C:\\ProgramData\\ndes_renew_hook\\renewals\\r7\\renewal.inf");
  EXPECT_EQ(write.content, renewal_inf(kThumbprint));
  EXPECT_EQ(plan.inf, renewal_inf(kThumbprint));
}

TEST(RenewPlanTest, CertreqArgvAndCommandLines) {
  const Plan plan = build_plan(target(), "r7", windows_config());
  const std::string dir = "C:\\ProgramData\\ndes_renew_hook\\renewals\\r7\\";
  const std::string certreq = "C:\\Windows\\System32\\certreq.exe";

  const PlannedStep& create = step(plan, "certreq_new");
  EXPECT_EQ(create.kind, StepKind::run);
  EXPECT_THAT(create.argv,
              ElementsAre(certreq, "-f", "-q", "-new", dir + "renewal.inf", dir + "renewal.req"));
  EXPECT_EQ(create.command_line,
            "C:\\Windows\\System32\\certreq.exe -f -q -new "
            "C:\\ProgramData\\ndes_renew_hook\\renewals\\r7\\renewal.inf "
            "C:\\ProgramData\\ndes_renew_hook\\renewals\\r7\\renewal.req");

  const PlannedStep& submit = step(plan, "certreq_submit");
  EXPECT_EQ(submit.kind, StepKind::submit_request);  // its output is read, not only its exit
  EXPECT_EQ(submit.params.at("ca_config"), "ca01.corp.example\\Corp Issuing CA");
  EXPECT_THAT(submit.argv, ElementsAre(certreq, "-f", "-q", "-submit", "-config",
                                       "ca01.corp.example\\Corp Issuing CA", dir + "renewal.req",
                                       dir + "renewal.cer"));
  EXPECT_EQ(submit.command_line,
            "C:\\Windows\\System32\\certreq.exe -f -q -submit -config "
            "\"ca01.corp.example\\Corp Issuing CA\" "
            "C:\\ProgramData\\ndes_renew_hook\\renewals\\r7\\renewal.req "
            "C:\\ProgramData\\ndes_renew_hook\\renewals\\r7\\renewal.cer");

  const PlannedStep& accept = step(plan, "certreq_accept");
  EXPECT_THAT(accept.argv, ElementsAre(certreq, "-q", "-accept", "-machine", dir + "renewal.cer"));
  EXPECT_EQ(accept.command_line,
            "C:\\Windows\\System32\\certreq.exe -q -accept -machine "
            "C:\\ProgramData\\ndes_renew_hook\\renewals\\r7\\renewal.cer");
  for (const auto* s : {&create, &submit, &accept}) {
    EXPECT_EQ(s->timeout_seconds, 300) << s->name;
  }
}

TEST(RenewPlanTest, TheStepsAfterCertreq) {
  const Plan plan = build_plan(target(), "r7", windows_config());
  const PlannedStep& verify = step(plan, "verify_new_cert");
  EXPECT_EQ(verify.kind, StepKind::verify_new_cert);
  EXPECT_EQ(verify.params.at("old_thumbprint"), kThumbprint);
  EXPECT_EQ(verify.params.at("template"), "EnrollmentAgentOffline");
  EXPECT_EQ(verify.params.at("cer"), "C:\\ProgramData\\ndes_renew_hook\\renewals\\r7\\renewal.cer");
  EXPECT_TRUE(verify.argv.empty());

  EXPECT_EQ(verify.params.at("role"), "enrollment_agent");
  EXPECT_EQ(step(plan, "grant_key_read").params.at("account"), "CORP\\svc_ndes");
  EXPECT_EQ(step(plan, "grant_key_read").params.at("role"), "enrollment_agent");
  const PlannedStep& remove = step(plan, "remove_superseded");
  EXPECT_EQ(remove.params.at("templates"), "EnrollmentAgentOffline");
  EXPECT_EQ(remove.params.at("backup_dir"), "C:\\ProgramData\\ndes_renew_hook\\backups\\r7");
  EXPECT_EQ(step(plan, "restart_services").params.at("services"),
            "WAS,W3SVC,PFXCertificateConnectorSvc");
  const PlannedStep& scep = step(plan, "check_scep");
  EXPECT_EQ(scep.params.at("url"), "https://ndes01.corp.example/certsrv/mscep/mscep.dll");
  EXPECT_EQ(scep.params.at("thumbprints"), "");  // the new certificates, from the run's facts
  const PlannedStep& event = step(plan, "check_ndes_event");
  EXPECT_EQ(event.params.at("provider"), "Microsoft-Windows-NetworkDeviceEnrollmentService");
  EXPECT_EQ(event.params.at("timeout_seconds"), "120");
}

TEST(RenewPlanTest, OptionalStepsStayInThePlanAsSkipped) {
  PlanConfig c = windows_config();
  c.service_account.clear();
  c.remove_old_certs = false;
  c.restart_stack = false;
  const Plan plan = build_plan(target(), "r7", c);
  EXPECT_EQ(plan.steps.size(), 10U);
  EXPECT_THAT(step(plan, "grant_key_read").skip_reason, HasSubstr("no --service-account"));
  // An opt-out says plainly what it costs.
  EXPECT_THAT(step(plan, "remove_superseded").skip_reason,
              HasSubstr("--no-remove-old-certs: NDES refuses to start with two valid RA "
                        "certificates of one template"));
  EXPECT_THAT(step(plan, "restart_services").skip_reason, HasSubstr("--no-restart-stack"));
  EXPECT_THAT(step(plan, "check_scep").skip_reason, HasSubstr("--no-restart-stack"));
  EXPECT_THAT(step(plan, "check_ndes_event").skip_reason, HasSubstr("--no-restart-stack"));
  EXPECT_EQ(step(plan, "certreq_submit").skip_reason, "");
  const auto warnings = plan_warnings(c);
  ASSERT_EQ(warnings.size(), 2U);
  EXPECT_THAT(warnings[0], HasSubstr("NDES refuses to start with two valid RA certificates"));
  EXPECT_THAT(warnings[1], HasSubstr("NDES keeps the old certificate until it restarts"));
  EXPECT_TRUE(plan_warnings(windows_config()).empty());
}

TEST(RenewPlanTest, AnUnknownScepUrlSkipsOnlyTheOutsideCheck) {
  PlanConfig c = windows_config();
  c.scep_url.clear();
  c.scep_url_error = "no /CertSrv/mscep application in applicationHost.config";
  const Plan plan = build_plan(target(), "r7", c);
  EXPECT_THAT(step(plan, "check_scep").skip_reason,
              HasSubstr("give --verify.scep-url (no /CertSrv/mscep application"));
  EXPECT_EQ(step(plan, "check_ndes_event").skip_reason, "");
  EXPECT_THAT(plan_warnings(c), ElementsAre(HasSubstr("NDES is not checked from outside")));
}

TEST(RenewPlanTest, BothRaCertificatesInOneRunRestartOnce) {
  RenewTarget cep = target();
  cep.thumbprint = "89ABCDEF0123456789ABCDEF0123456789ABCDEF";
  cep.template_name = "CEPEncryption";
  cep.role = "cep_encryption";
  const Plan plan = build_plan(std::vector<RenewTarget>{target(), cep}, "r7", windows_config());
  std::vector<std::string> names;
  for (const auto& s : plan.steps) {
    names.push_back(s.name);
  }
  EXPECT_THAT(
      names,
      ElementsAre("write_inf.enrollment_agent", "certreq_new.enrollment_agent",
                  "certreq_submit.enrollment_agent", "certreq_accept.enrollment_agent",
                  "verify_new_cert.enrollment_agent", "grant_key_read.enrollment_agent",
                  "write_inf.cep_encryption", "certreq_new.cep_encryption",
                  "certreq_submit.cep_encryption", "certreq_accept.cep_encryption",
                  "verify_new_cert.cep_encryption", "grant_key_read.cep_encryption",
                  "remove_superseded", "restart_services", "check_scep", "check_ndes_event"));
  EXPECT_EQ(step(plan, "write_inf.cep_encryption").content, renewal_inf(cep.thumbprint));
  EXPECT_EQ(step(plan, "write_inf.cep_encryption").path,
            "C:\\ProgramData\\ndes_renew_hook\\renewals\\r7\\renewal-cep_encryption.inf");
  EXPECT_EQ(step(plan, "verify_new_cert.cep_encryption").params.at("old_thumbprint"),
            cep.thumbprint);
  EXPECT_EQ(step(plan, "remove_superseded").params.at("templates"),
            "EnrollmentAgentOffline,CEPEncryption");
}

TEST(RenewPlanTest, TheDuplicateRepairBacksUpRemovesRestartsAndChecks) {
  const Plan plan = build_repair_plan(
      "AAAA000000000000000000000000000000000000",
      {"BBBB000000000000000000000000000000000000", "CCCC000000000000000000000000000000000000"},
      windows_config());
  std::vector<std::string> names;
  for (const auto& s : plan.steps) {
    names.push_back(s.name);
  }
  EXPECT_THAT(names, ElementsAre("remove_duplicates", "restart_services", "check_scep",
                                 "check_ndes_event"));
  const PlannedStep& remove = step(plan, "remove_duplicates");
  EXPECT_EQ(remove.kind, StepKind::remove_superseded);
  EXPECT_EQ(remove.params.at("thumbprints"),
            "BBBB000000000000000000000000000000000000,CCCC000000000000000000000000000000000000");
  EXPECT_EQ(remove.params.count("templates"), 0U);
  EXPECT_EQ(step(plan, "check_scep").params.at("thumbprints"),
            "AAAA000000000000000000000000000000000000");
  EXPECT_TRUE(plan.inf.empty());
}

TEST(RenewPlanTest, AnUnknownCaIsShownNotGuessed) {
  PlanConfig c = windows_config();
  c.ca_config.clear();
  const Plan plan = build_plan(target(), "r7", c);
  EXPECT_EQ(step(plan, "certreq_submit").argv[5], std::string(kCaConfigUnknown));
}

TEST(RenewPlanTest, PosixWorkDirectoriesKeepTheirSeparator) {
  PlanConfig c = windows_config();
  c.work_dir = "/var/lib/ndes/renewals/r7";
  const Plan plan = build_plan(target(), "r7", c);
  EXPECT_EQ(step(plan, "write_inf").path, "/var/lib/ndes/renewals/r7/renewal.inf");
  EXPECT_EQ(join_path("C:\\x\\", "a"), "C:\\x\\a");
  EXPECT_EQ(join_path("C:", "a"), "C:\\a");
  EXPECT_EQ(join_path("", "a"), "a");
}

PlanConfig command_config(std::vector<std::string> argv) {
  PlanConfig c;
  c.executor = "command";
  c.work_dir = "/var/lib/ndes/renewals/r3";
  c.command_argv = std::move(argv);
  c.command_timeout_seconds = 45;
  return c;
}

TEST(RenewPlanTest, TheCommandPlanSubstitutesWholeArguments) {
  const Plan plan = build_plan(target(), "r3",
                               command_config({"/usr/local/bin/renew.sh", "{thumbprint}",
                                               "{template}", "{role}", "{instance}", "{id}"}));
  ASSERT_EQ(plan.steps.size(), 1U);
  const PlannedStep& s = plan.steps[0];
  EXPECT_EQ(s.name, "command");
  EXPECT_EQ(s.kind, StepKind::run);
  EXPECT_THAT(s.argv, ElementsAre("/usr/local/bin/renew.sh", kThumbprint, "EnrollmentAgentOffline",
                                  "enrollment_agent", "ndes01.corp.example", "r3"));
  EXPECT_EQ(s.timeout_seconds, 45);
  EXPECT_EQ(s.command_line,
            "/usr/local/bin/renew.sh 0123456789ABCDEF0123456789ABCDEF01234567 "
            "EnrollmentAgentOffline enrollment_agent ndes01.corp.example r3");
  EXPECT_TRUE(plan.inf.empty());
}

TEST(RenewPlanTest, TheCommandPlanSubstitutesInsideArguments) {
  const Plan plan =
      build_plan(target(), "r3",
                 command_config({"/bin/renew", "--cert=/etc/pki/{template}-{thumbprint}.pem",
                                 "--json={\"x\":1}", "{}", "{unknown thing}"}));
  EXPECT_THAT(plan.steps[0].argv, ElementsAre("/bin/renew",
                                              "--cert=/etc/pki/EnrollmentAgentOffline-"
                                              "0123456789ABCDEF0123456789ABCDEF01234567.pem",
                                              "--json={\"x\":1}", "{}", "{unknown thing}"));
  // Displayed for people, shell-quoted: never run through a shell.
  EXPECT_THAT(plan.steps[0].command_line, HasSubstr("'--json={\"x\":1}'"));
}

TEST(RenewPlanTest, TheCommandPlanCanRenderWindowsCommandLines) {
  PlanConfig c = command_config({"C:\\Tools\\renew.exe", "{template} cert"});
  c.windows_command_lines = true;
  const Plan plan = build_plan(target(), "r3", c);
  EXPECT_EQ(plan.steps[0].command_line, "C:\\Tools\\renew.exe \"EnrollmentAgentOffline cert\"");
}

TEST(RenewPlanTest, PlaceholderTemplatesAreChecked) {
  EXPECT_EQ(check_argv_template({"/bin/x", "{thumbprint}", "a{id}b", "{}", "{ x }"}), "");
  EXPECT_THAT(check_argv_template({"/bin/x", "{thumbprnt}"}), HasSubstr("unknown placeholder"));
  EXPECT_THROW(substitute_placeholders({"/bin/x", "{nope}"}, target(), "r1"),
               std::invalid_argument);
}

TEST(RenewPlanTest, UnvalidatedValuesAreNeverSubstituted) {
  RenewTarget bad = target();
  bad.thumbprint = "ABC; rm -rf /";
  EXPECT_THROW(substitute_placeholders({"/bin/x", "{thumbprint}"}, bad, "r1"),
               std::invalid_argument);
  bad = target();
  bad.role = "$(reboot)";
  EXPECT_THROW(substitute_placeholders({"/bin/x"}, bad, "r1"), std::invalid_argument);
  bad = target();
  bad.instance = "host name";
  EXPECT_THROW(substitute_placeholders({"/bin/x"}, bad, "r1"), std::invalid_argument);
  bad = target();
  bad.template_name = "a\nb";
  EXPECT_THROW(substitute_placeholders({"/bin/x"}, bad, "r1"), std::invalid_argument);
}

TEST(RenewPlanTest, StepKindsRoundTrip) {
  for (const auto kind :
       {StepKind::write_file, StepKind::run, StepKind::verify_new_cert, StepKind::grant_key_read,
        StepKind::remove_superseded, StepKind::restart_services, StepKind::check_ndes_event}) {
    EXPECT_EQ(step_kind_from_string(to_string(kind)), kind);
  }
  EXPECT_FALSE(step_kind_from_string("shell").has_value());
}

}  // namespace
}  // namespace ndes::renew
