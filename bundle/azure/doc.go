// Package azure reads Azure Functions apps into fnaudit's function model
// ([bundle.KindAzure]).
//
// # Input
//
// [Loader.Detect] accepts a folder holding host.json (a function app
// project, its publish output or Java staging folder), a host.json file, or
// a run-from-package zip given on its own (a .zip with host.json at its
// root). The functions are read from, in this order, the first that
// declares any:
//
//   - <Name>/function.json, one function per folder: the v1-v3 model of
//     every language, and the build output of C# in-process apps and Java
//     apps (https://learn.microsoft.com/azure/azure-functions/functions-reference#function-code,
//     https://github.com/Azure/azure-functions-host/wiki/function.json).
//     bindings[] with type, direction, authLevel, methods, route, queueName,
//     schedule, path, eventHubName, ...; scriptFile and entryPoint become the
//     handler; "disabled": true is reported as a warning and the function is
//     still listed.
//   - functions.metadata, written by the build of C# isolated worker apps:
//     a list of functions with the same bindings.
//   - The code-first models, read by a static, best-effort scan (no code is
//     run): Python v2 decorators in function_app.py (or the file
//     PYTHON_SCRIPT_FILE_NAME names) and in the blueprint files it registers
//     (https://learn.microsoft.com/azure/azure-functions/functions-reference-python),
//     and Node.js v4 registrations (app.http, app.get, app.timer,
//     app.storageQueue, app.generic, durable df.app.*, ...) in the files
//     package.json "main" names, a glob
//     (https://learn.microsoft.com/azure/azure-functions/functions-reference-node).
//     Only literal arguments are read; a name, auth level or option object
//     built at run time is reported in one warning, "function definitions
//     in code could not all be read statically", and an HTTP trigger whose
//     auth level is not read has exposure unknown.
//
// When a folder declares no function (a C# or Java source project whose
// functions are attributes compiled at build time), the functions are read
// from its run-from-package zip if it has one; failing that the app is
// listed as one function, named after it, whose exposure is unknown, so that
// its packages are still audited.
//
// host.json gives the HTTP route prefix (extensions.http.routePrefix, or
// http.routePrefix in 1.x; "api" by default), the custom handler, and the
// "functions" list the host limits itself to (a function left out is listed
// with a warning). host.json may use the comments and trailing commas
// Json.NET accepts; so may function.json.
//
// local.settings.json is not deployed, so nothing about exposure is read
// from it: only FUNCTIONS_WORKER_RUNTIME (the runtime) and
// PYTHON_SCRIPT_FILE_NAME.
//
// # Output
//
// An [bundle.Application] named after the app folder (or the zip), with
// its functions sorted by name. Each function's Source is its declaring file
// and the line of its trigger binding (or decorator, or registration call).
//
// Triggers (https://learn.microsoft.com/azure/azure-functions/functions-triggers-bindings):
//
//   - httpTrigger, type http, detail "GET,POST /api/products/{id}" (methods,
//     ANY for all; route prefix and route, the function's name when it has
//     no route): authLevel anonymous is public (auth none); function is
//     authenticated (function_key); admin and system are authenticated
//     (admin_key). A missing authLevel is function in function.json and
//     functions.metadata, the FunctionApp's http_auth_level (function by
//     default) in Python v2, and anonymous in Node.js v4, as each model
//     defines it. Any other value is exposure unknown with a warning.
//   - The triggers of Azure services and of the host — queue, servicebus,
//     timer, blob, eventhub, eventgrid, cosmosdb, kafka, rabbitmq, signalr,
//     sql, mysql, redis*, webpubsub, dapr*, durable activity, orchestration
//     and entity, warmup — are internal, auth platform; the type is the
//     binding type lower-cased without "Trigger", the detail the binding type
//     and the queue, schedule, path or topic it listens to.
//   - MCP extension triggers (mcpToolTrigger, ...) are served over the
//     internet behind the extension's system key: authenticated (admin_key),
//     or public when host.json sets
//     extensions.mcp.system.webhookAuthorizationLevel to anonymous.
//   - Any other trigger type is exposure unknown, with a warning.
//
// App Service Authentication ("EasyAuth"), access restrictions, private
// endpoints and API Management are configured on the platform, not in the
// project: fnaudit cannot see them, so an anonymous HTTP function is
// reported public even when the platform puts a login in front of it.
//
// Every function runs the app's whole package (Azure has no layers): its one
// code artifact, named after the app so that the audit catalogues it once,
// mounted at /home/site/wwwroot, is the app's run-from-package zip when the
// folder holds one (dist/*.zip, else *.zip at the root, with host.json at
// its root; the central directory is read, bounded, to tell), else the app
// folder itself. Python packages under .python_packages and Node.js
// node_modules are found there by the audit.
//
// The role of every function is privilege unknown: the function app's
// managed identity and its role assignments are not in the project.
//
// # Failure modes
//
// A host.json that cannot be read or parsed (or is not a JSON object) is an
// error naming the file and line. A function.json that cannot be read or
// parsed is a warning naming the file and line, and that function is still
// listed, with exposure unknown. An unreadable functions.metadata,
// package.json or local.settings.json is a warning. More than 10,000
// functions, or more than 100,000 entries in the app folder, is an error.
//
// Hostile input: every JSON file is read up to 16 MiB and 200,000 values,
// source files up to 4 MiB and 500 of them (a file whose calls cannot be
// matched is given up once the scan has read it eight times over, so the
// scan stays linear), package.json "main" globs expand to at most 32
// patterns and walk at most 20,000 entries, zips only if their central
// directory declares at most 200,000 entries and 64 MiB; the app folder is
// opened as an [os.Root], so a symbolic link leading out of it is not
// followed (a warning says so); FIFOs and other special files are not
// opened. Detect and Load never panic on malformed input.
package azure
