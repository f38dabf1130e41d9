// The route table of a listener. Each route is a method, a path pattern with named
// parameters ("/api/v1/persons/{id}/encounters") and a handler. Handlers come in two kinds:
// async ones run on the connection's strand and must not block; blocking ones (database
// work) run on the server's worker pool. Each route may set its own body limit.
//
// A path is answered by the most specific route that matches it, whatever the order the
// routes were added in: at the first segment where two matching patterns differ, a literal
// beats a parameter (/persons/{id}/communities before /persons/{id}/{category}). Adding a
// route of the same method and shape as an existing one (one of them unreachable) throws.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "common/http_types.hpp"

namespace hareyaka::http {

using AsyncHandler = std::function<boost::asio::awaitable<Response>(Request&)>;
using BlockingHandler = std::function<Response(Request&)>;

struct RouteOptions {
  std::size_t body_limit = 1 << 20;  // bytes
  std::string summary;               // one line for the API listing
};

struct Route {
  std::string method;
  std::string pattern;
  std::vector<std::string> segments;  // split pattern; "{name}" marks a parameter
  AsyncHandler async_handler;
  BlockingHandler blocking_handler;
  RouteOptions options;
};

class Router {
 public:
  void add(std::string method, std::string pattern, AsyncHandler handler,
           RouteOptions options = {});
  void add_blocking(std::string method, std::string pattern, BlockingHandler handler,
                    RouteOptions options = {});

  struct Match {
    const Route* route = nullptr;
    bool path_known = false;  // some route matched the path with another method (405)
  };
  // Fills params on success.
  Match match(std::string_view method, std::string_view path,
              std::map<std::string, std::string>& params) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  void insert(Route route);
  std::vector<Route> routes_;
};

}  // namespace hareyaka::http
