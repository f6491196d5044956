"""The git-aware scan against real git and sha256sum: the kept set is git's (`git ls-files --cached --others
--exclude-standard`, less what is not on disk), every digest is sha256sum's, every git_blob is the index's, the tree id
is `git rev-parse HEAD^{tree}`; the fast path through the index is byte-identical to a full scan."""

import json
import os
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from helpers import BIN, TreeTest  # noqa: E402


class GitScanTest(TreeTest):
    def setUp(self):
        super().setUp()
        home = os.path.join(os.fsdecode(self.tmp), "home")
        os.makedirs(home)
        # git and treeprint see the same, empty, user configuration.
        self.env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
                        GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
                        GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
        self.env.pop("GIT_CONFIG_GLOBAL", None)
        self.home = home

    # --- helpers ---

    def git(self, repo, *args, check=True):
        return subprocess.run(["git", "-C", repo] + list(args), capture_output=True, check=check,
                              env=self.env).stdout

    def scan(self, directory, *extra, name="m.json", check=0):
        out = os.path.join(os.fsdecode(self.tmp), name)
        proc = subprocess.run([os.path.abspath(BIN), "scan", directory, "-o", out]
                              + list(extra), capture_output=True, env=self.env, timeout=300)
        if proc.returncode != check:
            raise AssertionError("scan exited %d\n%s" % (proc.returncode, proc.stderr.decode(errors="replace")))
        with open(out, "rb") as f:
            raw = f.read()
        return json.loads(raw), raw, proc.stderr.decode(errors="replace")

    def new_repo(self, name, *init_args):
        repo = os.path.join(os.fsdecode(self.tmp), name)
        subprocess.run(["git", "init", "-q", "-b", "main"] + list(init_args) + [repo], check=True, env=self.env)
        return repo

    def put(self, repo, rel, data, mode=0o644):
        full = os.path.join(repo, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        os.chmod(full, mode)

    def settle(self, repo):
        """Lets the index become older than every file (so no entry is racily clean) and refreshes it, as a later
        `git status` would."""
        time.sleep(1.1)
        self.git(repo, "status", "--porcelain")

    def git_kept(self, directory):
        """What git keeps below `directory`: tracked or untracked-not-ignored, that is on disk as a file or link."""
        out = self.git(directory, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        paths = set()
        for p in out.split(b"\0"):
            if not p:
                continue
            p = os.fsdecode(p)
            full = os.path.join(directory, p)
            if os.path.islink(full) or os.path.isfile(full):
                paths.add(p)
        return paths

    def manifest_paths(self, m):
        return {f["path"] for f in m["files"]} | {s["path"] for s in m["symlinks"]}

    def check_digests(self, directory, m):
        for f in m["files"]:
            want = subprocess.run(["sha256sum", os.path.join(directory, f["path"])], capture_output=True,
                                  check=True).stdout.split()[0].decode()
            self.assertEqual(f["sha256"], want, f["path"])

    def check_blobs(self, repo, directory, m, prefix=""):
        staged = {}
        for line in self.git(repo, "ls-files", "-s", "-z").split(b"\0"):
            if line:
                meta, path = line.split(b"\t", 1)
                staged[os.fsdecode(path)] = meta.split()[1].decode()
        for f in m["files"]:
            if "git_blob" in f:
                self.assertEqual(f["git_blob"], staged[prefix + f["path"]], f["path"])

    # --- the kept set, digests, blobs and tree, on every index version and object format ---

    def make_mixed(self, repo):
        self.put(repo, ".gitignore", "*.log\nbuild/\n/generated\n")
        self.put(repo, "src/main.c", "int main() {}\n")
        self.put(repo, "src/tool.sh", "#!/bin/sh\n", 0o755)
        self.put(repo, "ci.log", "tracked although ignored\n")
        self.put(repo, "build/keep.o", "tracked in an ignored directory\n")
        self.put(repo, "docs/readme.md", "# doc\n")
        os.symlink("src/main.c", os.path.join(repo, "link"))
        self.git(repo, "add", ".gitignore", "src", "docs", "link")
        self.git(repo, "add", "-f", "ci.log", "build/keep.o")
        self.git(repo, "commit", "-qm", "one")
        self.put(repo, "build/new.o", "untracked in an ignored directory\n")
        self.put(repo, "other.log", "untracked and ignored\n")
        self.put(repo, "generated/x", "ignored directory\n")
        self.put(repo, "notes.txt", "untracked\n")

    def test_every_index_version_and_object_format(self):
        for fmt in ("sha1", "sha256"):
            for version in ("2", "3", "4"):
                with self.subTest(fmt=fmt, version=version):
                    repo = self.new_repo("r-%s-%s" % (fmt, version), "--object-format=" + fmt)
                    self.make_mixed(repo)
                    self.git(repo, "update-index", "--index-version", version)
                    if version == "3":
                        self.git(repo, "update-index", "--skip-worktree", "docs/readme.md")
                    self.settle(repo)
                    m, _, err = self.scan(repo)
                    self.assertEqual(self.manifest_paths(m), self.git_kept(repo))
                    self.assertIn("ci.log", self.manifest_paths(m))
                    self.assertIn("build/keep.o", self.manifest_paths(m))
                    self.assertNotIn("build/new.o", self.manifest_paths(m))
                    self.check_digests(repo, m)
                    self.check_blobs(repo, repo, m)
                    g = m["git"]
                    self.assertEqual(g["object_format"], fmt)
                    self.assertEqual(g["head"], self.git(repo, "rev-parse", "HEAD").decode().strip())
                    self.assertEqual(g["tree"], self.git(repo, "rev-parse", "HEAD^{tree}").decode().strip())
                    self.assertEqual(g["ignored_tracked"], 2)
                    self.assertEqual(g["untracked"], 1)  # notes.txt
                    self.assertEqual(g["modified"], 0)
                    self.assertFalse(g["clean"])
                    blobs = [f for f in m["files"] if "git_blob" in f]
                    self.assertEqual(len(blobs), 6, err)  # every tracked file: the index vouches for each

    def test_off_and_outside_a_work_tree_are_todays_bytes(self):
        repo = self.new_repo("r")
        self.make_mixed(repo)
        _, off, _ = self.scan(repo, "--git=off", name="off.json")
        plain = os.path.join(os.fsdecode(self.tmp), "plain")
        shutil.copytree(repo, plain, symlinks=True, ignore=shutil.ignore_patterns(".git"))
        os.makedirs(os.path.join(plain, ".git", "info"))  # the plain scan reads .git/info/exclude when present
        shutil.copy(os.path.join(repo, ".git", "info", "exclude"), os.path.join(plain, ".git", "info", "exclude"))
        _, copy, _ = self.scan(plain, "--git=off", name="copy.json")
        self.assertEqual(off, copy)
        self.assertNotIn(b'"git', off)
        self.assertNotIn(b"ci.log", off)  # the plain scan drops the tracked-but-ignored file, as before
        outside = os.path.join(os.fsdecode(self.tmp), "outside")
        shutil.copytree(repo, outside, symlinks=True, ignore=shutil.ignore_patterns(".git"))
        _, auto, _ = self.scan(outside, name="a.json")
        _, off2, _ = self.scan(outside, "--git=off", name="b.json")
        self.assertEqual(auto, off2)

    def test_unreadable_repository_is_a_notice_and_the_plain_scan(self):
        cases = {
            "broken HEAD": lambda g: open(os.path.join(g, "HEAD"), "w").write("garbage\n"),
            "damaged index": lambda g: self.flip(os.path.join(g, "index"), 40),
            "unknown index version": lambda g: self.patch(os.path.join(g, "index"), 7, b"\x09"),
        }
        for what, damage in cases.items():
            with self.subTest(what=what):
                repo = self.new_repo("r-" + what.replace(" ", "-"))
                self.make_mixed(repo)
                damage(os.path.join(repo, ".git"))
                m, raw, err = self.scan(repo, name="auto.json")
                self.assertIn("notice: not reading the git repository", err)
                _, off, _ = self.scan(repo, "--git=off", name="off.json")
                self.assertEqual(raw, off)
        # A .git that is only a directory of files (as in the benchmark corpus).
        plain = os.path.join(os.fsdecode(self.tmp), "corpus")
        self.put(plain, ".git/some-file", "not a repository\n")
        self.put(plain, "a.txt", "a\n")
        _, raw, err = self.scan(plain, name="c.json")
        self.assertIn("notice: not reading the git repository", err)
        _, off, _ = self.scan(plain, "--git=off", name="c-off.json")
        self.assertEqual(raw, off)

    def flip(self, path, offset):
        with open(path, "r+b") as f:
            f.seek(offset)
            b = f.read(1)
            f.seek(offset)
            f.write(bytes([b[0] ^ 0xFF]))

    def patch(self, path, offset, data):
        with open(path, "r+b") as f:
            f.seek(offset)
            f.write(data)

    # --- DIR below the root, ancestors' rules, info/exclude through a symlink, an oversized ignore file ---

    def test_subdirectory_uses_the_repositorys_rules(self):
        repo = self.new_repo("mono")
        self.put(repo, ".gitignore", "node_modules/\n*.o\n")
        self.put(repo, "packages/.gitignore", "*.tmp\n")
        self.put(repo, "packages/web/index.js", "x\n")
        self.put(repo, "packages/web/lib.o", "tracked .o\n")
        self.git(repo, "add", "-A")
        self.git(repo, "add", "-f", "packages/web/lib.o")
        self.git(repo, "commit", "-qm", "one")
        self.put(repo, "packages/web/node_modules/dep/x.js", "ignored by the root\n")
        self.put(repo, "packages/web/a.o", "ignored by the root\n")
        self.put(repo, "packages/web/b.tmp", "ignored by the parent\n")
        self.put(repo, "packages/web/c.cache", "ignored by info/exclude\n")
        self.put(repo, "packages/web/new.js", "kept\n")
        outside = os.path.join(os.fsdecode(self.tmp), "exclude-file")
        with open(outside, "w") as f:
            f.write("*.cache\n")
        exclude = os.path.join(repo, ".git", "info", "exclude")
        os.remove(exclude)
        os.symlink(outside, exclude)
        self.settle(repo)
        web = os.path.join(repo, "packages", "web")
        m, _, _ = self.scan(web)
        self.assertEqual(self.manifest_paths(m), self.git_kept(web))
        self.assertEqual(self.manifest_paths(m), {"index.js", "lib.o", "new.js"})
        self.check_digests(web, m)
        self.check_blobs(repo, web, m, prefix="packages/web/")

    def test_directory_inside_an_ignored_directory(self):
        repo = self.new_repo("r")
        self.put(repo, ".gitignore", "vendor/\n")
        self.put(repo, "vendor/pkg/tracked.c", "t\n")
        self.git(repo, "add", ".gitignore")
        self.git(repo, "add", "-f", "vendor/pkg/tracked.c")
        self.git(repo, "commit", "-qm", "one")
        self.put(repo, "vendor/pkg/untracked.c", "u\n")
        sub = os.path.join(repo, "vendor", "pkg")
        m, _, _ = self.scan(sub)
        self.assertEqual(self.manifest_paths(m), {"tracked.c"})
        self.assertEqual(self.manifest_paths(m), self.git_kept(sub))

    def test_oversized_ignore_file_is_a_warning(self):
        repo = self.new_repo("r")
        self.put(repo, "a.txt", "a\n")
        with open(os.path.join(repo, ".gitignore"), "wb") as f:
            f.truncate((100 << 20) + 1)
        m, _, err = self.scan(repo, "--no-gitignore", name="ok.json")  # the plain walk never reads it
        m, _, err = self.scan(repo)
        self.assertIn("excessively large pattern file", err)
        self.assertEqual(m["errors"], [])
        self.assertEqual(self.manifest_paths(m), {"a.txt", ".gitignore"})

    # --- submodules, nested repositories, linked worktrees, sparse checkouts ---

    def test_submodule_and_nested_repository(self):
        lib = self.new_repo("lib")
        self.put(lib, ".gitignore", "*.cache\n")
        self.put(lib, "data.dat", "matches the parent's *.dat, kept: the parent's rules stop at the submodule\n")
        self.put(lib, "code.c", "c\n")
        self.git(lib, "add", "-A")
        self.git(lib, "commit", "-qm", "lib")
        repo = self.new_repo("super")
        self.put(repo, ".gitignore", "*.dat\n")
        self.put(repo, "top.c", "t\n")
        self.git(repo, "add", "-A")
        self.git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", lib, "sub")
        self.git(repo, "commit", "-qm", "super")
        sub = os.path.join(repo, "sub")
        self.put(sub, "x.cache", "ignored by the submodule's own rules\n")
        self.put(sub, "fresh.c", "untracked in the submodule\n")
        nested = os.path.join(repo, "nested")
        subprocess.run(["git", "init", "-q", nested], check=True, env=self.env)
        self.put(nested, ".gitignore", "*.tmp\n")
        self.put(nested, "n.c", "n\n")
        self.put(nested, "n.tmp", "ignored by the nested repository\n")
        self.put(nested, "n.dat", "kept: the parent's rules stop here too\n")
        self.settle(repo)
        self.settle(sub)
        m, _, err = self.scan(repo)
        want = {p for p in self.git_kept(repo) if p not in ("sub", "nested/")}
        want |= {"sub/" + p for p in self.git_kept(sub)}
        want |= {"nested/" + p for p in self.git_kept(nested)}
        self.assertEqual(self.manifest_paths(m), want)
        self.assertIn("sub/data.dat", want)
        self.assertIn("nested/n.dat", want)
        self.check_digests(repo, m)
        staged_sub = self.git(sub, "ls-files", "-s").decode()
        for f in m["files"]:
            if f["path"].startswith("sub/") and "git_blob" in f:
                self.assertIn(f["git_blob"], staged_sub)

    def test_linked_worktree(self):
        repo = self.new_repo("r")
        self.make_mixed(repo)
        wt = os.path.join(os.fsdecode(self.tmp), "wt")
        self.git(repo, "worktree", "add", "-q", wt)
        self.put(wt, "wt-only.txt", "untracked in the worktree\n")
        self.settle(wt)
        m, _, _ = self.scan(wt)
        self.assertEqual(self.manifest_paths(m), self.git_kept(wt))
        self.check_digests(wt, m)
        self.check_blobs(wt, wt, m)
        self.assertEqual(m["git"]["tree"], self.git(wt, "rev-parse", "HEAD^{tree}").decode().strip())

    def test_sparse_checkout(self):
        repo = self.new_repo("r")
        self.put(repo, "in/a.txt", "a\n")
        self.put(repo, "out/b.txt", "b\n")
        self.put(repo, "top.txt", "t\n")
        self.git(repo, "add", "-A")
        self.git(repo, "commit", "-qm", "one")
        self.git(repo, "sparse-checkout", "set", "--no-sparse-index", "in")
        self.assertFalse(os.path.exists(os.path.join(repo, "out", "b.txt")))
        self.settle(repo)
        m, _, _ = self.scan(repo)
        self.assertEqual(self.manifest_paths(m), self.git_kept(repo))
        self.assertEqual(m["git"]["modified"], 0)  # left out on purpose is not deleted
        self.assertEqual(m["git"]["tree"], self.git(repo, "rev-parse", "HEAD^{tree}").decode().strip())

    # --- what the index cannot vouch for ---

    def test_unmerged_paths(self):
        repo = self.new_repo("r")
        self.put(repo, "f.txt", "base\n")
        self.git(repo, "add", "-A")
        self.git(repo, "commit", "-qm", "base")
        self.git(repo, "checkout", "-qb", "other")
        self.put(repo, "f.txt", "other\n")
        self.git(repo, "commit", "-qam", "other")
        self.git(repo, "checkout", "-q", "main")
        self.put(repo, "f.txt", "main\n")
        self.git(repo, "commit", "-qam", "main")
        self.git(repo, "merge", "-q", "other", check=False)
        m, _, _ = self.scan(repo)
        self.assertEqual(self.manifest_paths(m), self.git_kept(repo))
        f = [e for e in m["files"] if e["path"] == "f.txt"][0]
        self.assertNotIn("git_blob", f)
        self.assertNotIn("tree", m["git"])
        self.assertFalse(m["git"]["clean"])
        self.check_digests(repo, m)

    def test_racily_clean_edited_deleted_and_replaced(self):
        repo = self.new_repo("r")
        for name in ("racy.txt", "edited.txt", "deleted.txt", "becomes-dir", "same.txt"):
            self.put(repo, name, "content of %s\n" % name)
        future = time.time() + 100  # recorded by git add: never older than the index, so racily clean
        os.utime(os.path.join(repo, "racy.txt"), (future, future))
        self.git(repo, "add", "-A")
        self.git(repo, "commit", "-qm", "one")
        self.settle(repo)
        edited = os.path.join(repo, "edited.txt")
        ref = os.path.join(os.fsdecode(self.tmp), "ref")
        shutil.copy2(edited, ref)
        with open(edited, "r+b") as f:  # same size, mtime put back: only ctime tells
            f.write(b"C")
        subprocess.run(["touch", "-r", ref, edited], check=True)
        os.remove(os.path.join(repo, "deleted.txt"))
        os.remove(os.path.join(repo, "becomes-dir"))
        self.put(repo, "becomes-dir/inside.txt", "now a directory\n")
        m, _, _ = self.scan(repo)
        self.assertEqual(self.manifest_paths(m), self.git_kept(repo))
        self.check_digests(repo, m)
        by_path = {f["path"]: f for f in m["files"]}
        self.assertNotIn("git_blob", by_path["racy.txt"])
        self.assertNotIn("git_blob", by_path["edited.txt"])
        self.assertIn("git_blob", by_path["same.txt"])
        g = m["git"]
        self.assertEqual(g["modified"], 4)  # racy, edited, deleted, becomes-dir
        self.assertEqual(g["untracked"], 1)  # becomes-dir/inside.txt
        self.assertFalse(g["clean"])

    def test_clean_checkout_is_clean(self):
        repo = self.new_repo("r")
        self.put(repo, "a.txt", "a\n")
        self.git(repo, "add", "-A")
        self.git(repo, "commit", "-qm", "one")
        self.settle(repo)
        m, _, err = self.scan(repo)
        self.assertTrue(m["git"]["clean"])
        self.assertIn("commit %s's tree + 0 untracked + 0 modified" %
                      self.git(repo, "rev-parse", "HEAD").decode()[:12], err)

    # --- the fast path ---

    def make_origin(self, files=200):
        origin = self.new_repo("origin")
        for i in range(files):
            self.put(origin, "d%d/f%d.txt" % (i % 10, i), "file %d\n" % i * (i % 7 + 1))
        self.put(origin, "run.sh", "#!/bin/sh\n", 0o755)
        self.git(origin, "add", "-A")
        self.git(origin, "commit", "-qm", "one")
        self.settle(origin)
        return origin

    def clone(self, origin, name, *config):
        dest = os.path.join(os.fsdecode(self.tmp), name)
        args = []
        for c in config:
            args += ["-c", c]
        subprocess.run(["git", "clone", "-q", "--no-local"] + args + [origin, dest], check=True, env=self.env)
        self.settle(dest)
        return dest

    def openat_count(self, directory, *extra):
        """Files opened for reading below `directory` by a scan (strace as the judge)."""
        log = os.path.join(os.fsdecode(self.tmp), "strace.log")
        out = os.path.join(os.fsdecode(self.tmp), "traced.json")
        # A sanitizer build's leak check cannot run under a tracer: it would fail the traced run, not the scan.
        env = dict(self.env, ASAN_OPTIONS=(self.env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":"))
        subprocess.run(["strace", "-f", "-qq", "-e", "trace=openat", "-o", log,
                        os.path.abspath(BIN), "scan", directory, "-o", out]
                       + list(extra), check=True, env=env, capture_output=True)
        opened = 0
        with open(log) as f:
            for line in f:
                if ".txt" in line or "run.sh" in line:
                    opened += 1
        return opened

    def test_fresh_clone_with_baseline_reads_nearly_nothing(self):
        origin = self.make_origin()
        first, _, _ = self.scan(origin, name="first.json")
        clone = self.clone(origin, "clone")
        base = os.path.join(os.fsdecode(self.tmp), "first.json")
        _, fast, err = self.scan(clone, "--baseline", base, name="fast.json")
        self.assertIn("201 reused from the baseline", err)
        _, full, _ = self.scan(clone, name="full.json")
        self.assertEqual(fast, full)
        self.check_digests(clone, json.loads(full))
        self.assertLessEqual(self.openat_count(clone, "--baseline", base), 2)
        self.assertGreaterEqual(self.openat_count(clone), 201)
        # --rehash-all reads everything; verify never takes the fast path.
        _, rehashed, err = self.scan(clone, "--baseline", base, "--rehash-all", name="re.json")
        self.assertEqual(rehashed, full)
        self.assertIn(" 0 reused", err)
        self.assertGreaterEqual(self.openat_count(clone, "--baseline", base, "--rehash-all"), 201)
        # A changed file is hashed, with the same result as a full scan.
        self.put(clone, "d1/f1.txt", "changed\n")
        _, fast2, _ = self.scan(clone, "--baseline", base, name="fast2.json")
        _, full2, _ = self.scan(clone, name="full2.json")
        self.assertEqual(fast2, full2)

    def conversion_case(self, attributes=None, clone_config=(), origin_config=(), edit_origin=None,
                        clone_attributes_info=None, origin_attributes_info=None):
        """Baseline in `origin` (as written there), then a fresh clone with a conversion that changes the bytes of
        the same blob; the clone's scan with the baseline must equal its full scan and sha256sum."""
        origin = self.new_repo("origin")
        for c in origin_config:
            k, v = c.split("=", 1)
            self.git(origin, "config", k, v)
        if attributes is not None:
            self.put(origin, ".gitattributes", attributes)
        self.put(origin, "a.txt", "hello\r\nworld\n" if edit_origin is None else edit_origin)
        self.put(origin, "plain.bin", "no conversion applies\n")
        self.git(origin, "add", "-A")
        self.git(origin, "commit", "-qm", "one")
        if origin_attributes_info is not None:
            self.put(origin, ".git/info/attributes", origin_attributes_info)
            os.remove(os.path.join(origin, "a.txt"))
            self.git(origin, "checkout", "--", "a.txt")
        self.settle(origin)
        self.scan(origin, name="first.json")
        clone = self.clone(origin, "clone", *clone_config)
        if clone_attributes_info is not None:
            self.put(clone, ".git/info/attributes", clone_attributes_info)
            subprocess.run(["git", "-C", clone, "checkout", "-f", "--", "."], check=True, env=self.env)
            self.settle(clone)
        base = os.path.join(os.fsdecode(self.tmp), "first.json")
        fast, fast_raw, _ = self.scan(clone, "--baseline", base, name="fast.json")
        _, full_raw, _ = self.scan(clone, name="full.json")
        self.assertEqual(fast_raw, full_raw)
        self.check_digests(clone, fast)
        return origin, clone, fast

    def test_eol_crlf(self):
        self.conversion_case(attributes="*.txt eol=crlf\n", edit_origin="hello\nworld\n")

    def test_ident(self):
        self.conversion_case(attributes="*.txt ident\n", edit_origin="$Id$\n")

    def test_same_length_smudge_filter(self):
        # The same inputs in both runs (a round-trip filter: smudge upper case, clean lower case), but the origin's
        # file was written by hand and added, the clone's checked out: the same blob, the same size, other bytes,
        # and git calls both clean. Only the per-path rule (a filter applies to a.txt) catches it.
        script = os.path.join(self.home, "up.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\ntr a-z A-Z\n")
        os.chmod(script, 0o755)
        with open(os.path.join(self.home, ".gitconfig"), "w") as f:
            f.write("[filter \"up\"]\n\tsmudge = %s\n\tclean = tr A-Z a-z\n" % script)
        _, clone, fast = self.conversion_case(attributes="a.txt filter=up\n", edit_origin="hello\n")
        with open(os.path.join(clone, "a.txt"), "rb") as f:
            self.assertEqual(f.read(), b"HELLO\n")
        self.assertIn("git_blob", [e for e in fast["files"] if e["path"] == "plain.bin"][0])
        self.assertIn("git_blob", [e for e in fast["files"] if e["path"] == "a.txt"][0])  # git: clean

    def test_lfs_pointer(self):
        # Committed: an LFS pointer. The origin has no LFS (the pointer is on disk); the clone's "lfs" filter
        # replaces it by the content, as git-lfs would.
        script = os.path.join(self.home, "lfs.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\nsed 's/^oid sha256:.*/THE REAL CONTENT/'\n")
        os.chmod(script, 0o755)
        pointer = ("version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize 12\n" % ("ab" * 32))
        self.conversion_case(attributes="*.txt filter=lfs diff=lfs merge=lfs -text\n", edit_origin=pointer,
                             clone_config=("filter.lfs.smudge=" + script, "filter.lfs.clean=cat"))

    def test_core_autocrlf(self):
        self.conversion_case(edit_origin="hello\nworld\n", clone_config=("core.autocrlf=true",))

    def test_gitattributes_changed_between_runs(self):
        # The same filter driver in both runs; the origin's info/attributes applies it (its a.txt was checked out
        # upper case), the clone has no attributes (a.txt as committed). The clone alone sees no conversion for
        # a.txt: only the conversion digest, which differs, keeps the origin's digest from being reused.
        script = os.path.join(self.home, "up.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\ntr a-z A-Z\n")
        os.chmod(script, 0o755)
        with open(os.path.join(self.home, ".gitconfig"), "w") as f:
            f.write("[filter \"up\"]\n\tsmudge = %s\n\tclean = tr A-Z a-z\n" % script)
        origin, clone, _ = self.conversion_case(edit_origin="hello\n", origin_attributes_info="a.txt filter=up\n")
        with open(os.path.join(origin, "a.txt"), "rb") as f:
            self.assertEqual(f.read(), b"HELLO\n")
        with open(os.path.join(clone, "a.txt"), "rb") as f:
            self.assertEqual(f.read(), b"hello\n")

if __name__ == "__main__":
    unittest.main()
