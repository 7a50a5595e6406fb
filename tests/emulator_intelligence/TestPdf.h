#pragma once
// Writes a small valid PDF (Helvetica, one text line per input line) so tests can exercise the
// pdftotext path without any PDF tool besides poppler.

#include <string>
#include <vector>

namespace fastio::emu::intelligence::testing {

// pages[i] = the text of page i+1; '\n' separates lines. ASCII text only.
std::string makePdf(const std::vector<std::string>& pages);

}  // namespace fastio::emu::intelligence::testing
