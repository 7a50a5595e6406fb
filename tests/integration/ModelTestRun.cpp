#include "tests/integration/ModelTestRun.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <thread>

#include "tests/integration/ModelTestDaemon.h"
#include "tests/integration/ModelTestServer.h"
#include "tests/support/RandomBytes.h"

namespace fastio::integration::model {

namespace {

constexpr size_t kMaxHandles = 4;
constexpr size_t kRecentOps = 40;
constexpr uint64_t kGrowLimit = 3ull << 20;  // files above this only shrink or stay
constexpr int kMaxFolderDepth = 3;
constexpr size_t kMaxFolders = 24;

// Names the generator draws from: few, so that names collide and come back.
const char* const kFileNames[] = {"a.txt", "b.txt", "c.dat", "notes.md", "e e.txt",
                                  "f",     "g.bin", "ü.txt", "i.log",    "j"};
const char* const kFolderNames[] = {"d1", "d2", "sub", "x y", "ordner"};

// How often each operation is drawn (ModelRun::Op order).
const int kWeights[] = {
    /*create*/ 12,  /*open*/ 8,       /*write*/ 18,     /*append*/ 6,
    /*truncate*/ 7, /*renameFile*/ 7, /*renameOver*/ 5, /*renameFolder*/ 2,
    /*unlink*/ 6,   /*mkdir*/ 4,      /*rmdir*/ 3,      /*read*/ 8,
    /*close*/ 10,   /*fsync*/ 4};
const char* const kOpNames[] = {"create", "open",        "write",         "append", "truncate",
                                "rename", "rename-over", "rename-folder", "unlink", "mkdir",
                                "rmdir",  "read",        "close",         "fsync"};

bool isInside(const std::string& path, const std::string& folder) {
  return folder.empty() ||
         (path.size() > folder.size() && path.compare(0, folder.size(), folder) == 0 &&
          path[folder.size()] == '/');
}

}  // namespace

ModelRun::ModelRun(testing::EmulatorProcess& emulator, const Tree& seeded, ModelRunOptions options)
    : emulator_(emulator), options_(std::move(options)), rng_(options_.seed) {
  model_.seed(seeded);
}

ModelRun::~ModelRun() {
  for (ModelHandle& h : handles_) ::close(h.fd);
  handles_.clear();
  mount_.reset();  // lazy unmount and kill, also after a failure
}

// ---------------------------------------------------------------- helpers

size_t ModelRun::pick(size_t n) {
  return static_cast<size_t>(rng_() % n);
}

uint64_t ModelRun::below(uint64_t n) {
  return n == 0 ? 0 : rng_() % n;
}

bool ModelRun::coin(int percent) {
  return static_cast<int>(rng_() % 100) < percent;
}

std::string ModelRun::randomBytes(size_t n) {
  return testing::randomBytes(rng_, n);
}

std::string ModelRun::at(const std::string& rel) const {
  const std::filesystem::path ws = mount_->path(options_.workspace);
  return rel.empty() ? ws.string() : (ws / rel).string();
}

std::string ModelRun::randomFolder() {
  const auto& folders = model_.folders();
  auto it = folders.begin();
  std::advance(it, static_cast<std::ptrdiff_t>(pick(folders.size())));
  return *it;
}

std::string ModelRun::randomFile() {
  const auto& files = model_.files();
  if (files.empty()) return {};
  auto it = files.begin();
  std::advance(it, static_cast<std::ptrdiff_t>(pick(files.size())));
  return it->first;
}

std::string ModelRun::freeName(const std::string& folder, bool forFolder) {
  std::vector<std::string> free;
  if (forFolder) {
    for (const char* n : kFolderNames) {
      if (!model_.exists(joinPath(folder, n))) free.push_back(n);
    }
  } else {
    for (const char* n : kFileNames) {
      if (!model_.exists(joinPath(folder, n))) free.push_back(n);
    }
  }
  return free.empty() ? std::string() : free[pick(free.size())];
}

void ModelRun::note(const std::string& what) {
  recent_.push_back("#" + std::to_string(step_) + " " + what);
  if (recent_.size() > kRecentOps) recent_.pop_front();
  history_ += recent_.back() + "\n";
}

bool ModelRun::fail(const std::string& what) {
  if (!failure_.empty()) return false;
  std::ostringstream out;
  out << "seed " << options_.seed << ", step " << step_ << " of " << options_.operations << ": "
      << what << "\nlast operations:\n";
  for (const std::string& r : recent_) out << "  " << r << "\n";
  out << "replay: FASTIO_MODEL_FIRST_SEED=" << options_.seed
      << " FASTIO_MODEL_SEEDS=1 FASTIO_MODEL_OPS=" << options_.operations
      << " ctest -R 'ModelTest.*seed" << options_.seed << "$' --output-on-failure\n";
  failure_ = out.str();
  return false;
}

void ModelRun::keepDaemonLog() {
  if (!mount_) return;
  for (ModelHandle& h : handles_) ::close(h.fd);
  handles_.clear();
  // The daemon writes its log through a buffer: end it the orderly way (SIGTERM, then SIGUSR2
  // to cut its drain short) so that the log is flushed, then clean up.
  const pid_t pid = mount_->daemonPid();
  shell("fusermount3 -u -z '" + mount_->mountpoint().string() + "' >/dev/null 2>&1");
  if (pid > 0) ::kill(pid, SIGTERM);
  for (int i = 0; i < 50 && pid > 0 && !processGone(pid); ++i) {
    ::kill(pid, SIGUSR2);
    waitProcessGone(pid, std::chrono::milliseconds(200));
  }
  mount_->forceCleanup();
  const std::filesystem::path kept =
      std::filesystem::temp_directory_path() /
      ("fastiofs-model-seed" + std::to_string(options_.seed) + "-daemon.log");
  writeFile(kept, mount_->daemonLog());
  failure_ += "daemon log: " + kept.string() + "\n";
  const std::filesystem::path ops =
      std::filesystem::temp_directory_path() /
      ("fastiofs-model-seed" + std::to_string(options_.seed) + "-operations.log");
  writeFile(ops, history_);
  failure_ += "every operation: " + ops.string() + "\n";
  // What the server holds now, for the post-mortem.
  try {
    ApiView server(emulator_, options_.workspace);
    std::string text = "live:\n";
    for (const auto& [path, n] : server.liveTree().nodes) {
      text += "  " + path + "  " + n.id + "  " + std::to_string(n.size) + "\n";
    }
    text += "trash:\n";
    for (const ServerNode& n : server.trash()) text += "  " + n.name + "  " + n.id + "\n";
    const std::filesystem::path serverFile =
        std::filesystem::temp_directory_path() /
        ("fastiofs-model-seed" + std::to_string(options_.seed) + "-server.txt");
    writeFile(serverFile, text);
    failure_ += "the server's tree and trash: " + serverFile.string() + "\n";
  } catch (const std::exception& e) {
    failure_ += std::string("the server's tree could not be read: ") + e.what() + "\n";
  }
}

bool ModelRun::failErrno(const std::string& what) {
  return fail(what + ": " + std::strerror(errno));
}

// ---------------------------------------------------------------- the run

std::string ModelRun::run() {
  mount_ = std::make_unique<MountedFastio>(emulator_);
  if (mount_->mount(options_.mountOptions) != 0) {
    fail("mount failed: " + mount_->lastError());
    return failure_;
  }
  std::discrete_distribution<int> ops(std::begin(kWeights), std::end(kWeights));
  bool ok = fullCheck("at the start");
  int remounts = 0;
  for (step_ = 1; ok && step_ <= options_.operations; ++step_) {
    const Op op = static_cast<Op>(ops(rng_));
    touched_.clear();
    ok = doOperation(op) && checkListingsOrDiagnose();
    for (size_t i = 0; ok && i < touched_.size(); ++i) ok = checkContent(touched_[i]);
    if (ok && step_ % options_.fullCheckEvery == 0) ok = fullCheck("periodic check");
    if (ok && step_ % options_.remountEvery == 0 && step_ < options_.operations) {
      // Alternate the two kinds, starting with a seeded one.
      const bool kill = (options_.seed + static_cast<uint64_t>(remounts++)) % 2 == 1;
      ok = remount(kill);
    }
  }
  const int reached = ok ? options_.operations : step_ - 1;  // the loop counted one more
  step_ = options_.operations;
  if (ok) ok = finalChecks();
  if (!ok) keepDaemonLog();
  std::ostringstream s;
  s << "seed " << options_.seed << ": " << reached << " of " << options_.operations
    << " operations (";
  for (int i = 0; i < static_cast<int>(Op::kCount); ++i) {
    s << (i ? ", " : "") << kOpNames[i] << " " << counts_[i];
  }
  s << "), " << drains_ << " drained remount(s), " << kills_ << " kill -9 remount(s); final tree "
    << model_.folders().size() << " folders, " << model_.files().size() << " files";
  summary_ = s.str();
  return failure_;
}

bool ModelRun::doOperation(Op op) {
  ++counts_[static_cast<int>(op)];
  switch (op) {
    case Op::kCreate:
      return create();
    case Op::kOpen:
      return openExisting();
    case Op::kWrite:
      return write();
    case Op::kAppend:
      return append();
    case Op::kTruncate:
      return truncateFile();
    case Op::kRenameFile:
      return renameFile();
    case Op::kRenameOver:
      return renameOver();
    case Op::kRenameFolder:
      return renameFolder();
    case Op::kUnlink:
      return unlinkFile();
    case Op::kMkdir:
      return makeFolder();
    case Op::kRmdir:
      return removeFolder();
    case Op::kRead:
      return readBack();
    case Op::kClose:
      return closeHandle();
    case Op::kFsync:
      return fsyncHandle();
    case Op::kCount:
      break;
  }
  return true;
}

// ---------------------------------------------------------------- operations

bool ModelRun::create() {
  const std::string folder = randomFolder();
  if (coin(5) && !model_.files().empty()) {
    // An existing name with O_EXCL: EEXIST, nothing changes.
    const std::string path = randomFile();
    note("create existing " + path + " (expect EEXIST)");
    const int fd = ::open(at(path).c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::close(fd);
      return fail("O_EXCL create of existing " + path + " succeeded");
    }
    if (errno != EEXIST) return failErrno("O_EXCL create of existing " + path);
    return true;
  }
  const std::string name = freeName(folder, false);
  if (name.empty()) return makeFolder();
  const std::string path = joinPath(folder, name);
  const bool appendMode = coin(20);
  note("create " + path + (appendMode ? " O_APPEND" : ""));
  const int fd = ::open(at(path).c_str(),
                        O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC | (appendMode ? O_APPEND : 0), 0644);
  if (fd < 0) return failErrno("create " + path);
  ModelFilePtr file = model_.addFile(path);
  touched_.push_back(path);
  if (handles_.size() < kMaxHandles) {
    handles_.push_back(ModelHandle{fd, file, appendMode});
    return true;
  }
  // Enough descriptors open: write a first content and close at once.
  const std::string data = randomBytes(1 + below(5000));
  note("  write " + std::to_string(data.size()) + " bytes and close");
  if (::write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size())) {
    ::close(fd);
    return failErrno("first write of " + path);
  }
  model_.writeAt(*file, 0, data);
  if (::close(fd) != 0) return failErrno("close of new " + path);
  return true;
}

bool ModelRun::openExisting() {
  if (handles_.size() >= kMaxHandles) return closeHandle();
  const std::string path = randomFile();
  if (path.empty()) return create();
  const bool appendMode = coin(20);
  const bool truncateMode = coin(12);
  note("open " + path + (appendMode ? " O_APPEND" : "") + (truncateMode ? " O_TRUNC" : ""));
  const int fd = ::open(at(path).c_str(), O_RDWR | O_CLOEXEC | (appendMode ? O_APPEND : 0) |
                                              (truncateMode ? O_TRUNC : 0));
  if (fd < 0) return failErrno("open " + path);
  ModelFilePtr file = model_.files().at(path);
  if (truncateMode) model_.truncate(*file, 0);
  handles_.push_back(ModelHandle{fd, file, appendMode});
  touched_.push_back(path);
  return true;
}

bool ModelRun::write() {
  if (handles_.empty()) return openExisting();
  ModelHandle& h = handles_[pick(handles_.size())];
  const uint64_t size = h.file->content.size();
  size_t length = 1 + below(coin(10) ? 300000 : 8192);
  if (coin(1)) length = (4u << 20) + below(2u << 20);  // a chunked upload
  uint64_t offset;
  const int where = static_cast<int>(below(10));
  if (size >= kGrowLimit) {
    offset = below(size);
    length = std::min<uint64_t>(length, size - offset);
    if (length == 0) length = 1;
  } else if (where < 5) {
    offset = below(size + 1);
  } else if (where < 8) {
    offset = size;
  } else {
    offset = size + 1 + below(100000);  // past the end: a hole
  }
  const std::string data = randomBytes(length);
  note("write fd " + std::to_string(h.fd) + " at " + std::to_string(offset) + " length " +
       std::to_string(length) +
       (h.append ? " (O_APPEND: at the end " + std::to_string(size) + ")" : ""));
  const ssize_t n = ::pwrite(h.fd, data.data(), data.size(), static_cast<off_t>(offset));
  if (n != static_cast<ssize_t>(data.size())) {
    return n < 0 ? failErrno("pwrite") : fail("pwrite wrote " + std::to_string(n) + " bytes");
  }
  model_.writeAt(*h.file, h.append ? size : offset, data);
  for (const auto& [path, file] : model_.files()) {
    if (file == h.file) touched_.push_back(path);
  }
  return true;
}

bool ModelRun::append() {
  const std::string path = randomFile();
  if (path.empty()) return create();
  const std::string data = randomBytes(1 + below(coin(10) ? 200000 : 4000));
  note("append " + std::to_string(data.size()) + " bytes to " + path + " (open, write, close)");
  const int fd = ::open(at(path).c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return failErrno("open O_APPEND " + path);
  ModelFilePtr file = model_.files().at(path);
  const ssize_t n = ::write(fd, data.data(), data.size());
  if (n != static_cast<ssize_t>(data.size())) {
    ::close(fd);
    return n < 0 ? failErrno("append") : fail("append wrote " + std::to_string(n) + " bytes");
  }
  model_.writeAt(*file, file->content.size(), data);
  if (::close(fd) != 0) return failErrno("close after append to " + path);
  touched_.push_back(path);
  return true;
}

bool ModelRun::truncateFile() {
  const bool viaHandle = !handles_.empty() && coin(50);
  ModelFilePtr file;
  std::string path;
  int fd = -1;
  if (viaHandle) {
    ModelHandle& h = handles_[pick(handles_.size())];
    file = h.file;
    fd = h.fd;
  } else {
    path = randomFile();
    if (path.empty()) return create();
    file = model_.files().at(path);
  }
  const uint64_t size = file->content.size();
  const bool grow = size < kGrowLimit && coin(40);
  const uint64_t to = grow ? size + 1 + below(100000) : below(size + 1);
  if (viaHandle) {
    note("ftruncate fd " + std::to_string(fd) + " from " + std::to_string(size) + " to " +
         std::to_string(to));
    if (::ftruncate(fd, static_cast<off_t>(to)) != 0) return failErrno("ftruncate");
  } else {
    note("truncate " + path + " from " + std::to_string(size) + " to " + std::to_string(to));
    if (::truncate(at(path).c_str(), static_cast<off_t>(to)) != 0) return failErrno("truncate");
  }
  model_.truncate(*file, to);
  for (const auto& [p, f] : model_.files()) {
    if (f == file) touched_.push_back(p);
  }
  return true;
}

bool ModelRun::renameFile() {
  const std::string from = randomFile();
  if (from.empty()) return create();
  const std::string folder = coin(50) ? parentOf(from) : randomFolder();
  const std::string name = freeName(folder, false);
  if (name.empty()) return unlinkFile();
  const std::string to = joinPath(folder, name);
  note("rename " + from + " -> " + to);
  if (::rename(at(from).c_str(), at(to).c_str()) != 0) return failErrno("rename " + from);
  model_.rename(from, to);
  touched_.push_back(to);
  return true;
}

bool ModelRun::renameOver() {
  if (model_.files().size() < 2) return create();
  const std::string from = randomFile();
  std::string to = randomFile();
  if (to == from) return renameFile();
  note("rename " + from + " over " + to);
  if (::rename(at(from).c_str(), at(to).c_str()) != 0) return failErrno("rename over " + to);
  model_.renameOver(from, to);
  touched_.push_back(to);
  return true;
}

bool ModelRun::renameFolder() {
  std::vector<std::string> movable;
  for (const std::string& f : model_.folders()) {
    if (!f.empty()) movable.push_back(f);
  }
  if (movable.empty()) return makeFolder();
  const std::string from = movable[pick(movable.size())];
  // A destination outside the folder itself, not deeper than the limit.
  std::vector<std::string> parents;
  int height = 0;
  for (const std::string& f : model_.folders()) {
    if (isInside(f, from)) height = std::max(height, model_.depthOf(f) - model_.depthOf(from));
  }
  for (const std::string& f : model_.folders()) {
    if (f != from && !isInside(f, from) && model_.depthOf(f) + 1 + height <= kMaxFolderDepth) {
      parents.push_back(f);
    }
  }
  if (parents.empty()) return makeFolder();
  const std::string parent = parents[pick(parents.size())];
  std::string to;
  bool over = false;
  if (coin(30)) {
    // Over an empty folder (not the source's own parent chain).
    for (const char* n : kFolderNames) {
      const std::string candidate = joinPath(parent, n);
      if (candidate != from && model_.isFolder(candidate) && model_.childrenOf(candidate).empty() &&
          !isInside(from, candidate)) {
        to = candidate;
        over = true;
        break;
      }
    }
  }
  if (to.empty()) {
    const std::string name = freeName(parent, true);
    if (name.empty()) return makeFolder();
    to = joinPath(parent, name);
  }
  note("rename folder " + from + (over ? " over empty " : " -> ") + to);
  if (::rename(at(from).c_str(), at(to).c_str()) != 0) return failErrno("rename folder " + from);
  if (over) {
    model_.renameFolderOver(from, to);
  } else {
    model_.rename(from, to);
  }
  return true;
}

bool ModelRun::unlinkFile() {
  if (coin(3)) {
    const std::string missing = joinPath(randomFolder(), "missing-name");
    note("unlink " + missing + " (expect ENOENT)");
    if (::unlink(at(missing).c_str()) == 0) return fail("unlink of a missing name succeeded");
    if (errno != ENOENT) return failErrno("unlink of a missing name");
    return true;
  }
  const std::string path = randomFile();
  if (path.empty()) return create();
  bool open = false;
  for (const ModelHandle& h : handles_) open = open || h.file == model_.files().at(path);
  note("unlink " + path + (open ? " (open)" : ""));
  if (::unlink(at(path).c_str()) != 0) return failErrno("unlink " + path);
  model_.unlink(path);
  return true;
}

bool ModelRun::makeFolder() {
  if (model_.folders().size() >= kMaxFolders) return removeFolder();
  std::vector<std::string> parents;
  for (const std::string& f : model_.folders()) {
    if (model_.depthOf(f) < kMaxFolderDepth) parents.push_back(f);
  }
  const std::string parent = parents[pick(parents.size())];
  const std::string name = freeName(parent, true);
  if (name.empty()) return true;
  const std::string path = joinPath(parent, name);
  note("mkdir " + path);
  if (::mkdir(at(path).c_str(), 0755) != 0) return failErrno("mkdir " + path);
  model_.addFolder(path);
  return true;
}

bool ModelRun::removeFolder() {
  std::vector<std::string> empty;
  std::vector<std::string> full;
  for (const std::string& f : model_.folders()) {
    if (f.empty()) continue;
    (model_.childrenOf(f).empty() ? empty : full).push_back(f);
  }
  if (!full.empty() && (empty.empty() || coin(20))) {
    const std::string path = full[pick(full.size())];
    note("rmdir " + path + " (not empty: expect ENOTEMPTY)");
    if (::rmdir(at(path).c_str()) == 0) return fail("rmdir of non-empty " + path + " succeeded");
    if (errno != ENOTEMPTY) return failErrno("rmdir of non-empty " + path);
    return true;
  }
  if (empty.empty()) return makeFolder();
  const std::string path = empty[pick(empty.size())];
  note("rmdir " + path);
  if (::rmdir(at(path).c_str()) != 0) return failErrno("rmdir " + path);
  model_.rmdir(path);
  return true;
}

bool ModelRun::readBack() {
  if (!handles_.empty() && coin(50)) {
    ModelHandle& h = handles_[pick(handles_.size())];
    const std::string& content = h.file->content;
    const uint64_t offset = below(content.size() + 100);
    const size_t length = 1 + below(70000);
    note("pread fd " + std::to_string(h.fd) + " at " + std::to_string(offset) + " length " +
         std::to_string(length));
    std::string got(length, '\0');
    size_t done = 0;
    while (done < length) {
      const ssize_t n =
          ::pread(h.fd, got.data() + done, length - done, static_cast<off_t>(offset + done));
      if (n < 0) return failErrno("pread");
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    got.resize(done);
    const std::string want =
        offset >= content.size() ? std::string() : content.substr(offset, length);
    if (got != want) {
      return fail("pread at " + std::to_string(offset) + " returned " + std::to_string(got.size()) +
                  " bytes that differ from the model's " + std::to_string(want.size()));
    }
    return true;
  }
  const std::string path = randomFile();
  if (path.empty()) return create();
  note("read " + path);
  touched_.push_back(path);
  return true;
}

bool ModelRun::closeHandle() {
  if (handles_.empty()) return openExisting();
  const size_t i = pick(handles_.size());
  note("close fd " + std::to_string(handles_[i].fd));
  const int fd = handles_[i].fd;
  handles_.erase(handles_.begin() + static_cast<std::ptrdiff_t>(i));
  if (::close(fd) != 0) return failErrno("close");
  return true;
}

bool ModelRun::fsyncHandle() {
  if (handles_.empty()) return openExisting();
  ModelHandle& h = handles_[pick(handles_.size())];
  note("fsync fd " + std::to_string(h.fd));
  if (::fsync(h.fd) != 0) return failErrno("fsync");
  return true;
}

// ---------------------------------------------------------------- checks

bool ModelRun::checkListingsOrDiagnose() {
  if (checkListings()) return true;
  // Diagnosis only (the step has failed already): does the difference outlive the kernel's
  // attribute and entry timeouts and the uploads in flight, or was it a passing moment?
  std::this_thread::sleep_for(std::chrono::seconds(6));
  const std::string first = failure_;
  failure_.clear();
  const bool later = checkListings();
  const std::string second = failure_;
  failure_ = first;
  failure_ += later ? "6 s later the listings matched the model: a passing difference\n"
                    : "6 s later: " + second.substr(0, second.find('\n')) + "\n";
  return false;
}

bool ModelRun::checkListings() {
  for (const std::string& folder : model_.folders()) {
    DIR* d = ::opendir(at(folder).c_str());
    if (d == nullptr) return failErrno("opendir '" + folder + "'");
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    const std::vector<std::string> want = model_.childrenOf(folder);
    if (names != want) {
      std::string got;
      std::string expected;
      for (const auto& n : names) got += " '" + n + "'";
      for (const auto& n : want) expected += " '" + n + "'";
      return fail("listing of '" + folder + "':" + got + "; expected:" + expected);
    }
    for (const std::string& name : names) {
      const std::string path = joinPath(folder, name);
      struct stat st {};
      if (::lstat(at(path).c_str(), &st) != 0) return failErrno("stat '" + path + "'");
      if (model_.isFolder(path)) {
        if (!S_ISDIR(st.st_mode)) return fail("'" + path + "' is not a folder");
        continue;
      }
      if (!S_ISREG(st.st_mode)) return fail("'" + path + "' is not a regular file");
      const uint64_t size = model_.files().at(path)->content.size();
      if (static_cast<uint64_t>(st.st_size) != size) {
        std::string read;
        try {
          const std::string content = readWhole(at(path));
          read = "; reading it gives " + std::to_string(content.size()) + " bytes, " +
                 (content == model_.files().at(path)->content ? "equal to" : "unlike") +
                 " the model's";
        } catch (const std::exception& e) {
          read = std::string("; reading it fails: ") + e.what();
        }
        return fail("size of '" + path + "' is " + std::to_string(st.st_size) + ", expected " +
                    std::to_string(size) + read);
      }
    }
  }
  return true;
}

bool ModelRun::checkContent(const std::string& path) {
  auto it = model_.files().find(path);
  if (it == model_.files().end()) return true;  // renamed or removed by the same step
  std::string got;
  try {
    got = readWhole(at(path));
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  const std::string& want = it->second->content;
  if (got == want) return true;
  size_t first = 0;
  while (first < got.size() && first < want.size() && got[first] == want[first]) ++first;
  return fail("content of '" + path + "' differs from byte " + std::to_string(first) + " (read " +
              std::to_string(got.size()) + " bytes, expected " + std::to_string(want.size()) + ")");
}

bool ModelRun::fullCheck(const std::string& when) {
  std::vector<std::string> problems;
  const Tree mounted = readMountedTree(at(""), true, &problems);
  std::vector<std::string> diff = diffTrees(model_.tree(), mounted);
  problems.insert(problems.end(), diff.begin(), diff.end());
  if (problems.empty()) return true;
  return fail("the mount differs from the model " + when + ":\n" + joinLines(problems));
}

bool ModelRun::closeAll() {
  while (!handles_.empty()) {
    const int fd = handles_.back().fd;
    handles_.pop_back();
    note("close fd " + std::to_string(fd));
    if (::close(fd) != 0) return failErrno("close");
  }
  return true;
}

bool ModelRun::remount(bool kill) {
  if (!closeAll() || !fullCheck("before the remount")) return false;
  if (kill) {
    note("kill -9 of the daemon, then fastiofs mount");
    ++kills_;
    if (!killDaemon(*mount_)) return fail("the daemon did not die on SIGKILL");
  } else {
    note("fastiofs unmount (drain), then fastiofs mount");
    ++drains_;
    const int rc = mount_->unmount();
    if (rc != 0) return fail("fastiofs unmount exited " + std::to_string(rc));
  }
  if (mount_->mount(options_.mountOptions) != 0) {
    return fail("mount after the " + std::string(kill ? "kill" : "unmount") +
                " failed: " + mount_->lastError());
  }
  if (kill && mount_->lastError().find("cleared the dead mount") == std::string::npos) {
    return fail("mount over the dead mount did not say it cleared it: " + mount_->lastError());
  }
  return fullCheck(kill ? "after kill -9 and mount" : "after unmount and mount");
}

bool ModelRun::finalChecks() {
  if (!closeAll() || !fullCheck("at the end")) return false;
  std::string out;
  note("fastiofs sync");
  if (const int rc = runSync(*mount_, &out); rc != 0) {
    return fail("fastiofs sync exited " + std::to_string(rc) + ": " + out);
  }
  note("fastiofs unmount");
  if (const int rc = mount_->unmount(); rc != 0) {
    return fail("the final fastiofs unmount exited " + std::to_string(rc));
  }
  {
    // Everything came from the server: a fresh mount with an empty cache directory.
    note("fresh mount with an empty cache directory");
    MountedFastio fresh(emulator_);
    if (fresh.mount() != 0) return fail("fresh mount failed: " + fresh.lastError());
    std::vector<std::string> problems;
    const Tree mounted = readMountedTree(fresh.path(options_.workspace), true, &problems);
    std::vector<std::string> diff = diffTrees(model_.tree(), mounted);
    problems.insert(problems.end(), diff.begin(), diff.end());
    if (!problems.empty()) {
      return fail("a fresh mount differs from the model:\n" + joinLines(problems));
    }
    if (fresh.unmount() != 0) return fail("unmount of the fresh mount failed");
  }
  return checkServer();
}

bool ModelRun::checkServer() {
  note("the server's tree and trash through the API");
  ApiView server(emulator_, options_.workspace);
  const ServerTree live = server.liveTree();
  std::vector<std::string> diff = diffServerTree(model_.tree(), live);
  if (!diff.empty()) return fail("the server differs from the model:\n" + joinLines(diff));
  size_t files = 0;
  size_t folders = 0;
  std::vector<std::string> problems;
  for (const ServerNode& n : server.trash()) {
    (n.folder ? folders : files)++;
    // A replaced file whose name was needed before it reached the trash goes there under its
    // parked name (SEMANTICS "Writes", rename over).
    const bool parked = n.name == ".fastiofs-replaced-" + n.id;
    if (!parked && model_.removedNames().count(n.name) == 0) {
      problems.push_back("the trash holds '" + n.name + "' (" + n.id +
                         "), a name no removed or replaced entry ever had");
    }
  }
  if (files > model_.maxTrashedFiles()) {
    problems.push_back("the trash holds " + std::to_string(files) +
                       " files; the model removed "
                       "or replaced at most " +
                       std::to_string(model_.maxTrashedFiles()));
  }
  if (folders > model_.maxTrashedFolders()) {
    problems.push_back("the trash holds " + std::to_string(folders) +
                       " folders; the model "
                       "removed at most " +
                       std::to_string(model_.maxTrashedFolders()));
  }
  if (!problems.empty()) return fail("the server's trash:\n" + joinLines(problems));
  return true;
}

}  // namespace fastio::integration::model
