"""DynamoDB storage (PynamoDB) on the one table ``MainTable`` of ``template.yaml``.

Key patterns are written in each model's docstring; the README has them all in one table.
Modules here turn items into domain models and SDK errors into domain errors.
"""
