"""Website enrichment: SSRF-safe fetching, the website audit, tech-stack detection and the website score."""

from salesos.integrations.enrich.audit import WebsiteAudit, WebsiteAuditor
from salesos.integrations.enrich.errors import FetchError
from salesos.integrations.enrich.fetch import FetchPolicy, FetchResult, SafeFetcher
from salesos.integrations.enrich.score import WebsiteScore, score_website
from salesos.integrations.enrich.techstack import Detection, PageEvidence, detect

__all__ = [
    "Detection",
    "FetchError",
    "FetchPolicy",
    "FetchResult",
    "PageEvidence",
    "SafeFetcher",
    "WebsiteAudit",
    "WebsiteAuditor",
    "WebsiteScore",
    "detect",
    "score_website",
]
