#include "portal/web_assets.hpp"

#include <filesystem>
#include <map>

#include "common/error.hpp"

namespace hareyaka::portal {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCsp =
    "default-src 'self'; img-src 'self' blob: data:; frame-src 'self' blob:; "
    "object-src 'self' blob:; style-src 'self'; script-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'self'";

const std::map<std::string, std::string>& content_types() {
  static const std::map<std::string, std::string> k = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".json", "application/json"},
      {".woff2", "font/woff2"},
  };
  return k;
}

bool plain_name(const std::string& name) {
  if (name.empty() || name[0] == '.' || name.size() > 128)
    return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_'))
      return false;
  }
  return true;
}

http::Response serve(const fs::path& root, const std::string& dir, const std::string& name) {
  if (!plain_name(name))
    throw Error(ErrorCode::kNotFound, "no such file");
  const auto type = content_types().find(fs::path(name).extension().string());
  if (type == content_types().end())
    throw Error(ErrorCode::kNotFound, "no such file");
  const fs::path file = dir.empty() ? root / name : root / dir / name;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw Error(ErrorCode::kNotFound, "no such file");
  http::Response res;
  res.headers["Content-Type"] = type->second;
  res.headers["Content-Security-Policy"] = kCsp;
  res.headers["X-Frame-Options"] = "SAMEORIGIN";
  res.headers["Referrer-Policy"] = "no-referrer";
  // Revalidate every time: an update of the portal must reach tablets at once.
  res.headers["Cache-Control"] = "no-cache";
  res.body = http::FileBody{file};
  return res;
}

}  // namespace

void add_web_asset_routes(http::Router& web, const std::string& web_root) {
  if (web_root.empty())
    return;
  const fs::path root = web_root;
  web.add_blocking("GET", "/", [root](http::Request&) { return serve(root, "", "index.html"); },
                   {.body_limit = 0, .summary = "the web UI"});
  web.add_blocking("GET", "/{file}",
                   [root](http::Request& req) { return serve(root, "", req.param("file")); },
                   {.body_limit = 0, .summary = "web UI files"});
  for (const char* dir : {"pages", "vendor"}) {
    web.add_blocking(
        "GET", std::string("/") + dir + "/{file}",
        [root, dir](http::Request& req) { return serve(root, dir, req.param("file")); },
        {.body_limit = 0, .summary = "web UI files"});
  }
}

}  // namespace hareyaka::portal
