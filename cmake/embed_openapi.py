#!/usr/bin/env python3
"""Converts an OpenAPI YAML document to JSON and writes a .cpp that returns it, so the daemon
serves /openapi.json without a file beside it. Fails the build on YAML that does not parse or
is not an OpenAPI 3.1 document with paths."""
import json
import sys

import yaml


def main():
    source, out, namespace = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(source, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3.1"):
        sys.exit(f"{source}: not an OpenAPI 3.1 document")
    if not isinstance(doc.get("paths"), dict):
        sys.exit(f"{source}: no paths")
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    delimiter = "hareyaka_openapi"
    if f"){delimiter}\"" in text:
        sys.exit(f"{source}: contains the raw-string delimiter")
    with open(out, "w", encoding="utf-8") as f:
        f.write(f"// Generated from {source.rsplit('/', 1)[-1]}; do not edit.\n")
        f.write("#include <string_view>\n\n")
        f.write(f"namespace hareyaka::{namespace} {{\n\n")
        f.write("std::string_view openapi_document() {\n")
        f.write(f"  static constexpr std::string_view kDocument = R\"{delimiter}({text}){delimiter}\";\n")
        f.write("  return kDocument;\n}\n\n")
        f.write(f"}}  // namespace hareyaka::{namespace}\n")


if __name__ == "__main__":
    main()
