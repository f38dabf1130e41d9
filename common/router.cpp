#include "common/router.hpp"

#include <stdexcept>

namespace hareyaka::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos)
      j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool is_param(std::string_view seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

}  // namespace

void Router::add(std::string method, std::string pattern, AsyncHandler handler,
                 RouteOptions options) {
  Route r{std::move(method), std::move(pattern), {}, std::move(handler),
          nullptr,           std::move(options)};
  insert(std::move(r));
}

void Router::add_blocking(std::string method, std::string pattern, BlockingHandler handler,
                          RouteOptions options) {
  Route r{std::move(method), std::move(pattern), {},
          nullptr,           std::move(handler), std::move(options)};
  insert(std::move(r));
}

// Whether `a` is more specific than `b` (both of the same length): at the first segment where
// one is a literal and the other a parameter, the literal wins.
bool more_specific(const Route& a, const Route& b) {
  for (std::size_t i = 0; i < a.segments.size(); ++i) {
    const bool pa = is_param(a.segments[i]), pb = is_param(b.segments[i]);
    if (pa != pb)
      return !pa;
  }
  return false;
}

// The same method and the same shape: the same literals at the same places and parameters at
// the same places (whatever their names). One of the two could never be reached.
bool same_shape(const Route& a, const Route& b) {
  if (a.method != b.method || a.segments.size() != b.segments.size())
    return false;
  for (std::size_t i = 0; i < a.segments.size(); ++i) {
    const bool pa = is_param(a.segments[i]), pb = is_param(b.segments[i]);
    if (pa != pb || (!pa && a.segments[i] != b.segments[i]))
      return false;
  }
  return true;
}

void Router::insert(Route route) {
  if (route.pattern.empty() || route.pattern[0] != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + route.pattern);
  }
  for (auto seg : split_path(route.pattern))
    route.segments.emplace_back(seg);
  for (const Route& r : routes_) {
    if (same_shape(r, route)) {
      throw std::invalid_argument("route " + route.method + " " + route.pattern +
                                  " is the same as " + r.pattern + ": one could never be reached");
    }
  }
  routes_.push_back(std::move(route));
}

Router::Match Router::match(std::string_view method, std::string_view path,
                            std::map<std::string, std::string>& params) const {
  const auto parts = split_path(path);
  Match result;
  std::map<std::string, std::string> best_params;
  for (const Route& r : routes_) {
    if (r.segments.size() != parts.size())
      continue;
    std::map<std::string, std::string> found;
    bool ok = true;
    for (std::size_t i = 0; i < parts.size() && ok; ++i) {
      const std::string& seg = r.segments[i];
      if (is_param(seg)) {
        if (parts[i].empty())
          ok = false;
        else
          found[seg.substr(1, seg.size() - 2)] = std::string(parts[i]);
      } else {
        ok = seg == parts[i];
      }
    }
    if (!ok)
      continue;
    if (r.method != method && !(method == "HEAD" && r.method == "GET")) {
      result.path_known = true;
      continue;
    }
    // Not the first registered but the most specific: /persons/{id}/communities wins over
    // /persons/{id}/{category} whichever was added first.
    if (!result.route || more_specific(r, *result.route)) {
      result.route = &r;
      best_params = std::move(found);
    }
  }
  if (result.route)
    params = std::move(best_params);
  return result;
}

}  // namespace hareyaka::http
