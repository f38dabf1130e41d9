// The HTTPS client for portal→gateway and gateway→portal calls: connection reuse per host,
// mutual TLS, server certificate and host name checks, and one deadline per request that
// bounds everything (connect, handshake, write, read). A timed-out request ends with
// Error(kTimeout); an unreachable or refusing peer with Error(kUnavailable).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "common/http_types.hpp"
#include "common/tls.hpp"

namespace hareyaka::http {

struct ClientSettings {
  tls::ClientSettings tls;
  std::size_t max_idle_per_host = 16;
  std::size_t body_limit = 64 * 1024 * 1024;  // for request(); stream() has none
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;  // https://host:port/path?query
  Headers headers;
  std::string body;
  std::chrono::milliseconds timeout{10'000};
  // Lower-case hex SHA-256 of the DER the server's certificate must have, on top of the CA
  // and host name checks (a disaster standby gateway's pin); empty: no pin. Connections are
  // pooled per host and pin, so a pinned request never reuses an unpinned connection.
  std::string peer_sha256;
};

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

// A response whose body is read on demand: next() yields chunks (bounded size) until
// std::nullopt. Dropping it before the end closes the connection instead of reusing it.
struct StreamedResponse {
  int status = 0;
  Headers headers;
  std::optional<std::uint64_t> content_length;
  ChunkSource next;
};

class HttpClient {
 public:
  HttpClient(boost::asio::any_io_executor executor, ClientSettings settings);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  boost::asio::awaitable<ClientResponse> request(ClientRequest req);
  boost::asio::awaitable<StreamedResponse> stream(ClientRequest req);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// For code that is not a coroutine (publisher threads, command-line tools, tests): runs its
// own io_context thread and blocks the caller until the response.
// An io_context and its thread shared by many BlockingHttpClients (a process with many clients
// of different certificates, such as the hosted gateway's tenants: one thread, not one each).
class ClientThread {
 public:
  ClientThread();
  ~ClientThread();
  ClientThread(const ClientThread&) = delete;
  ClientThread& operator=(const ClientThread&) = delete;
  struct State;

 private:
  friend class BlockingHttpClient;
  std::shared_ptr<State> state_;
};

class BlockingHttpClient {
 public:
  explicit BlockingHttpClient(ClientSettings settings);
  // On a shared thread instead of its own (which must outlive the client's last request).
  BlockingHttpClient(ClientSettings settings, const ClientThread& shared);
  ~BlockingHttpClient();
  ClientResponse request(ClientRequest req);

 private:
  std::shared_ptr<ClientThread::State> thread_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace hareyaka::http
