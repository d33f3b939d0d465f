"""A small client for the imagegen HTTP API (``imagegen serve``), standard library only.

    from ai_image_generator import ImageGenerator
    generator = ImageGenerator()            # $IMAGEGEN_URL / $IMAGEGEN_TOKEN, else http://127.0.0.1:8080
    image = generator.generate(category="lingerie", template="lingerie_black_lace", variations=3)

See docs/python-client.md.
"""

from .client import DEFAULT_URL, ImageGenerator
from .errors import (APIError, AuthenticationError, BudgetExceeded, Conflict, ConnectionFailed, ContentPolicyError,
                     EventStreamUnavailable, FileMissing, GenerationFailed, GenerationTimeout, ImagegenError,
                     InvalidRequest, NotFound, QuotaExceeded, ServerError, ServiceUnavailable, UnknownName)
from .events import Event, EventParser, EventStream
from .records import (Budget, CostGroup, CostReport, Derivative, ImageMetadata, ImageRecord, Rating, Reservation,
                      StatsGroup, StatsReport)

__version__ = "1.0.0"

__all__ = [
    "ImageGenerator", "DEFAULT_URL",
    "ImageRecord", "ImageMetadata", "Derivative", "Reservation", "Rating", "CostReport", "CostGroup", "StatsReport",
    "StatsGroup", "Budget", "Event", "EventParser", "EventStream",
    "ImagegenError", "APIError", "InvalidRequest", "UnknownName", "AuthenticationError", "BudgetExceeded",
    "ContentPolicyError", "QuotaExceeded", "NotFound", "EventStreamUnavailable", "Conflict", "FileMissing",
    "ServiceUnavailable", "ServerError", "ConnectionFailed", "GenerationTimeout", "GenerationFailed",
]
