#pragma once
// Helpers shared by the journal's tests: byte conversions, reading a dirty file whole,
// listing its staging directory, capturing warnings, and a fixture that reopens the journal
// and disarms every fault point after each test.

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cache/DirtyJournal.h"
#include "cache/StagingFiles.h"
#include "common/FaultPoints.h"
#include "tests/support/TempDir.h"

namespace fastio::cache::testing {

inline std::vector<std::byte> bytesOf(std::string_view s) {
  std::vector<std::byte> out(s.size());
  std::memcpy(out.data(), s.data(), s.size());
  return out;
}

// The file's content; base ranges read as '.' (these tests use new files or do not care).
inline std::string contentOf(const DirtyJournal& j, FileKey key) {
  auto st = j.state(key);
  if (!st.ok()) return "<" + st.error().message + ">";
  std::string buf(st->size, '\0');
  auto plan = j.read(key, 0, std::as_writable_bytes(std::span(buf)));
  if (!plan.ok()) return "<" + plan.error().message + ">";
  for (const auto& r : plan->fromBase) buf.replace(r.offset, r.length, r.length, '.');
  return buf.substr(0, plan->length);
}

inline std::vector<std::string> filesIn(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The staging logs in dir (spare files kept for reuse are not logs).
inline std::vector<std::string> logsIn(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const std::string& name : filesIn(dir)) {
    if (!StagingFiles::isSpareName(name)) names.push_back(name);
  }
  return names;
}

inline uint64_t bytesIn(const std::filesystem::path& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) total += e.file_size();
  return total;
}

// Collects what the process logs while alive (warnings name dropped files).
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;
  std::string text() const { return out_.str(); }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream out_;
};

class JournalFixture : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }
  void TearDown() override { faults::disarmAll(); }
  void reopen(DirtyJournalOptions options = {}) {
    journal_.reset();
    auto j = DirtyJournal::open(tmp_.path(), options, clock_);
    ASSERT_TRUE(j.ok()) << j.error().describe();
    journal_ = std::move(*j);
  }
  FileKey newFile(std::string name = "f.txt") {
    auto k = journal_->begin({"ws", "root", std::move(name), "", "", 0});
    EXPECT_TRUE(k.ok());
    return k.ok() ? *k : 0;
  }
  Status put(FileKey key, uint64_t offset, std::string_view data) {
    return journal_->write(key, offset, bytesOf(data));
  }
  std::filesystem::path stagingDir() const { return tmp_.path() / "staging"; }
  std::filesystem::path walPath() const { return tmp_.path() / "records.wal"; }
  uint64_t walSize() const { return std::filesystem::file_size(walPath()); }

  fastio::testing::TempDir tmp_;
  FakeClock clock_;
  std::unique_ptr<DirtyJournal> journal_;
};

}  // namespace fastio::cache::testing
