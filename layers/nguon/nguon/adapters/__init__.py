"""Adapters: the domain's doors to AWS services (IoT, S3, ...), each behind a small class."""
