#!/usr/bin/env python3
"""The action outside GitHub, on the real binary: the GitLab CI/CD component (templates/treeprint.yml) run as GitLab
would run its job, and the Woodpecker/Drone and Gitea environments. The shell is the judge of the sourceable outputs
file, GitLab's documented dotenv rules of the dotenv report, and sha256sum of the sha256sum file."""

import json
import os
import re
import subprocess
import sys
import unittest

import jsonschema
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helpers import BIN, SOURCE_DIR, TreeTest, load_manifest  # noqa: E402

TEMPLATE = os.path.join(SOURCE_DIR, "templates", "treeprint.yml")
# GitLab's own JSON schema for .gitlab-ci.yml (where it came from: extract_gitlab_ci_schema.py).
CI_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gitlab-ci-schema.json")
# Inputs that only mean something on GitHub (the artifact service and the REST token), and the component's own.
GITHUB_ONLY = {"retention-days", "overwrite"}
COMPONENT_ONLY = {"job-name", "stage", "image", "expire-in"}


def load_component():
    with open(TEMPLATE, encoding="utf-8") as f:
        text = f.read()
    header, body = text.split("\n---\n", 1)
    return yaml.safe_load(header)["spec"]["inputs"], body


def interpolate(body, inputs, given):
    """GitLab's `$[[ inputs.NAME ]]`: the given value, else the default; an input without a default must be given."""
    def value(m):
        name = m.group(1)
        if name in given:
            v = given[name]
        else:
            assert "default" in inputs[name], f"input {name} has no default and was not given"
            v = inputs[name]["default"]
        return str(v).lower() if isinstance(v, bool) else str(v)
    return yaml.safe_load(re.sub(r"\$\[\[\s*inputs\.([a-z0-9-]+)\s*\]\]", value, body))


def parse_gitlab_dotenv(test, text):
    """GitLab's documented rules for artifacts:reports:dotenv: KEY=VALUE lines, KEY of [A-Za-z0-9_], one-line values,
    under 5 KiB, at most 50 variables (GitLab.com's smallest plan)."""
    test.assertLess(len(text.encode()), 5 * 1024)
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        test.assertEqual(sep, "=", line)
        test.assertRegex(key, r"^[A-Za-z0-9_]+$")
        out[key] = value
    test.assertLessEqual(len(out), 50)
    return out


def sourced(test, env_file, names):
    script = ". ./" + os.path.basename(env_file) + "".join(f' && printf "%s\\0" "${n}"' for n in names)
    p = subprocess.run(["sh", "-c", script], cwd=os.path.dirname(env_file), capture_output=True, check=True)
    return dict(zip(names, p.stdout.decode().split("\0")))


class StrPaths(TreeTest):
    def sp(self, *parts):
        return os.path.join(os.fsdecode(self.tmp), *parts)


class Component(StrPaths):
    def test_inputs_mirror_the_action(self):
        inputs, body = load_component()
        with open(os.path.join(SOURCE_DIR, "action.yml"), encoding="utf-8") as f:
            action = set(yaml.safe_load(f)["inputs"])
        self.assertEqual(set(inputs) - COMPONENT_ONLY, action - GITHUB_ONLY)
        for name, spec in inputs.items():
            self.assertIn(spec.get("type", "string"), {"string", "number", "boolean", "array"}, name)
            self.assertTrue(spec.get("description"), name)
            if "default" in spec and spec.get("type") == "boolean":
                self.assertIsInstance(spec["default"], bool, name)
            if "default" in spec and spec.get("type") == "number":
                self.assertIsInstance(spec["default"], int, name)
        job = interpolate(body, inputs, {"image": "example/treeprint-job:1"})["treeprint"]
        # Every setting input reaches the binary as its PLUGIN_ variable.
        self.assertEqual(job["artifacts"]["name"], inputs["artifact-name"]["default"])
        for name in action - GITHUB_ONLY - {"artifact-name"}:
            self.assertIn("PLUGIN_" + name.upper().replace("-", "_"), job["variables"], name)
        self.assertEqual(job["artifacts"]["reports"]["dotenv"], "treeprint.env")
        self.assertEqual(job["artifacts"]["when"], "always")
        for path in ["treeprint-manifest.json", "treeprint.sha256", "treeprint.env", "treeprint-summary.md"]:
            self.assertIn(path, job["artifacts"]["paths"])

    def test_valid_by_gitlabs_ci_schema(self):
        with open(CI_SCHEMA, encoding="utf-8") as f:
            validator = jsonschema.Draft7Validator(json.load(f))
        with open(TEMPLATE, encoding="utf-8") as f:
            header_text, body_text = f.read().split("\n---\n", 1)
        header = yaml.safe_load(header_text)
        inputs = header["spec"]["inputs"]
        documents = {"header": header, "body": yaml.safe_load(body_text),
                     "interpolated": interpolate(body_text, inputs, {"image": "example/job:1"})}
        for name, doc in documents.items():
            problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]
            self.assertEqual(problems, [], name)
        # The schema does judge: a typo in a job key, a wrong input type, an unknown report are refused.
        job = dict(documents["interpolated"]["treeprint"])
        self.assertFalse(validator.is_valid({"treeprint": dict(job, artefacts=job["artifacts"])}))
        self.assertFalse(validator.is_valid({"spec": {"inputs": {"x": {"type": "text"}}}}))
        self.assertFalse(validator.is_valid({"treeprint": dict(job, artifacts={"reports": {"env": "treeprint.env"}})}))

    def run_job(self, given):
        inputs, body = load_component()
        job = interpolate(body, inputs, dict({"image": "example/treeprint-job:1"}, **given))
        job = job[given.get("job-name", "treeprint")]
        project = self.sp("project")
        os.makedirs(os.path.join(project, "src"))
        for rel, data in {"src/a.txt": b"a\n", "src/b.bin": b"\0" * 100, "README": b"readme\n"}.items():
            with open(os.path.join(project, rel), "wb") as f:
                f.write(data)
        bindir = self.sp("bin")
        os.makedirs(bindir)
        os.symlink(os.path.abspath(BIN), os.path.join(bindir, "treeprint"))
        env = {"PATH": bindir + ":/usr/bin:/bin", "CI": "true", "GITLAB_CI": "true", "CI_PROJECT_DIR": project,
               "HOME": self.sp(".")}
        # GitLab expands $NAME in a job's variables from the variables it already has (here: the token input's
        # default, $CI_JOB_TOKEN).
        env["CI_JOB_TOKEN"] = "job-token-value"
        env.update({k: re.sub(r"\$([A-Za-z_][A-Za-z0-9_]*)", lambda m: env.get(m.group(1), ""), str(v))
                    for k, v in job["variables"].items()})
        p = subprocess.run(["sh", "-e", "-c", "\n".join(job["script"])], cwd=project, env=env, capture_output=True)
        return job, project, p

    def test_the_job_as_gitlab_runs_it(self):
        job, project, p = self.run_job({"exclude": "README"})
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        log = p.stdout.decode()
        self.assertRegex(log, r"\x1b\[0Ksection_start:\d+:treeprint_1\[collapsed=true\]\r\x1b\[0Ktreeprint: scanning")
        self.assertRegex(log, r"\x1b\[0Ksection_end:\d+:treeprint_1\r\x1b\[0K")
        self.assertNotIn("::", log)  # no GitHub workflow command where no runner reads them
        self.assertNotIn("job-token-value", log + p.stderr.decode())
        for path in job["artifacts"]["paths"]:
            self.assertTrue(os.path.isfile(os.path.join(project, path)), path)
        subprocess.run(["sha256sum", "--quiet", "-c", "treeprint.sha256"], cwd=project, check=True)
        with open(os.path.join(project, "treeprint.env"), encoding="utf-8") as f:
            dotenv = parse_gitlab_dotenv(self, f.read())
        manifest = load_manifest(os.path.join(project, "treeprint-manifest.json"))
        self.assertEqual(dotenv["TREEPRINT_FILES"], "2")
        self.assertEqual(dotenv["TREEPRINT_ERRORS"], "0")
        self.assertEqual(dotenv["TREEPRINT_MANIFEST_PATH"], "treeprint-manifest.json")
        self.assertEqual(dotenv["TREEPRINT_DIGEST"], manifest["root_digest"])
        with open(os.path.join(project, "treeprint-summary.md"), encoding="utf-8") as f:
            self.assertIn("treeprint", f.read())

    def test_an_explicit_mode_gitlab_lacks_is_a_warning(self):
        inputs, _ = load_component()
        self.assertEqual(inputs["summary"]["default"], "auto")
        _, project, p = self.run_job({"summary": "none", "job-name": "treeprint"})
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        env = {"PATH": "/usr/bin:/bin", "GITLAB_CI": "true", "CI_PROJECT_DIR": project, "PLUGIN_SUMMARY": "check-run",
               "PLUGIN_MANIFEST_PATH": "m.json"}
        q = subprocess.run([BIN, "action"], cwd=project, env=env, capture_output=True)
        self.assertEqual(q.returncode, 0, q.stderr.decode())
        self.assertIn(b"summary: check-run is not available here (GitLab CI has no check runs); posting a status "
                      b"instead", q.stdout)
        # No API to post to (no CI_API_V4_URL, no token): a warning, and the local files are all there.
        self.assertIn(b"summary: status needs CI_API_V4_URL and CI_PROJECT_ID (not set here); only the Markdown summary was written", q.stdout)
        self.assertTrue(os.path.isfile(os.path.join(project, "m.json")))


class PluginSystems(StrPaths):
    def run_plugin(self, env):
        ws = self.sp("ws")
        os.makedirs(ws)
        with open(os.path.join(ws, "f.txt"), "wb") as f:
            f.write(b"x\n")
        full = {"PATH": "/usr/bin:/bin", "PLUGIN_MANIFEST_PATH": "out/m.json", "PLUGIN_SUMMARY": "check-run"}
        full.update({k: v.replace("{ws}", ws) for k, v in env.items()})
        os.makedirs(os.path.join(ws, "out"))
        p = subprocess.run([BIN], cwd=ws, env=full, capture_output=True)
        return ws, p

    def check_sourceable(self, ws, p):
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertIn(b"summary: check-run is not available here", p.stdout)  # a warning, not a failed step
        values = sourced(self, os.path.join(ws, "treeprint.env"),
                         ["TREEPRINT_MANIFEST_PATH", "TREEPRINT_FILES", "TREEPRINT_DIGEST"])
        self.assertEqual(values["TREEPRINT_MANIFEST_PATH"], "out/m.json")
        self.assertEqual(values["TREEPRINT_FILES"], "1")
        self.assertRegex(values["TREEPRINT_DIGEST"], r"^sha256:[0-9a-f]{64}$")
        self.assertTrue(os.path.isfile(os.path.join(ws, "treeprint-summary.md")))

    def test_woodpecker(self):
        ws, p = self.run_plugin({"CI": "woodpecker", "CI_WORKSPACE": "{ws}"})
        self.check_sourceable(ws, p)

    def test_drone(self):
        ws, p = self.run_plugin({"DRONE": "true", "DRONE_WORKSPACE": "{ws}"})
        self.check_sourceable(ws, p)

    def test_gitea_has_no_check_runs(self):
        ws, p = self.run_plugin({"GITHUB_ACTIONS": "true", "GITEA_ACTIONS": "true",
                                 "GITHUB_OUTPUT": "{ws}/out/output", "GITHUB_STEP_SUMMARY": "{ws}/out/summary.md"})
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertIn(b"::warning::summary: check-run is not available here (Gitea Actions has no check runs); "
                      b"posting a status instead", p.stdout)
        self.assertFalse(os.path.exists(os.path.join(ws, "treeprint.env")))  # the runner reads GITHUB_OUTPUT there
        with open(os.path.join(ws, "out", "output"), encoding="utf-8") as f:
            self.assertIn("files<<", f.read())


if __name__ == "__main__":
    unittest.main(verbosity=2)
