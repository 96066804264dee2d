"""Content-Security-Policy for the built site: only the site's own resources may load.

Material's pages carry a few small inline scripts, so the policy lists each
one's SHA-256 hash instead of allowing inline script in general. The hashes
are computed from the built pages themselves, page by page, as the last build
step; nothing else in a page changes.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

DIRECTIVES: tuple[tuple[str, str], ...] = (
    ("default-src", "'self'"),
    ("script-src", "'self'"),  # plus the hashes of the page's own inline scripts
    ("style-src", "'self' 'unsafe-inline'"),  # Material sets style attributes from its scripts
    ("img-src", "'self' data:"),
    ("font-src", "'self' data:"),
    ("connect-src", "'self'"),
    ("worker-src", "'self' blob:"),
    ("frame-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'none'"),
)

_SCRIPT = re.compile(r"<script(?P<attrs>\s[^>]*)?>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)
_DATA_TYPES = re.compile(r"""type\s*=\s*["']?application/(?:ld\+)?json""", re.IGNORECASE)
_META_CHARSET = re.compile(r"<meta charset=[\"']?utf-8[\"']?\s*/?>", re.IGNORECASE)
_EXISTING = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n?', re.IGNORECASE)


def inline_script_hashes(html: str) -> list[str]:
    """CSP source expressions for every inline script that a browser would run."""
    hashes = []
    for match in _SCRIPT.finditer(html):
        attrs = match.group("attrs") or ""
        if "src=" in attrs.lower() or _DATA_TYPES.search(attrs):
            continue
        digest = hashlib.sha256(match.group("body").encode("utf-8")).digest()
        token = f"'sha256-{base64.b64encode(digest).decode('ascii')}'"
        if token not in hashes:
            hashes.append(token)
    return hashes


def policy_for(html: str) -> str:
    parts = []
    for name, value in DIRECTIVES:
        if name == "script-src":
            value = " ".join([value, *inline_script_hashes(html)])
        parts.append(f"{name} {value}")
    return "; ".join(parts)


def with_policy(html: str) -> str:
    """The page with its CSP meta element right after the charset declaration (replacing an older one)."""
    html = _EXISTING.sub("", html)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy_for(html)}">'
    match = _META_CHARSET.search(html)
    if match is None:
        return html.replace("<head>", f"<head>\n{meta}", 1)
    return html[: match.end()] + "\n" + meta + html[match.end() :]


def apply_csp(site_dir: Path) -> int:
    """Add the policy to every HTML page of a built site; return how many pages were changed."""
    count = 0
    for page in sorted(site_dir.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        updated = with_policy(html)
        if updated != html:
            page.write_text(updated, encoding="utf-8")
            count += 1
    return count
