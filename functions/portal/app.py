"""The public portal (cổng thông tin): units' pages, search and feeds, for citizens, no sign-in.

Handler: ``app.app``. A Chalice app is itself a Lambda handler for API Gateway's REST proxy
events; Chalice finds the route by the event's ``requestContext.resourcePath``, so every route
here has an ``Api`` event with the same path on ``PortalFunction`` in ``template.yaml``
(``tests/unit/test_portal_routes.py`` checks both lists match). Pages and feeds live in
``chalicelib/`` as Blueprints; this file only assembles them.
"""

from chalice import Chalice
from chalicelib.pages import pages
from chalicelib.subscription_routes import subscription_routes

from nguon.config import get_settings

# A missing or malformed variable fails the cold start, not the first request's error path.
get_settings()

app = Chalice(app_name="nguon-portal")
app.register_blueprint(pages)
app.register_blueprint(subscription_routes)
