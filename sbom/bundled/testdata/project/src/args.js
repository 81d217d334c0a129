// The handler of the inline-map and SBOM fixtures: minimist, whose own
// package.json it imports (so the bundle inlines it).
const parseArgs = require("minimist");
const { version } = require("minimist/package.json");

exports.handler = async (event) => {
  const args = parseArgs((event && event.argv) || []);
  return { statusCode: 200, body: JSON.stringify({ args, parser: "minimist " + version }) };
};
