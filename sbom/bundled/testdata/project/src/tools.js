// The handler of the plain, CDK and pnpm fixtures: minimist 0.0.10, rc
// (with its nested minimist 1.x) and a scoped package; small on purpose.
const parseArgs = require("minimist");
const rc = require("rc");
const once = require("@tootallnate/once");
exports.handler = async (event) => {
  const args = parseArgs((event && event.argv) || []);
  const conf = rc("tools", { dir: args.dir || "work" });
  await Promise.race([once(process, "beforeExit"), Promise.resolve()]);
  return { statusCode: 200, body: conf.dir };
};
