#include "common/http_server.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <unordered_map>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"
#include "common/peer_certificate.hpp"
#include "common/read_ahead.hpp"

namespace hareyaka::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
constexpr auto kTuple = net::as_tuple(use_awaitable);

namespace {

// What begin_shutdown() needs to wake an idle keep-alive connection. Only touched on the
// connection's strand, except the map that holds it.
struct SessionState {
  net::any_io_executor executor;
  beast::tcp_stream* stream = nullptr;
  bool idle = false;
  bool alive = true;
};

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t v = rng();
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4)
    s[i] = kHex[v & 15];
  return s;
}

// A client-supplied request id is kept only if it is short and plain.
std::string request_id_from(const Request& req) {
  if (auto id = req.header("X-Request-Id"); id && !id->empty() && id->size() <= 64) {
    bool plain = true;
    for (char c : *id)
      plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '-');
    if (plain)
      return *id;
  }
  return new_request_id();
}

Response error_response(ErrorCode code, const std::string& external,
                        const std::string& request_id) {
  nlohmann::json body{
      {"error", to_string(code)}, {"message", external}, {"request_id", request_id}};
  return Response::json(http_status(code), body.dump());
}

// Headers on every response. The sandbox policy keeps a document or an API body that a
// browser is made to open directly (an XHTML file with a script, say) out of the portal's
// origin: no script, no resource loads. Routes that serve the UI set their own policy.
void add_common_headers(Response& res, const std::string& request_id) {
  res.headers["X-Request-Id"] = request_id;
  if (!res.headers.contains("Cache-Control"))
    res.headers["Cache-Control"] = "no-store";
  if (!res.headers.contains("Content-Security-Policy"))
    res.headers["Content-Security-Policy"] = "sandbox; default-src 'none'";
  res.headers["X-Content-Type-Options"] = "nosniff";
  res.headers["Strict-Transport-Security"] = "max-age=31536000";
}

// How much of an over-limit body is read and dropped after the 413 at most.
constexpr std::uint64_t kDiscardCap = 16u << 20;

awaitable<void> discard_body(beast::ssl_stream<beast::tcp_stream>& stream,
                             beast::flat_buffer& buffer, std::uint64_t declared,
                             std::chrono::milliseconds timeout) {
  std::uint64_t left = std::min(declared, kDiscardCap);
  const auto buffered = std::min<std::uint64_t>(left, buffer.size());
  buffer.consume(static_cast<std::size_t>(buffered));
  left -= buffered;
  auto& lowest = beast::get_lowest_layer(stream);
  lowest.expires_after(timeout);
  std::vector<char> scratch(64 * 1024);
  while (left > 0) {
    auto [ec, n] = co_await stream.async_read_some(net::buffer(scratch), kTuple);
    if (ec)
      co_return;
    left -= std::min<std::uint64_t>(left, n);
  }
}

}  // namespace

struct Server::Impl {
  struct Listener {
    ListenerSettings settings;
    std::shared_ptr<const Router> router;
    std::shared_ptr<ssl::context> ctx;
    tcp::acceptor acceptor;
    std::uint16_t port = 0;
  };

  Impl(net::io_context& i, net::thread_pool& w, Metrics& m, std::atomic<bool>& d)
      : ioc(i), workers(w), metrics(m), draining(d) {}

  net::io_context& ioc;
  net::thread_pool& workers;
  Metrics& metrics;
  std::atomic<bool>& draining;
  std::vector<std::unique_ptr<Listener>> listeners;
  mutable std::mutex sessions_mutex;
  std::unordered_map<std::uint64_t, std::shared_ptr<SessionState>> sessions;
  std::uint64_t next_session = 0;

  awaitable<void> accept_loop(Listener& l);
  awaitable<void> session(Listener& l, tcp::socket socket);
  awaitable<void> serve(Listener& l, beast::ssl_stream<beast::tcp_stream>& stream,
                        SessionState& state, const std::string& remote);
  awaitable<Response> dispatch(Listener& l, const Route* route, bool path_known, Request& req);
  awaitable<bool> write(Listener& l, beast::ssl_stream<beast::tcp_stream>& stream, Response& res,
                        bool head, bool keep_alive);
};

Server::Server(net::io_context& ioc, net::thread_pool& workers, Metrics& metrics)
    : impl_(std::make_unique<Impl>(ioc, workers, metrics, draining_)) {}

Server::~Server() = default;

void Server::listen(const ListenerSettings& settings, std::shared_ptr<const Router> router) {
  auto l = std::make_unique<Impl::Listener>(Impl::Listener{settings, std::move(router),
                                                           tls::make_server_context(settings.tls),
                                                           tcp::acceptor(impl_->ioc)});
  boost::system::error_code ec;
  auto address = net::ip::make_address(settings.address, ec);
  if (ec) {
    throw Error(ErrorCode::kInternal, "bad listen address",
                "listener " + settings.name + ": bad address '" + settings.address + "'");
  }
  tcp::endpoint ep(address, settings.port);
  l->acceptor.open(ep.protocol());
  l->acceptor.set_option(net::socket_base::reuse_address(true));
  l->acceptor.bind(ep, ec);
  if (ec) {
    throw Error(ErrorCode::kUnavailable, "cannot listen",
                "listener " + settings.name + ": cannot bind " + settings.address + ":" +
                    std::to_string(settings.port) + ": " + ec.message());
  }
  l->acceptor.listen(net::socket_base::max_listen_connections);
  l->port = l->acceptor.local_endpoint().port();
  log::info("listening", {.listener = settings.name, .port = l->port});
  Impl::Listener& ref = *l;
  impl_->listeners.push_back(std::move(l));
  net::co_spawn(ref.acceptor.get_executor(), impl_->accept_loop(ref), net::detached);
}

std::uint16_t Server::port(const std::string& name) const {
  for (const auto& l : impl_->listeners) {
    if (l->settings.name == name)
      return l->port;
  }
  return 0;
}

std::size_t Server::open_connections() const {
  std::lock_guard lock(impl_->sessions_mutex);
  return impl_->sessions.size();
}

void Server::begin_shutdown() {
  draining_ = true;
  for (auto& l : impl_->listeners) {
    net::post(l->acceptor.get_executor(), [a = &l->acceptor] {
      boost::system::error_code ec;
      a->close(ec);
    });
  }
  std::lock_guard lock(impl_->sessions_mutex);
  for (auto& [id, state] : impl_->sessions) {
    net::post(state->executor, [state] {
      if (state->alive && state->idle && state->stream)
        state->stream->cancel();
    });
  }
}

awaitable<void> Server::Impl::accept_loop(Listener& l) {
  for (;;) {
    auto [ec, socket] = co_await l.acceptor.async_accept(net::make_strand(ioc), kTuple);
    if (ec) {
      if (ec == net::error::operation_aborted || draining || !l.acceptor.is_open())
        co_return;
      log::warn("accept failed", {.detail = ec.message(), .listener = l.settings.name});
      continue;
    }
    {
      std::lock_guard lock(sessions_mutex);
      if (sessions.size() >= l.settings.max_connections) {
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
    }
    // Responses leave as several TLS records: without TCP_NODELAY, Nagle holds the last one
    // until the client's delayed ACK (40 ms on Linux) whenever a write is split.
    boost::system::error_code nodelay_ec;
    socket.set_option(tcp::no_delay(true), nodelay_ec);
    auto ex = socket.get_executor();
    net::co_spawn(ex, session(l, std::move(socket)), net::detached);
  }
}

awaitable<void> Server::Impl::session(Listener& l, tcp::socket socket) {
  auto state = std::make_shared<SessionState>();
  state->executor = socket.get_executor();
  std::uint64_t id;
  {
    std::lock_guard lock(sessions_mutex);
    id = ++next_session;
    sessions.emplace(id, state);
  }
  metrics.connection_opened();
  std::string remote;
  {
    boost::system::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    if (!ec)
      remote = ep.address().to_string();
  }
  try {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *l.ctx);
    state->stream = &beast::get_lowest_layer(stream);
    co_await serve(l, stream, *state, remote);
  } catch (const std::exception&) {
    // A connection-level failure ends this connection only.
  }
  state->alive = false;
  state->stream = nullptr;
  metrics.connection_closed();
  std::lock_guard lock(sessions_mutex);
  sessions.erase(id);
}

awaitable<void> Server::Impl::serve(Listener& l, beast::ssl_stream<beast::tcp_stream>& stream,
                                    SessionState& state, const std::string& remote) {
  auto& lowest = beast::get_lowest_layer(stream);
  const ListenerSettings& cfg = l.settings;
  lowest.expires_after(cfg.handshake_timeout);
  if (auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kTuple); ec) {
    log::debug("tls handshake failed",
               {.peer = remote, .detail = ec.message(), .listener = cfg.name});
    co_return;
  }
  const std::optional<PeerCertificate> peer = peer_certificate(stream.native_handle());

  beast::flat_buffer buffer;
  bool peer_closed = false;
  for (;;) {
    if (draining)
      break;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(cfg.header_limit));
    // No body limit while reading the header: Beast would otherwise hold a Content-Length
    // against its 1 MiB default before the route (and its own limit) is known, and a PIX
    // 4 MB or HPD 8 MB body would fail as "malformed". The route's limit is set below.
    parser.body_limit(boost::none);
    state.idle = buffer.size() == 0;
    lowest.expires_after(cfg.idle_timeout);
    auto [ec_h, n_h] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
    state.idle = false;
    if (ec_h) {
      peer_closed = ec_h == bhttp::error::end_of_stream || ec_h == net::error::eof ||
                    ec_h == ssl::error::stream_truncated || ec_h == net::error::connection_reset;
      if (ec_h == bhttp::error::header_limit) {
        const std::string id = new_request_id();
        Response res = error_response(ErrorCode::kBadRequest, "request header too large", id);
        res.status = 431;
        add_common_headers(res, id);
        co_await write(l, stream, res, false, false);
      } else if (ec_h != bhttp::error::end_of_stream && ec_h != net::error::operation_aborted &&
                 ec_h != beast::error::timeout && ec_h != ssl::error::stream_truncated &&
                 ec_h != net::error::eof) {
        const std::string id = new_request_id();
        Response res = error_response(ErrorCode::kBadRequest, "malformed request", id);
        add_common_headers(res, id);
        co_await write(l, stream, res, false, false);
      }
      break;
    }
    const auto started = std::chrono::steady_clock::now();

    Request req;
    req.remote_address = remote;
    req.peer = peer;
    {
      const auto& h = parser.get();
      req.method = std::string(h.method_string());
      req.target = std::string(h.target());
      for (const auto& f : h)
        req.headers.emplace(std::string(f.name_string()), std::string(f.value()));
    }
    req.request_id = request_id_from(req);
    auto parsed = boost::urls::parse_origin_form(req.target);
    const Route* route = nullptr;
    bool path_known = false;
    std::optional<ErrorCode> early;
    std::string early_message;
    if (!parsed) {
      early = ErrorCode::kBadRequest;
      early_message = "malformed request target";
    } else {
      req.path = parsed->path();
      for (auto p : parsed->params())
        req.query.emplace(p.key, p.has_value ? p.value : "");
      auto m = l.router->match(req.method, req.path, req.params);
      route = m.route;
      path_known = m.path_known;
    }
    const std::size_t body_limit = route ? route->options.body_limit : 64 * 1024;
    parser.body_limit(body_limit);
    // Beast checks Content-Length against the limit only while parsing the header, before
    // we knew the route; check it here.
    const auto declared = parser.content_length();
    if (!parser.is_done() || (declared && *declared > body_limit)) {
      std::optional<beast::error_code> too_big;
      if (declared && *declared > body_limit)
        too_big = bhttp::error::body_limit;
      lowest.expires_after(cfg.read_timeout);
      beast::error_code ec_b;
      if (too_big) {
        ec_b = *too_big;
      } else {
        auto [e, n] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
        ec_b = e;
      }
      if (ec_b == bhttp::error::body_limit) {
        Response res = error_response(
            ErrorCode::kPayloadTooLarge,
            "request body larger than " + std::to_string(body_limit) + " bytes", req.request_id);
        add_common_headers(res, req.request_id);
        co_await write(l, stream, res, false, false);
        // A client that sends the whole body before reading would see a reset instead of the
        // 413 if we closed with its body unread: read and drop a bounded amount of it first.
        // A chunked body has no known end: give its rest a moment only.
        co_await discard_body(stream, buffer, declared ? *declared : kDiscardCap,
                              declared ? cfg.read_timeout : std::chrono::milliseconds(1000));
        metrics.observe(cfg.name, route ? route->pattern : "(unmatched)", req.method, 413, 0);
        break;
      }
      if (ec_b)
        break;
    }
    const bool keep_alive = parser.get().keep_alive();
    req.body = std::move(parser.get().body());

    Response res;
    if (early) {
      res = error_response(*early, early_message, req.request_id);
    } else {
      res = co_await dispatch(l, route, path_known, req);
    }
    add_common_headers(res, req.request_id);
    const bool again = keep_alive && !draining;
    const bool ok = co_await write(l, stream, res, req.method == "HEAD", again);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::string pattern = route ? route->pattern : "(unmatched)";
    metrics.observe(cfg.name, pattern, req.method, res.status, secs);
    log::info("request", {.request_id = req.request_id,
                          .component = "http",
                          .method = req.method,
                          .route = pattern,
                          .status = res.status,
                          .duration_ms = secs * 1000,
                          .listener = cfg.name});
    if (!ok || !again)
      break;
  }
  if (peer_closed)
    co_return;
  // Send close_notify; a peer that never answers it (an idle pooled client) only costs
  // this short wait, which bounds how long a drain takes.
  lowest.expires_after(std::chrono::milliseconds(250));
  co_await stream.async_shutdown(kTuple);
}

awaitable<Response> Server::Impl::dispatch(Listener& l, const Route* route, bool path_known,
                                           Request& req) {
  std::optional<Response> failure;
  try {
    if (!route) {
      if (path_known)
        throw Error(ErrorCode::kMethodNotAllowed, "method not allowed");
      throw Error(ErrorCode::kNotFound, "no such resource");
    }
    if (route->async_handler)
      co_return co_await route->async_handler(req);
    co_return co_await net::co_spawn(
        workers, [&]() -> awaitable<Response> { co_return route->blocking_handler(req); },
        use_awaitable);
  } catch (const Error& e) {
    const auto level = http_status(e.code()) >= 500 ? log::Level::kError : log::Level::kInfo;
    log::write(level, "request failed",
               {.request_id = req.request_id,
                .route = route ? std::string_view(route->pattern) : std::string_view(),
                .error = to_string(e.code()),
                .detail = e.internal(),
                .listener = l.settings.name});
    failure = error_response(e.code(), e.external(), req.request_id);
  } catch (const std::exception&) {
    // what() of an arbitrary exception may quote data; the log gets the fact only.
    log::error("unhandled exception in handler",
               {.request_id = req.request_id,
                .route = route ? std::string_view(route->pattern) : std::string_view(),
                .listener = l.settings.name});
    failure = error_response(ErrorCode::kInternal, "internal error", req.request_id);
  }
  co_return std::move(*failure);
}

namespace {

template <typename Message>
void copy_headers(Message& msg, const Response& res) {
  for (const auto& [k, v] : res.headers)
    msg.set(k, v);
}

}  // namespace

awaitable<bool> Server::Impl::write(Listener& l, beast::ssl_stream<beast::tcp_stream>& stream,
                                    Response& res, bool head, bool keep_alive) {
  auto& lowest = beast::get_lowest_layer(stream);
  lowest.expires_after(l.settings.write_timeout);
  const auto status = static_cast<bhttp::status>(res.status);
  if (auto* file = std::get_if<FileBody>(&res.body)) {
    bhttp::file_body::value_type body;
    beast::error_code ec;
    body.open(file->path.c_str(), beast::file_mode::scan, ec);
    if (ec) {
      Response missing =
          error_response(ErrorCode::kNotFound, "document not available",
                         res.headers.contains("X-Request-Id") ? res.headers["X-Request-Id"] : "");
      res = std::move(missing);
    } else {
      bhttp::response<bhttp::file_body> msg{status, 11};
      copy_headers(msg, res);
      msg.body() = std::move(body);
      msg.keep_alive(keep_alive);
      msg.prepare_payload();
      if (head) {
        bhttp::response_serializer<bhttp::file_body> sr{msg};
        auto [e, n] = co_await bhttp::async_write_header(stream, sr, kTuple);
        co_return !e;
      }
      auto [e, n] = co_await bhttp::async_write(stream, msg, kTuple);
      co_return !e;
    }
  }
  if (auto* source = std::get_if<ChunkSource>(&res.body)) {
    bhttp::response<bhttp::empty_body> msg{status, 11};
    copy_headers(msg, res);
    msg.keep_alive(keep_alive);
    msg.chunked(true);
    bhttp::response_serializer<bhttp::empty_body> sr{msg};
    if (auto [e, n] = co_await bhttp::async_write_header(stream, sr, kTuple); e)
      co_return false;
    if (head)
      co_return true;
    // Writing a chunk to the client overlaps with reading the next ones (a few at most).
    ChunkSource ahead = read_ahead(std::move(*source));
    std::string framed;
    for (;;) {
      std::optional<std::string> chunk;
      try {
        chunk = co_await ahead();
      } catch (const std::exception&) {
        // The status is already sent: end the connection without the last chunk, so the
        // client sees a truncated body rather than a complete one.
        log::warn("response stream failed", {.listener = l.settings.name});
        co_return false;
      }
      lowest.expires_after(l.settings.write_timeout);
      if (!chunk)
        break;
      if (chunk->empty())
        continue;
      // One contiguous buffer per chunk (size line, data, CRLF): the TLS stream writes the
      // first buffer of a sequence per record, so make_chunk()'s three buffers cost two
      // extra tiny records and two extra socket writes per chunk.
      framed.clear();
      char size_line[24];
      auto [end, ec_hex] = std::to_chars(size_line, size_line + 16, chunk->size(), 16);
      framed.append(size_line, end).append("\r\n").append(*chunk).append("\r\n");
      auto [e, n] = co_await net::async_write(stream, net::buffer(framed), kTuple);
      if (e)
        co_return false;
    }
    auto [e, n] = co_await net::async_write(stream, bhttp::make_chunk_last(), kTuple);
    co_return !e;
  }
  bhttp::response<bhttp::string_body> msg{status, 11};
  copy_headers(msg, res);
  msg.keep_alive(keep_alive);
  msg.body() = std::move(std::get<std::string>(res.body));
  msg.prepare_payload();
  if (head) {
    bhttp::response_serializer<bhttp::string_body> sr{msg};
    auto [e, n] = co_await bhttp::async_write_header(stream, sr, kTuple);
    co_return !e;
  }
  auto [e, n] = co_await bhttp::async_write(stream, msg, kTuple);
  co_return !e;
}

void add_builtin_routes(Router& router, Metrics& metrics, ReadinessCheck ready,
                        const PeerAllowlist* metrics_readers) {
  router.add(
      "GET", "/healthz",
      [](Request&) -> awaitable<Response> { co_return Response::json(200, R"({"status":"ok"})"); },
      {.body_limit = 0, .summary = "the process answers"});
  router.add_blocking("GET", "/readyz",
                      [ready = std::move(ready)](Request&) {
                        std::string detail = "{}";
                        const bool ok = ready(detail);
                        return Response::json(ok ? 200 : 503, std::string(R"({"ready":)") +
                                                                  (ok ? "true" : "false") +
                                                                  R"(,"checks":)" + detail + "}");
                      },
                      {.body_limit = 0, .summary = "the daemon can serve"});
  if (!metrics_readers)
    return;
  router.add("GET", "/metrics",
             [&metrics, metrics_readers](Request& req) -> awaitable<Response> {
               metrics_readers->require(req);
               co_return Response::text(200, metrics.render(), "text/plain; version=0.0.4");
             },
             {.body_limit = 0, .summary = "Prometheus metrics"});
}

}  // namespace hareyaka::http
