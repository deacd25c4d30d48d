"""Annotator's Python client: `Client` for the REST API, `datasets` for PyTorch/MONAI loaders of exports."""

from annotator_client.client import Client
from annotator_client.errors import ApiError

__all__ = ["ApiError", "Client"]
__version__ = "0.1.0"
