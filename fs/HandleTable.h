#pragma once
// Open file and directory handles, by the number the kernel passes back in every request.
// A file handle remembers what was opened (the virtual content rendered at open, or the
// remote version seen at open) and its read-ahead window; a directory handle holds the
// snapshot readdir pages through. Open handles pin their inode (InodeTable::pin), so an open
// file keeps its place even after the kernel forgot the name.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "fs/BlockReader.h"
#include "fs/InodeTable.h"
#include "fs/ReadAhead.h"

namespace fastio::fs {

struct DirSnapshot;

struct FileHandle {
  InodeId ino = 0;
  bool isVirtual = false;
  std::string content;  // generated content of a virtual file
  FileVersion file;     // the remote version seen at open (clean reads); guarded by mu
  bool writable = false;
  bool append = false;  // O_APPEND: every write goes to the end, whatever offset the kernel sent
  std::mutex mu;        // guards window and file
  ReadAheadWindow window{0, 0};

  FileVersion version() {
    std::lock_guard lock(mu);
    return file;
  }
};

class HandleTable {
 public:
  explicit HandleTable(InodeTable& inodes) : inodes_(inodes) {}

  uint64_t addFile(std::shared_ptr<FileHandle> handle);
  std::shared_ptr<FileHandle> file(uint64_t id) const;
  // Removes and returns the handle (nullptr when unknown).
  std::shared_ptr<FileHandle> removeFile(uint64_t id);

  uint64_t addDirectory(std::shared_ptr<const DirSnapshot> snapshot);
  std::shared_ptr<const DirSnapshot> directory(uint64_t id) const;
  void removeDirectory(uint64_t id);

  // The file was stored as `file` by this mount: handles open on ino write over that version
  // from now on (their next change is not a conflict with our own upload).
  void rebase(InodeId ino, const FileVersion& file);

  size_t openFiles() const;
  // File handles open on ino, all and those opened for writing.
  size_t openCount(InodeId ino) const;
  size_t writerCount(InodeId ino) const;

 private:
  InodeTable& inodes_;
  mutable std::mutex mu_;
  uint64_t next_ = 1;
  std::unordered_map<uint64_t, std::shared_ptr<FileHandle>> files_;
  std::unordered_map<uint64_t, std::shared_ptr<const DirSnapshot>> directories_;
  struct OpenCounts {
    size_t all = 0;
    size_t writers = 0;
  };
  std::unordered_map<InodeId, OpenCounts> perInode_;
};

}  // namespace fastio::fs
