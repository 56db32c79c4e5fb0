// The files collector on directories made by openssl: the walk, the cache, and
// scans shared between concurrent scrapes.
#include "files/file_collector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <future>
#include <stdexcept>
#include <thread>

#include "files/file_scanner.h"
#include "files/files_config.h"
#include "support/pki.h"
#include "support/run.h"

namespace fs = std::filesystem;

namespace ndes::files {
namespace {

using test::kDay;
using test::now_seconds;

class FileCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = std::make_unique<test::TestPki>(tmp_.path() / "pki");
    store_ = tmp_.path() / "store";
    fs::create_directories(store_);
    const auto now = now_seconds();
    fs::copy_file(pki_->issue("a", "cep", now - kDay, now + 10 * kDay), store_ / "a.pem");
    fs::copy_file(pki_->issue("b", "eea", now - kDay, now + 20 * kDay), store_ / "b.pem");
    config_.roots.push_back(FilesRoot{store_.string(), std::nullopt});
  }

  test::TempDir tmp_;
  std::unique_ptr<test::TestPki> pki_;
  fs::path store_;
  FilesCollectorConfig config_;
};

TEST_F(FileCollectorTest, ConcurrentCallersShareOneScan) {
  FileCollector collector(config_, {});
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> scans_started{0};
  collector.set_scan_hook([&] {
    ++scans_started;
    released.wait();
  });
  std::vector<std::future<CollectorResult>> callers;
  callers.push_back(std::async(std::launch::async, [&] { return collector.collect(); }));
  while (scans_started.load() == 0) {
    std::this_thread::yield();
  }
  for (int i = 0; i < 7; ++i) {
    callers.push_back(std::async(std::launch::async, [&] { return collector.collect(); }));
  }
  while (collector.waiting() < 7) {
    std::this_thread::yield();
  }
  release.set_value();
  for (auto& c : callers) {
    EXPECT_EQ(c.get().certificates.size(), 2U);
  }
  EXPECT_EQ(scans_started.load(), 1);
  EXPECT_EQ(collector.parses(), 2U);
}

// A scan that throws throws to the caller (the exporter's run_collector makes that a
// failed result, timed once), and the next collect scans again.
TEST_F(FileCollectorTest, AScanThatThrowsThrowsAndTheNextOneScansAgain) {
  FileCollector collector(config_, {});
  bool fail = true;
  collector.set_scan_hook([&] {
    if (fail) {
      throw std::runtime_error("disk on fire");
    }
  });
  EXPECT_THROW(collector.collect(), std::runtime_error);
  fail = false;
  const CollectorResult again = collector.collect();
  EXPECT_TRUE(again.success);
  EXPECT_EQ(again.certificates.size(), 2U);
}

TEST_F(FileCollectorTest, WarmScanParsesNothing) {
  FileCollector collector(config_, {});
  collector.collect();
  EXPECT_EQ(collector.parses(), 2U);
  const auto again = collector.collect();
  EXPECT_EQ(collector.parses(), 2U);
  EXPECT_EQ(again.certificates.size(), 2U);
  EXPECT_TRUE(again.success);
}

// A warm scan hands out the very list of the last one (no copy), so the exporter can
// keep the text made from it; any change to the folder gives a new list.
TEST_F(FileCollectorTest, AnUnchangedFolderGivesTheSameListAndAChangeANewOne) {
  FileCollector collector(config_, {});
  const auto first = collector.collect();
  const auto warm = collector.collect();
  EXPECT_TRUE(warm.certificates.same_as(first.certificates));

  const auto now = now_seconds();
  fs::copy_file(pki_->issue("c", "ssl", now - kDay, now + 30 * kDay), store_ / "c.pem");
  const auto added = collector.collect();
  EXPECT_FALSE(added.certificates.same_as(warm.certificates));
  EXPECT_EQ(added.certificates.size(), 3U);
  EXPECT_TRUE(collector.collect().certificates.same_as(added.certificates));

  fs::remove(store_ / "a.pem");
  const auto removed = collector.collect();
  EXPECT_FALSE(removed.certificates.same_as(added.certificates));
  ASSERT_EQ(removed.certificates.size(), 2U);
  for (const auto& r : removed.certificates) {
    EXPECT_NE(fs::path(r.origin.path).filename(), "a.pem");
  }
  // The old lists are untouched by the scans that came after them.
  EXPECT_EQ(first.certificates.size(), 2U);
  EXPECT_EQ(added.certificates.size(), 3U);
}

TEST_F(FileCollectorTest, MissingRootIsAnErrorForThatRootOnly) {
  config_.roots.push_back(FilesRoot{(tmp_.path() / "nope").string(), std::nullopt});
  FileCollector collector(config_, {});
  const auto r = collector.collect();
  EXPECT_EQ(r.certificates.size(), 2U);
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0].origin.path, (tmp_.path() / "nope").string());
  EXPECT_EQ(r.errors[0].reason, ReadError::read_failed);
  EXPECT_THAT(r.errors[0].detail, ::testing::HasSubstr("No such file"));
}

TEST_F(FileCollectorTest, SymlinkLoopsEndAndLinkedFilesAreRead) {
  fs::create_directories(store_ / "sub");
  fs::create_directory_symlink(store_, store_ / "sub" / "loop");
  fs::create_symlink(store_ / "a.pem", store_ / "sub" / "a-link.pem");
  const WalkResult w = walk_root(store_.string());
  std::vector<std::string> names;
  for (const auto& f : w.files) {
    names.push_back(fs::path(f.path).filename().string());
  }
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("a.pem", "b.pem", "a-link.pem"));
  // The loop is said once, as a read error of the link (a log line and a metric).
  ASSERT_EQ(w.errors.size(), 1U);
  EXPECT_EQ(w.errors[0].reason, ReadError::symlink_loop);
  EXPECT_EQ(w.errors[0].origin.path, (store_ / "sub" / "loop").string());
  EXPECT_THAT(w.errors[0].detail, ::testing::HasSubstr("leads back to " + store_.string()));
}

TEST_F(FileCollectorTest, ASelfLinkIsALoopAndASecondWayToADirectoryIsNot) {
  fs::create_directories(store_ / "x");
  fs::create_directory_symlink(store_ / "x", store_ / "also-x");  // not a loop
  fs::create_symlink(store_ / "self", store_ / "self");           // ELOOP
  const WalkResult w = walk_root(store_.string());
  ASSERT_EQ(w.errors.size(), 1U);
  EXPECT_EQ(w.errors[0].reason, ReadError::symlink_loop);
  EXPECT_EQ(w.errors[0].origin.path, (store_ / "self").string());
  EXPECT_EQ(w.files.size(), 2U);
}

TEST_F(FileCollectorTest, AFileRootIsScannedAlone) {
  const WalkResult w = walk_root((store_ / "a.pem").string());
  ASSERT_EQ(w.files.size(), 1U);
  EXPECT_EQ(w.files[0].path, (store_ / "a.pem").string());
}

TEST_F(FileCollectorTest, FifoIsNeverOpened) {
  ASSERT_EQ(mkfifo((store_ / "pipe.pem").c_str(), 0644), 0);
  FileCollector collector(config_, {});
  const auto r = collector.collect();  // would block forever if the FIFO were read
  EXPECT_EQ(r.certificates.size(), 2U);
}

// Same-tick rewrites: a file rewritten in place with content of the same size within
// one timestamp tick keeps its size and mtime. Setting the mtime back by hand stands in
// for that tick.
std::string read_all(const fs::path& p) { return test::read_file(p); }

// The PEM text of `pem` with a text line in front, padded so the file is `size` bytes.
std::string padded_pem(const fs::path& pem, std::size_t size) {
  const std::string body = read_all(pem);
  EXPECT_LT(body.size() + 2, size);
  return "#" + std::string(size - body.size() - 2, ' ') + "\n" + body;
}

TEST(RacyTimestampTest, OnlyContentTouchedCloseToTheReadIsChecked) {
  const std::int64_t read_at = 1'800'000'000'000'000'000;
  EXPECT_FALSE(racy_timestamp(read_at - kRacyWindowNs - 1, read_at));
  EXPECT_TRUE(racy_timestamp(read_at - kRacyWindowNs + 1, read_at));
  EXPECT_TRUE(racy_timestamp(read_at - 1, read_at));
  EXPECT_TRUE(racy_timestamp(read_at + 5'000'000'000, read_at));  // an mtime in the future
}

TEST_F(FileCollectorTest, ASameSizeRewriteInTheSameTickIsSeenOnTheNextScan) {
  const auto now = now_seconds();
  const fs::path c = pki_->issue("c", "cep", now - kDay, now + 30 * kDay);
  const std::size_t size = std::max(read_all(store_ / "a.pem").size(), read_all(c).size()) + 64;
  test::write_file(store_ / "a.pem", padded_pem(pki_->dir() / "a.pem", size));
  FileScanner scanner(config_);
  const auto first = scanner.scan();
  ASSERT_EQ(first.certificates.size(), 2U);
  const auto mtime = fs::last_write_time(store_ / "a.pem");
  const std::string a_thumbprint = test::openssl_thumbprint(pki_->dir() / "a.pem");

  test::write_file(store_ / "a.pem", padded_pem(c, size));
  fs::last_write_time(store_ / "a.pem", mtime);  // same size, same mtime
  const auto second = scanner.scan();
  std::vector<std::string> thumbprints;
  for (const auto& r : second.certificates) {
    thumbprints.push_back(r.cert.thumbprint);
  }
  EXPECT_THAT(thumbprints, ::testing::Contains(test::openssl_thumbprint(c)));
  EXPECT_THAT(thumbprints, ::testing::Not(::testing::Contains(a_thumbprint)));
}

TEST_F(FileCollectorTest, ARacyFileThatDidNotChangeIsNotParsedAgain) {
  FileScanner scanner(config_);
  scanner.scan();  // the files were just written: racy
  EXPECT_EQ(scanner.parses(), 2U);
  const auto again = scanner.scan();  // read again, same bytes: no parse
  EXPECT_EQ(scanner.parses(), 2U);
  EXPECT_EQ(again.certificates.size(), 2U);
}

// The change watch (inotify): a tree in which nothing changed is not walked again, and
// every way a certificate can change under the roots still reaches the next scrape.
class WatchedTreeTest : public FileCollectorTest {
 protected:
  std::vector<std::string> thumbprints(const CollectorResult& r) {
    std::vector<std::string> out;
    for (const auto& c : r.certificates) {
      out.push_back(c.cert.thumbprint);
    }
    return out;
  }
  fs::path issue(const std::string& name) {
    const auto now = now_seconds();
    return pki_->issue(name, "ssl", now - kDay, now + 40 * kDay);
  }
};

TEST_F(WatchedTreeTest, AnUnchangedTreeIsNotWalkedAgain) {
  FileScanner scanner(config_);
  const auto first = scanner.scan();
  EXPECT_TRUE(scanner.watching());
  const auto second = scanner.scan();
  const auto third = scanner.scan();
  EXPECT_EQ(scanner.walks(), 1U);
  EXPECT_EQ(scanner.parses(), 2U);
  EXPECT_TRUE(third.certificates.same_as(first.certificates));
  EXPECT_EQ(third.sources, first.sources);
}

TEST_F(WatchedTreeTest, FilesAddedRenamedInOrRemovedAreSeen) {
  FileScanner scanner(config_);
  scanner.scan();
  fs::create_directories(store_ / "new" / "deeper");
  const fs::path c = issue("c");
  fs::copy_file(c, store_ / "new" / "deeper" / "c.pem");
  EXPECT_THAT(thumbprints(scanner.scan()), ::testing::Contains(test::openssl_thumbprint(c)));

  scanner.scan();  // new/deeper is watched now
  const fs::path d = issue("d");
  fs::copy_file(d, tmp_.path() / "d.pem");
  fs::rename(tmp_.path() / "d.pem", store_ / "new" / "deeper" / "d.pem");
  EXPECT_THAT(thumbprints(scanner.scan()), ::testing::Contains(test::openssl_thumbprint(d)));

  fs::remove(store_ / "new" / "deeper" / "c.pem");
  EXPECT_THAT(thumbprints(scanner.scan()),
              ::testing::Not(::testing::Contains(test::openssl_thumbprint(c))));
  EXPECT_EQ(scanner.walks(), 4U);  // the third scan, with nothing changed, walked nothing
}

TEST_F(WatchedTreeTest, ASameSizeSameMtimeRewriteIsSeen) {
  const fs::path c = issue("c");
  const std::size_t size = std::max(read_all(store_ / "a.pem").size(), read_all(c).size()) + 64;
  test::write_file(store_ / "a.pem", padded_pem(pki_->dir() / "a.pem", size));
  FileScanner scanner(config_);
  scanner.scan();
  scanner.scan();
  const auto mtime = fs::last_write_time(store_ / "a.pem");
  test::write_file(store_ / "a.pem", padded_pem(c, size));
  fs::last_write_time(store_ / "a.pem", mtime);
  EXPECT_THAT(thumbprints(scanner.scan()), ::testing::Contains(test::openssl_thumbprint(c)));
}

// Links leave the watched folders: a linked file's target is watched itself, and a
// link retargeted where nothing is watched is caught by stat on every scrape.
TEST_F(WatchedTreeTest, ChangesBehindSymbolicLinksAreSeen) {
  const fs::path outside = tmp_.path() / "outside";
  fs::create_directories(outside / "v1");
  fs::create_directories(outside / "v2");
  const fs::path c1 = issue("c1");
  const fs::path c2 = issue("c2");
  fs::copy_file(c1, outside / "v1" / "c.pem");
  fs::copy_file(c2, outside / "v2" / "c.pem");
  fs::create_directory_symlink("v1", outside / "current");
  fs::create_symlink(outside / "current" / "c.pem", store_ / "c.pem");
  FileScanner scanner(config_);
  EXPECT_THAT(thumbprints(scanner.scan()), ::testing::Contains(test::openssl_thumbprint(c1)));
  scanner.scan();
  EXPECT_EQ(scanner.walks(), 1U);

  fs::remove(outside / "current");
  fs::create_directory_symlink("v2", outside / "current");
  const auto retargeted = thumbprints(scanner.scan());
  EXPECT_THAT(retargeted, ::testing::Contains(test::openssl_thumbprint(c2)));
  EXPECT_THAT(retargeted, ::testing::Not(::testing::Contains(test::openssl_thumbprint(c1))));

  scanner.scan();
  const fs::path c3 = issue("c3");
  const std::size_t size = std::max(read_all(c2).size(), read_all(c3).size()) + 64;
  test::write_file(outside / "v2" / "c.pem", padded_pem(c2, size));
  scanner.scan();
  const auto mtime = fs::last_write_time(outside / "v2" / "c.pem");
  test::write_file(outside / "v2" / "c.pem", padded_pem(c3, size));
  fs::last_write_time(outside / "v2" / "c.pem", mtime);  // only an event can tell
  EXPECT_THAT(thumbprints(scanner.scan()), ::testing::Contains(test::openssl_thumbprint(c3)));
}

TEST_F(WatchedTreeTest, APassphraseChangeIsSeenWithoutAFileEvent) {
  const fs::path pass = tmp_.path() / "pfx.pass";
  test::write_file(pass, "first\n");
  config_.pkcs12_passphrase_file = pass.string();
  test::write_pfx(pki_->dir() / "a.pem", pki_->dir() / "a.key", store_ / "a.pfx", "second");
  FileScanner scanner(config_);
  const auto wrong = scanner.scan();
  ASSERT_EQ(wrong.errors.size(), 1U);
  EXPECT_EQ(wrong.errors[0].reason, ReadError::bad_passphrase);
  scanner.scan();
  test::write_file(pass, "second\n");
  const auto right = scanner.scan();
  EXPECT_TRUE(right.errors.empty());
  EXPECT_EQ(right.certificates.size(), 3U);
}

TEST_F(WatchedTreeTest, ATreeWithErrorsIsWalkedOnEveryScan) {
  config_.roots.push_back(FilesRoot{(tmp_.path() / "nope").string(), std::nullopt});
  FileScanner scanner(config_);
  scanner.scan();
  const auto again = scanner.scan();
  EXPECT_FALSE(scanner.watching());
  EXPECT_EQ(scanner.walks(), 2U);
  ASSERT_EQ(again.errors.size(), 1U);  // still reported
  EXPECT_EQ(again.certificates.size(), 2U);
}

TEST_F(WatchedTreeTest, WatchOffWalksOnEveryScan) {
  config_.watch = false;
  FileScanner scanner(config_);
  scanner.scan();
  scanner.scan();
  EXPECT_FALSE(scanner.watching());
  EXPECT_EQ(scanner.walks(), 2U);
  EXPECT_EQ(scanner.parses(), 2U);
}

TEST(RemoteFileSystemTest, NetworkFileSystemsAreNotTrustedToSendEvents) {
  EXPECT_TRUE(remote_file_system(0x6969));       // NFS
  EXPECT_TRUE(remote_file_system(0xFF534D42));   // CIFS
  EXPECT_TRUE(remote_file_system(0xFE534D42));   // SMB2
  EXPECT_TRUE(remote_file_system(0x65735546));   // FUSE
  EXPECT_FALSE(remote_file_system(0xEF53));      // ext4
  EXPECT_FALSE(remote_file_system(0x01021994));  // tmpfs
  EXPECT_FALSE(remote_file_system(0x58465342));  // XFS
}

}  // namespace
}  // namespace ndes::files
