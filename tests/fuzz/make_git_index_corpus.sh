#!/usr/bin/env bash
# Writes the seed corpus of the git index fuzz target: small index files made by git itself (versions 2, 3 and 4,
# SHA-1 and SHA-256, a cache tree, unmerged stages, skip-worktree, intent-to-add, a split index's 'link').
#
#   tests/fuzz/make_git_index_corpus.sh OUT_DIR
set -euo pipefail
out=$(mkdir -p "$1" && cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@e
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@e GIT_AUTHOR_DATE=2024-01-01T00:00:00Z
export GIT_COMMITTER_DATE=2024-01-01T00:00:00Z

make_repo() {  # DIR FORMAT
    git init -q --object-format="$2" -b main "$1"
    cd "$1"
    mkdir -p a/b && echo x > a/b/x && echo y > a-y && echo z > a0 && ln -s a0 link && echo e > exe && chmod +x exe
    git add -A && git commit -q -m one && git read-tree HEAD && git update-index -q --refresh
}

for format in sha1 sha256; do
    for version in 2 3 4; do
        (make_repo "$work/$format-v$version" "$format" && git update-index --index-version "$version" \
            && cp .git/index "$out/$format-v$version")
    done
done
(make_repo "$work/conflict" sha1 && git checkout -q -b side && echo side > a0 && git commit -q -am side \
    && git checkout -q main && echo main > a0 && git commit -q -am main && { git merge -q side >/dev/null || true; } \
    && cp .git/index "$out/unmerged")
(make_repo "$work/flags" sha1 && git sparse-checkout set --no-cone /a/ && echo n > a/new && git add -N a/new \
    && git update-index --index-version 4 && cp .git/index "$out/extended-v4")
(make_repo "$work/split" sha1 && git update-index --split-index && cp .git/index "$out/split")
