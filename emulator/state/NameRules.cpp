#include "emulator/state/NameRules.h"

#include <cwctype>

namespace fastio::emu {

bool decodeUtf8(std::string_view text, std::u32string& out) {
  out.clear();
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    char32_t cp = 0;
    int extra = 0;
    if (c < 0x80) {
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      extra = 1;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      extra = 2;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07;
      extra = 3;
    } else {
      return false;
    }
    if (i + static_cast<std::size_t>(extra) >= text.size() && extra > 0) return false;
    for (int k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    out.push_back(cp);
    i += static_cast<std::size_t>(extra) + 1;
  }
  return true;
}

namespace {

bool isControl(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

bool isBidiOrZeroWidth(char32_t cp) {
  return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF ||
         cp == 0x061C;
}

// Letters and digits by Unicode category, as far as the C library's wide classification knows
// (glibc's tables cover them once a UTF-8 LC_CTYPE is set: main() sets C.UTF-8).
bool isLetterOrDigit(char32_t cp) {
  if (cp < 0x80) return std::isalnum(static_cast<int>(cp)) != 0;
  return std::iswalnum(static_cast<wint_t>(cp)) != 0;
}

}  // namespace

std::optional<std::string> nodeNameProblem(std::string_view name) {
  std::u32string cps;
  if (!decodeUtf8(name, cps)) return "the name is not valid UTF-8";
  if (cps.empty()) return "the name is empty";
  if (cps.size() > 255) return "the name is longer than 255 characters";
  if (name == "." || name == "..") return "the name cannot be \".\" or \"..\"";
  for (char32_t cp : cps) {
    if (cp == '/' || cp == '\\') return "the name cannot contain '/' or '\\'";
    if (isControl(cp)) return "the name cannot contain control characters";
    if (isBidiOrZeroWidth(cp)) return "the name cannot contain bidi or zero-width characters";
  }
  char32_t last = cps.back();
  if (last == ' ' || last == '\t' || last == '.') {
    return "the name cannot end with a space, a tab or a '.'";
  }
  return std::nullopt;
}

std::optional<std::string> folderNameProblem(std::string_view folderName) {
  std::u32string cps;
  if (!decodeUtf8(folderName, cps)) return "folder_name is not valid UTF-8";
  if (cps.size() < 4 || cps.size() > 80) return "folder_name must be 4 to 80 characters";
  for (char32_t cp : cps) {
    if (cp != '-' && !isLetterOrDigit(cp)) {
      return "folder_name may contain only letters, digits and hyphens";
    }
  }
  return std::nullopt;
}

std::optional<std::string> workspaceNameProblem(std::string_view name) {
  std::u32string cps;
  if (!decodeUtf8(name, cps)) return "name is not valid UTF-8";
  if (cps.size() < 2 || cps.size() > 100) return "name must be 2 to 100 characters";
  for (char32_t cp : cps) {
    if (isControl(cp)) return "name cannot contain control characters";
  }
  return std::nullopt;
}

std::string numberedName(const std::string& name, int n, bool isFolder) {
  std::string suffix = " (" + std::to_string(n) + ")";
  if (!isFolder) {
    auto dot = name.rfind('.');
    if (dot != std::string::npos && dot > 0) {
      return name.substr(0, dot) + suffix + name.substr(dot);
    }
  }
  return name + suffix;
}

}  // namespace fastio::emu
