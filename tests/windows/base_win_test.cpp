// base/win under wine: UTF-16 round trips, the two spellings of a Windows error,
// and handles that close themselves.
#include <gtest/gtest.h>

// clang-format off
#include <windows.h>
// clang-format on

#include <string>
#include <utility>

#include "base/win/error_text.h"
#include "base/win/handles.h"
#include "base/win/utf16.h"

namespace ndes::win {
namespace {

TEST(BaseWinUtf16, RoundTrips) {
  EXPECT_EQ(widen(""), L"");
  EXPECT_EQ(narrow(L""), "");
  EXPECT_EQ(widen("J\xC3\xBCrgen"), L"J\u00FCrgen");
  EXPECT_EQ(narrow(L"M\u00FCller \u20AC"), "M\xC3\xBCller \xE2\x82\xAC");
  EXPECT_EQ(narrow(widen("LocalMachine\\My")), "LocalMachine\\My");
}

TEST(BaseWinErrorText, CollectorsSpelling) {
  const std::string text = error_text(ERROR_ACCESS_DENIED);
  EXPECT_EQ(text.rfind("0x00000005", 0), 0U) << text;
  // The system's text in parentheses, without its line break or full stop.
  if (text.size() > 10) {
    EXPECT_EQ(text.substr(10, 2), " (") << text;
    EXPECT_EQ(text.back(), ')') << text;
    EXPECT_EQ(text.find_first_of("\r\n"), std::string::npos) << text;
    EXPECT_NE(text[text.size() - 2], '.') << text;
  }
  EXPECT_EQ(error_text(0xE0FFFFFFUL), "0xE0FFFFFF");  // no system text for it
}

TEST(BaseWinErrorText, RenewHookSpelling) {
  const std::string text = numbered_error_text(ERROR_ACCESS_DENIED);
  EXPECT_EQ(text.rfind("error 5", 0), 0U) << text;
  EXPECT_EQ(text.find_first_of("\r\n"), std::string::npos) << text;
  EXPECT_EQ(numbered_error_text(0xE0FFFFFFUL), "error 3774873599");
  SetLastError(ERROR_FILE_NOT_FOUND);
  EXPECT_EQ(last_error_text().rfind("error 2", 0), 0U);
}

TEST(BaseWinHandles, CloseOnceAndRelease) {
  Handle empty(INVALID_HANDLE_VALUE);  // CreateFile's failure is empty too
  EXPECT_FALSE(empty);
  EXPECT_EQ(empty.get(), nullptr);

  Handle event(CreateEventW(nullptr, TRUE, FALSE, nullptr));
  ASSERT_TRUE(event);
  const HANDLE raw = event.get();
  Handle moved = std::move(event);
  EXPECT_FALSE(event);  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_EQ(moved.get(), raw);
  moved.reset();
  EXPECT_FALSE(moved);
  // The event was closed: its handle is no longer valid.
  DWORD flags = 0;
  EXPECT_FALSE(GetHandleInformation(raw, &flags));

  Handle kept(CreateEventW(nullptr, TRUE, FALSE, nullptr));
  const HANDLE released = kept.release();
  EXPECT_FALSE(kept);
  EXPECT_TRUE(GetHandleInformation(released, &flags));  // still open: ours now
  CloseHandle(released);
}

}  // namespace
}  // namespace ndes::win
