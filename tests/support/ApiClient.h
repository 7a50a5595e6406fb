#pragma once
// A tiny blocking API client for tests: one call, one parsed reply.

#include <httplib.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace fastio::testing {

struct ApiReply {
  int status = 0;  // 0 = no response (connection closed / refused)
  std::string body;
  nlohmann::json json;  // discarded (is_discarded()) when the body is not JSON
  httplib::Headers headers;

  std::string header(const std::string& name) const;
};

class ApiClient {
 public:
  // token "" = no Authorization header.
  ApiClient(int port, std::string token);

  ApiReply get(const std::string& path, const httplib::Headers& extra = {}) const;
  ApiReply postForm(const std::string& path, const httplib::Params& form) const;
  ApiReply postJson(const std::string& path, const std::string& json) const;
  ApiReply del(const std::string& path) const;

 private:
  ApiReply wrap(const httplib::Result& r) const;
  std::unique_ptr<httplib::Client> client() const;
  int port_;
  std::string token_;
};

}  // namespace fastio::testing
