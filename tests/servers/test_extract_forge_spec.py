#!/usr/bin/env python3
"""extract_forge_spec.py's gitlab-v3 mode on a small OpenAPI 3.0 description shaped like GitLab's (what is kept, what
is left out, and the four adaptations forges/README.md lists), and its forgejo mode on a small Swagger 2.0 template
shaped like Forgejo's templates/swagger/v1_json.tmpl."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import extract_forge_spec as efs  # noqa: E402

NOTES = "/api/v4/projects/{id}/merge_requests/{noteable_id}/notes"
NOTE = NOTES + "/{note_id}"
STATUS = "/api/v4/projects/{id}/statuses/{sha}"
RAW = "/api/v4/projects/{id}/jobs/artifacts/{ref_name}/raw/{artifact_path}"
ID = {"name": "id", "in": "path", "required": True, "schema": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}


def ref(name):
    return {"$ref": "#/components/schemas/" + name}


def answer(schema):
    return {"description": "OK", "content": {"application/json": {"schema": schema}}}


def description():
    return {
        "openapi": "3.0.0", "info": {"title": "GitLab REST API", "version": "19.5", "license": {"name": "CC BY-SA 4.0"}},
        "tags": [{"name": "Notes"}],
        "paths": {
            "/api/v4/user": {"get": {"responses": {"200": answer(ref("User"))}}},
            NOTES: {"get": {"responses": {"200": answer(ref("Note"))}},
                    "post": {"requestBody": {"content": {"application/json": {"schema": ref("NewNote")}}},
                             "responses": {"201": answer(ref("Note"))}}},
            NOTE: {"put": {"responses": {"200": answer(ref("Note"))}},
                   "delete": {"responses": {"200": answer(ref("OnlyDeleteUsesThis"))}}},
            STATUS: {"post": {"parameters": [ID], "responses": {"200": answer(ref("Status")), "400": {}}}},
            RAW: {"get": {"parameters": [ID], "responses": {"200": {"description": "OK"}}}},
            "/api/v4/projects": {"get": {"responses": {"200": answer(ref("Unrelated"))}}},
        },
        "components": {
            "securitySchemes": {"http": {"type": "http", "scheme": "bearer"},
                                "apiKey": {"type": "apiKey", "name": "PRIVATE-TOKEN", "in": "header"}},
            "schemas": {"User": {"type": "object", "properties": {"attrs": ref("Attr")}},
                        "Attr": {"type": "object"}, "Note": {"type": "object", "properties": {"author": ref("User")}},
                        "NewNote": {"type": "object", "required": ["body"]}, "Status": {"type": "object"},
                        "OnlyDeleteUsesThis": {"type": "object"}, "Unrelated": {"type": "object"}}},
        "security": [{"http": []}, {"apiKey": []}],
    }


class GitLabV3(unittest.TestCase):
    def setUp(self):
        self.out, self.missing = efs.extract_v3("gitlab-v3", description())

    def test_only_the_operations_sent_and_what_they_refer_to(self):
        self.assertEqual(self.missing, [])
        self.assertEqual({p: sorted(ops) for p, ops in self.out["paths"].items()},
                         {"/api/v4/user": ["get"], NOTES: ["get", "post"], NOTE: ["put"], STATUS: ["post"],
                          RAW: ["get"]})
        # User's Attr is followed through User, which only Note's author and GET /user name.
        self.assertEqual(sorted(self.out["components"]["schemas"]), ["Attr", "NewNote", "Note", "Status", "User"])
        self.assertNotIn("tags", self.out)
        self.assertEqual(self.out["security"], [{"http": []}, {"apiKey": []}])
        self.assertEqual(self.out["info"]["license"], {"name": "CC BY-SA 4.0"})

    def test_the_notes_list_is_an_array(self):
        schema = self.out["paths"][NOTES]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        self.assertEqual(schema, {"type": "array", "items": ref("Note")})

    def test_the_status_is_answered_with_201_too(self):
        responses = self.out["paths"][STATUS]["post"]["responses"]
        self.assertEqual(responses["201"]["content"], responses["200"]["content"])

    def test_a_project_id_or_path_is_any_of_the_two(self):
        for path, method in ((STATUS, "post"), (RAW, "get")):
            schema = self.out["paths"][path][method]["parameters"][0]["schema"]
            self.assertEqual(schema, {"anyOf": [{"type": "string"}, {"type": "integer"}]})

    def test_the_artifact_download_also_takes_a_job_token_header(self):
        self.assertEqual(self.out["components"]["securitySchemes"]["jobToken"],
                         {"type": "apiKey", "name": "JOB-TOKEN", "in": "header"})
        self.assertEqual(self.out["paths"][RAW]["get"]["security"], [{"http": []}, {"apiKey": []}, {"jobToken": []}])
        self.assertNotIn("security", self.out["paths"][STATUS]["post"])

    def test_what_the_description_lacks_is_named(self):
        d = description()
        del d["paths"]["/api/v4/user"]
        del d["paths"][NOTE]["put"]
        _, missing = efs.extract_v3("gitlab-v3", d)
        self.assertEqual(missing, ["PUT " + NOTE, "/api/v4/user"])

    def test_a_reference_to_nothing_is_an_error(self):
        d = description()
        del d["components"]["schemas"]["Attr"]
        with self.assertRaises(SystemExit):
            efs.extract_v3("gitlab-v3", d)


GITEA_PATHS = ["/repos/{owner}/{repo}/statuses/{sha}", "/repos/{owner}/{repo}/issues/{index}/comments",
               "/repos/{owner}/{repo}/issues/comments/{id}", "/user"]


def swagger_ref(section, name):
    return {"$ref": "#/%s/%s" % (section, name)}


def forgejo_template():
    ok = {"200": swagger_ref("responses", "User"), "401": swagger_ref("responses", "unauthorized")}
    return {
        "swagger": "2.0", "consumes": ["application/json"], "produces": ["application/json"], "schemes": ["https"],
        "info": {"title": "Forgejo API", "version": "{{AppVer | JSEscape}}",
                 "license": {"name": "This file is distributed under the MIT license for the purpose of "
                                     "interoperability", "url": "http://opensource.org/licenses/MIT"}},
        "basePath": "{{AppSubUrl | JSEscape}}/api/v1",
        "paths": {
            "/user": {"get": {"responses": ok}},
            "/repos/{owner}/{repo}/statuses/{sha}": {
                "get": {"responses": {"200": swagger_ref("responses", "OnlyListUsesThis")}},
                "post": {"parameters": [{"name": "body", "in": "body",
                                         "schema": swagger_ref("definitions", "CreateStatusOption")}],
                         "responses": {"201": swagger_ref("responses", "User"),
                                       "404": swagger_ref("responses", "notFound")}}},
            "/repos/{owner}/{repo}/issues/{index}/comments": {"get": {"responses": ok}, "post": {"responses": ok}},
            "/repos/{owner}/{repo}/issues/comments/{id}": {"patch": {"responses": ok},
                                                          "delete": {"responses": ok}},
            "/version": {"get": {"responses": {"200": swagger_ref("responses", "OnlyListUsesThis")}}},
        },
        "definitions": {"User": {"type": "object"}, "CreateStatusOption": {"type": "object"},
                        "APIUnauthorizedError": {"type": "object", "properties": {"message": {"type": "string"}}},
                        "APINotFound": {"type": "object"}, "Unrelated": {"type": "object"}},
        "responses": {"User": {"schema": swagger_ref("definitions", "User")},
                      "unauthorized": {"schema": swagger_ref("definitions", "APIUnauthorizedError")},
                      "notFound": {"schema": swagger_ref("definitions", "APINotFound")},
                      "OnlyListUsesThis": {"schema": swagger_ref("definitions", "Unrelated")}},
        "securityDefinitions": {"AuthorizationHeaderToken": {"type": "apiKey", "name": "Authorization",
                                                             "in": "header"}},
        "security": [{"AuthorizationHeaderToken": []}],
    }


class Forgejo(unittest.TestCase):
    def test_the_same_operations_as_gitea(self):
        self.assertIs(efs.OPERATIONS["forgejo"], efs.OPERATIONS["gitea"])
        self.assertEqual(sorted(efs.OPERATIONS["forgejo"]), sorted(GITEA_PATHS))

    def test_the_template_is_filled_as_a_server_at_the_root_serves_it(self):
        out, missing = efs.extract("forgejo", efs.fill_template(forgejo_template(), "commit abc"))
        self.assertEqual(missing, [])
        self.assertEqual(sorted(out["paths"]), sorted("/api/v1" + p for p in GITEA_PATHS))
        self.assertEqual(out["info"]["version"], "commit abc")
        self.assertEqual(out["info"]["license"]["url"], "http://opensource.org/licenses/MIT")
        self.assertNotIn("schemes", out)
        self.assertEqual(out["security"], [{"AuthorizationHeaderToken": []}])

    def test_only_the_methods_sent_and_what_they_refer_to(self):
        out, _ = efs.extract("forgejo", efs.fill_template(forgejo_template(), "v"))
        self.assertEqual(sorted(out["paths"]["/api/v1/repos/{owner}/{repo}/statuses/{sha}"]), ["post"])
        self.assertEqual(sorted(out["paths"]["/api/v1/repos/{owner}/{repo}/issues/comments/{id}"]), ["patch"])
        # The error answers' bodies (Forgejo declares a schema for them) are followed to their definitions.
        self.assertEqual(sorted(out["responses"]), ["User", "notFound", "unauthorized"])
        self.assertEqual(sorted(out["definitions"]), ["APINotFound", "APIUnauthorizedError", "CreateStatusOption",
                                                      "User"])

    def test_a_template_needs_a_version_label(self):
        with self.assertRaises(SystemExit):
            efs.fill_template(forgejo_template())

    def test_a_served_description_is_left_as_it_is(self):
        served = forgejo_template()
        served["basePath"], served["info"]["version"] = "/api/v1", "1.22.0"
        self.assertEqual(efs.fill_template(json.loads(json.dumps(served))), served)


if __name__ == "__main__":
    unittest.main(verbosity=2)
