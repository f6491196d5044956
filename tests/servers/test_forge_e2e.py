#!/usr/bin/env python3
"""End to end: the real binary in a GitLab CI job's environment (GITLAB_CI, CI_*; `treeprint action` as the
component's job runs it), and in a Gitea Actions job's and a Forgejo Actions job's, against the fake forge
(fake_forge.py), which records every request. Every request goes through Prism with the forge's own API description
(GitLab's OpenAPI 3.0 subset, Gitea's and Forgejo's Swagger subsets; run_forge_tests.py starts them), which refuses a
request that breaks it and checks every answer; the fake's record adds what the descriptions do not say (paging,
headers, what was left unchanged)."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from runner_files import fake_control, parse_outputs  # noqa: E402
from test_other_ci import interpolate, load_component  # noqa: E402  (the component as GitLab would run its job)

BIN = os.environ["TREEPRINT_BIN"]
FAKE = os.environ["TREEPRINT_FORGE_FAKE_URL"]
GITEA = os.environ["TREEPRINT_GITEA_PROXY_URL"]
FORGEJO = os.environ["TREEPRINT_FORGEJO_PROXY_URL"]
GITLAB = os.environ["TREEPRINT_GITLAB_PROXY_URL"]
TOKEN = "glpat-e2eSecretTokenValue0123"
JOB_TOKEN = "glcbt-e2eJobTokenValue0123"
READ_ONLY = "glpat-readOnly0123456789"
SHA = "0123456789abcdef0123456789abcdef01234567"
MARKER = "<!-- treeprint-comment:treeprint_treeprint-manifest -->"  # "treeprint:" and the artifact name


def control(path, data=None):
    return fake_control(FAKE, path, data)


def api_log():
    return control("log")


def header(entry, name):
    """A header of a recorded request, whatever the case of its name (Prism forwards names in lower case)."""
    return {k.lower(): v for k, v in entry["headers"].items()}.get(name.lower())


class GitLabJob(unittest.TestCase):
    def setUp(self):
        control("reset")
        control("state", {"tokens": {TOKEN: {"id": 77, "login": "project_42_bot"},
                                     READ_ONLY: {"id": 78, "login": "reader", "write": False}},
                          "job_tokens": [JOB_TOKEN], "page_size": 2})
        self.project = tempfile.mkdtemp(prefix="treeprint-gitlab-")
        self.addCleanup(shutil.rmtree, self.project, ignore_errors=True)
        with open(os.path.join(self.project, "a.txt"), "w") as f:
            f.write("a\n")

    def run_job(self, merge_request=True, token=TOKEN, extra=None):
        env = {"PATH": "/usr/bin:/bin", "CI": "true", "GITLAB_CI": "true", "CI_PROJECT_DIR": self.project,
               "CI_API_V4_URL": GITLAB + "/api/v4", "CI_PROJECT_ID": "42", "CI_PROJECT_URL": "http://gl.test/g/p",
               "CI_COMMIT_SHA": SHA, "CI_COMMIT_REF_NAME": "feature", "CI_COMMIT_BRANCH": "feature",
               "CI_PIPELINE_ID": "900", "CI_JOB_NAME": "treeprint", "CI_JOB_URL": "http://gl.test/g/p/-/jobs/5",
               "CI_JOB_TOKEN": JOB_TOKEN, "PLUGIN_MANIFEST_PATH": "treeprint-manifest.json"}
        if merge_request:
            env.update({"CI_MERGE_REQUEST_IID": "7", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
                        "CI_MERGE_REQUEST_PROJECT_URL": "http://gl.test/g/p"})
        if token is not None:
            env["PLUGIN_TOKEN"] = token
        env.update(extra or {})
        p = subprocess.run([BIN, "action"], cwd=self.project, env=env, capture_output=True, timeout=120)
        out = p.stdout.decode() + p.stderr.decode()
        self.assertNotIn(TOKEN, out)
        self.assertNotIn(JOB_TOKEN, out)
        return p, out

    def dotenv(self):
        with open(os.path.join(self.project, "treeprint.env"), encoding="utf-8") as f:
            return dict(line.split("=", 1) for line in f.read().splitlines())

    def requests(self):
        return [(e["method"], e["path"]) for e in api_log()["api"]]

    def test_sticky_note_in_a_merge_request_is_updated_not_duplicated(self):
        control("state", {"comments": {"7": [{"body": "hi", "author": 3},
                                             {"body": "planted\n" + MARKER, "author": 3},
                                             {"body": "a system note", "author": 77}]}})
        p, out = self.run_job()
        self.assertEqual(p.returncode, 0, out)
        notes = api_log()["comments"]["7"]
        ours = [n for n in notes if n["author"] == 77 and MARKER in n["body"]]
        self.assertEqual(len(ours), 1, notes)
        self.assertIn("treeprint", ours[0]["body"])
        self.assertEqual(self.dotenv()["TREEPRINT_SUMMARY_URL"], "http://gl.test/g/p/-/merge_requests/7#note_%d"
                         % ours[0]["id"])
        self.assertEqual(self.dotenv()["TREEPRINT_FILES"], "1")
        self.assertIn("1 note(s) on the merge request carry treeprint's marker", out)
        first_id, first_body = ours[0]["id"], ours[0]["body"]
        # The listing was paged (two notes a page here): all three pages were read before posting.
        self.assertEqual(self.requests(), [
            ("GET", "/api/v4/user"),
            ("GET", "/api/v4/projects/42/merge_requests/7/notes?per_page=100&page=1"),
            ("GET", "/api/v4/projects/42/merge_requests/7/notes?per_page=100&page=2"),
            ("POST", "/api/v4/projects/42/merge_requests/7/notes")])
        post = api_log()["api"][-1]
        self.assertEqual(header(post, "Authorization"), "Bearer " + TOKEN)
        self.assertEqual(json.loads(post["body"])["body"], ours[0]["body"])

        with open(os.path.join(self.project, "b.txt"), "w") as f:
            f.write("b\n")
        p, out = self.run_job()
        self.assertEqual(p.returncode, 0, out)
        notes = api_log()["comments"]["7"]
        ours = [n for n in notes if n["author"] == 77 and MARKER in n["body"]]
        self.assertEqual([n["id"] for n in ours], [first_id])  # the same note, edited in place
        self.assertEqual(len(notes), 4)
        self.assertEqual(self.requests()[-1], ("PUT", "/api/v4/projects/42/merge_requests/7/notes/%d" % first_id))
        self.assertNotEqual(ours[0]["body"], first_body)  # this run's summary
        self.assertIn("b.txt", ours[0]["body"])

    def test_outside_a_merge_request_a_commit_status(self):
        p, out = self.run_job(merge_request=False)
        self.assertEqual(p.returncode, 0, out)
        statuses = api_log()["statuses"]
        self.assertEqual(len(statuses), 1)
        st = statuses[0]
        self.assertEqual((st["sha"], st["project"], st["state"], st["name"], st["ref"], st["pipeline_id"]),
                         (SHA, "42", "success", "treeprint", "feature", 900))
        self.assertEqual(st["target_url"], "http://gl.test/g/p/-/jobs/5")
        self.assertRegex(st["description"], r"^1 files, .*, 0 errors$")
        self.assertEqual(self.dotenv()["TREEPRINT_SUMMARY_URL"], "http://gl.test/g/p/-/jobs/5")

    def test_read_only_token_is_a_warning_and_nothing_is_lost(self):
        p, out = self.run_job(merge_request=False, token=READ_ONLY, extra={"PLUGIN_FAIL_ON": "errors"})
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("treeprint: warning: summary: could not set the commit status: setting commit status "
                      "'treeprint': HTTP 403: insufficient_scope", out)
        self.assertNotIn(READ_ONLY, out)
        self.assertEqual(api_log()["statuses"], [])
        for name in ("treeprint-manifest.json", "treeprint.env", "treeprint-summary.md"):
            self.assertTrue(os.path.isfile(os.path.join(self.project, name)), name)
        self.assertEqual(self.dotenv()["TREEPRINT_FILES"], "1")

    def test_missing_token_is_a_warning_and_sends_nothing(self):
        p, out = self.run_job(token=None)
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("summary: comment needs a token (the `token` input: a project access token", out)
        self.assertEqual(self.requests(), [])
        self.assertTrue(os.path.isfile(os.path.join(self.project, "treeprint-manifest.json")))

    def test_job_token_cannot_post_a_note_and_says_what_to_give(self):
        p, out = self.run_job(token=JOB_TOKEN)
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("CI_JOB_TOKEN cannot do this", out)
        self.assertEqual(self.requests(), [])

    def test_previous_run_baseline_from_the_target_branchs_job_artifact(self):
        # The manifest the same job kept on main: made by a first run, then "uploaded" to the fake.
        p, out = self.run_job(merge_request=False, token=None)
        self.assertEqual(p.returncode, 0, out)
        with open(os.path.join(self.project, "treeprint-manifest.json"), encoding="utf-8") as f:
            before = f.read()
        control("state", {"artifacts": [{"ref": "main", "job": "treeprint", "path": "treeprint-manifest.json",
                                         "content": before}]})
        with open(os.path.join(self.project, "new.txt"), "w") as f:
            f.write("new\n")
        p, out = self.run_job(token=JOB_TOKEN, extra={"PLUGIN_BASELINE": "previous-run", "PLUGIN_SUMMARY": "none"})
        self.assertEqual(p.returncode, 0, out)
        env = self.dotenv()
        self.assertEqual(env["TREEPRINT_REMOVED"], "0")
        self.assertNotEqual(env["TREEPRINT_ADDED"], "")  # compared: new.txt and the first run's own files are new
        with open(os.path.join(self.project, env["TREEPRINT_CHANGES_PATH"]), encoding="utf-8") as f:
            self.assertIn("new.txt", f.read())
        get = api_log()["api"][-1]
        self.assertEqual((get["method"], get["path"]),
                         ("GET", "/api/v4/projects/42/jobs/artifacts/main/raw/treeprint-manifest.json?job=treeprint"))
        self.assertEqual(header(get, "JOB-TOKEN"), JOB_TOKEN)
        self.assertIsNone(header(get, "Authorization"))

    def test_previous_run_with_an_absolute_manifest_path(self):
        # Under CI_PROJECT_DIR: the artifact path is the path relative to it.
        p, out = self.run_job(token=JOB_TOKEN, extra={"PLUGIN_BASELINE": "previous-run", "PLUGIN_SUMMARY": "none",
                                                      "PLUGIN_MANIFEST_PATH": os.path.join(self.project, "m.json")})
        self.assertEqual(p.returncode, 0, out)
        self.assertEqual(self.requests(), [("GET", "/api/v4/projects/42/jobs/artifacts/main/raw/m.json?job=treeprint")])
        # Elsewhere: GitLab never kept it, so nothing is asked for, and the notice says what to set.
        elsewhere = tempfile.mkdtemp(prefix="treeprint-elsewhere-")
        self.addCleanup(shutil.rmtree, elsewhere, ignore_errors=True)
        p, out = self.run_job(token=JOB_TOKEN, extra={"PLUGIN_BASELINE": "previous-run", "PLUGIN_SUMMARY": "none",
                                                      "PLUGIN_MANIFEST_PATH": os.path.join(elsewhere, "m.json")})
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("GitLab keeps only under CI_PROJECT_DIR; set manifest-path", out)
        self.assertEqual(len(self.requests()), 1)  # only the first run's
        self.assertTrue(os.path.isfile(os.path.join(elsewhere, "m.json")))

    def test_no_earlier_manifest_is_a_notice(self):
        p, out = self.run_job(token=JOB_TOKEN, extra={"PLUGIN_BASELINE": "previous-run", "PLUGIN_SUMMARY": "none"})
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("baseline: no earlier manifest found", out)
        self.assertIn("HTTP 404", out)
        self.assertEqual(self.dotenv()["TREEPRINT_CHANGED"], "")


class GitLabComponentJob(unittest.TestCase):
    """The CI/CD component's job itself (templates/treeprint.yml, its inputs interpolated and its script run by a
    shell as GitLab's runner would), in a merge-request pipeline, with the token given as a masked variable."""

    setUp = GitLabJob.setUp

    def test_the_component_posts_the_note_with_the_token_variable(self):
        inputs, body = load_component()
        job = interpolate(body, inputs, {"image": "example/treeprint-job:1", "token": "$TREEPRINT_API_TOKEN"})
        job = job["treeprint"]
        bindir = os.path.join(self.project, "..", os.path.basename(self.project) + "-bin")
        os.makedirs(bindir)
        self.addCleanup(shutil.rmtree, bindir, ignore_errors=True)
        os.symlink(os.path.abspath(BIN), os.path.join(bindir, "treeprint"))
        env = {"PATH": bindir + ":/usr/bin:/bin", "CI": "true", "GITLAB_CI": "true", "CI_PROJECT_DIR": self.project,
               "CI_API_V4_URL": GITLAB + "/api/v4", "CI_PROJECT_ID": "42", "CI_COMMIT_SHA": SHA,
               "CI_MERGE_REQUEST_IID": "7", "CI_MERGE_REQUEST_PROJECT_URL": "http://gl.test/g/p",
               "CI_JOB_NAME": "treeprint", "CI_JOB_TOKEN": JOB_TOKEN, "TREEPRINT_API_TOKEN": TOKEN}
        # GitLab expands $NAME in the job's variables from the variables it has.
        env.update({k: re.sub(r"\$([A-Za-z_][A-Za-z0-9_]*)", lambda m: env.get(m.group(1), ""), str(v))
                    for k, v in job["variables"].items()})
        p = subprocess.run(["sh", "-e", "-c", "\n".join(job["script"])], cwd=self.project, env=env,
                           capture_output=True, timeout=120)
        out = p.stdout.decode() + p.stderr.decode()
        self.assertEqual(p.returncode, 0, out)
        self.assertNotIn(TOKEN, out)
        notes = api_log()["comments"]["7"]
        self.assertEqual(len(notes), 1)
        self.assertEqual(notes[0]["author"], 77)
        self.assertIn(MARKER, notes[0]["body"])
        self.assertTrue(all(header(e, "Authorization") == "Bearer " + TOKEN for e in api_log()["api"]))
        for path in job["artifacts"]["paths"]:
            self.assertTrue(os.path.isfile(os.path.join(self.project, path)), path)


class GiteaJob(unittest.TestCase):
    """The action as Gitea's runner runs a GitHub container action: GITHUB_* pointing at Gitea's /api/v1."""

    PROXY = GITEA  # Prism with this forge's description
    SYSTEM = {"GITEA_ACTIONS": "true"}  # what the runner sets besides GITHUB_ACTIONS

    def setUp(self):
        control("reset")
        control("state", {"tokens": {"gitea-token-0123": {"id": 5, "login": "gitea-actions"}}})
        self.ws = tempfile.mkdtemp(prefix="treeprint-gitea-")
        self.addCleanup(shutil.rmtree, self.ws, ignore_errors=True)
        with open(os.path.join(self.ws, "a.txt"), "w") as f:
            f.write("a\n")

    def run_step(self, extra):
        out_file = os.path.join(self.ws, "_out")
        open(out_file, "w").close()  # a new step: a new output file
        env = {"PATH": "/usr/bin:/bin", "GITHUB_ACTIONS": "true", **self.SYSTEM,
               "GITHUB_WORKSPACE": self.ws, "GITHUB_OUTPUT": out_file, "GITHUB_API_URL": self.PROXY + "/api/v1",
               "GITHUB_SERVER_URL": "http://gitea.test", "GITHUB_REPOSITORY": "octo/hello", "GITHUB_SHA": SHA,
               "GITHUB_RUN_ID": "3", "INPUT_TOKEN": "gitea-token-0123", "INPUT_MANIFEST-PATH": "_m.json"}
        env.update(extra)
        p = subprocess.run([BIN], cwd=self.ws, env=env, capture_output=True, timeout=120)
        with open(out_file, encoding="utf-8") as f:
            return p, p.stdout.decode() + p.stderr.decode(), parse_outputs(f.read())

    def test_auto_is_a_status_through_the_forge_s_description(self):
        p, out, outputs = self.run_step({})
        self.assertEqual(p.returncode, 0, out)
        statuses = api_log()["statuses"]
        self.assertEqual([(s["sha"], s["state"], s["context"]) for s in statuses], [(SHA, "success", "treeprint")])
        self.assertEqual(outputs["summary-url"], "http://gitea.test/octo/hello/actions/runs/3")

    def test_sticky_comment_on_a_pull_request(self):
        event = os.path.join(self.ws, "_event.json")
        with open(event, "w") as f:
            json.dump({"pull_request": {"number": 4, "head": {"sha": SHA}}}, f)
        extra = {"INPUT_SUMMARY": "comment", "GITHUB_EVENT_PATH": event, "GITHUB_EVENT_NAME": "pull_request"}
        for _ in range(2):
            p, out, outputs = self.run_step(extra)
            self.assertEqual(p.returncode, 0, out)
        comments = api_log()["comments"]["4"]
        self.assertEqual(len(comments), 1, comments)  # created once, then updated
        self.assertEqual(outputs["summary-url"], "http://gitea.test/octo/hello/pulls/4#issuecomment-%d"
                         % comments[0]["id"])
        self.assertIn(("GET", "/api/v1/user"), [(e["method"], e["path"]) for e in api_log()["api"]])


class ForgejoJob(GiteaJob):
    """The same steps as Forgejo's runner runs them (FORGEJO_ACTIONS=true), through Prism with Forgejo's own
    description."""

    PROXY = FORGEJO
    SYSTEM = {"FORGEJO_ACTIONS": "true"}


if __name__ == "__main__":
    unittest.main(verbosity=2)
