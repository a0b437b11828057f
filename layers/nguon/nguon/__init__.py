"""Nguồn domain package: the rules of the provincial source information system.

Shipped as a Lambda layer (``layers/nguon``) and imported by every function. It never imports
functions, tests or infra. Direction inside: services → storage/adapters → models; models,
errors, config, i18n and observability import nothing else of the project.
"""
