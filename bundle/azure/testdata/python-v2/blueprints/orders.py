import azure.functions as func

bp = func.Blueprint()


@bp.route(route="orders/{id}", methods=["GET", "DELETE"])
def get_order(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("order")


@bp.event_grid_trigger(arg_name="event")
def on_event(event: func.EventGridEvent) -> None:
    pass
