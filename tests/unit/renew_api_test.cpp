// The HTTP API without sockets: status codes, authentication, and what each route
// returns, over a real service on a temp state directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "renew/api.h"
#include "renew_service_support.h"

namespace ndes::renew {
namespace {

using ::testing::HasSubstr;
using namespace ndes::renew::testing;
using nlohmann::json;

const char* kBody = R"({"version":"4","status":"firing","alerts":[{"status":"firing",
  "labels":{"alertname":"NdesCertificateExpired","thumbprint":"0123456789ABCDEF0123456789ABCDEF01234567",
  "template":"CEPEncryption","role":"cep_encryption","instance":"ndes01:10227"},
  "fingerprint":"f1","startsAt":"2026-11-25T15:00:00Z"}]})";

class RenewApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service_ = std::make_unique<RenewalService>(
        options(dir_.path(), Mode::dry_run, "windows"),
        std::make_unique<FakeExecutor>(nullptr, std::make_shared<std::vector<std::string>>()));
    service_->start();
    api_ = std::make_unique<HookApi>(*service_, std::string("s3cret-token"));
  }
  Response call(std::string method, std::string path, std::string body = "",
                const std::string& auth = "Bearer s3cret-token") {
    HookRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.body = std::move(body);
    r.remote = "127.0.0.1";
    if (!auth.empty()) {
      r.headers["authorization"] = auth;
    }
    return api_->handle(r);
  }

  test::TempDir dir_;
  std::unique_ptr<RenewalService> service_;
  std::unique_ptr<HookApi> api_;
};

TEST(RenewTokenTest, ComparesBearerTokens) {
  EXPECT_TRUE(bearer_token_matches("Bearer abc", "abc"));
  EXPECT_TRUE(bearer_token_matches("bearer abc", "abc"));
  EXPECT_TRUE(bearer_token_matches("BEARER  abc", "abc"));
  EXPECT_FALSE(bearer_token_matches("Bearer abd", "abc"));
  EXPECT_FALSE(bearer_token_matches("Bearer ab", "abc"));
  EXPECT_FALSE(bearer_token_matches("Bearer abcd", "abc"));
  EXPECT_FALSE(bearer_token_matches("Basic abc", "abc"));
  EXPECT_FALSE(bearer_token_matches("abc", "abc"));
  EXPECT_FALSE(bearer_token_matches("", "abc"));
  EXPECT_FALSE(bearer_token_matches("Bearer ", ""));
}

TEST_F(RenewApiTest, AcceptsAWebhookWith202) {
  const Response r = call("POST", "/alertmanager", kBody);
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  const json body = json::parse(r.body);
  EXPECT_EQ(body["status"], "accepted");
  EXPECT_EQ(body["started"], 1);
}

TEST_F(RenewApiTest, RefusesAMissingOrWrongTokenWith401) {
  Response r = call("POST", "/alertmanager", kBody, "");
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.headers, ::testing::Contains(
                             std::pair<std::string, std::string>("WWW-Authenticate", "Bearer")));
  EXPECT_EQ(call("POST", "/alertmanager", kBody, "Bearer wrong").status, 401);
  EXPECT_EQ(call("GET", "/renewals", "", "").status, 401);
  EXPECT_EQ(call("POST", "/renewals/r1/clear", "", "Bearer nope").status, 401);
  EXPECT_EQ(json::parse(call("GET", "/renewals").body)["renewals"].size(), 0U);
}

TEST_F(RenewApiTest, RefusesBadPayloadsWith400) {
  EXPECT_EQ(call("POST", "/alertmanager", "{").status, 400);
  EXPECT_EQ(call("POST", "/alertmanager", R"({"version":"3","alerts":[]})").status, 400);
  EXPECT_EQ(call("POST", "/alertmanager", "").status, 400);
}

TEST_F(RenewApiTest, RefusesLargePayloadsWith413) {
  EXPECT_EQ(call("POST", "/alertmanager", std::string(kMaxBodyBytes + 1, ' ')).status, 413);
  HookRequest r;
  r.method = "POST";
  r.path = "/alertmanager";
  r.headers["authorization"] = "Bearer s3cret-token";
  r.body_too_large = true;
  EXPECT_EQ(api_->handle(r).status, 413);
}

TEST_F(RenewApiTest, RefusesOtherMethodsWith405) {
  for (const char* method : {"GET", "PUT", "DELETE", "PATCH"}) {
    const Response r = call(method, "/alertmanager", kBody);
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_THAT(r.headers,
                ::testing::Contains(std::pair<std::string, std::string>("Allow", "POST")));
  }
  EXPECT_EQ(call("POST", "/renewals").status, 405);
  EXPECT_EQ(call("GET", "/renewals/r1/clear").status, 405);
  EXPECT_EQ(call("POST", "/metrics").status, 405);
}

TEST_F(RenewApiTest, ListsRenewals) {
  call("POST", "/alertmanager", kBody);
  const Response r = call("GET", "/renewals");
  EXPECT_EQ(r.status, 200);
  const json body = json::parse(r.body);
  ASSERT_EQ(body["renewals"].size(), 1U);
  EXPECT_EQ(body["renewals"][0]["status"], "planned");
  EXPECT_EQ(body["mode"], "dry-run");
}

TEST_F(RenewApiTest, ClearsOnlyWhatCanBeCleared) {
  call("POST", "/alertmanager", kBody);
  EXPECT_EQ(call("POST", "/renewals/r1/clear").status, 409);
  EXPECT_EQ(call("POST", "/renewals/r5/clear").status, 404);
}

TEST_F(RenewApiTest, ServesMetricsAndHealthWithoutAToken) {
  call("POST", "/alertmanager", kBody, "");
  call("POST", "/alertmanager", "{", "Bearer s3cret-token");
  call("GET", "/alertmanager", "", "");
  call("POST", "/alertmanager", kBody);
  const Response m = call("GET", "/metrics", "", "");
  EXPECT_EQ(m.status, 200);
  EXPECT_THAT(m.body, HasSubstr("ndes_renew_webhooks_total{result=\"accepted\"} 1"));
  EXPECT_THAT(m.body, HasSubstr("ndes_renew_webhooks_total{result=\"unauthorized\"} 1"));
  EXPECT_THAT(m.body, HasSubstr("ndes_renew_webhooks_total{result=\"bad_request\"} 1"));
  EXPECT_THAT(m.body, HasSubstr("ndes_renew_webhooks_total{result=\"rejected\"} 1"));
  EXPECT_THAT(m.body, HasSubstr("ndes_renew_webhooks_total{result=\"too_large\"} 0"));
  EXPECT_THAT(m.body, HasSubstr("ndes_renewal_in_progress 0"));
  EXPECT_EQ(call("GET", "/healthz", "", "").status, 200);
  EXPECT_EQ(call("GET", "/nope", "", "").status, 404);
}

TEST_F(RenewApiTest, WithoutATokenConfiguredEverythingIsOpen) {
  HookApi open(*service_, std::nullopt);
  HookRequest r;
  r.method = "POST";
  r.path = "/alertmanager";
  r.body = kBody;
  EXPECT_EQ(open.handle(r).status, 202);
}

}  // namespace
}  // namespace ndes::renew
