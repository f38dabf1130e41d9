#!/usr/bin/env python3
"""Checks an OpenAPI 3.1 document as served at /openapi.json, and real answers against it.

usage: openapi_check.py DOC.json [ANSWERS.json]

DOC.json: checks that every path parameter in a path template is declared (and every declared
one is in the template), that operationIds are unique, that every operation answers an error
shape (`default` or 4xx/5xx), and that every schema is a valid JSON Schema 2020-12.
ANSWERS.json: [{"method", "pattern", "status", "content_type", "body"}, ...]; each answer must
have a documented response (its status or `default`) with the media type it was sent with,
and a JSON body must validate against that response's schema. Exits 1 with every failure.
"""
import json
import re
import sys

from jsonschema import Draft202012Validator

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def resolve(doc, node):
    """Follows a local $ref (components/responses, parameters, requestBodies)."""
    while isinstance(node, dict) and "$ref" in node and len(node) == 1:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"non-local $ref {ref}")
        node = doc
        for part in ref[2:].split("/"):
            node = node[part]
    return node


def wrapped(doc, schema):
    # $refs inside the schema point into the document's components: validate with the
    # components beside the schema, so "#/components/schemas/X" resolves against this root.
    return {"components": doc.get("components", {}), "allOf": [schema]}


def all_schemas(doc):
    for name, s in doc.get("components", {}).get("schemas", {}).items():
        yield f"components.schemas.{name}", s
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            for status, resp in op.get("responses", {}).items():
                resp = resolve(doc, resp)
                for media, c in resp.get("content", {}).items():
                    if "schema" in c:
                        yield f"{method.upper()} {path} {status} {media}", c["schema"]


def refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for v in node.values():
            yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)


def lint(doc):
    errors = []
    if not str(doc.get("openapi", "")).startswith("3.1"):
        errors.append("not OpenAPI 3.1")
    seen_ids = {}
    for path, item in doc.get("paths", {}).items():
        in_template = set(re.findall(r"{([^}]+)}", path))
        shared = [resolve(doc, p) for p in item.get("parameters", [])]
        ops = [m for m in METHODS if m in item]
        if not ops:
            errors.append(f"{path}: no operation")
        for method in ops:
            op = item[method]
            params = shared + [resolve(doc, p) for p in op.get("parameters", [])]
            declared = {p["name"] for p in params if p.get("in") == "path"}
            if declared != in_template:
                errors.append(f"{method.upper()} {path}: path parameters {sorted(declared)} "
                              f"declared, {sorted(in_template)} in the template")
            op_id = op.get("operationId")
            if not op_id:
                errors.append(f"{method.upper()} {path}: no operationId")
            elif op_id in seen_ids:
                errors.append(f"{method.upper()} {path}: operationId {op_id} also on {seen_ids[op_id]}")
            else:
                seen_ids[op_id] = f"{method.upper()} {path}"
            statuses = op.get("responses", {}).keys()
            if not any(s == "default" or s[0] in "45" for s in statuses):
                errors.append(f"{method.upper()} {path}: no error response")
            if not op.get("tags"):
                errors.append(f"{method.upper()} {path}: no tag")
    for ref in sorted(set(refs(doc))):
        try:
            resolve(doc, {"$ref": ref})
        except (KeyError, TypeError, ValueError):
            errors.append(f"$ref {ref} points nowhere")
    for where, schema in all_schemas(doc):
        try:
            Draft202012Validator.check_schema(wrapped(doc, schema))
        except Exception as e:  # noqa: BLE001 - every failure is reported
            errors.append(f"{where}: invalid schema: {e}")
    return errors


def validate(doc, answers):
    errors = []
    for a in answers:
        where = f"{a['method']} {a['pattern']} -> {a['status']}"
        item = doc.get("paths", {}).get(a["pattern"])
        op = item.get(a["method"].lower()) if item else None
        if not op:
            errors.append(f"{where}: not in the document")
            continue
        responses = op.get("responses", {})
        resp = responses.get(str(a["status"]), responses.get("default"))
        if resp is None:
            errors.append(f"{where}: status not documented")
            continue
        resp = resolve(doc, resp)
        content = resp.get("content", {})
        media = a.get("content_type", "").split(";")[0].strip().lower()
        if not content:
            if a.get("body"):
                errors.append(f"{where}: a body where none is documented")
            continue
        if media not in content:
            errors.append(f"{where}: {media!r} not among {sorted(content)}")
            continue
        schema = content[media].get("schema")
        if schema is None or not media.endswith("json"):
            continue
        try:
            body = json.loads(a["body"])
        except ValueError as e:
            errors.append(f"{where}: body is not JSON: {e}")
            continue
        validator = Draft202012Validator(wrapped(doc, schema))
        for e in sorted(validator.iter_errors(body), key=lambda e: list(e.path)):
            path = "/".join(str(p) for p in e.absolute_path)
            errors.append(f"{where}: at /{path}: {e.message[:300]}")
    return errors


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    errors = lint(doc)
    count = 0
    if len(sys.argv) > 2:
        with open(sys.argv[2], encoding="utf-8") as f:
            answers = json.load(f)
        count = len(answers)
        errors += validate(doc, answers)
    for e in errors:
        print(e)
    print(f"{len(doc.get('paths', {}))} paths, {count} answers, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
