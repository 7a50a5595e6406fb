#include "tests/support/ApiClient.h"

namespace fastio::testing {

std::string ApiReply::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

ApiClient::ApiClient(int port, std::string token) : port_(port), token_(std::move(token)) {}

std::unique_ptr<httplib::Client> ApiClient::client() const {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
  c->set_connection_timeout(5);
  c->set_read_timeout(120);
  c->set_write_timeout(60);
  if (!token_.empty()) c->set_default_headers({{"Authorization", "Bearer " + token_}});
  return c;
}

ApiReply ApiClient::wrap(const httplib::Result& r) const {
  ApiReply out;
  if (!r) return out;
  out.status = r->status;
  out.body = r->body;
  out.headers = r->headers;
  out.json = nlohmann::json::parse(r->body, nullptr, false);
  return out;
}

ApiReply ApiClient::get(const std::string& path, const httplib::Headers& extra) const {
  return wrap(client()->Get(path.c_str(), extra));
}

ApiReply ApiClient::postForm(const std::string& path, const httplib::Params& form) const {
  return wrap(client()->Post(path.c_str(), form));
}

ApiReply ApiClient::postJson(const std::string& path, const std::string& json) const {
  return wrap(client()->Post(path.c_str(), json, "application/json"));
}

ApiReply ApiClient::del(const std::string& path) const {
  return wrap(client()->Delete(path.c_str()));
}

}  // namespace fastio::testing
