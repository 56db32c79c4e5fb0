// certreq -submit's output read into the CA's disposition, as certreq prints it
// (CRLF line ends; the RequestId line twice, the second quoted).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "renew/certreq_output.h"

namespace ndes::renew {
namespace {

using ::testing::HasSubstr;

// certreq's output read, checked for the disposition and request id it must give.
SubmitOutcome read_as(std::string_view output, SubmitDisposition want, std::string_view id) {
  const SubmitOutcome outcome = parse_certreq_submit(output);
  EXPECT_EQ(to_string(outcome.disposition), to_string(want)) << output;
  EXPECT_EQ(outcome.request_id, id) << output;
  return outcome;
}

TEST(CertreqSubmit, IssuedWithItsRequestId) {
  read_as("RequestId: 12\r\nRequestId: \"12\"\r\nCertificate retrieved(Issued) Issued\r\n",
          SubmitDisposition::issued, "12");
  EXPECT_EQ(to_string(SubmitDisposition::issued), "issued");
}

TEST(CertreqSubmit, PendingKeepsTheRequestIdAndSaysWhatToDo) {
  const auto outcome = read_as(
      "RequestId: 4711\r\nRequestId: \"4711\"\r\nCertificate request is pending: Taken Under "
      "Submission (0)\r\n",
      SubmitDisposition::pending, "4711");
  const std::string advice = submit_advice(outcome, "ca01.corp.example\\Corp Issuing CA");
  EXPECT_THAT(advice, HasSubstr("pending CA manager approval"));
  EXPECT_THAT(advice, HasSubstr("-resubmit 4711"));
  EXPECT_THAT(advice,
              HasSubstr("certreq -retrieve -config \"ca01.corp.example\\Corp Issuing CA\" 4711"));
}

TEST(CertreqSubmit, DeniedCarriesTheCasMessageOverSeveralLines) {
  const auto outcome = read_as(
      "RequestId: 4\r\n"
      "Certificate not issued (Denied) Denied by Policy Module The EMail name is unavailable and "
      "cannot\r\n"
      "be added to the Subject or Subject Alternate name. 0x80094812 (-2146875374\r\n"
      "CERTSRV_E_SUBJECT_EMAIL_REQUIRED)\r\n",
      SubmitDisposition::denied, "4");
  EXPECT_EQ(outcome.message,
            "Denied by Policy Module The EMail name is unavailable and cannot be added to the "
            "Subject or Subject Alternate name. 0x80094812 (-2146875374 "
            "CERTSRV_E_SUBJECT_EMAIL_REQUIRED)");
  EXPECT_THAT(submit_advice(outcome, "ca\\x"),
              HasSubstr("denied request 4: Denied by Policy Module"));
}

TEST(CertreqSubmit, AnRpcErrorIsUnknownWithCertreqsLastLine) {
  const auto outcome = read_as(
      "Certificate Request Processor: The RPC server is unavailable. 0x800706ba (WIN32: 1722 "
      "RPC_S_SERVER_UNAVAILABLE)\r\n",
      SubmitDisposition::unknown, "");
  EXPECT_THAT(outcome.message, HasSubstr("RPC server is unavailable"));
  EXPECT_THAT(submit_advice(outcome, "ca\\x"), HasSubstr("no disposition"));
}

TEST(CertreqSubmit, EmptyOutputAndHostileTextStayUnknownAndPrintable) {
  EXPECT_EQ(parse_certreq_submit("").disposition, SubmitDisposition::unknown);
  const auto outcome = parse_certreq_submit("RequestId: 12abc\r\nweird\x1b[31m line\r\n");
  EXPECT_EQ(outcome.request_id, "");
  EXPECT_EQ(outcome.message, "weird?[31m line");
}

}  // namespace
}  // namespace ndes::renew
