module.exports = async function (context, req) {};
