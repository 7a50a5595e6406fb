#include "emulator/state/BearerTokens.h"

#include <mutex>

#include "emulator/ApiCodes.h"
#include "emulator/state/StateClock.h"

namespace fastio::emu {

void BearerTokens::setStatic(const std::string& token) {
  std::unique_lock lock(staticMu_);
  staticToken_ = token;
}

Status BearerTokens::add(const std::string& token, std::int64_t expiresUs) {
  if (token.empty()) return invalidInput("empty token");
  auto writer = db_.write();
  FASTIO_TRY_ASSIGN(
      auto st,
      writer.db().prepare("INSERT OR REPLACE INTO tokens(token, expires_us) VALUES(?1, ?2)"));
  st.bind(1, token).bind(2, expiresUs);
  return st.run();
}

Status BearerTokens::revoke(const std::string& token) {
  auto writer = db_.write();
  FASTIO_TRY_ASSIGN(auto st, writer.db().prepare("DELETE FROM tokens WHERE token = ?1"));
  st.bind(1, token);
  return st.run();
}

bool BearerTokens::isValid(const std::string& token) const {
  if (token.empty()) return false;
  {
    std::shared_lock lock(staticMu_);
    if (!staticToken_.empty() && token == staticToken_) return true;
  }
  auto reader = db_.read();
  if (!reader.ok()) return false;
  auto st = reader->db().prepare("SELECT expires_us FROM tokens WHERE token = ?1");
  if (!st.ok()) return false;
  st->bind(1, token);
  auto row = st->step();
  return row.ok() && *row && st->integer(0) > nowMicros();
}

}  // namespace fastio::emu
