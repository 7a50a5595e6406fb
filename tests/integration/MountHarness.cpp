#include "tests/integration/MountHarness.h"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace fastio::integration {

namespace fsys = std::filesystem;

int shell(const std::string& command, std::string* out) {
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return -1;
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  const int status = ::pclose(p);
  if (out) *out = std::move(text);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string readFile(const fsys::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeFile(const fsys::path& p, const std::string& content) {
  fsys::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << content;
}

std::string md5Of(const fsys::path& p) {
  std::string out;
  shell("md5sum '" + p.string() + "' | cut -d' ' -f1", &out);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

MountedFastio::MountedFastio(testing::EmulatorProcess& emulator, fsys::path cacheDir)
    : emulator_(emulator) {
  std::random_device rd;
  root_ = fsys::temp_directory_path() / ("fastiofs-it-" + std::to_string(rd()));
  fsys::create_directories(root_ / "mnt");
  mountpoint_ = root_ / "mnt";
  cacheDir_ = cacheDir.empty() ? root_ / "cache" : cacheDir;
}

MountedFastio::~MountedFastio() {
  forceCleanup();
  std::error_code ec;
  fsys::remove_all(root_, ec);
}

std::string MountedFastio::binary() const {
  return FASTIOFS_BINARY;
}

std::string MountedFastio::daemonLog() const {
  try {
    return readFile(cacheDir_ / "fastiofs.log");
  } catch (...) {
    return "(no daemon log)";
  }
}

int MountedFastio::mount(const std::string& extraOptions, const Environment& environment) {
  const fsys::path errFile = root_ / "mount.err";
  std::string prefix;
  for (const auto& [name, value] : environment) prefix += name + "='" + value + "' ";
  std::string cmd =
      prefix + "FASTIO_API_KEY='" + emulator_.token() + "' '" + binary() + "' mount '" +
      mountpoint_.string() + "' --api-url '" + emulator_.baseUrl() + "/current' --cache-dir '" +
      cacheDir_.string() + "' -o log_level=debug,attr_timeout=5" +
      (extraOptions.empty() ? "" : "," + extraOptions) + " 2>'" + errFile.string() + "'";
  const int rc = shell(cmd);
  try {
    lastError_ = readFile(errFile);
  } catch (...) {
    lastError_.clear();
  }
  if (rc == 0) {
    try {
      auto doc = nlohmann::json::parse(readFile(mountpoint_ / ".fastio/stats.json"));
      pid_ = doc.value("pid", -1);
    } catch (...) {
      pid_ = -1;
    }
  }
  return rc;
}

int MountedFastio::unmount() {
  const int rc =
      shell("'" + binary() + "' unmount '" + mountpoint_.string() + "' --timeout 20 2>&1");
  if (rc == 0) pid_ = -1;
  return rc;
}

void MountedFastio::forceCleanup() {
  shell("fusermount3 -u -z '" + mountpoint_.string() + "' >/dev/null 2>&1");
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100 && ::kill(pid_, 0) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (::kill(pid_, 0) == 0) ::kill(pid_, SIGKILL);
    pid_ = -1;
  }
}

}  // namespace fastio::integration
