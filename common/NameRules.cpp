#include "common/NameRules.h"

#include <locale.h>
#include <wctype.h>

#include "common/Utf8.h"

namespace fastio::names {
namespace {

NameProblem invalid(std::string reason) {
  return NameProblem{ErrorCode::kInvalid, std::move(reason)};
}

NameProblem tooLong(std::string reason) {
  return NameProblem{ErrorCode::kNameTooLong, std::move(reason)};
}

// Unicode classes from glibc's C.UTF-8 tables, independent of the process's own locale (the
// daemon never calls setlocale). Created once and kept for the life of the process.
locale_t unicodeCtype() {
  static const locale_t locale = [] {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    if (l == static_cast<locale_t>(nullptr)) {
      l = newlocale(LC_CTYPE_MASK, "C.utf8", static_cast<locale_t>(nullptr));
    }
    return l;
  }();
  return locale;
}

}  // namespace

bool isControlCharacter(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

bool isInvisibleFormatting(char32_t cp) {
  return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF ||
         cp == 0x061C;
}

bool isLetterOrDigit(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
  }
  const locale_t locale = unicodeCtype();
  if (locale == static_cast<locale_t>(nullptr)) return false;  // no tables: refuse, never guess
  return iswalnum_l(static_cast<wint_t>(cp), locale) != 0;
}

std::string numberedName(std::string_view name, int n, bool isFolder) {
  const std::string suffix = " (" + std::to_string(n) + ")";
  const std::size_t dot = isFolder ? std::string_view::npos : name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::string(name) + suffix;
  return std::string(name.substr(0, dot)) + suffix + std::string(name.substr(dot));
}

std::optional<NameProblem> nodeNameProblem(std::string_view name) {
  if (name.empty()) return invalid("the name is empty");
  if (name.size() > kMaxNameBytes) {
    return tooLong("the name is longer than 255 bytes (the NAME_MAX of file systems)");
  }
  const std::optional<std::u32string> cps = utf8::decode(name);
  if (!cps) return invalid("the name is not valid UTF-8");
  if (cps->size() > kMaxNodeNameCharacters) {
    return tooLong("the name is longer than 255 characters");
  }
  if (name == "." || name == "..") return invalid("the name cannot be \".\" or \"..\"");
  for (char32_t cp : *cps) {
    if (cp == '/' || cp == '\\') return invalid("the name contains a path separator ('/' or '\\')");
    if (isControlCharacter(cp)) return invalid("the name contains a control character");
    if (isInvisibleFormatting(cp)) {
      return invalid("the name contains a bidi-control or zero-width character");
    }
  }
  const char32_t last = cps->back();
  if (last == ' ' || last == '.') return invalid("the name ends with a space or a '.'");
  return std::nullopt;
}

std::optional<NameProblem> workspaceFolderNameProblem(std::string_view folderName) {
  if (folderName.size() > kMaxNameBytes) {
    return tooLong("a workspace folder name is longer than 255 bytes");
  }
  const std::optional<std::u32string> cps = utf8::decode(folderName);
  if (!cps) return invalid("the workspace folder name is not valid UTF-8");
  if (cps->size() > kMaxWorkspaceFolderName) {
    return tooLong("a workspace folder name has at most 80 characters");
  }
  if (cps->size() < kMinWorkspaceFolderName) {
    return invalid("a workspace folder name has at least 4 characters");
  }
  for (char32_t cp : *cps) {
    if (cp != '-' && !isLetterOrDigit(cp)) {
      return invalid("a workspace folder name has only letters, digits and hyphens");
    }
  }
  return std::nullopt;
}

std::optional<NameProblem> workspaceNameProblem(std::string_view name) {
  const std::optional<std::u32string> cps = utf8::decode(name);
  if (!cps) return invalid("the workspace name is not valid UTF-8");
  if (cps->size() > kMaxWorkspaceName)
    return tooLong("a workspace name has at most 100 characters");
  if (cps->size() < kMinWorkspaceName) return invalid("a workspace name has at least 2 characters");
  for (char32_t cp : *cps) {
    if (isControlCharacter(cp)) return invalid("the workspace name contains a control character");
  }
  return std::nullopt;
}

}  // namespace fastio::names
