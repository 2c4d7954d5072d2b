"""What the benchmarks share: URLs for the broker and database they start, and the environment that
points the portal's AWS clients at local stand-ins (never a real AWS endpoint or credential file).

The benches run as scripts (``python bench/<name>.py``), so this module is imported as ``_common``.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit, urlunsplit


def with_redis_db(url: str, db: int) -> str:
    """The same Redis server, another database number (each bench empties its own)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def database_url(db: dict[str, Any]) -> str:
    """DATABASE_URL for a Django DATABASES entry (workers and gunicorn read it from the environment)."""
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db.get("USER") or ""
    if auth and db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth + '@' if auth else ''}{db['HOST']}:{db['PORT']}/{db['NAME']}"


def offline_aws_environment(**endpoints: str) -> None:
    """Fake keys, no config or credential files, no instance metadata, e-mail to nowhere; the given
    botocore endpoint variables (AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2=...) point at stand-ins."""
    os.environ.update(
        AWS_SECRET_ACCESS_KEY="bench",  # neither moto nor the simulator checks signatures
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        EMAIL_URL="dummymail://",
        LOG_LEVEL="WARNING",
        **endpoints,
    )
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
