#!/usr/bin/env python3
"""Makes tests/e2e/gitlab-ci-schema.json from GitLab's published CI schema for .gitlab-ci.yml.

Source: GitLab's app/assets/javascripts/editor/schema/ci.json (gitlab.com/gitlab-org/gitlab, MIT Expat licence,
Copyright (c) 2011-present GitLab B.V.; see gitlab-ci-schema.LICENSE). The committed copy was made from the file as
vendored unchanged by check-jsonschema (github.com/python-jsonschema/check-jsonschema, commit e210bb2 of
2026-08-01, src/check_jsonschema/builtin_schemas/vendor/gitlab-ci.json).

    python3 tests/e2e/extract_gitlab_ci_schema.py ci.json > tests/e2e/gitlab-ci-schema.json

What is dropped changes no verdict: the human-readable annotations (`description`, `markdownDescription`,
`examples`) of every schema, and definitions nothing refers to.
"""

import json
import sys

ANNOTATIONS = {"description", "markdownDescription", "examples"}
NAME_MAPS = {"properties", "patternProperties", "definitions", "$defs", "dependencies"}


def strip(node, names_here=False):
    if isinstance(node, list):
        return [strip(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if names_here:  # keys are property or definition names: every value is a schema
            out[key] = strip(value)
        elif key in ANNOTATIONS and not isinstance(value, (dict, list)):
            continue
        else:
            out[key] = strip(value, names_here=key in NAME_MAPS)
    return out


def refs(node, found):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/definitions/"):
            found.add(ref[len("#/definitions/"):].replace("~1", "/").replace("~0", "~"))
        for v in node.values():
            refs(v, found)
    elif isinstance(node, list):
        for v in node:
            refs(v, found)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = strip(json.load(f))
    definitions = schema.pop("definitions", {})
    keep, todo = set(), set()
    refs(schema, todo)
    while todo:
        name = todo.pop()
        if name in keep or name not in definitions:
            continue
        keep.add(name)
        refs(definitions[name], todo)
    schema["definitions"] = {k: v for k, v in definitions.items() if k in keep}
    json.dump(schema, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
