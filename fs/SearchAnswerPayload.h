#pragma once
// A .search answer as the metadata backup keeps it: the rendered files and each hit's link,
// enough to show WS/.search/<query>/ again while the server is away.

#include <optional>
#include <string>
#include <string_view>

#include "fs/AnswerViews.h"

namespace fastio::fs {

std::string searchAnswerPayload(const SearchAnswer& answer);
// nullopt for a payload that is not one (written by another version, or damaged).
std::optional<SearchAnswer> searchAnswerFromPayload(std::string_view payload);

}  // namespace fastio::fs
