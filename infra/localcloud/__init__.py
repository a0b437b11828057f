"""The local cloud: the whole system on one machine, built from ``template.yaml``.

Services run on 127.0.0.1: a moto server (AWS APIs) and the HTTP gateway that plays API
Gateway for the functions the template routes. Later services (Mosquitto and the IoT bridge,
S3 notification dispatch, the scheduler clock) join :class:`infra.localcloud.cloud.LocalCloud`
as further :class:`infra.localcloud.services.Service` objects.
"""
