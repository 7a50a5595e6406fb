// StateDb on a temp directory: reads do not wait for a write in progress, a snapshot sees one
// state, writers exclude each other, and the reader pool waits when it is exhausted.

#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "emulator/state/StateDb.h"
#include "tests/support/TempDir.h"

namespace fastio::emu {
namespace {

using namespace std::chrono_literals;

class StateDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = StateDb::open(dir_.path() / "state.db", 2);
    ASSERT_TRUE(opened.ok()) << opened.error().describe();
    db_ = std::move(*opened);
    auto writer = db_->write();
    ASSERT_TRUE(writer.db().exec("CREATE TABLE t(x INTEGER)").ok());
    ASSERT_TRUE(writer.db().exec("INSERT INTO t VALUES(1)").ok());
  }

  std::int64_t rowsSeenBy(StateDb::ReadAccess& reader) {
    auto st = reader.db().prepare("SELECT count(*) FROM t");
    EXPECT_TRUE(st.ok());
    auto row = st->step();
    EXPECT_TRUE(row.ok() && *row);
    return st->integer(0);
  }

  std::int64_t rowsSeenByANewReader() {
    auto reader = db_->read();
    EXPECT_TRUE(reader.ok());
    return rowsSeenBy(*reader);
  }

  testing::TempDir dir_{"fastio-statedb-test"};
  std::unique_ptr<StateDb> db_;
};

TEST_F(StateDbTest, ReadsDoNotWaitForAWriteInProgress) {
  auto writer = db_->write();
  Transaction tx(writer.db());
  ASSERT_TRUE(tx.begin().ok());
  ASSERT_TRUE(writer.db().exec("INSERT INTO t VALUES(2)").ok());
  auto read = std::async(std::launch::async, [&] { return rowsSeenByANewReader(); });
  ASSERT_EQ(read.wait_for(5s), std::future_status::ready) << "a read waited for the writer";
  EXPECT_EQ(read.get(), 1) << "an uncommitted row is not visible";
  ASSERT_TRUE(tx.commit().ok());
  EXPECT_EQ(rowsSeenByANewReader(), 2);
}

TEST_F(StateDbTest, ASnapshotSeesOneStateUntilItEnds) {
  auto reader = db_->read();
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(reader->snapshot().ok());
  EXPECT_EQ(rowsSeenBy(*reader), 1);
  {
    auto writer = db_->write();
    ASSERT_TRUE(writer.db().exec("INSERT INTO t VALUES(2)").ok());
  }
  EXPECT_EQ(rowsSeenBy(*reader), 1) << "the snapshot moved";
  EXPECT_EQ(rowsSeenByANewReader(), 2);
}

TEST_F(StateDbTest, WritersExcludeEachOther) {
  auto writer = std::make_unique<StateDb::WriteAccess>(db_->write());
  auto second = std::async(std::launch::async, [&] { auto w = db_->write(); });
  EXPECT_EQ(second.wait_for(200ms), std::future_status::timeout);
  writer.reset();
  EXPECT_EQ(second.wait_for(5s), std::future_status::ready);
}

TEST_F(StateDbTest, AReaderBeyondThePoolWaitsForOneToComeBack) {
  auto first = db_->read();
  auto second = db_->read();
  ASSERT_TRUE(first.ok() && second.ok());
  auto third = std::async(std::launch::async, [&] { return rowsSeenByANewReader(); });
  EXPECT_EQ(third.wait_for(200ms), std::future_status::timeout);
  { auto giveBack = std::move(*first); }
  ASSERT_EQ(third.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(third.get(), 1);
}

TEST_F(StateDbTest, ReadersCannotWrite) {
  auto reader = db_->read();
  ASSERT_TRUE(reader.ok());
  EXPECT_FALSE(reader->db().exec("INSERT INTO t VALUES(3)").ok());
}

}  // namespace
}  // namespace fastio::emu
