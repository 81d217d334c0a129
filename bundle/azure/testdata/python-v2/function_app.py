import logging
import os

import azure.functions as func

from blueprints.orders import bp as orders_bp

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(orders_bp)

QUEUE = os.environ.get("QUEUE_NAME", "jobs")


@app.route(route="health", methods=["GET"])
def health(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("ok")


@app.function_name(name="CreateUser")
@app.route(
    route="users",
    methods=[func.HttpMethod.POST],
    auth_level=func.AuthLevel.FUNCTION,
)
def create_user(req: func.HttpRequest) -> func.HttpResponse:
    # @app.route(route="commented-out") is not a decorator
    return func.HttpResponse(status_code=201)


@app.route(auth_level=os.environ["LEVEL"])
async def dynamic_level(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("?")


@app.timer_trigger(schedule="0 */5 * * * *", arg_name="timer", run_on_startup=False)
def cleanup(timer: func.TimerRequest) -> None:
    logging.info("cleanup")


@app.queue_trigger(arg_name="msg", queue_name=QUEUE, connection="AzureWebJobsStorage")
@app.blob_output(arg_name="out", path="results/{id}", connection="AzureWebJobsStorage")
def work(msg: func.QueueMessage, out: func.Out[str]) -> None:
    out.set(msg.get_body().decode())


@app.service_bus_topic_trigger(arg_name="m", topic_name="orders", subscription_name="audit",
                               connection="ServiceBus")
def audit(m: func.ServiceBusMessage) -> None:
    pass


def not_a_function():
    return None
