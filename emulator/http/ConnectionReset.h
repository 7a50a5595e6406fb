#pragma once
// Closes the TCP connection a request arrived on without answering (the reset_rate fault).

#include <httplib.h>

namespace fastio::emu::http {

// Finds the accepted socket whose local and peer ports match the request and shuts it down.
// Returns false if no such socket was found.
bool resetConnection(const httplib::Request& req);

}  // namespace fastio::emu::http
