#pragma once
// The emulator's one user and one org: ids made on first start (meta table) and stable
// afterwards. Immutable once loaded, so readable from any thread without a lock.

#include <utility>

#include "common/Result.h"
#include "emulator/state/Database.h"
#include "emulator/state/StateTypes.h"

namespace fastio::emu {

class AccountIdentity {
 public:
  // Reads the ids from the meta table, creating them on first start (writer connection).
  static Result<AccountIdentity> loadOrCreate(Database& db);

  const UserRecord& user() const { return user_; }
  const OrgRecord& org() const { return org_; }

 private:
  AccountIdentity(UserRecord user, OrgRecord org) : user_(std::move(user)), org_(std::move(org)) {}
  UserRecord user_;
  OrgRecord org_;
};

}  // namespace fastio::emu
