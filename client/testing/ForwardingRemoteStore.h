#pragma once
// A RemoteStore that passes every call to another one, with a hook before and after each call.
// The fault-injecting and gated stores are built on it; the inner store must outlive it.

#include <utility>

#include "client/RemoteStore.h"
#include "client/testing/RemoteMethod.h"

namespace fastio::testing {

class ForwardingRemoteStore : public RemoteStore {
 public:
  explicit ForwardingRemoteStore(RemoteStore& inner) : inner_(inner) {}

  RemoteStore& inner() { return inner_; }
  // Calls that reached this wrapper, per method (including those failed or still blocked).
  const CallCounter& calls() const { return calls_; }

  FASTIO_REMOTE_STORE_OVERRIDES

 protected:
  // Runs before the inner call; an error is returned to the caller and the inner store is not
  // called.
  virtual Status beforeCall(RemoteMethod /*method*/, const Deadline& /*deadline*/) {
    return okStatus();
  }
  // Runs after the inner call returned (whatever it returned); an error replaces its result.
  virtual Status afterCall(RemoteMethod /*method*/, const Deadline& /*deadline*/) {
    return okStatus();
  }
  // Let a subclass wrap the read sink or the upload source (e.g. to cut a transfer short).
  virtual ByteSink wrapSink(const ByteSink& sink) { return sink; }
  virtual ByteSource wrapSource(const ByteSource& source) { return source; }

 private:
  template <typename Call>
  auto forward(RemoteMethod method, const Deadline& deadline, Call&& call) -> decltype(call()) {
    calls_.record(method);
    FASTIO_TRY(beforeCall(method, deadline));
    auto result = std::forward<Call>(call)();
    FASTIO_TRY(afterCall(method, deadline));
    return result;
  }

  RemoteStore& inner_;
  CallCounter calls_;
};

}  // namespace fastio::testing
