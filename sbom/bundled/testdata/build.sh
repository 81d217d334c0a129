#!/usr/bin/env bash
# Rebuilds the bundled-function fixtures of sbom/bundled from real packages
# with the real esbuild (and webpack, pnpm, yarn for their fixtures). See
# README.md: what each fixture is, and the versions used. Needs node, npm
# and the npm registry; writes only under this folder.
#
#   sbom/bundled/testdata/build.sh            # rebuild every fixture
#
# project/package-lock.json pins every version: when it is present the
# install is `npm ci`; delete it to re-resolve (then review the diff).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

PNPM_VERSION=9.15.0
PNPM8_VERSION=8.15.9
PNPM7_VERSION=7.33.7
YARN1_VERSION=1.22.22
YARN4_VERSION=4.5.3
WEBPACK_VERSION=5.97.1
WEBPACK_CLI_VERSION=5.1.4

out=$here/fixtures
rm -rf "$out" "$here/cdk" "$here/lockfiles"
mkdir -p "$out" "$here/lockfiles"

# copy_project DIR: the project's sources, manifest and lockfile in DIR.
copy_project() {
	mkdir -p "$1"
	cp -r "$here/project/package.json" "$here/project/src" "$1/"
	if [ -f "$here/project/package-lock.json" ]; then cp "$here/project/package-lock.json" "$1/"; fi
}

# --- npm install (pinned by project/package-lock.json) ---------------------
proj=$work/proj
copy_project "$proj"
cd "$proj"
if [ -f package-lock.json ]; then
	npm ci --ignore-scripts
else
	npm install --ignore-scripts
	cp package-lock.json "$here/project/"
fi
esbuild() { "$proj/node_modules/.bin/esbuild" "$@" --bundle --platform=node --target=node18 --log-level=warning; }

# map: minified, external source map without sourcesContent.
esbuild src/app.js --minify --sourcemap --sources-content=false --outfile=out/map/index.js
# metafile: minified, no map, esbuild's metafile beside the bundle.
esbuild src/app.js --minify --metafile=out/metafile/index.meta.json --outfile=out/metafile/index.js
# plain: not minified, no map: esbuild's "// node_modules/..." comments only.
esbuild src/tools.js --outfile=out/plain/index.js
# legal: minified, esbuild's default legal comments (eof list).
esbuild src/dates.js --minify --outfile=out/legal/index.js
# legal-inline: minified, legal comments kept where they were.
esbuild src/dates.js --minify --legal-comments=inline --outfile=out/legal-inline/index.js
# inline: inline source map with sourcesContent (minimist's package.json inlined).
esbuild src/args.js --minify --sourcemap=inline --outfile=out/inline/index.js
# sbom-cdx, sbom-spdx: a bundle with no map, and npm's own SBOM of the
# project (development dependencies included: fnaudit leaves them out).
esbuild src/args.js --minify --outfile=out/sbom-cdx/index.js
npm sbom --sbom-format cyclonedx >out/sbom-cdx/sbom.cdx.json
esbuild src/args.js --minify --outfile=out/sbom-spdx/index.js
npm sbom --sbom-format spdx >out/sbom-spdx/bom.spdx.json
# cdk: what NodejsFunction with bundling { minify: true, sourceMap: true,
# sourcesContent: false } writes into its asset folder.
esbuild src/tools.js --minify --sourcemap --sources-content=false --outfile=out/cdk/index.js
for f in map metafile plain legal legal-inline inline sbom-cdx sbom-spdx; do
	cp -r "out/$f" "$out/$f"
done

# --- cdk: a cloud assembly whose project folder holds the lockfile ----------
asset=asset.3f1c0e5e7b9a4d2c8e6f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d
cdk=$here/cdk
mkdir -p "$cdk/cdk.out/$asset"
cp out/cdk/index.js out/cdk/index.js.map "$cdk/cdk.out/$asset/"
cp package-lock.json "$cdk/package-lock.json"
cat >"$cdk/cdk.out/cdk.out" <<'EOF'
{"version":"36.0.0"}
EOF
cat >"$cdk/cdk.out/manifest.json" <<'EOF'
{
  "version": "36.0.0",
  "artifacts": {
    "ToolsStack.assets": {
      "type": "cdk:asset-manifest",
      "properties": {"file": "ToolsStack.assets.json"}
    },
    "ToolsStack": {
      "type": "aws:cloudformation:stack",
      "environment": "aws://unknown-account/unknown-region",
      "properties": {"templateFile": "ToolsStack.template.json"},
      "dependencies": ["ToolsStack.assets"],
      "metadata": {
        "/ToolsStack/Tools/Resource": [{"type": "aws:cdk:logicalId", "data": "Tools4E1B5C7A"}]
      }
    }
  }
}
EOF
cat >"$cdk/cdk.out/ToolsStack.assets.json" <<EOF
{
  "version": "36.0.0",
  "files": {
    "${asset#asset.}": {
      "source": {"path": "$asset", "packaging": "zip"},
      "destinations": {"current_account-current_region": {
        "bucketName": "cdk-hnb659fds-assets-\${AWS::AccountId}-\${AWS::Region}",
        "objectKey": "${asset#asset.}.zip"}}
    }
  }
}
EOF
cat >"$cdk/cdk.out/ToolsStack.template.json" <<EOF
{
  "Resources": {
    "ToolsServiceRole1B2C3D4E": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "AssumeRolePolicyDocument": {"Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}], "Version": "2012-10-17"}
      },
      "Metadata": {"aws:cdk:path": "ToolsStack/Tools/ServiceRole/Resource"}
    },
    "Tools4E1B5C7A": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Code": {"S3Bucket": {"Fn::Sub": "cdk-hnb659fds-assets-\${AWS::AccountId}-\${AWS::Region}"}, "S3Key": "${asset#asset.}.zip"},
        "Handler": "index.handler",
        "Role": {"Fn::GetAtt": ["ToolsServiceRole1B2C3D4E", "Arn"]},
        "Runtime": "nodejs20.x"
      },
      "DependsOn": ["ToolsServiceRole1B2C3D4E"],
      "Metadata": {"aws:cdk:path": "ToolsStack/Tools/Resource", "aws:asset:path": "$asset", "aws:asset:is-bundled": true, "aws:asset:property": "Code"}
    },
    "ToolsFunctionUrl5F6A7B8C": {
      "Type": "AWS::Lambda::Url",
      "Properties": {"AuthType": "NONE", "TargetFunctionArn": {"Fn::GetAtt": ["Tools4E1B5C7A", "Arn"]}},
      "Metadata": {"aws:cdk:path": "ToolsStack/Tools/FunctionUrl/Resource"}
    }
  }
}
EOF

# --- lockfiles of every kind, all pinning the same tree ---------------------
mkdir -p "$here/lockfiles/npm-v3" "$here/lockfiles/npm-v1"
cp package-lock.json "$here/lockfiles/npm-v3/"
v1=$work/npm-v1
copy_project "$v1"
(cd "$v1" && npm install --package-lock-only --ignore-scripts --lockfile-version 1)
cp "$v1/package-lock.json" "$here/lockfiles/npm-v1/"

# yarn 1 imports the tree npm installed; yarn 4 migrates that yarn.lock.
mkdir -p "$here/lockfiles/yarn-v1" "$here/lockfiles/yarn-berry"
# (yarn 1 cannot read a version 3 package-lock.json: it is set aside.)
(cd "$proj" && mv package-lock.json "$work/lock.bak" &&
	npx --yes "yarn@$YARN1_VERSION" import --ignore-engines >/dev/null && mv "$work/lock.bak" package-lock.json)
cp "$proj/yarn.lock" "$here/lockfiles/yarn-v1/"
berry=$work/berry
copy_project "$berry"
cp "$proj/yarn.lock" "$berry/"
rm -f "$berry/package-lock.json"
(cd "$berry" && printf 'nodeLinker: node-modules\nenableTelemetry: false\n' >.yarnrc.yml &&
	npx --yes -p "@yarnpkg/cli-dist@$YARN4_VERSION" yarn install --mode=update-lockfile >/dev/null)
cp "$berry/yarn.lock" "$here/lockfiles/yarn-berry/"

# pnpm 7, 8 and 9 import package-lock.json (lockfile versions 5.4, 6.0, 9.0).
for v in "7:$PNPM7_VERSION" "8:$PNPM8_VERSION" "9:$PNPM_VERSION"; do
	major=${v%%:*} version=${v#*:}
	dir=$work/pnpm$major
	copy_project "$dir"
	(cd "$dir" && npx --yes "pnpm@$version" import >/dev/null)
	lv=$(sed -n "s/^lockfileVersion: '\{0,1\}\([0-9]*\).*/\1/p" "$dir/pnpm-lock.yaml")
	mkdir -p "$here/lockfiles/pnpm-v$lv"
	cp "$dir/pnpm-lock.yaml" "$here/lockfiles/pnpm-v$lv/"
done

# --- pnpm: a bundle built from pnpm's virtual store --------------------------
pn=$work/pnpm9
(cd "$pn" && rm -f package-lock.json && npx --yes "pnpm@$PNPM_VERSION" install --frozen-lockfile --ignore-scripts >/dev/null &&
	"$pn/node_modules/.bin/esbuild" src/tools.js --bundle --platform=node --target=node18 --log-level=warning \
		--minify --sourcemap --sources-content=false --outfile=out/pnpm/index.js)
cp -r "$pn/out/pnpm" "$out/pnpm"

# --- webpack: production build, stats and extracted licence comments ---------
wp=$work/webpack
copy_project "$wp"
cd "$wp"
npm ci --ignore-scripts
npm install --no-save --ignore-scripts "webpack@$WEBPACK_VERSION" "webpack-cli@$WEBPACK_CLI_VERSION"
cat >webpack.config.js <<'EOF'
const webpack = require("webpack");
module.exports = {
  mode: "production",
  target: "node18",
  entry: "./src/dates.js",
  output: { path: __dirname + "/out/webpack", filename: "index.js", library: { type: "commonjs2" } },
  // moment's locales (300 KB) are left out, as its docs advise.
  plugins: [new webpack.IgnorePlugin({ resourceRegExp: /^\.\/locale$/, contextRegExp: /moment$/ })],
  stats: { all: false, assets: true, modules: true, nestedModules: true, orphanModules: false, ids: false },
};
EOF
npx webpack --json=out/webpack/stats.json >/dev/null
# The stats name modules by absolute path too: the temp folder is cut out.
sed -i "s#$wp/##g" out/webpack/stats.json
cp -r out/webpack "$out/webpack"

du -sh "$here/fixtures" "$here/cdk" "$here/lockfiles"
