#pragma once
// Result<T>: a value or an Error. No exception crosses a layer; callers check ok().

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "common/Error.h"

namespace fastio {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT implicit
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT implicit

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(state_); }
  const T& value() const& { assert(ok()); return std::get<0>(state_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& { assert(!ok()); return std::get<1>(state_); }
  Error&& error() && { assert(!ok()); return std::get<1>(std::move(state_)); }

  T valueOr(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Error> state_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT implicit

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { assert(failed_); return error_; }

 private:
  Error error_;
  bool failed_ = false;
};

using Status = Result<void>;

inline Status okStatus() { return Status(); }

}  // namespace fastio

// Propagate an error from an expression yielding Result<...>.
#define FASTIO_TRY(expr)                       \
  do {                                         \
    auto fastio_try_result_ = (expr);          \
    if (!fastio_try_result_.ok()) {            \
      return fastio_try_result_.error();       \
    }                                          \
  } while (0)

// Declare a variable from the value of an expression yielding Result<T>, or return its error:
//   FASTIO_TRY_ASSIGN(auto node, store.createFolder(...));   // node is a Node
// The declaration may be `auto x`, `const auto x` or a type; the value is moved out.
#define FASTIO_TRY_ASSIGN(decl, ...) \
  FASTIO_TRY_ASSIGN_IMPL_(FASTIO_TRY_CONCAT_(fastio_try_value_, __COUNTER__), decl, __VA_ARGS__)
#define FASTIO_TRY_CONCAT_INNER_(a, b) a##b
#define FASTIO_TRY_CONCAT_(a, b) FASTIO_TRY_CONCAT_INNER_(a, b)
#define FASTIO_TRY_ASSIGN_IMPL_(tmp, decl, ...) \
  auto tmp = (__VA_ARGS__);                     \
  if (!tmp.ok()) return std::move(tmp).error(); \
  decl = std::move(tmp).value()
