// Microbenchmarks of the cache: block hits and inserts by block size, eviction cost, and the
// journal's write+sync latency, each beside plain files doing the same I/O.
// Results and the choices they led to: docs/CACHE.md.

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "cache/BlockCache.h"
#include "cache/DirtyJournal.h"
#include "cache/LmdbEnv.h"

namespace fastio::cache {
namespace {

class ScratchDir {
 public:
  ScratchDir() {
    const char* base = std::getenv("FASTIO_BENCH_DIR");
    std::string pattern =
        (std::filesystem::path(base != nullptr ? base : "/var/tmp") / "fastio-bench-XXXXXX")
            .string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Set-up failures end the run with the reason (a benchmark has no one to return an error to).
template <typename T>
T must(Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "cache_bench: %s\n", r.error().describe().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

// Bytes this process caused to be written to storage so far (/proc/self/io write_bytes):
// a load-independent measure of write amplification, unlike latency on a shared disk.
uint64_t storageBytesWritten() {
  FILE* f = std::fopen("/proc/self/io", "r");
  if (f == nullptr) return 0;
  char line[128];
  uint64_t value = 0;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    if (std::sscanf(line, "write_bytes: %lu", &value) == 1) break;
  }
  std::fclose(f);
  return value;
}

void reportAmplification(benchmark::State& state, uint64_t before, size_t payload) {
  double ops = static_cast<double>(std::max<int64_t>(1, static_cast<int64_t>(state.iterations())));
  double written = static_cast<double>(storageBytesWritten() - before);
  state.counters["disk_bytes_per_op"] = written / ops;
  state.counters["amplification"] = written / ops / static_cast<double>(payload);
}

std::string pattern(size_t size, uint64_t seed) {
  std::string s(size, '\0');
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i + 8 <= size; i += 8) {
    uint64_t v = rng();
    std::memcpy(s.data() + i, &v, 8);
  }
  return s;
}

struct BlockFixture {
  ScratchDir dir;
  std::unique_ptr<LmdbEnv> env;
  std::unique_ptr<BlockCache> cache;
  BlockFixture(uint32_t blockSize, uint64_t capacity) {
    LmdbEnvOptions envOptions;
    envOptions.mapSizeBytes = capacity + capacity / 4 + (64ull << 20);
    envOptions.durableCommits = false;
    env = must(LmdbEnv::open(dir.path() / "clean", envOptions));
    BlockCacheOptions options;
    options.capacityBytes = capacity;
    options.blockSize = blockSize;
    cache = must(BlockCache::open(*env, options));
  }
};

constexpr uint64_t kDataSet = 256ull << 20;  // bytes of blocks in the hit benchmarks
constexpr size_t kFuseRead = 128 * 1024;     // the kernel's usual FUSE read size

// Sequential 128 KiB reads of a file held in the block cache (all hits).
void BM_BlockCacheSequentialRead(benchmark::State& state) {
  auto blockSize = static_cast<uint32_t>(state.range(0));
  BlockFixture f(blockSize, 1ull << 30);
  std::string block = pattern(blockSize, 1);
  uint64_t blocks = kDataSet / blockSize;
  for (uint64_t i = 0; i < blocks; ++i) (void)f.cache->put({"node", "v1", i}, block);
  std::vector<std::byte> buf(kFuseRead);
  uint64_t offset = 0;
  for (auto _ : state) {
    uint64_t index = offset / blockSize;
    auto n = f.cache->read({"node", "v1", index}, offset % blockSize, buf);
    if (!n.ok() || !n->has_value()) state.SkipWithError("miss");
    benchmark::DoNotOptimize(buf.data());
    offset = (offset + kFuseRead) % kDataSet;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kFuseRead));
}
BENCHMARK(BM_BlockCacheSequentialRead)->Arg(64 << 10)->Arg(256 << 10)->Arg(1 << 20)->Arg(4 << 20);

// The same reads with pread from one plain file in the page cache.
void BM_PlainFileSequentialRead(benchmark::State& state) {
  ScratchDir dir;
  std::string path = (dir.path() / "plain").string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0600);
  std::string chunk = pattern(1 << 20, 1);
  for (uint64_t off = 0; off < kDataSet; off += chunk.size()) {
    if (::pwrite(fd, chunk.data(), chunk.size(), static_cast<off_t>(off)) < 0) break;
  }
  std::vector<char> buf(kFuseRead);
  uint64_t offset = 0;
  for (auto _ : state) {
    if (::pread(fd, buf.data(), buf.size(), static_cast<off_t>(offset)) < 0) {
      state.SkipWithError("pread");
    }
    benchmark::DoNotOptimize(buf.data());
    offset = (offset + kFuseRead) % kDataSet;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kFuseRead));
  ::close(fd);
}
BENCHMARK(BM_PlainFileSequentialRead);

// Random 4 KiB reads (all hits): the per-call overhead of a read transaction.
void BM_BlockCacheRandom4KRead(benchmark::State& state) {
  auto blockSize = static_cast<uint32_t>(state.range(0));
  BlockFixture f(blockSize, 1ull << 30);
  std::string block = pattern(blockSize, 2);
  uint64_t blocks = kDataSet / blockSize;
  for (uint64_t i = 0; i < blocks; ++i) (void)f.cache->put({"node", "v1", i}, block);
  std::vector<std::byte> buf(4096);
  std::mt19937_64 rng(3);
  for (auto _ : state) {
    uint64_t offset = (rng() % (kDataSet / 4096)) * 4096;
    auto n = f.cache->read({"node", "v1", offset / blockSize}, offset % blockSize, buf);
    if (!n.ok() || !n->has_value()) state.SkipWithError("miss");
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_BlockCacheRandom4KRead)->Arg(64 << 10)->Arg(1 << 20);

// Inserting blocks while the cache is below its cap (no eviction).
void BM_BlockCachePut(benchmark::State& state) {
  auto blockSize = static_cast<uint32_t>(state.range(0));
  BlockFixture f(blockSize, 8ull << 30);
  std::string block = pattern(blockSize, 4);
  uint64_t i = 0;
  for (auto _ : state) {
    Status s = f.cache->put({"node", "v1", i++}, block);
    if (!s.ok()) state.SkipWithError(s.error().message.c_str());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * blockSize));
}
BENCHMARK(BM_BlockCachePut)->Arg(64 << 10)->Arg(256 << 10)->Arg(1 << 20)->Arg(4 << 20);

// Inserting blocks into a full cache: every insert past the high watermark evicts down to the
// low one (the cost is amortised over the inserts between evictions).
void BM_BlockCachePutWithEviction(benchmark::State& state) {
  auto blockSize = static_cast<uint32_t>(state.range(0));
  BlockFixture f(blockSize, 64ull << 20);
  std::string block = pattern(blockSize, 5);
  uint64_t i = 0;
  while (f.cache->stats().evictedBlocks == 0) (void)f.cache->put({"warm", "v1", i++}, block);
  uint64_t evictedBefore = f.cache->stats().evictedBlocks;
  for (auto _ : state) {
    Status s = f.cache->put({"node", "v1", i++}, block);
    if (!s.ok()) state.SkipWithError(s.error().message.c_str());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * blockSize));
  state.counters["evicted_per_put"] =
      static_cast<double>(f.cache->stats().evictedBlocks - evictedBefore) /
      static_cast<double>(std::max<int64_t>(1, static_cast<int64_t>(state.iterations())));
}
BENCHMARK(BM_BlockCachePutWithEviction)->Arg(64 << 10)->Arg(1 << 20);

// Writing the same bytes to a plain file (no sync), for comparison with BM_BlockCachePut.
void BM_PlainFileWrite(benchmark::State& state) {
  auto size = static_cast<size_t>(state.range(0));
  ScratchDir dir;
  std::string path = (dir.path() / "plain").string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0600);
  std::string block = pattern(size, 6);
  uint64_t off = 0;
  for (auto _ : state) {
    if (::pwrite(fd, block.data(), block.size(), static_cast<off_t>(off)) < 0) {
      state.SkipWithError("pwrite");
    }
    off = (off + size) % (1ull << 30);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
  ::close(fd);
}
BENCHMARK(BM_PlainFileWrite)->Arg(64 << 10)->Arg(1 << 20);

// --- durable writes: journal vs plain file vs the rejected "dirty bytes in LMDB values" design.
constexpr uint64_t kDirtyFile = 64ull << 20;

// write(random offset, size) + sync() through the journal.
void BM_JournalWriteSync(benchmark::State& state) {
  auto size = static_cast<size_t>(state.range(0));
  ScratchDir dir;
  auto journal = must(DirtyJournal::open(dir.path(), {}, RealClock::instance()));
  auto key = must(journal->begin({"ws", "root", "f", "", "", 0}));
  std::string data = pattern(size, 7);
  std::mt19937_64 rng(8);
  uint64_t writtenBefore = storageBytesWritten();
  for (auto _ : state) {
    uint64_t off = (rng() % (kDirtyFile / size)) * size;
    Status s = journal->write(key, off, std::as_bytes(std::span(data)));
    if (s.ok()) s = journal->sync(key);
    if (!s.ok()) state.SkipWithError(s.error().message.c_str());
  }
  reportAmplification(state, writtenBefore, size);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}
BENCHMARK(BM_JournalWriteSync)->Arg(4 << 10)->Arg(128 << 10)->Arg(1 << 20)->UseRealTime();

// pwrite + fdatasync of the same bytes into a plain file: the floor for any durable write.
void BM_PlainFileWriteFdatasync(benchmark::State& state) {
  auto size = static_cast<size_t>(state.range(0));
  ScratchDir dir;
  std::string path = (dir.path() / "plain").string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0600);
  std::string data = pattern(size, 7);
  std::mt19937_64 rng(8);
  uint64_t writtenBefore = storageBytesWritten();
  for (auto _ : state) {
    uint64_t off = (rng() % (kDirtyFile / size)) * size;
    if (::pwrite(fd, data.data(), data.size(), static_cast<off_t>(off)) < 0 ||
        ::fdatasync(fd) != 0) {
      state.SkipWithError("pwrite/fdatasync");
    }
  }
  reportAmplification(state, writtenBefore, size);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
  ::close(fd);
}
BENCHMARK(BM_PlainFileWriteFdatasync)->Arg(4 << 10)->Arg(128 << 10)->Arg(1 << 20)->UseRealTime();

// The alternative: dirty bytes as 1 MiB LMDB values, each write a read-modify-write of the
// value in an fsync'd transaction (LMDB rewrites a value whole).
void BM_LmdbValueWriteSync(benchmark::State& state) {
  auto size = static_cast<size_t>(state.range(0));
  constexpr size_t kPage = 1 << 20;
  ScratchDir dir;
  LmdbEnvOptions options;
  options.mapSizeBytes = 1ull << 30;
  auto env = must(LmdbEnv::open(dir.path(), options));
  MDB_dbi dbi = must(env->openDatabase("dirty"));
  std::string data = pattern(size, 7);
  std::string page(kPage, '\0');
  std::mt19937_64 rng(8);
  uint64_t writtenBefore = storageBytesWritten();
  for (auto _ : state) {
    uint64_t off = (rng() % (kDirtyFile / size)) * size;
    auto txn = env->beginWrite();
    std::string key(8, '\0');
    uint64_t pageNo = off / kPage;
    std::memcpy(key.data(), &pageNo, 8);
    auto old = txn->get(dbi, key);
    if (old.ok() && old->has_value()) {
      page.assign(**old);
    } else {
      page.assign(kPage, '\0');
    }
    for (size_t done = 0; done < size;) {
      size_t at = (off + done) % kPage;
      size_t n = std::min(size - done, kPage - at);
      page.replace(at, n, data, done, n);
      done += n;
      if (done < size) {
        // A write spanning pages: store this one and move on (1 MiB writes are page-aligned).
        break;
      }
    }
    Status s = txn->put(dbi, key, page);
    if (s.ok()) s = txn->commit();
    if (!s.ok()) state.SkipWithError(s.error().message.c_str());
  }
  reportAmplification(state, writtenBefore, size);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}
BENCHMARK(BM_LmdbValueWriteSync)->Arg(4 << 10)->Arg(128 << 10)->Arg(1 << 20)->UseRealTime();

// Group commit: N threads each write 4 KiB to their own file and sync.
void BM_JournalGroupCommit(benchmark::State& state) {
  static std::unique_ptr<DirtyJournal> journal;
  static std::unique_ptr<ScratchDir> dir;
  static std::vector<FileKey> keys;
  if (state.thread_index() == 0) {
    dir = std::make_unique<ScratchDir>();
    journal = must(DirtyJournal::open(dir->path(), {}, RealClock::instance()));
    keys.clear();
    for (int t = 0; t < state.threads(); ++t) {
      keys.push_back(must(journal->begin({"ws", "root", std::to_string(t), "", "", 0})));
    }
  }
  std::string data = pattern(4096, 9);
  uint64_t off = 0;
  for (auto _ : state) {
    FileKey key = keys[static_cast<size_t>(state.thread_index())];
    Status s = journal->write(key, off, std::as_bytes(std::span(data)));
    if (s.ok()) s = journal->sync(key);
    if (!s.ok()) state.SkipWithError(s.error().message.c_str());
    off += 4096;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  if (state.thread_index() == 0) {
    journal.reset();
    dir.reset();
  }
}
BENCHMARK(BM_JournalGroupCommit)->Threads(1)->Threads(4)->Threads(16)->UseRealTime();

}  // namespace
}  // namespace fastio::cache

BENCHMARK_MAIN();
