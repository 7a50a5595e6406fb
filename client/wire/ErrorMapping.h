#pragma once
// Turns a failed exchange into the project's Error: the HTTP status decides the class, the
// service's error.code refines it (fastio-api.md §1.3). The message is one line, built from the
// server's text with control characters removed, length bounded and secrets redacted.

#include <string>
#include <string_view>

#include "client/wire/HttpMessage.h"
#include "client/wire/JsonReading.h"
#include "common/Error.h"

namespace fastio::http {

// The class for an HTTP status alone (0 when the status is a success).
ErrorCode classifyHttpStatus(int status);
// A refinement from the service's numeric error.code, or the given class when none applies.
ErrorCode refineByRemoteCode(ErrorCode byStatus, int status, long long remoteCode);

// Error for a failure body that parsed as JSON (either envelope shape, or the flat variant).
Error errorFromEnvelope(int status, const Json& body, std::string_view what);
// Error for any non-2xx response, whatever its body (JSON, HTML, empty, truncated).
Error errorFromResponse(const HttpResponse& response, std::string_view what);

// Keeps server text printable: drops control characters, caps the length, redacts secrets.
std::string sanitiseServerText(std::string_view text, size_t maxLength = 300);

}  // namespace fastio::http
