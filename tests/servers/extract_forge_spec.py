#!/usr/bin/env python3
"""Cuts the operations treeprint uses out of a forge's published Swagger 2.0 API description, with every definition,
response and parameter they refer to (and nothing else), so Prism starts in a second and the repository keeps only
what the contract tests need.

    python3 extract_forge_spec.py gitea  DESCRIPTION.json  forges/gitea-subset.json
    python3 extract_forge_spec.py gitlab openapi_v2.yaml   forges/gitlab-subset.json

Where the descriptions come from (see forges/README.md for the licences: Gitea's is MIT, GitLab's doc/ is
CC BY-SA 4.0):
  gitea   Gitea's templates/swagger/v1_json.tmpl (go-gitea/gitea), as a Gitea server serves it at /swagger.v1.json
          (the template's {{AppSubUrl}} and {{AppVer}} filled in). Forgejo keeps its own copy of the same file.
  gitlab  GitLab's doc/api/openapi/openapi_v2.yaml (gitlab-org/gitlab, mirrored as gitlabhq/gitlabhq).

Changes made to what is kept, each so that Prism can route or answer as the real server does:
  - `host` and `schemes` are dropped (Prism listens on loopback), and `basePath` (Gitea's /api/v1) is put in front of
    every path: Prism routes on the paths alone.
  - gitlab: Grape's glob segment `*artifact_path` becomes the path parameter `{artifact_path}`.
  - gitlab: a list operation the description types as one entity (GitLab's generator does that for paginated lists)
    gets `type: array` of that entity, as GitLab answers.
"""

import json
import sys

OPERATIONS = {
    "gitea": {
        "/repos/{owner}/{repo}/statuses/{sha}": ["post"],
        "/repos/{owner}/{repo}/issues/{index}/comments": ["get", "post"],
        "/repos/{owner}/{repo}/issues/comments/{id}": ["patch"],
        "/user": ["get"],
    },
    "gitlab": {
        "/api/v4/projects/{id}/statuses/{sha}": ["post"],
        "/api/v4/projects/{id}/merge_requests/{noteable_id}/notes": ["get", "post"],
        "/api/v4/projects/{id}/merge_requests/{noteable_id}/notes/{note_id}": ["put"],
        "/api/v4/projects/{id}/jobs/artifacts/{ref_name}/raw/*artifact_path": ["get"],
        "/api/v4/user": ["get"],
    },
}
LISTS = {"gitlab": {("/api/v4/projects/{id}/merge_requests/{noteable_id}/notes", "get")}}


def refs(node, out):
    if isinstance(node, dict):
        r = node.get("$ref")
        if isinstance(r, str) and r.startswith("#/"):
            out.add(tuple(r[2:].split("/", 1)))
        for v in node.values():
            refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


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
    refs(out["paths"], wanted)
    while wanted - done:
        section, name = sorted(wanted - done)[0]
        done.add((section, name))
        target = spec.get(section, {}).get(name)
        if target is None:
            raise SystemExit("the description refers to #/%s/%s but has no such entry" % (section, name))
        out.setdefault(section, {})[name] = target
        refs(target, wanted)
    return out, missing


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in OPERATIONS:
        sys.exit("usage: extract_forge_spec.py gitea|gitlab DESCRIPTION OUTPUT")
    forge, source, target = sys.argv[1:]
    with open(source, encoding="utf-8") as f:
        if source.endswith((".yaml", ".yml")):
            import yaml  # Debian's python3-yaml
            spec = yaml.safe_load(f)
        else:
            spec = json.load(f)
    subset, missing = extract(forge, spec)
    with open(target, "w", encoding="utf-8") as f:
        json.dump(subset, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote %s: %d paths from %s %s" % (target, len(subset["paths"]), spec["info"].get("title"),
                                             spec["info"].get("version")))
    for m in missing:
        print("not in the description: " + m)


if __name__ == "__main__":
    main()
