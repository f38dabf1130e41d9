#include "common/http_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <future>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/http_client.hpp"
#include "tests/common/raw_tls.hpp"
#include "tests/common/test_server.hpp"
#include "tests/support/dev_pki.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::http {
namespace {

using testing::dev_pki;
using testing::TestServer;
namespace net = boost::asio;

ListenerSettings listener(tls::ClientAuth auth = tls::ClientAuth::kNone) {
  ListenerSettings s;
  s.name = "test";
  s.tls.cert_file = dev_pki().cert("portal");
  s.tls.key_file = dev_pki().key("portal");
  s.tls.ca_file = dev_pki().ca();
  s.tls.client_auth = auth;
  return s;
}

ClientSettings client(const std::string& node = "") {
  ClientSettings s;
  s.tls.ca_file = dev_pki().ca();
  if (!node.empty()) {
    s.tls.cert_file = dev_pki().cert(node);
    s.tls.key_file = dev_pki().key(node);
  }
  return s;
}

// Requests that reached the /slow handler (a request counts as in flight from there on: a
// connection still in its handshake or before its request is idle, and shutdown closes it).
std::atomic<int> slow_requests_started{0};

std::shared_ptr<Router> router_with_routes() {
  auto r = std::make_shared<Router>();
  r->add("GET", "/echo/{id}", [](Request& req) -> net::awaitable<Response> {
    nlohmann::json j{{"id", req.param("id")}, {"q", req.query_param("q").value_or("")}};
    if (req.peer)
      j["peer"] = req.peer->subject;
    co_return Response::json(200, j.dump());
  });
  r->add_blocking("POST", "/small", [](Request& req) { return Response::text(200, req.body); },
                  {.body_limit = 16});
  // A route whose limit is above Beast's own 1 MiB default (PIX 4 MB, HPD 8 MB, CSV 8 MiB).
  r->add_blocking("POST", "/big",
                  [](Request& req) { return Response::text(200, std::to_string(req.body.size())); },
                  {.body_limit = 4 * 1000 * 1000});
  r->add_blocking("GET", "/own-csp", [](Request&) {
    Response res = Response::text(200, "page");
    res.headers["Content-Security-Policy"] = "default-src 'self'";
    return res;
  });
  r->add_blocking("GET", "/fail", [](Request&) -> Response {
    throw Error(ErrorCode::kForbidden, "not for you", "internal reason with detail");
  });
  r->add("GET", "/slow", [](Request&) -> net::awaitable<Response> {
    ++slow_requests_started;
    net::steady_timer t(co_await net::this_coro::executor, std::chrono::milliseconds(400));
    co_await t.async_wait(net::use_awaitable);
    co_return Response::text(200, "done");
  });
  r->add("GET", "/stream", [](Request&) -> net::awaitable<Response> {
    Response res;
    res.headers["Content-Type"] = "application/octet-stream";
    auto n = std::make_shared<int>(0);
    res.body = ChunkSource([n]() -> net::awaitable<std::optional<std::string>> {
      if (*n == 100)
        co_return std::nullopt;
      ++*n;
      co_return std::string(10'000, static_cast<char>('a' + *n % 26));
    });
    co_return res;
  });
  return r;
}

TEST(HttpServer, ServesRoutesWithParamsAndQuery) {
  TestServer server(listener(), router_with_routes());
  BlockingHttpClient c(client());
  auto res = c.request({.url = server.url("/echo/abc?q=%E6%99%B4")});
  EXPECT_EQ(res.status, 200);
  auto j = nlohmann::json::parse(res.body);
  EXPECT_EQ(j["id"], "abc");
  EXPECT_EQ(j["q"], "晴");
  EXPECT_FALSE(res.headers.at("X-Request-Id").empty());
  EXPECT_EQ(res.headers.at("Cache-Control"), "no-store");
}

// A request with a pin (a disaster standby's) is answered only by a server presenting that
// certificate; a pinned request never reuses a connection made without the check.
TEST(HttpClient, PinnedRequestNeedsThePinnedCertificate) {
  TestServer server(listener(), router_with_routes());
  BlockingHttpClient c(client());
  EXPECT_EQ(c.request({.url = server.url("/echo/1")}).status, 200);  // an unpinned pooled one
  ClientRequest wrong{.url = server.url("/echo/2")};
  wrong.peer_sha256 = testing::cert_fingerprint(dev_pki().cert("gateway-b"));
  try {
    c.request(wrong);
    ADD_FAILURE() << "a server with another certificate answered a pinned request";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
  }
  ClientRequest right{.url = server.url("/echo/3")};
  right.peer_sha256 = testing::cert_fingerprint(dev_pki().cert("portal"));
  EXPECT_EQ(c.request(right).status, 200);
}

TEST(HttpServer, UnknownRouteIs404AndWrongMethodIs405WithJsonError) {
  TestServer server(listener(), router_with_routes());
  BlockingHttpClient c(client());
  auto nf = c.request({.url = server.url("/nope")});
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(nlohmann::json::parse(nf.body)["error"], "not_found");
  auto na = c.request({.method = "DELETE", .url = server.url("/echo/1")});
  EXPECT_EQ(na.status, 405);
}

TEST(HttpServer, ErrorsCarryOnlyTheExternalMessage) {
  TestServer server(listener(), router_with_routes());
  BlockingHttpClient c(client());
  auto res = c.request({.url = server.url("/fail"), .headers = {{"X-Request-Id", "abc-123"}}});
  EXPECT_EQ(res.status, 403);
  auto j = nlohmann::json::parse(res.body);
  EXPECT_EQ(j["message"], "not for you");
  EXPECT_EQ(j["request_id"], "abc-123");
  EXPECT_EQ(res.body.find("internal reason"), std::string::npos);
}

TEST(HttpServer, BodyOverTheRouteLimitIs413) {
  TestServer server(listener(), router_with_routes());
  BlockingHttpClient c(client());
  EXPECT_EQ(c.request({.method = "POST", .url = server.url("/small"), .body = "short"}).status,
            200);
  auto big =
      c.request({.method = "POST", .url = server.url("/small"), .body = std::string(17, 'x')});
  EXPECT_EQ(big.status, 413);
}

TEST(HttpServer, RouteLimitAboveOneMebibyteApplies) {
  TestServer server(listener(), router_with_routes());
  BlockingHttpClient c(client());
  auto ok = c.request(
      {.method = "POST", .url = server.url("/big"), .body = std::string(3 * 1000 * 1000, 'x')});
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.body, "3000000");
}

TEST(HttpServer, BodyOverALargeRouteLimitIs413NamingTheLimit) {
  TestServer server(listener(), router_with_routes());
  BlockingHttpClient c(client());
  auto big = c.request(
      {.method = "POST", .url = server.url("/big"), .body = std::string(5 * 1000 * 1000, 'x')});
  EXPECT_EQ(big.status, 413) << big.body;
  auto j = nlohmann::json::parse(big.body);
  EXPECT_EQ(j["error"], "payload_too_large");
  EXPECT_NE(j["message"].get<std::string>().find("4000000"), std::string::npos) << big.body;
}

TEST(HttpServer, EveryResponseIsSandboxedUnlessTheRouteSetsItsOwnPolicy) {
  TestServer server(listener(), router_with_routes());
  BlockingHttpClient c(client());
  for (const char* path : {"/echo/1", "/nope", "/fail", "/stream"}) {
    auto res = c.request({.url = server.url(path)});
    ASSERT_TRUE(res.headers.contains("Content-Security-Policy")) << path;
    EXPECT_EQ(res.headers.at("Content-Security-Policy"), "sandbox; default-src 'none'") << path;
  }
  auto own = c.request({.url = server.url("/own-csp")});
  EXPECT_EQ(own.headers.at("Content-Security-Policy"), "default-src 'self'");
}

TEST(HttpServer, OversizedHeaderIs431) {
  auto s = listener();
  s.header_limit = 2048;
  TestServer server(s, router_with_routes());
  BlockingHttpClient c(client());
  auto res =
      c.request({.url = server.url("/echo/1"), .headers = {{"X-Big", std::string(4096, 'h')}}});
  EXPECT_EQ(res.status, 431);
}

TEST(HttpServer, KeepAliveReusesOneConnection) {
  TestServer server(listener(), router_with_routes());
  BlockingHttpClient c(client());
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(c.request({.url = server.url("/echo/1")}).status, 200);
  EXPECT_EQ(server.server().open_connections(), 1u);
}

TEST(HttpServer, StreamsChunkedBodiesEndToEnd) {
  TestServer server(listener(), router_with_routes());
  BlockingHttpClient c(client());
  auto res = c.request({.url = server.url("/stream")});
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body.size(), 1'000'000u);
  EXPECT_EQ(res.body[0], 'b');
}

TEST(HttpServer, MetricsCountByRoutePattern) {
  TestServer server(listener(), router_with_routes());
  BlockingHttpClient c(client());
  c.request({.url = server.url("/echo/1")});
  c.request({.url = server.url("/echo/2")});
  // The server records a request after its response is written: poll, don't race.
  std::string text;
  EXPECT_TRUE(testing::poll_until(
      [&] {
        text = server.metrics().render();
        return text.find(R"(route="/echo/{id}",method="GET",status="200"} 2)") != std::string::npos;
      },
      std::chrono::seconds(5)))
      << text;
  EXPECT_EQ(text.find("/echo/1"), std::string::npos);
}

TEST(HttpServer, ClientDeadlineEndsASlowRequest) {
  TestServer server(listener(), router_with_routes());
  BlockingHttpClient c(client());
  try {
    c.request({.url = server.url("/slow"), .timeout = std::chrono::milliseconds(100)});
    FAIL() << "expected a timeout";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kTimeout);
  }
}

TEST(HttpServer, UnreachablePeerIsUnavailable) {
  BlockingHttpClient c(client());
  std::uint16_t port;
  {
    TestServer server(listener(), router_with_routes());
    port = server.port();
  }
  try {
    c.request({.url = "https://127.0.0.1:" + std::to_string(port) + "/healthz"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
  }
}

TEST(HttpServer, ShutdownFinishesInFlightRequests) {
  auto server = std::make_unique<TestServer>(listener(), router_with_routes());
  BlockingHttpClient c(client());
  const int started = slow_requests_started.load();
  auto fut =
      std::async(std::launch::async, [&] { return c.request({.url = server->url("/slow")}); });
  ASSERT_TRUE(testing::poll_until([&] { return slow_requests_started.load() > started; },
                                  std::chrono::seconds(5)));
  EXPECT_EQ(server->server().open_connections(), 1u);
  server->server().begin_shutdown();
  auto res = fut.get();
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "done");
  EXPECT_TRUE(testing::poll_until([&] { return server->server().open_connections() == 0; },
                                  std::chrono::seconds(5)));
  // A new connection is refused once draining began.
  BlockingHttpClient fresh(client());
  EXPECT_THROW(fresh.request({.url = server->url("/echo/1")}), Error);
}

TEST(Tls, OldProtocolsAndNonAeadSuitesAreRefused) {
  TestServer server(listener(), router_with_routes());
  EXPECT_EQ(testing::raw_tls_get(server.port(), "/echo/1", {}), "HTTP/1.1 200 OK");
  EXPECT_EQ(testing::raw_tls_get(server.port(), "/echo/1",
                                 {.min_version = TLS1_VERSION, .max_version = TLS1_1_VERSION}),
            "");
  EXPECT_EQ(testing::raw_tls_get(server.port(), "/echo/1",
                                 {.max_version = TLS1_2_VERSION,
                                  .cipher_list = "ECDHE-ECDSA-AES128-SHA:AES128-SHA"}),
            "");
  EXPECT_EQ(testing::raw_tls_get(
                server.port(), "/echo/1",
                {.max_version = TLS1_2_VERSION, .cipher_list = "ECDHE-ECDSA-AES128-GCM-SHA256"}),
            "HTTP/1.1 200 OK");
}

TEST(Tls, MutualTlsRefusesClientsWithoutANetworkCertificate) {
  TestServer server(listener(tls::ClientAuth::kRequire), router_with_routes());
  // No certificate.
  EXPECT_EQ(testing::raw_tls_get(server.port(), "/echo/1", {}), "");
  // A certificate from another CA.
  const auto& pki = testing::dev_pki();
  EXPECT_EQ(testing::raw_tls_get(server.port(), "/echo/1",
                                 {.cert_file = pki.other_dir + "/stranger.pem",
                                  .key_file = pki.other_dir + "/stranger.key"}),
            "");
  // A network certificate: accepted, and the handler sees who it is.
  BlockingHttpClient c(client("gateway-a"));
  auto res = c.request({.url = server.url("/echo/1")});
  EXPECT_EQ(res.status, 200);
  EXPECT_NE(nlohmann::json::parse(res.body)["peer"].get<std::string>().find("CN=gateway-a"),
            std::string::npos);
  // The project's own client without a certificate is refused too.
  BlockingHttpClient anonymous(client());
  EXPECT_THROW(anonymous.request({.url = server.url("/echo/1")}), Error);
}

TEST(Tls, MutualTlsWithACrlRefusesARevokedCertificate) {
  auto s = listener(tls::ClientAuth::kRequire);
  // Without the CRL the revoked node still gets in: the CRL is what refuses it.
  TestServer without(s, router_with_routes());
  EXPECT_EQ(BlockingHttpClient(client("revoked")).request({.url = without.url("/echo/1")}).status,
            200);
  s.tls.crl_file = dev_pki().crl();
  TestServer server(s, router_with_routes());
  EXPECT_EQ(BlockingHttpClient(client("gateway-a")).request({.url = server.url("/echo/1")}).status,
            200);
  BlockingHttpClient revoked(client("revoked"));
  EXPECT_THROW(revoked.request({.url = server.url("/echo/1")}), Error);
  // A CRL file that is not one is a start-up error, not a listener without the check.
  s.tls.crl_file = dev_pki().ca();
  EXPECT_THROW(TestServer(s, router_with_routes()), std::exception);
}

TEST(Tls, ClientRefusesAServerOutsideTheNetwork) {
  auto s = listener();
  s.tls.cert_file = testing::dev_pki().other_dir + "/stranger.pem";
  s.tls.key_file = testing::dev_pki().other_dir + "/stranger.key";
  TestServer server(s, router_with_routes());
  BlockingHttpClient c(client());
  try {
    c.request({.url = server.url("/echo/1")});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
  }
}

TEST(StatusMap, EveryCodeHasItsStatus) {
  EXPECT_EQ(http_status(ErrorCode::kBadRequest), 400);
  EXPECT_EQ(http_status(ErrorCode::kUnauthorized), 401);
  EXPECT_EQ(http_status(ErrorCode::kForbidden), 403);
  EXPECT_EQ(http_status(ErrorCode::kNotFound), 404);
  EXPECT_EQ(http_status(ErrorCode::kMethodNotAllowed), 405);
  EXPECT_EQ(http_status(ErrorCode::kConflict), 409);
  EXPECT_EQ(http_status(ErrorCode::kPayloadTooLarge), 413);
  EXPECT_EQ(http_status(ErrorCode::kUnsupportedMediaType), 415);
  EXPECT_EQ(http_status(ErrorCode::kUnprocessable), 422);
  EXPECT_EQ(http_status(ErrorCode::kTooManyRequests), 429);
  EXPECT_EQ(http_status(ErrorCode::kInternal), 500);
  EXPECT_EQ(http_status(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(http_status(ErrorCode::kTimeout), 504);
}

}  // namespace
}  // namespace hareyaka::http
