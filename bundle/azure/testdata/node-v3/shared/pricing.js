module.exports = { price: (p) => p.price };
