"""The compatibility API under /api/v3/: the shapes of the console MSPs migrate from.

Field names, the ``X-API-KEY`` header and ``page``/``itemsInPage`` paging follow that
console; every rule is the /api/v1/ one, through its serializers and services.
"""
