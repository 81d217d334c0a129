const { v4 } = require('uuid');
exports.handler = async () => ({ statusCode: 200, body: v4() });
