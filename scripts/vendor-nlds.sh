#!/usr/bin/env bash
# Re-vendor the NL Design System CSS into static/vendor/nlds/ (`make vendor-nlds`).
#
# The portal serves these files as they are (no build step, so `make run` needs no Node.js):
#   @utrecht/component-library-css   the Utrecht community components (utrecht-* classes), EUPL-1.2
#   @nl-design-system-unstable/voorbeeld-design-tokens   the NL Design System's example theme
#                                    (design tokens as CSS custom properties), EUPL-1.2
# Our own theme (static/css/theme.css) overrides a few tokens on top: that is where another
# organisation puts its colours and fonts. Bump a version below, run this, look at
# `make screenshots`, and commit static/vendor/nlds/.
set -euo pipefail
COMPONENTS_VERSION=9.0.4
TOKENS_VERSION=7.4.1

root="$(cd "$(dirname "$0")/.." && pwd)"
target="$root/static/vendor/nlds"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
echo '{"name": "pgb-portaal-nlds-vendor", "private": true}' > package.json
# No registry host in any file we keep: the lockfile stays in the temporary folder anyway.
npm install --omit-lockfile-registry-resolved --no-audit --no-fund --ignore-scripts \
  "@utrecht/component-library-css@$COMPONENTS_VERSION" \
  "@nl-design-system-unstable/voorbeeld-design-tokens@$TOKENS_VERSION" >/dev/null
components=node_modules/@utrecht/component-library-css
tokens=node_modules/@nl-design-system-unstable/voorbeeld-design-tokens
rm -rf "$target"
mkdir -p "$target"
cp "$components/dist/index.css" "$target/utrecht-components.css"
cp "$components/dist/html.css" "$target/utrecht-html.css"
cp "$components/LICENSE.md" "$target/LICENSE-utrecht-component-library-css.md"
cp "$tokens/dist/theme.css" "$target/voorbeeld-theme.css"
cp "$tokens/LICENSE.md" "$target/LICENSE-voorbeeld-design-tokens.md"
cat > "$target/VERSIONS.txt" <<TXT
Vendored by scripts/vendor-nlds.sh (make vendor-nlds); do not edit these files by hand.

utrecht-components.css  @utrecht/component-library-css@$COMPONENTS_VERSION  dist/index.css  EUPL-1.2
utrecht-html.css        @utrecht/component-library-css@$COMPONENTS_VERSION  dist/html.css   EUPL-1.2
voorbeeld-theme.css     @nl-design-system-unstable/voorbeeld-design-tokens@$TOKENS_VERSION  dist/theme.css  EUPL-1.2
TXT
echo "NL Design System CSS in $target:"
ls -l "$target"
