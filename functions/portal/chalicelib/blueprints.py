"""One Blueprint class for the portal's route modules."""

import copy
from typing import Any

from chalice import Blueprint, Chalice


class ReusableBlueprint(Blueprint):
    """A Blueprint that registers into any number of apps. Chalice's keeps each route's options
    in one dict and pops them as an app registers the route, so a second app (tests load the
    portal more than once in a process) got every route as a GET, clashing with the first."""

    def _register_handler(
        self,
        handler_type: str,
        name: str,
        user_handler: Any,
        wrapped_handler: Any,
        kwargs: dict[str, Any],
        options: dict[Any, Any] | None = None,
    ) -> None:
        if handler_type != "route":  # only routes here; events keep Chalice's own way
            super()._register_handler(
                handler_type, name, user_handler, wrapped_handler, kwargs, options
            )
            return

        def register(app: Chalice, options: dict[Any, Any]) -> None:
            fresh = copy.deepcopy(kwargs)  # what Chalice consumes, anew for each app
            app._register_handler(handler_type, name, user_handler, wrapped_handler, fresh, options)

        self._deferred_registrations.append(register)
