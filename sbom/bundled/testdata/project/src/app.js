// The handler of the map, metafile and webpack fixtures: lodash (one
// module), axios (and follow-redirects), minimist 0.0.10 at the top level,
// rc with its own nested minimist 1.x, and a scoped package.
const get = require("lodash/get");
const axios = require("axios");
const parseArgs = require("minimist");
const rc = require("rc");
const once = require("@tootallnate/once");

exports.handler = async (event) => {
  const args = parseArgs((event && event.argv) || []);
  const url = get(event, "detail.url", "https://example.com/");
  const res = await axios.get(url, { timeout: 1000 });
  const closed = once(process, "beforeExit");
  const conf = rc("orders", { region: "eu-west-1" });
  return { statusCode: res.status, body: JSON.stringify({ args, pending: typeof closed.then, region: conf.region }) };
};
