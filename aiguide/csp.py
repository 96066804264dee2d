"""Content-Security-Policy for the built site: only the site's own resources may load.

Material's pages carry a few small inline scripts, so the policy lists each
one's SHA-256 hash instead of allowing inline script in general. Only the
inline scripts the theme is known to emit (:data:`KNOWN_INLINE_SCRIPTS`) are
allowed: a page holding any other inline script fails the build, so an
injection that got past the templates could never be blessed by the policy.
The hashes are computed from the built pages themselves, page by page, as the
last build step; nothing else in a page changes.

After a theme upgrade that changes its inline scripts, ``python -m aiguide.csp SITE_DIR``
lists every inline script of a built site with its digest, to review and add here.
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

# Digest of each inline script the theme emits (see known_script_digest), and what emits it.
KNOWN_INLINE_SCRIPTS = {
    "7eb3684fdacd": "Material base.html: __md_scope and the local-storage helpers",
    "0eb10c249dbd": "Material base.html: the saved colour palette",
    "ffcc0f7735fd": "Material base.html: open the content tab named in the address",
    "213d571a86bd": "Zensical 0.0.73 base.html: __md_scope (with a closing slash), local storage, the platform",
}
# The one page-specific part of a known script: the relative address of the site's root.
_SCOPE = re.compile(r'new URL\("[^"]*",location\)')

_SCRIPT = re.compile(r"<script(?P<attrs>\s[^>]*)?>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)
_DATA_TYPES = re.compile(r"""type\s*=\s*["']?application/(?:ld\+)?json""", re.IGNORECASE)
_META_CHARSET = re.compile(r"<meta charset=[\"']?utf-8[\"']?\s*/?>", re.IGNORECASE)
_EXISTING = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n?', re.IGNORECASE)


class CspError(Exception):
    """A built page holds an inline script the guide does not know."""


def known_script_digest(body: str) -> str:
    """The first 12 hex digits of the SHA-256 of a script with its page-specific root address blanked."""
    return hashlib.sha256(_SCOPE.sub('new URL("",location)', body).encode("utf-8")).hexdigest()[:12]


def inline_scripts(html: str) -> list[str]:
    """The body of every inline script a browser would run (data blocks such as JSON are not scripts)."""
    bodies = []
    for match in _SCRIPT.finditer(html):
        attrs = match.group("attrs") or ""
        if "src=" in attrs.lower() or _DATA_TYPES.search(attrs):
            continue
        bodies.append(match.group("body"))
    return bodies


def inline_script_hashes(html: str, page: str = "the page") -> list[str]:
    """CSP source expressions for the page's inline scripts; :class:`CspError` for any unknown one."""
    hashes = []
    for body in inline_scripts(html):
        if known_script_digest(body) not in KNOWN_INLINE_SCRIPTS:
            shown = " ".join(body.split())[:80]
            raise CspError(
                f"{page} holds an inline script the guide does not know ({shown!r}); scripts belong in "
                "docs/assets/javascripts/, or, for a theme upgrade, see aiguide/csp.py"
            )
        digest = hashlib.sha256(body.encode("utf-8")).digest()
        token = f"'sha256-{base64.b64encode(digest).decode('ascii')}'"
        if token not in hashes:
            hashes.append(token)
    return hashes


def policy_for(html: str, page: str = "the page") -> str:
    parts = []
    for name, value in DIRECTIVES:
        if name == "script-src":
            value = " ".join([value, *inline_script_hashes(html, page)])
        parts.append(f"{name} {value}")
    return "; ".join(parts)


def with_policy(html: str, page: str = "the page") -> str:
    """The page with its CSP meta element right after the charset declaration (replacing an older one)."""
    html = _EXISTING.sub("", html)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy_for(html, page)}">'
    match = _META_CHARSET.search(html)
    if match is None:
        return html.replace("<head>", f"<head>\n{meta}", 1)
    return html[: match.end()] + "\n" + meta + html[match.end() :]


def apply_csp(site_dir: Path) -> int:
    """Add the policy to every HTML page of a built site; return how many pages were changed."""
    count = 0
    for page in sorted(site_dir.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        updated = with_policy(html, page.relative_to(site_dir).as_posix())
        if updated != html:
            page.write_text(updated, encoding="utf-8")
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    """List every inline script of a built site with its digest (for reviewing a theme upgrade)."""
    import argparse
    from collections import Counter

    parser = argparse.ArgumentParser(prog="python -m aiguide.csp", description=main.__doc__)
    parser.add_argument("site_dir", type=Path)
    args = parser.parse_args(argv)
    seen: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for page in sorted(args.site_dir.rglob("*.html")):
        for body in inline_scripts(page.read_text(encoding="utf-8")):
            digest = known_script_digest(body)
            seen[digest] += 1
            examples.setdefault(digest, " ".join(body.split())[:100])
    for digest, count in seen.most_common():
        status = KNOWN_INLINE_SCRIPTS.get(digest, "UNKNOWN")
        print(f"{digest}  {count:4d} pages  {status}\n    {examples[digest]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
