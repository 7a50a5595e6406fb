#pragma once
// The workspace AI agent routes (fastio-api.md §7.2, the /ai/agent/ surface): create a thread,
// add turns, read a turn's details (answer at message.response.text, citations at
// message.response.citations), list turns and threads, rename, delete, cancel (flat body).

#include "emulator/EmulatorContext.h"
#include "emulator/intelligence/IntelligenceService.h"

namespace fastio::emu::intelligence {

void registerAgentRoutes(EmulatorContext& ctx, std::shared_ptr<IntelligenceService> service);

}  // namespace fastio::emu::intelligence
