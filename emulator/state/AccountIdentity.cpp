#include "emulator/state/AccountIdentity.h"

#include <map>
#include <string>

#include "emulator/state/RandomText.h"

namespace fastio::emu {

Result<AccountIdentity> AccountIdentity::loadOrCreate(Database& db) {
  std::map<std::string, std::string> meta;
  {
    FASTIO_TRY_ASSIGN(auto st, db.prepare("SELECT key, value FROM meta"));
    while (true) {
      FASTIO_TRY_ASSIGN(auto row, st.step());
      if (!row) break;
      meta[st.text(0)] = st.text(1);
    }
  }
  if (!meta.count("user_id")) {
    meta["user_id"] = randomDigits(19);
    meta["org_id"] = randomDigits(19);
    for (const auto& [k, v] : meta) {
      FASTIO_TRY_ASSIGN(auto st,
                        db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)"));
      st.bind(1, k).bind(2, v);
      FASTIO_TRY(st.run());
    }
  }
  return AccountIdentity({meta["user_id"], "Emulator", "User", "user@emulator.local"},
                         {meta["org_id"], "emulator", "Emulator Org"});
}

}  // namespace fastio::emu
