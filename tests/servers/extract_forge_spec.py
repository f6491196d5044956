#!/usr/bin/env python3
"""Cuts the operations treeprint uses out of a forge's published API description (Swagger 2.0 or OpenAPI 3.0), with
every definition, schema, response and parameter they refer to (and nothing else), so Prism starts in a second and
the repository keeps only what the contract tests need.

    python3 extract_forge_spec.py gitea     DESCRIPTION.json  forges/gitea-subset.json
    python3 extract_forge_spec.py forgejo   v1_json.tmpl      forges/forgejo-subset.json  [--version=LABEL]
    python3 extract_forge_spec.py gitlab-v3 openapi_v3.yaml   forges/gitlab-subset.json
    python3 extract_forge_spec.py gitlab    openapi_v2.yaml   OUTPUT  (the deprecated Swagger 2.0 file; unused)

Where the descriptions come from (see forges/README.md for the licences: Gitea's is MIT, Forgejo's API description
is MIT too (the rest of Forgejo is GPL-3.0-or-later since v9), GitLab's doc/ is CC BY-SA 4.0):
  gitea   Gitea's templates/swagger/v1_json.tmpl (go-gitea/gitea), as a Gitea server serves it at /swagger.v1.json
          (the template's {{AppSubUrl}} and {{AppVer}} filled in).
  forgejo Forgejo's own fork of that file, templates/swagger/v1_json.tmpl in forgejo/forgejo (Codeberg), taken as
          the template itself; the same operations as gitea, cut the same way.
  gitlab-v3  GitLab's doc/api/openapi/openapi_v3.yaml (gitlab-org/gitlab, mirrored as gitlabhq/gitlabhq), the
             OpenAPI 3.0 file GitLab generates from its Grape endpoints (`bin/rake gitlab:openapi:v3:generate`).
  gitlab     GitLab's deprecated doc/api/openapi/openapi_v2.yaml in the same repository.

Changes made to what is kept, each so that Prism can route or answer as the real server does:
  - `host` and `schemes` are dropped (Prism listens on loopback), and `basePath` (Gitea's /api/v1) is put in front of
    every path: Prism routes on the paths alone.
  - gitea, forgejo: a template's placeholders are filled as a server at the root of its host fills them:
    `{{AppSubUrl | JSEscape}}` in `basePath` becomes empty, and `{{AppVer | JSEscape}}` in `info.version` becomes the
    --version label given (the template states no version).
  - gitlab: Grape's glob segment `*artifact_path` becomes the path parameter `{artifact_path}`.
  - gitlab, gitlab-v3: a list operation the description types as one entity (GitLab's generators do that for some
    paginated lists, the merge request notes among them) gets `type: array` of that entity, as GitLab answers.
  - gitlab-v3: of a kept path only the methods treeprint sends are kept (the path's other methods, and what only they
    refer to, are left out); the tag list is left out; `components.securitySchemes` and `security` are kept whole.
  - gitlab-v3: POST /projects/{id}/statuses/{sha} declares its answer as 200; GitLab answers 201 Created (its own
    request specs, spec/requests/api/commit_statuses_spec.rb, expect :created), so the 200 answer is declared as 201
    too and Prism checks the body of the answer GitLab really gives.
  - gitlab-v3: a path parameter the description types as `oneOf: [string, integer]` (GitLab's "ID or URL-encoded
    path" of a project) is typed `anyOf` the same two: a numeric ID such as 42 is both a string and an integer, so
    `oneOf` ("exactly one") would refuse the very ID form the description names, and Prism does refuse it.
  - gitlab-v3: the job artifacts download also takes the CI/CD job token in a `JOB-TOKEN` header (GitLab's REST
    documentation of the job artifacts API), which the description's securitySchemes (bearer, OAuth 2,
    PRIVATE-TOKEN) do not name: that operation gets a `JOB-TOKEN` apiKey scheme as one more alternative.
"""

import json
import sys

GITEA_OPERATIONS = {
    "/repos/{owner}/{repo}/statuses/{sha}": ["post"],
    "/repos/{owner}/{repo}/issues/{index}/comments": ["get", "post"],
    "/repos/{owner}/{repo}/issues/comments/{id}": ["patch"],
    "/user": ["get"],
}
OPERATIONS = {
    # Forgejo is a fork of Gitea: treeprint sends it the same requests (the GitHub code paths with set_gitea).
    "gitea": GITEA_OPERATIONS,
    "forgejo": GITEA_OPERATIONS,
    "gitlab": {
        "/api/v4/projects/{id}/statuses/{sha}": ["post"],
        "/api/v4/projects/{id}/merge_requests/{noteable_id}/notes": ["get", "post"],
        "/api/v4/projects/{id}/merge_requests/{noteable_id}/notes/{note_id}": ["put"],
        "/api/v4/projects/{id}/jobs/artifacts/{ref_name}/raw/*artifact_path": ["get"],
        "/api/v4/user": ["get"],
    },
}
# OpenAPI 3.0 (gitlab-v3): GitLab's paths already carry /api/v4, and `*artifact_path` is a path parameter there.
OPERATIONS_V3 = {
    "gitlab-v3": {
        "/api/v4/projects/{id}/statuses/{sha}": ["post"],
        "/api/v4/projects/{id}/merge_requests/{noteable_id}/notes": ["get", "post"],
        "/api/v4/projects/{id}/merge_requests/{noteable_id}/notes/{note_id}": ["put"],
        "/api/v4/projects/{id}/jobs/artifacts/{ref_name}/raw/{artifact_path}": ["get"],
        "/api/v4/user": ["get"],
    },
}
LISTS = {"gitlab": {("/api/v4/projects/{id}/merge_requests/{noteable_id}/notes", "get")},
         "gitlab-v3": {("/api/v4/projects/{id}/merge_requests/{noteable_id}/notes", "get")}}
ANSWERED_201 = {"gitlab-v3": {("/api/v4/projects/{id}/statuses/{sha}", "post")}}
JOB_TOKEN_ACCEPTED = {"gitlab-v3": {("/api/v4/projects/{id}/jobs/artifacts/{ref_name}/raw/{artifact_path}", "get")}}
JOB_TOKEN_SCHEME = "jobToken"
ID_OR_PATH = [{"type": "string"}, {"type": "integer"}]
# The placeholders of Gitea's and Forgejo's templates/swagger/v1_json.tmpl (Go templates, filled when served).
SUB_URL = "{{AppSubUrl | JSEscape}}"
APP_VERSION = "{{AppVer | JSEscape}}"


def fill_template(spec, version=None):
    """The template as a server at the root of its host serves it: no sub-URL before /api/v1, and `version` (a label
    the caller gives: the template has none) for {{AppVer}}. A description already served is left as it is."""
    if SUB_URL in spec.get("basePath", ""):
        spec["basePath"] = spec["basePath"].replace(SUB_URL, "")
    if spec.get("info", {}).get("version") == APP_VERSION:
        if not version:
            raise SystemExit("the description is a template ({{AppVer}} for its version): give --version=LABEL")
        spec["info"]["version"] = version
    return spec


def local_refs(node, out):
    """Adds to `out` every local reference ("#/...") under `node`."""
    if isinstance(node, dict):
        r = node.get("$ref")
        if isinstance(r, str) and r.startswith("#/"):
            out.add(r)
        for v in node.values():
            local_refs(v, out)
    elif isinstance(node, list):
        for v in node:
            local_refs(v, out)


def extract(forge, spec):
    operations = OPERATIONS[forge]
    base = spec.get("basePath", "").rstrip("/")
    out = {k: spec[k] for k in ("swagger", "info", "consumes", "produces", "securityDefinitions",
                                "security") if k in spec}
    out["info"] = dict(out["info"], description="A subset of %s %s cut by tests/servers/extract_forge_spec.py" %
                       (spec["info"].get("title", forge), spec["info"].get("version", "")))
    out["paths"] = {}
    missing = []
    for path, methods in operations.items():
        item = spec["paths"].get(path)
        if item is None:
            missing.append(path)
            continue
        new_path = base + path.replace("*artifact_path", "{artifact_path}")
        kept = {"parameters": item["parameters"]} if "parameters" in item else {}
        for m in methods:
            if m not in item:
                missing.append(m.upper() + " " + path)
                continue
            op = json.loads(json.dumps(item[m]))
            if "*artifact_path" in path:
                op["parameters"] = [p for p in op.get("parameters", []) if p.get("name") != "artifact_path"]
                op["parameters"].append({"in": "path", "name": "artifact_path", "type": "string", "required": True})
            if (path, m) in LISTS.get(forge, ()):
                for r in op.get("responses", {}).values():
                    schema = r.get("schema")
                    if schema and schema.get("type") != "array":
                        r["schema"] = {"type": "array", "items": schema}
            kept[m] = op
        out["paths"][new_path] = kept
    # Whatever the kept operations refer to, and whatever that refers to, until nothing new turns up.
    wanted, done = set(), set()
    local_refs(out["paths"], wanted)
    while wanted - done:
        ref = sorted(wanted - done)[0]
        done.add(ref)
        section, name = ref[2:].split("/", 1)
        target = spec.get(section, {}).get(name)
        if target is None:
            raise SystemExit("the description refers to %s but has no such entry" % ref)
        out.setdefault(section, {})[name] = target
        local_refs(target, wanted)
    return out, missing


def pointer(spec, ref):
    """The node a local `#/a/b/c` reference names, or None."""
    node = spec
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def extract_v3(forge, spec):
    operations = OPERATIONS_V3[forge]
    out = {"openapi": spec["openapi"]}
    out["info"] = dict(spec["info"], description="A subset of %s %s cut by tests/servers/extract_forge_spec.py" %
                       (spec["info"].get("title", forge), spec["info"].get("version", "")))
    out["paths"] = {}
    missing = []
    for path, methods in operations.items():
        item = spec.get("paths", {}).get(path)
        if item is None:
            missing.append(path)
            continue
        kept = {k: item[k] for k in ("parameters", "servers") if k in item}
        for m in methods:
            if m not in item:
                missing.append(m.upper() + " " + path)
                continue
            op = json.loads(json.dumps(item[m]))
            responses = op.get("responses", {})
            if (path, m) in LISTS.get(forge, ()):
                for r in responses.values():
                    for media in r.get("content", {}).values():
                        schema = media.get("schema")
                        if schema and schema.get("type") != "array":
                            media["schema"] = {"type": "array", "items": schema}
            if (path, m) in ANSWERED_201.get(forge, ()) and "200" in responses and "201" not in responses:
                responses["201"] = dict(responses["200"], description="Created")
            for param in op.get("parameters", []):
                schema = param.get("schema", {})
                if param.get("in") == "path" and sorted(map(json.dumps, schema.get("oneOf", []))) == \
                        sorted(map(json.dumps, ID_OR_PATH)):
                    param["schema"] = dict((k, v) for k, v in schema.items() if k != "oneOf")
                    param["schema"]["anyOf"] = schema["oneOf"]
            if (path, m) in JOB_TOKEN_ACCEPTED.get(forge, ()):
                op["security"] = list(op.get("security", spec.get("security", []))) + [{JOB_TOKEN_SCHEME: []}]
            kept[m] = op
        out["paths"][path] = kept
    components = {}
    schemes = spec.get("components", {}).get("securitySchemes")
    if schemes is not None:
        components["securitySchemes"] = dict(schemes)
        if JOB_TOKEN_ACCEPTED.get(forge):
            components["securitySchemes"][JOB_TOKEN_SCHEME] = {"type": "apiKey", "name": "JOB-TOKEN", "in": "header"}
    if "security" in spec:
        out["security"] = spec["security"]
    # Whatever the kept operations refer to, and whatever that refers to, until nothing new turns up.
    wanted, done = set(), set()
    local_refs(out["paths"], wanted)
    while wanted - done:
        ref = sorted(wanted - done)[0]
        done.add(ref)
        target = pointer(spec, ref)
        parts = ref[2:].split("/")
        if target is None or len(parts) != 3 or parts[0] != "components":
            raise SystemExit("the description refers to %s but has no such entry" % ref)
        components.setdefault(parts[1], {})[parts[2]] = target
        local_refs(target, wanted)
    out["components"] = components
    return out, missing


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--version=")]
    versions = [a[len("--version="):] for a in sys.argv[1:] if a.startswith("--version=")]
    if len(args) != 3 or args[0] not in list(OPERATIONS) + list(OPERATIONS_V3):
        sys.exit("usage: extract_forge_spec.py gitea|forgejo|gitlab-v3|gitlab DESCRIPTION OUTPUT [--version=LABEL]")
    forge, source, target = args
    with open(source, encoding="utf-8") as f:
        if source.endswith((".yaml", ".yml")):
            import yaml  # Debian's python3-yaml
            spec = yaml.safe_load(f)
        else:
            spec = json.load(f)
    if forge in ("gitea", "forgejo"):
        fill_template(spec, versions[-1] if versions else None)
    subset, missing = (extract_v3 if forge in OPERATIONS_V3 else extract)(forge, spec)
    with open(target, "w", encoding="utf-8") as f:
        json.dump(subset, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote %s: %d paths from %s %s" % (target, len(subset["paths"]), spec["info"].get("title"),
                                             spec["info"].get("version")))
    for m in missing:
        print("not in the description: " + m)


if __name__ == "__main__":
    main()
