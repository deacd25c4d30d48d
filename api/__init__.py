"""The REST API (v1): thin views that parse, authorize, call one service and serialize."""
