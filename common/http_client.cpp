#include "common/http_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>

#include "common/error.hpp"
#include "common/peer_certificate.hpp"

namespace hareyaka::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
using Clock = std::chrono::steady_clock;
constexpr auto kTuple = net::as_tuple(use_awaitable);

namespace {

using Stream = beast::ssl_stream<beast::tcp_stream>;

struct Target {
  std::string host;
  std::string port;
  std::string path_and_query;
  std::string pin;  // ClientRequest::peer_sha256
  std::string key() const {
    return pin.empty() ? host + ":" + port : host + ":" + port + "#" + pin;
  }
};

Target parse_target(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u || u->scheme() != "https" || u->host().empty()) {
    throw Error(ErrorCode::kInternal, "bad upstream address", "not an https URL: " + url);
  }
  Target t;
  t.host = u->host_address();
  t.port = u->has_port() ? std::string(u->port()) : "443";
  t.path_and_query = u->encoded_path().empty() ? "/" : std::string(u->encoded_path());
  if (u->has_query())
    t.path_and_query += "?" + std::string(u->encoded_query());
  return t;
}

std::chrono::milliseconds remaining(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0)
    throw Error(ErrorCode::kTimeout, "upstream timed out", "deadline passed");
  return left;
}

[[noreturn]] void fail(const beast::error_code& ec, const Target& t, const char* stage) {
  if (ec == beast::error::timeout) {
    throw Error(ErrorCode::kTimeout, "upstream timed out",
                std::string(stage) + " " + t.key() + ": timed out");
  }
  throw Error(ErrorCode::kUnavailable, "upstream unavailable",
              std::string(stage) + " " + t.key() + ": " + ec.message());
}

}  // namespace

struct HttpClient::Impl : std::enable_shared_from_this<HttpClient::Impl> {
  Impl(net::any_io_executor ex, ClientSettings s)
      : executor(std::move(ex)),
        settings(std::move(s)),
        ctx(tls::make_client_context(settings.tls)) {}

  net::any_io_executor executor;
  ClientSettings settings;
  std::shared_ptr<ssl::context> ctx;
  std::mutex mutex;
  std::map<std::string, std::deque<std::unique_ptr<Stream>>> idle;

  std::unique_ptr<Stream> take_idle(const std::string& key) {
    std::lock_guard lock(mutex);
    auto it = idle.find(key);
    if (it == idle.end() || it->second.empty())
      return nullptr;
    auto s = std::move(it->second.back());
    it->second.pop_back();
    return s;
  }

  void give_back(const std::string& key, std::unique_ptr<Stream> s) {
    std::lock_guard lock(mutex);
    auto& q = idle[key];
    if (q.size() < settings.max_idle_per_host)
      q.push_back(std::move(s));
  }

  awaitable<std::unique_ptr<Stream>> connect(const Target& t, Clock::time_point deadline) {
    tcp::resolver resolver(executor);
    auto [ec_r, results] = co_await resolver.async_resolve(t.host, t.port, kTuple);
    if (ec_r)
      fail(ec_r, t, "resolve");
    auto s = std::make_unique<Stream>(executor, *ctx);
    SSL* native = s->native_handle();
    beast::error_code ec_ip;
    net::ip::make_address(t.host, ec_ip);
    if (ec_ip) {
      SSL_set_tlsext_host_name(native, t.host.c_str());
      SSL_set1_host(native, t.host.c_str());
    } else {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(native), t.host.c_str());
    }
    beast::get_lowest_layer(*s).expires_after(remaining(deadline));
    auto [ec_c, ep] = co_await beast::get_lowest_layer(*s).async_connect(results, kTuple);
    if (ec_c)
      fail(ec_c, t, "connect");
    // A request's header and body go out as separate TLS records: see the server's note.
    boost::system::error_code nodelay_ec;
    beast::get_lowest_layer(*s).socket().set_option(net::ip::tcp::no_delay(true), nodelay_ec);
    beast::get_lowest_layer(*s).expires_after(remaining(deadline));
    auto [ec_h] = co_await s->async_handshake(ssl::stream_base::client, kTuple);
    if (ec_h)
      fail(ec_h, t, "tls handshake");
    if (!t.pin.empty()) {
      const auto peer = peer_certificate(native);
      if (!peer || peer->sha256_fingerprint != t.pin) {
        throw Error(ErrorCode::kUnavailable, "upstream unavailable",
                    "tls handshake " + t.key() + ": certificate does not match the pin");
      }
    }
    co_return s;
  }

  bhttp::request<bhttp::string_body> build(const ClientRequest& req, const Target& t) {
    bhttp::request<bhttp::string_body> msg{bhttp::string_to_verb(req.method), t.path_and_query, 11};
    msg.set(bhttp::field::host, t.host + ":" + t.port);
    for (const auto& [k, v] : req.headers)
      msg.set(k, v);
    msg.body() = req.body;
    msg.keep_alive(true);
    msg.prepare_payload();
    return msg;
  }
  // Sends `msg` on an idle pooled connection if there is one, else on a new one, then runs
  // `read(stream)` (the whole response, or its header), which returns the read error and
  // whether any response byte arrived. A pooled connection the server closed while idle
  // fails before any response byte: that case is retried once on a fresh connection.
  // Other failures throw; on success the connection is returned to the caller.
  template <typename Read>
  awaitable<std::unique_ptr<Stream>> exchange(const Target& t, Clock::time_point deadline,
                                              bhttp::request<bhttp::string_body>& msg, Read read) {
    for (int attempt = 0;; ++attempt) {
      std::unique_ptr<Stream> s = attempt == 0 ? take_idle(t.key()) : nullptr;
      const bool reused = s != nullptr;
      if (!s)
        s = co_await connect(t, deadline);
      auto& lowest = beast::get_lowest_layer(*s);
      lowest.expires_after(remaining(deadline));
      auto [ec_w, n_w] = co_await bhttp::async_write(*s, msg, kTuple);
      beast::error_code ec_r;
      bool got_some = false;
      if (!ec_w) {
        lowest.expires_after(remaining(deadline));
        std::tie(ec_r, got_some) = co_await read(*s);
      }
      const beast::error_code ec = ec_w ? ec_w : ec_r;
      if (!ec)
        co_return s;
      if (reused && !got_some && ec != beast::error::timeout)
        continue;
      if (ec == bhttp::error::body_limit) {
        throw Error(ErrorCode::kUnavailable, "upstream response too large",
                    "response from " + t.key() + " over the body limit");
      }
      fail(ec, t, ec_w ? "write" : "read");
    }
  }
};

namespace {

template <typename Body>
void copy_response_headers(const bhttp::response_header<>& h, Headers& out) {
  for (const auto& f : h)
    out.emplace(std::string(f.name_string()), std::string(f.value()));
}

}  // namespace

HttpClient::HttpClient(net::any_io_executor executor, ClientSettings settings)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(settings))) {}

HttpClient::~HttpClient() = default;

awaitable<ClientResponse> HttpClient::request(ClientRequest req) {
  auto impl = impl_;
  Target t = parse_target(req.url);
  t.pin = req.peer_sha256;
  const auto deadline = Clock::now() + req.timeout;
  auto msg = impl->build(req, t);
  std::optional<bhttp::response_parser<bhttp::string_body>> parser;
  auto s = co_await impl->exchange(
      t, deadline, msg, [&](Stream& stream) -> awaitable<std::pair<beast::error_code, bool>> {
        beast::flat_buffer buffer;
        parser.emplace();
        parser->body_limit(impl->settings.body_limit);
        auto [e, n] = co_await bhttp::async_read(stream, buffer, *parser, kTuple);
        co_return std::pair{e, parser->got_some()};
      });
  auto res = parser->release();
  ClientResponse out;
  out.status = static_cast<int>(res.result_int());
  copy_response_headers<bhttp::string_body>(res.base(), out.headers);
  out.body = std::move(res.body());
  if (res.keep_alive())
    impl->give_back(t.key(), std::move(s));
  co_return out;
}

awaitable<StreamedResponse> HttpClient::stream(ClientRequest req) {
  auto impl = impl_;
  Target t = parse_target(req.url);
  t.pin = req.peer_sha256;
  const auto deadline = Clock::now() + req.timeout;
  auto msg = impl->build(req, t);
  std::shared_ptr<beast::flat_buffer> buffer;
  std::shared_ptr<bhttp::response_parser<bhttp::buffer_body>> parser;
  auto s = co_await impl->exchange(
      t, deadline, msg, [&](Stream& stream) -> awaitable<std::pair<beast::error_code, bool>> {
        buffer = std::make_shared<beast::flat_buffer>();
        parser = std::make_shared<bhttp::response_parser<bhttp::buffer_body>>();
        parser->body_limit(boost::none);
        auto [e, n] = co_await bhttp::async_read_header(stream, *buffer, *parser, kTuple);
        co_return std::pair{e, parser->got_some()};
      });
  StreamedResponse out;
  out.status = static_cast<int>(parser->get().result_int());
  copy_response_headers<bhttp::buffer_body>(parser->get().base(), out.headers);
  if (auto len = parser->content_length())
    out.content_length = *len;
  // The body is pulled chunk by chunk; each read has the request's deadline renewed by
  // the same timeout, so a stalled upstream ends the stream instead of hanging it.
  auto shared = std::shared_ptr<Stream>(std::move(s));
  const auto per_read = req.timeout;
  const std::string key = t.key();
  out.next = [impl, shared, buffer, parser, per_read, key,
              done = std::make_shared<bool>(false)]() -> awaitable<std::optional<std::string>> {
    if (*done)
      co_return std::nullopt;
    if (parser->is_done()) {
      *done = true;
      co_return std::nullopt;
    }
    std::string chunk(64 * 1024, '\0');
    parser->get().body().data = chunk.data();
    parser->get().body().size = chunk.size();
    beast::get_lowest_layer(*shared).expires_after(per_read);
    auto [ec, n] = co_await bhttp::async_read(*shared, *buffer, *parser, kTuple);
    if (ec && ec != bhttp::error::need_buffer) {
      *done = true;
      throw Error(ec == beast::error::timeout ? ErrorCode::kTimeout : ErrorCode::kUnavailable,
                  "upstream stream failed", "reading body from " + key + ": " + ec.message());
    }
    chunk.resize(chunk.size() - parser->get().body().size);
    if (parser->is_done()) {
      *done = true;
      // Streams are not pooled: the connection is released with the last reference.
    }
    co_return chunk;
  };
  co_return out;
}

struct ClientThread::State {
  State() : work(net::make_work_guard(ioc)) {
    thread = std::thread([this] { ioc.run(); });
  }
  ~State() {
    work.reset();
    ioc.stop();
    thread.join();
  }
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> work;
  std::thread thread;
};

ClientThread::ClientThread() : state_(std::make_shared<State>()) {}
ClientThread::~ClientThread() = default;

BlockingHttpClient::BlockingHttpClient(ClientSettings settings)
    : thread_(std::make_shared<ClientThread::State>()),
      client_(std::make_unique<HttpClient>(thread_->ioc.get_executor(), std::move(settings))) {}

BlockingHttpClient::BlockingHttpClient(ClientSettings settings, const ClientThread& shared)
    : thread_(shared.state_),
      client_(std::make_unique<HttpClient>(thread_->ioc.get_executor(), std::move(settings))) {}

BlockingHttpClient::~BlockingHttpClient() {
  // The client's connections close on the thread that runs them, before it may stop.
  auto done = net::co_spawn(
      thread_->ioc,
      [c = std::move(client_)]() mutable -> net::awaitable<void> {
        c.reset();
        co_return;
      },
      net::use_future);
  done.get();
}

ClientResponse BlockingHttpClient::request(ClientRequest req) {
  auto fut = net::co_spawn(thread_->ioc, client_->request(std::move(req)), net::use_future);
  return fut.get();
}

}  // namespace hareyaka::http
