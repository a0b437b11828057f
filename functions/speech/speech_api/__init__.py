"""The speech function's own modules: Polly's REST API and the speech queue's worker."""
