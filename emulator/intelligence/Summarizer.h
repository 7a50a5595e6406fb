#pragma once
// Extractive summaries for node `summary.title/short/long`: the title from the first heading or
// first short line, the short and long summaries from the sentences that carry the document's
// most frequent meaningful words (Luhn-style scoring), kept in document order.

#include <string>
#include <string_view>

namespace fastio::emu::intelligence {

struct Summary {
  std::string title;      // <= kTitleBytes
  std::string shortText;  // <= kShortBytes
  std::string longText;   // <= kLongBytes
};

class Summarizer {
 public:
  static constexpr size_t kTitleBytes = 100;
  static constexpr size_t kShortBytes = 300;
  static constexpr size_t kLongBytes = 1500;

  // fileName is used for the title when the text has none. Empty text gives an empty short and
  // long summary (nothing is invented).
  static Summary summarize(std::string_view text, std::string_view fileName);
};

}  // namespace fastio::emu::intelligence
