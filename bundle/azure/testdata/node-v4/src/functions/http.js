const { app } = require('@azure/functions');

app.http('hello', {
    methods: ['GET', 'POST'],
    handler: async (request, context) => ({ body: 'hello' }),
});

// app.http('disabled', { authLevel: 'anonymous', handler });

/* app.http('alsoDisabled', { handler }); */

app.get('getUser', {
    route: 'users/{id}',
    authLevel: 'function',
    handler: async (request) => ({ jsonBody: { id: request.params.id } }),
});

app.deleteRequest('deleteUser', async (request) => ({ status: 204 }));

app.http("createUser", {
    methods: ["POST"],
    authLevel: "admin",
    route: "users",
    handler: createUser,
});

const options = { authLevel: process.env.LEVEL, handler: createUser };
app.http('fromEnv', options);

for (const name of ['a', 'b']) {
    app.http(name, { handler: createUser });
}

async function createUser(request) {
    return { status: 201 };
}
