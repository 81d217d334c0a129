// The handler of the legal-comments fixtures: moment (whose banner names
// its version) and minimist (which has none).
const moment = require("moment");
const parseArgs = require("minimist");

exports.handler = async (event) => {
  const args = parseArgs((event && event.argv) || []);
  return { statusCode: 200, body: moment(args.date || 0).utc().format() };
};
