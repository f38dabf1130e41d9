// Documents that facilities store (extended-storage files, SS-MIX2 files, DICOM objects) are
// content Hareyaka did not make: an XHTML or SVG file among them can carry script. They are
// served as downloads, never rendered in the portal's origin: Content-Disposition:
// attachment, X-Content-Type-Options: nosniff and the sandbox policy (no script, no loads,
// an opaque origin) on the response itself. The web UI fetches documents as data and
// renders them itself (portal/web/pages/documents.js: PDF and raster images from blob URLs,
// CDA through its element allowlist, anything else as text), which a download disposition
// does not affect.
#pragma once

#include <string>
#include <string_view>

#include "common/http_types.hpp"

namespace hareyaka::http {

inline constexpr const char* kDocumentPolicy = "sandbox; default-src 'none'";

// A name that may go into the header as it is: letters, digits, '.', '-', '_', at most 128
// characters, not starting with '.'.
bool plain_file_name(std::string_view name);

// Sets the three headers. `file_name` becomes the filename parameter when it is plain
// (letters, digits, '.', '-', '_'; at most 128 characters), else "document" is named.
void serve_as_attachment(Response& res, std::string_view file_name);

// The filename parameter of a Content-Disposition value ("" when absent), for passing a
// gateway's name on.
std::string disposition_file_name(std::string_view content_disposition);

}  // namespace hareyaka::http
