"""Every limit of the product counted one way: a counter row per (bucket, window), incremented atomically.

See `ratelimits.services.limit_consume`; `tests/ratelimits/test_one_mechanism.py` checks no other limiter exists.
"""
