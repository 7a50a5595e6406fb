// Namespace changes on a real mount (docs/SEMANTICS.md "Writes", "Attributes"): mkdir,
// rename, unlink and rmdir of server objects are server calls made at once (checked through
// the API: renamed nodes keep their id, removed ones go to the trash); files not uploaded yet
// change in the journal alone and cost no upload call; refused names and permissions fail at
// the call.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "tests/integration/WriteHarness.h"
#include "tests/support/EmulatorCounters.h"

namespace fastio::integration {
namespace {

namespace fsys = std::filesystem;

int renameat2(const fsys::path& from, const fsys::path& to, unsigned flags) {
  return static_cast<int>(
      ::syscall(SYS_renameat2, AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), flags));
}

// errno of a call that must fail (0 when it succeeded).
template <typename Call>
int errnoOf(Call call) {
  errno = 0;
  return call() == 0 ? 0 : errno;
}

using NamespaceTest = WriteMountTest;

// SEMANTICS "Writes": mkdir is a server call; the new folder holds new files
TEST_F(NamespaceTest, MkdirCreatesAServerFolderAtOnce) {
  ASSERT_EQ(::mkdir(at("made").c_str(), 0755), 0) << std::strerror(errno);
  ASSERT_EQ(::mkdir(at("made/deeper").c_str(), 0755), 0) << std::strerror(errno);
  const nlohmann::json made = server_->nodeAt("made/deeper");
  ASSERT_FALSE(made.is_null()) << "created on the server before mkdir returned";
  EXPECT_EQ(made["type"], "folder");
  EXPECT_EQ(xattrOf(at("made/deeper"), "user.fastio.id"), made["id"].get<std::string>());
  EXPECT_EQ(errnoOf([&] { return ::mkdir(at("made").c_str(), 0755); }), EEXIST);
  writeFile(at("made/deeper/inside.txt"), "inside\n");
  syncAll();
  EXPECT_EQ(server_->content(server_->idAt("made/deeper/inside.txt")), "inside\n");
}

// SEMANTICS "Inodes", "Writes": renames of server files and folders keep the node id
TEST_F(NamespaceTest, RenamesWithinAndAcrossFoldersKeepTheNodeId) {
  const std::string reportId = server_->idAt("docs/report.txt");
  const std::string alphaId = server_->idAt("projects/alpha");
  ASSERT_FALSE(reportId.empty());
  ASSERT_FALSE(alphaId.empty());

  fsys::rename(at("docs/report.txt"), at("docs/report-v1.txt"));  // within a folder
  EXPECT_EQ(server_->idAt("docs/report-v1.txt"), reportId);
  fsys::rename(at("docs/report-v1.txt"), at("other/moved.txt"));  // across folders
  EXPECT_EQ(server_->idAt("other/moved.txt"), reportId);
  EXPECT_EQ(server_->idAt("docs/report-v1.txt"), "");
  EXPECT_EQ(xattrOf(at("other/moved.txt"), "user.fastio.id"), reportId);
  EXPECT_EQ(readFile(at("other/moved.txt")), seedFiles().at("docs/report.txt"));

  fsys::rename(at("projects/alpha"), at("projects/gamma"));  // a folder within its parent
  EXPECT_EQ(server_->idAt("projects/gamma"), alphaId);
  fsys::rename(at("projects/gamma"), at("other/gamma"));  // a folder across folders
  EXPECT_EQ(server_->idAt("other/gamma"), alphaId);
  EXPECT_EQ(xattrOf(at("other/gamma"), "user.fastio.id"), alphaId);
  EXPECT_EQ(readFile(at("other/gamma/plan.txt")), seedFiles().at("projects/alpha/plan.txt"));
  EXPECT_EQ(namesIn(at("projects")), (std::set<std::string>{"beta"}));
  EXPECT_EQ(uploadCalls(*emulator_), 0u) << "renames upload nothing";
}

// SEMANTICS "Writes": unlink and rmdir move to the trash; nothing is purged
TEST_F(NamespaceTest, UnlinkAndRmdirMoveServerObjectsToTheTrash) {
  const std::string fileId = server_->idAt("top.txt");
  const std::string folderId = server_->idAt("empty-dir");
  ASSERT_FALSE(folderId.empty()) << "the seed has an empty folder";
  ASSERT_EQ(::unlink(at("top.txt").c_str()), 0) << std::strerror(errno);
  ASSERT_EQ(::rmdir(at("empty-dir").c_str()), 0) << std::strerror(errno);
  EXPECT_FALSE(fsys::exists(at("top.txt")));
  EXPECT_FALSE(namesIn(at("")).count("empty-dir"));
  EXPECT_EQ(server_->details(fileId)["deleted"], true);
  EXPECT_EQ(server_->details(folderId)["deleted"], true);
  const auto trash = server_->trashIds();
  EXPECT_TRUE(trash.count(fileId)) << "trashed, not purged";
  EXPECT_TRUE(trash.count(folderId));
  EXPECT_EQ(testing::EmulatorCounters::read(*emulator_)["storage_deletes"], 2u);
}

// SEMANTICS "Writes": rmdir checks a fresh listing; a pending file counts
TEST_F(NamespaceTest, RmdirOfANonEmptyFolderFailsWithENOTEMPTY) {
  EXPECT_EQ(errnoOf([&] { return ::rmdir(at("projects").c_str()); }), ENOTEMPTY);
  EXPECT_EQ(errnoOf([&] { return ::rmdir(at("projects/beta").c_str()); }), ENOTEMPTY);
  ASSERT_EQ(::mkdir(at("fresh-dir").c_str(), 0755), 0);
  writeFile(at("fresh-dir/pending.txt"), "not uploaded yet\n");
  EXPECT_EQ(errnoOf([&] { return ::rmdir(at("fresh-dir").c_str()); }), ENOTEMPTY);
  EXPECT_FALSE(server_->idAt("projects/beta/readme.txt").empty());
  EXPECT_EQ(server_->trashIds().size(), 0u);
}

// SEMANTICS "Writes": RENAME_NOREPLACE over an existing name → EEXIST; RENAME_EXCHANGE → EINVAL
TEST_F(NamespaceTest, RenameFlagsNoReplaceAndExchangeAreRefused) {
  EXPECT_EQ(errnoOf([&] {
              return renameat2(at("docs/report.txt"), at("docs/notes.md"), RENAME_NOREPLACE);
            }),
            EEXIST);
  EXPECT_EQ(errnoOf([&] {
              return renameat2(at("docs/report.txt"), at("docs/notes.md"), RENAME_EXCHANGE);
            }),
            EINVAL);
  EXPECT_EQ(readFile(at("docs/report.txt")), seedFiles().at("docs/report.txt"));
  EXPECT_EQ(readFile(at("docs/notes.md")), seedFiles().at("docs/notes.md"));
  EXPECT_EQ(renameat2(at("docs/report.txt"), at("docs/free-name.txt"), RENAME_NOREPLACE), 0)
      << std::strerror(errno);
  EXPECT_FALSE(server_->idAt("docs/free-name.txt").empty());
}

// SEMANTICS "Writes": errors at the call — names the service refuses
TEST_F(NamespaceTest, RefusedNamesFailAtCreateRenameAndMkdir) {
  const std::string tooLong(256, 'n');
  for (const std::string& bad : {std::string("trailing-dot."), std::string("ctl\x01char")}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(errnoOf([&] {
                const int fd = ::open(at("docs/" + bad).c_str(), O_CREAT | O_WRONLY, 0644);
                if (fd >= 0) ::close(fd);
                return fd >= 0 ? 0 : -1;
              }),
              EINVAL);
    EXPECT_EQ(errnoOf([&] { return ::mkdir(at(bad).c_str(), 0755); }), EINVAL);
    EXPECT_EQ(
        errnoOf([&] { return ::rename(at("docs/report.txt").c_str(), at("docs/" + bad).c_str()); }),
        EINVAL);
  }
  EXPECT_EQ(errnoOf([&] {
              const int fd = ::open(at("docs/" + tooLong).c_str(), O_CREAT | O_WRONLY, 0644);
              if (fd >= 0) ::close(fd);
              return fd >= 0 ? 0 : -1;
            }),
            ENAMETOOLONG);
  EXPECT_EQ(errnoOf([&] { return ::mkdir(at(tooLong).c_str(), 0755); }), ENAMETOOLONG);
  EXPECT_EQ(errnoOf([&] {
              return ::rename(at("docs/report.txt").c_str(), at("docs/" + tooLong).c_str());
            }),
            ENAMETOOLONG);
  // 255 bytes is fine.
  writeFile(at("docs/" + std::string(251, 'k') + ".txt"), "long but legal\n");
  EXPECT_EQ(readFile(at("docs/" + std::string(251, 'k') + ".txt")), "long but legal\n");
  EXPECT_EQ(namesIn(at("docs")).size(), 4u) << "the three seeded files and the long name";
}

// SEMANTICS "Attributes": chmod that takes permissions away succeeds and is not kept; granting
// fails with EPERM; chown only to the mount's owner
TEST_F(NamespaceTest, ChmodAndChownFollowTheMountWidePolicy) {
  const fsys::path file = at("docs/report.txt");
  EXPECT_EQ(errnoOf([&] { return ::chmod(file.c_str(), 0755); }), EPERM);
  EXPECT_EQ(::chmod(file.c_str(), 0600), 0) << std::strerror(errno);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u) << "the mount-wide mode stays";
  EXPECT_EQ(::chown(file.c_str(), ::getuid(), ::getgid()), 0) << std::strerror(errno);
  EXPECT_EQ(
      errnoOf([&] { return ::chown(file.c_str(), ::getuid() + 1000, static_cast<gid_t>(-1)); }),
      EPERM);
  EXPECT_EQ(
      errnoOf([&] { return ::chown(file.c_str(), static_cast<uid_t>(-1), ::getgid() + 1000); }),
      EPERM);
  EXPECT_EQ(errnoOf([&] { return ::chmod(at("docs").c_str(), 0777); }), EPERM);
  EXPECT_EQ(::chmod(at("docs").c_str(), 0700), 0);
}

// SEMANTICS "Writes": unlink of an open file — readable and writable through the descriptor,
// gone from the listing, never uploaded
TEST_F(NamespaceTest, UnlinkedOpenNewFileStaysUsableAndIsNeverUploaded) {
  const fsys::path local = at("docs/scratch.tmp");
  const int fd = ::open(local.c_str(), O_CREAT | O_RDWR, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "temporary data", 14), 14);
  ASSERT_EQ(::unlink(local.c_str()), 0) << std::strerror(errno);
  EXPECT_FALSE(namesIn(at("docs")).count("scratch.tmp"));
  EXPECT_FALSE(fsys::exists(local));
  char buf[64] = {};
  EXPECT_EQ(::pread(fd, buf, sizeof buf, 0), 14);
  EXPECT_EQ(std::string(buf, 14), "temporary data");
  ASSERT_EQ(::pwrite(fd, "TEMP", 4, 0), 4);
  EXPECT_EQ(::pread(fd, buf, sizeof buf, 0), 14);
  EXPECT_EQ(std::string(buf, 14), "TEMPorary data");
  ASSERT_EQ(::close(fd), 0);

  syncAll();
  EXPECT_EQ(uploadCalls(*emulator_), 0u) << "an unlinked file is never uploaded";
  EXPECT_EQ(server_->idAt("docs/scratch.tmp"), "");
}

// SEMANTICS "Writes": the same for a server file never read before: its descriptor still reads
// (and writes) its content, and it goes to the trash at the last close.
TEST_F(NamespaceTest, UnlinkedOpenServerFileStaysReadableThroughItsDescriptor) {
  const std::string notesId = server_->idAt("docs/notes.md");
  const std::string notes = seedFiles().at("docs/notes.md");
  const int fd = ::open(at("docs/notes.md").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::unlink(at("docs/notes.md").c_str()), 0) << std::strerror(errno);
  EXPECT_FALSE(namesIn(at("docs")).count("notes.md"));
  char buf[64] = {};
  errno = 0;
  EXPECT_EQ(::pread(fd, buf, sizeof buf, 0), static_cast<ssize_t>(notes.size()))
      << std::strerror(errno);
  EXPECT_EQ(std::string(buf, notes.size()), notes);
  errno = 0;
  EXPECT_EQ(::pwrite(fd, "##", 2, 0), 2) << std::strerror(errno);
  EXPECT_EQ(::pread(fd, buf, sizeof buf, 0), static_cast<ssize_t>(notes.size()));
  EXPECT_EQ(std::string(buf, notes.size()), "##" + notes.substr(2));
  ASSERT_EQ(::close(fd), 0);

  syncAll();
  EXPECT_EQ(uploadCalls(*emulator_), 0u) << "an unlinked file is never uploaded";
  EXPECT_EQ(server_->idAt("docs/notes.md"), "");
  EXPECT_EQ(server_->details(notesId)["deleted"], true) << "in the trash after the last close";
}

// The same for a server file whose content the mount already read (cached): writes through the
// descriptor after the unlink never bring the file back
TEST_F(NamespaceTest, UnlinkedOpenServerFileReadBeforeIsNeverUploadedAgain) {
  const std::string notes = seedFiles().at("docs/notes.md");
  ASSERT_EQ(readFile(at("docs/notes.md")), notes);
  const int fd = ::open(at("docs/notes.md").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::unlink(at("docs/notes.md").c_str()), 0) << std::strerror(errno);
  char buf[64] = {};
  EXPECT_EQ(::pread(fd, buf, sizeof buf, 0), static_cast<ssize_t>(notes.size()))
      << std::strerror(errno);
  EXPECT_EQ(::pwrite(fd, "##", 2, 0), 2) << std::strerror(errno);
  EXPECT_EQ(::pread(fd, buf, sizeof buf, 0), static_cast<ssize_t>(notes.size()));
  EXPECT_EQ(std::string(buf, notes.size()), "##" + notes.substr(2));
  ASSERT_EQ(::close(fd), 0);

  syncAll();
  EXPECT_EQ(uploadCalls(*emulator_), 0u) << "an unlinked file is never uploaded";
  EXPECT_EQ(server_->idAt("docs/notes.md"), "");
  EXPECT_FALSE(namesIn(at("docs")).count("notes.md"));
}

// SEMANTICS "Writes": files renamed or deleted before their upload cost no upload call; the
// renamed one is stored once, under its last name
TEST_F(NamespaceTest, RenameOrDeleteBeforeTheUploadCostsNoUploadCall) {
  writeFile(at("docs/draft.txt"), "first name\n");
  fsys::rename(at("docs/draft.txt"), at("docs/second.txt"));
  fsys::rename(at("docs/second.txt"), at("other/final.txt"));
  writeFile(at("docs/doomed.txt"), "deleted before its upload\n");
  ASSERT_EQ(::unlink(at("docs/doomed.txt").c_str()), 0);
  EXPECT_EQ(uploadCalls(*emulator_), 0u);
  EXPECT_EQ(readFile(at("other/final.txt")), "first name\n");
  const auto before = testing::EmulatorCounters::read(*emulator_);

  syncAll();
  const auto after = testing::EmulatorCounters::read(*emulator_);
  EXPECT_EQ(uploadCalls(*emulator_), 1u) << "one upload: final.txt";
  EXPECT_EQ(after["storage_renames"], before["storage_renames"]);
  EXPECT_EQ(after["storage_moves"], before["storage_moves"]);
  EXPECT_EQ(after["storage_deletes"], before["storage_deletes"]);
  EXPECT_EQ(server_->content(server_->idAt("other/final.txt")), "first name\n");
  for (const char* gone : {"docs/draft.txt", "docs/second.txt", "docs/doomed.txt"}) {
    EXPECT_EQ(server_->idAt(gone), "") << gone;
  }
  EXPECT_EQ(server_->trashIds().size(), 0u);
}

}  // namespace
}  // namespace fastio::integration
