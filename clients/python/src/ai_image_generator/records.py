"""The values the API answers, as dataclasses.

``ImageRecord`` has the product's metadata fields (``image_id``, ``prompt``, ``negative_prompt``,
``model``, ``parameters``, ``category``, ``tags``, ``file_path``, ``metadata{generated_at,
api_used, cost, processing_time}``, ``status``) plus what the server adds (version, parent,
content hash, ...). Fields the server adds later land in ``raw`` instead of breaking old
clients. Unknown money is ``None``, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional


@dataclass(frozen=True)
class ImageMetadata:
    """When and how an image was made: ``generated_at`` (ISO 8601 UTC), ``api_used``
    (``plugin/provider-model``), ``cost`` in USD (None when unknown) and ``processing_time`` (s)."""

    generated_at: str
    api_used: str
    cost: Optional[float]
    processing_time: Optional[float]

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "ImageMetadata":
        return cls(generated_at=d.get("generated_at", ""), api_used=d.get("api_used", ""),
                   cost=d.get("cost"), processing_time=d.get("processing_time"))


@dataclass(frozen=True)
class Derivative:
    """A post-processed version of an original (``variant`` such as master, publish, thumbnail)."""

    image_id: str
    variant: str
    format: str
    run: int
    width: Optional[int]
    height: Optional[int]
    bytes: Optional[int]
    file_path: str
    quality_score: Optional[float]

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "Derivative":
        return cls(image_id=d["image_id"], variant=d.get("variant", ""), format=d.get("format", ""),
                   run=int(d.get("run", 0)), width=d.get("width"), height=d.get("height"), bytes=d.get("bytes"),
                   file_path=d.get("file_path", ""), quality_score=d.get("quality_score"))


@dataclass(frozen=True)
class ImageRecord:
    """One image's metadata record."""

    image_id: str
    prompt: str
    negative_prompt: Optional[str]
    model: str
    parameters: Dict[str, Any]
    category: str
    tags: List[str]
    file_path: str
    metadata: ImageMetadata
    status: str
    job_id: Optional[str] = None
    variant: str = "original"
    version: int = 1
    parent_id: Optional[str] = None
    content_sha256: str = ""
    mime: str = ""
    bytes: Optional[int] = None
    quality_score: Optional[float] = None
    extra: Dict[str, str] = field(default_factory=dict)
    #: Post-processed versions; only ``images.get(id)`` fills it (lists and generations leave it empty).
    derivatives: List[Derivative] = field(default_factory=list)
    #: The record as the server sent it, every field included.
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "ImageRecord":
        return cls(
            image_id=d["image_id"], prompt=d.get("prompt", ""), negative_prompt=d.get("negative_prompt"),
            model=d.get("model", ""), parameters=dict(d.get("parameters") or {}), category=d.get("category", ""),
            tags=list(d.get("tags") or []), file_path=d.get("file_path", ""),
            metadata=ImageMetadata.from_json(d.get("metadata") or {}), status=d.get("status", ""),
            job_id=d.get("job_id"), variant=d.get("variant", "original"), version=int(d.get("version", 1)),
            parent_id=d.get("parent_id"), content_sha256=d.get("content_sha256", ""), mime=d.get("mime", ""),
            bytes=d.get("bytes"), quality_score=d.get("quality_score"), extra=dict(d.get("extra") or {}),
            derivatives=[Derivative.from_json(x) for x in d.get("derivatives") or []], raw=dict(d))


@dataclass(frozen=True)
class Reservation:
    """An image held for a post on a ``channel`` and ``day`` (YYYY-MM-DD); ``released_at`` once released."""

    id: str
    image_id: str
    channel: str
    day: str
    created_at: str
    released_at: Optional[str] = None

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "Reservation":
        return cls(id=d.get("id", ""), image_id=d["image_id"], channel=d["channel"], day=d["day"],
                   created_at=d.get("created_at", ""), released_at=d.get("released_at"))


@dataclass(frozen=True)
class Rating:
    """A recorded 1…5 rating (the latest counts). ``learned_profile`` names the preference profile
    that learned from it, if any; ``profile_problem`` says why one could not (the rating stands)."""

    image_id: str
    rating: int
    learned_profile: Optional[str] = None
    profile_problem: Optional[str] = None

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "Rating":
        return cls(image_id=d["image_id"], rating=int(d["rating"]), learned_profile=d.get("learned_profile"),
                   profile_problem=d.get("profile_problem"))


@dataclass(frozen=True)
class Budget:
    """A budget window's state in USD: ``remaining`` = ``limit`` − ``spent`` − ``reserved``."""

    name: str
    limit: float
    spent: float
    reserved: float
    remaining: float
    resets_at: str

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "Budget":
        return cls(name=d["name"], limit=d["limit"], spent=d["spent"], reserved=d["reserved"],
                   remaining=d["remaining"], resets_at=d.get("resets_at", ""))


@dataclass(frozen=True)
class CostGroup:
    """Spending of one group. ``total_usd`` is None when every cost in it is unknown;
    ``unknown_cost_images`` counts the images left out of the sum."""

    key: str
    images: int
    known_cost_usd: float
    unknown_cost_images: int
    total_usd: Optional[float]

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "CostGroup":
        return cls(key=d["key"], images=d["images"], known_cost_usd=d["known_cost_usd"],
                   unknown_cost_images=d["unknown_cost_images"], total_usd=d.get("total_usd"))


@dataclass(frozen=True)
class CostReport:
    """``GET /v1/costs``: the ledger summed by ``by`` (model, category, plugin or day), and the budgets."""

    by: str
    since: Optional[str]
    groups: List[CostGroup]
    budgets: List[Budget]

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "CostReport":
        return cls(by=d["by"], since=d.get("since"), groups=[CostGroup.from_json(g) for g in d.get("groups", [])],
                   budgets=[Budget.from_json(b) for b in d.get("budgets", [])])


@dataclass(frozen=True)
class StatsGroup:
    """Statistics of the finished jobs of one group (see docs/api.md for the definitions)."""

    key: str
    attempts: int
    succeeded: int
    failed: int
    content_filtered: int
    cancelled: int
    rate_limited: int
    images: int
    success_rate: Optional[float]
    duration_mean_s: Optional[float]
    duration_p50_s: Optional[float]
    duration_p95_s: Optional[float]
    duration_max_s: Optional[float]
    spent_usd: float
    cost_per_image_usd: Optional[float]
    unknown_cost_images: int
    quality_mean: Optional[float]
    quality_count: int

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "StatsGroup":
        names = cls.__dataclass_fields__.keys()  # every field is in the answer, nulls written out
        return cls(**{name: d.get(name) for name in names})


@dataclass(frozen=True)
class StatsReport:
    """``GET /v1/stats``: per-group statistics of finished jobs, the overall ``total``, and the budgets."""

    by: str
    since: Optional[str]
    total: StatsGroup
    groups: List[StatsGroup]
    budgets: List[Budget]

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "StatsReport":
        return cls(by=d["by"], since=d.get("since"), total=StatsGroup.from_json(d["total"]),
                   groups=[StatsGroup.from_json(g) for g in d.get("groups", [])],
                   budgets=[Budget.from_json(b) for b in d.get("budgets", [])])
