#!/usr/bin/env bash
# Makes the release commit and tag for version X.Y.Z: a commit on top of HEAD (not on a branch) whose action.yml runs
# the prebuilt image ghcr.io/<owner>/treeprint:vX.Y.Z instead of building the Dockerfile, tagged vX.Y.Z. Pushing the
# tag starts .github/workflows/release.yml, which builds and pushes that image (amd64 + arm64) and then moves vX.
#
#   scripts/release.sh 1.2.3            # make the commit and the tag locally, print the push command
#   scripts/release.sh 1.2.3 --push     # and push the tag to origin
#
# OWNER (default: from the origin remote's URL) is the GitHub owner, lower-cased for the registry.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=${1:?usage: scripts/release.sh X.Y.Z [--push]}
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "release: version must be X.Y.Z, got '$version'" >&2; exit 2; }
tag=v$version
cd "$here"
[ -z "$(git status --porcelain)" ] || { echo "release: the work tree has changes; commit or stash them" >&2; exit 1; }
git rev-parse -q --verify "refs/tags/$tag" >/dev/null && { echo "release: tag $tag exists" >&2; exit 1; }
if [ -z "${OWNER:-}" ]; then
    url=$(git remote get-url origin)
    OWNER=$(sed -E 's#(\.git)?/*$##; s#^.*[:/]([^/:]+)/[^/]+$#\1#' <<<"$url")
fi
owner=$(tr '[:upper:]' '[:lower:]' <<<"$OWNER")
image="docker://ghcr.io/$owner/treeprint:$tag"
grep -q '^  image: Dockerfile$' action.yml || { echo "release: action.yml does not say 'image: Dockerfile'" >&2; exit 1; }
branch=$(git symbolic-ref -q --short HEAD || git rev-parse HEAD)
git checkout -q --detach
sed -i "s#^  image: Dockerfile\$#  image: $image#" action.yml
git commit -q -m "Release $tag: the action runs the prebuilt image $image" action.yml
git tag -a "$tag" -m "treeprint $tag"
git checkout -q "$branch"
echo "release: tagged $tag ($(git rev-parse "$tag^{commit}")): action.yml runs $image"
if [ "${2:-}" = --push ]; then
    git push origin "refs/tags/$tag"
else
    echo "release: push it with: git push origin refs/tags/$tag"
fi
