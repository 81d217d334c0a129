const { app, trigger } = require('@azure/functions');
const df = require('durable-functions');

app.timer('nightly', {
    schedule: '0 0 3 * * *',
    handler: async (timer, context) => context.log('nightly'),
});

app.storageBlob('resize', {
    path: 'images/{name}',
    connection: 'AzureWebJobsStorage',
    handler: async (blob, context) => {},
});

app.serviceBusQueue('payments', {
    connection: 'ServiceBusConnection',
    queueName: 'payments',
    handler: async (message, context) => {},
});

app.generic('rabbit', {
    trigger: trigger.generic({
        type: 'rabbitMQ',
        queueName: 'inbox',
        connectionStringSetting: 'RabbitConnection',
    }),
    handler: async (message, context) => {},
});

df.app.orchestration('orchestrator', function* (context) {
    yield context.df.callActivity('hello');
});
