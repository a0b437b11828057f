"""Logger, metrics and tracer shared by every function (Powertools), configured by environment.

Kept in the layer so that lower layers never import a handler module to log.
"""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
metrics = Metrics()
tracer = Tracer()
