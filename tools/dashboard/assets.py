"""The dashboard's assets: asv's CDN scripts and styles, vendored so that the dashboard works offline,
and the overview page's charts (overview.js, beside this file).

asv's www/index.html loads jQuery, flot, stupidtable, blueimp-md5 and bootstrap from CDNs, so
without internet the dashboard stays blank. This downloads the pinned npm tarballs (only the npm
registry is needed) and checks each one against the dist.integrity that the registry publishes for
it. The tarballs are cached in .asv/vendor-cache/ (or $NPOPT_VENDOR_CACHE), so later runs need no
network. The needed files are copied to HTML_DIR/vendor/<package>/ and every HTML_DIR/*.html is
changed to use them. Running it twice is harmless.

Usage: python -m tools.dashboard.assets [HTML_DIR] [--cache-dir DIR]   (after `asv publish`)
"""
import argparse
import base64
import hashlib
import io
import os
import re
import sys
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from measurement.paths import ROOT

DEFAULT_HTML_DIR = Path(ROOT, "html")
DEFAULT_CACHE_DIR = Path(os.environ.get("NPOPT_VENDOR_CACHE", Path(ROOT, ".asv", "vendor-cache")))
REGISTRY = "https://registry.npmjs.org"
VENDOR_DIR = "vendor"
OVERVIEW_JS = Path(__file__).with_name("overview.js")  # the overview page's charts, inlined in its page


class VendorError(Exception):
    """Vendoring failed, or the dashboard would still need the internet."""


@dataclass(frozen=True)
class Package:
    """An npm release, pinned by the tarball's dist.integrity from the registry's metadata."""

    name: str
    version: str
    integrity: str

    @property
    def tarball_name(self):
        """The tarball's file name, in the registry and in the cache."""
        return f"{self.name}-{self.version}.tgz"

    @property
    def tarball_url(self):
        """The address the npm registry serves the tarball from."""
        return f"{REGISTRY}/{self.name}/-/{self.tarball_name}"


@dataclass(frozen=True)
class Asset:
    """A file in a package's tarball, and the CDN URL in asv's template that it replaces.

    cdn_url is None for files that no html references directly (bootstrap's fonts).
    """

    package: Package
    member: str
    cdn_url: str | None = None

    @property
    def local_path(self):
        """Where the file goes, relative to the html dir: vendor/<package>/<path in the package>."""
        return f"{VENDOR_DIR}/{self.package.name}/{self.member.removeprefix('package/')}"


# Integrity strings: dist.integrity from https://registry.npmjs.org/<name>/<version>
JQUERY = Package("jquery", "3.3.1", "sha512-Ubldcmxp5np52/ENotGxlLe6aGMvmF4R8S6tZjsP6Knsaxd/xp3Zrh50cG93lR6nPXyUFwzN3ZSOQI0wRJNdGg==")
FLOT = Package("flot", "0.8.3", "sha512-xg2otcTJDvS+ERK+my4wxG/ASq90QURXtoM4LhacCq0jQW2jbyjdttbRNqU2cPykrpMvJ6b2uSp6SAgYAzj9tQ==")
FLOT_ORDERBARS = Package("flot-orderbars", "1.0.0", "sha512-Jv51fvzevUjNXEeozpwEKfPjhiZhfiJddv0WHjduUTCmSF+7T5K7C9c9Y1wIVmUhDBv5fLMjgbwKecT0GIKPZA==")
# asv loads stupidtable 1.0.1 from cdnjs, but npm has no 1.0.1. 1.1.3 defines the same
# $.fn.stupidtable and $.fn.stupidsort that asv calls.
STUPIDTABLE = Package("stupid-table-plugin", "1.1.3", "sha512-2Vk7XouQPxUQPRe9w0Fu7ZZ8kHLK7rDoLMsCgtKxRNJ7f4dSOGvW9CkHsq5wD6QsaEnWoyLBYH3xOEsrK3yWBg==")
BLUEIMP_MD5 = Package("blueimp-md5", "2.19.0", "sha512-DRQrD6gJyy8FbiE4s+bDoXS9hiW3Vbx5uCdwvcCf3zLHL+Iv7LtGHLpr+GZV8rHG8tK766FGYBwRbu8pELTt+w==")
BOOTSTRAP = Package("bootstrap", "3.1.1", "sha512-TAzqS8E/ISpVHP29gYhy+1NSV+FJwApDVQhDfgLYsIuUDJiqJzH2DfORN5tiu+Ie2iBLrzEG34t4Rf465cigqg==")

# The overview page's charts (OVERVIEW_JS) load these two as well.
JQUERY_JS = Asset(JQUERY, "package/dist/jquery.min.js", "https://code.jquery.com/jquery-3.3.1.min.js")
# The npm flot 0.8.3 package has only the unminified files.
FLOT_JS = Asset(FLOT, "package/jquery.flot.js", "https://cdnjs.cloudflare.com/ajax/libs/flot/0.8.3/jquery.flot.min.js")
ASSETS = (
    JQUERY_JS,
    FLOT_JS,
    Asset(FLOT, "package/jquery.flot.time.js", "https://cdnjs.cloudflare.com/ajax/libs/flot/0.8.3/jquery.flot.time.min.js"),
    Asset(FLOT, "package/jquery.flot.selection.js", "https://cdnjs.cloudflare.com/ajax/libs/flot/0.8.3/jquery.flot.selection.min.js"),
    Asset(FLOT, "package/jquery.flot.categories.js", "https://cdnjs.cloudflare.com/ajax/libs/flot/0.8.3/jquery.flot.categories.min.js"),
    Asset(FLOT_ORDERBARS, "package/js/jquery.flot.orderBars.js", "https://cdn.jsdelivr.net/npm/flot-orderbars@1.0.0/js/jquery.flot.orderBars.js"),
    Asset(STUPIDTABLE, "package/stupidtable.min.js", "https://cdnjs.cloudflare.com/ajax/libs/stupidtable/1.0.1/stupidtable.min.js"),
    Asset(BLUEIMP_MD5, "package/js/md5.min.js", "https://cdnjs.cloudflare.com/ajax/libs/blueimp-md5/2.19.0/js/md5.min.js"),
    Asset(BOOTSTRAP, "package/dist/js/bootstrap.min.js", "https://cdn.jsdelivr.net/npm/bootstrap@3.1.1/dist/js/bootstrap.min.js"),
    Asset(BOOTSTRAP, "package/dist/css/bootstrap.min.css", "https://cdn.jsdelivr.net/npm/bootstrap@3.1.1/dist/css/bootstrap.min.css"),
    # bootstrap.min.css loads its glyphicons from ../fonts/
    *(Asset(BOOTSTRAP, f"package/dist/fonts/glyphicons-halflings-regular.{ext}") for ext in ("eot", "svg", "ttf", "woff")),
)
LOCAL_PATH_BY_CDN_URL = {asset.cdn_url: asset.local_path for asset in ASSETS if asset.cdn_url}

TAG = re.compile(r"<(?:script|link)\b[^>]*>", re.IGNORECASE)
URL_ATTRIBUTE = re.compile(r'(\s(?:src|href)=)"([^"]*)"', re.IGNORECASE)
# Subresource-integrity attributes; they pin the CDN's files, the tarball integrity pins ours.
SRI_ATTRIBUTES = re.compile(r'\s+(?:integrity|crossorigin|referrerpolicy)="[^"]*"', re.IGNORECASE)
REMOTE_URL = re.compile(r"(?:https?:)?//", re.IGNORECASE)


def verify(data, package, source):
    """Raise VendorError unless data is the tarball that package.integrity pins."""
    algorithm, _, expected = package.integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise VendorError(
            f"integrity mismatch for {package.tarball_name} from {source}: "
            f"expected {package.integrity}, got {algorithm}-{actual}"
        )


def fetch_tarball(package, cache_dir):
    """Return the package's verified tarball, downloading it into cache_dir if not cached yet."""
    cached = Path(cache_dir) / package.tarball_name
    if cached.exists():
        data = cached.read_bytes()
        verify(data, package, source=f"{cached} (delete it to download again)")
        return data
    try:
        with urllib.request.urlopen(package.tarball_url, timeout=60) as response:
            data = response.read()
    except OSError as error:
        raise VendorError(
            f"cannot download {package.tarball_url}: {error} "
            f"(without network, put that file in {cache_dir}/)"
        ) from error
    verify(data, package, source=package.tarball_url)
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_name(cached.name + ".part")
    partial.write_bytes(data)
    partial.replace(cached)
    return data


def write_assets(html_dir, cache_dir):
    """Copy every asset from its verified tarball to html_dir/vendor/<package>/."""
    for package in dict.fromkeys(asset.package for asset in ASSETS):
        with tarfile.open(fileobj=io.BytesIO(fetch_tarball(package, cache_dir))) as tarball:
            for asset in (a for a in ASSETS if a.package == package):
                try:
                    content = tarball.extractfile(asset.member).read()
                except KeyError as error:
                    raise VendorError(f"{package.tarball_name} has no {asset.member}") from error
                target = html_dir / asset.local_path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)


def localize_tag(match):
    """If a <script>/<link> tag loads a CDN asset, point it at the vendored file, without SRI."""
    tag = match.group(0)
    url = URL_ATTRIBUTE.search(tag)
    if url is None or url.group(2) not in LOCAL_PATH_BY_CDN_URL:
        return tag
    local_url = f'{url.group(1)}"{LOCAL_PATH_BY_CDN_URL[url.group(2)]}"'
    return SRI_ATTRIBUTES.sub("", tag[: url.start()] + local_url + tag[url.end():])


def referenced_urls(html):
    """Return the src/href of every <script> and <link> tag in html."""
    return [url.group(2) for tag in TAG.findall(html) if (url := URL_ATTRIBUTE.search(tag))]


def localize_pages(html_dir):
    """Point the CDN tags of every html_dir/*.html at vendor/; return the files changed.

    Raises VendorError, before writing anything, if a remote script or stylesheet would remain
    or if a CDN tag of ASSETS was not found (both mean asv changed its template).
    """
    originals = {path: path.read_text(encoding="utf-8") for path in sorted(html_dir.glob("*.html"))}
    if not originals:
        raise VendorError(f"no *.html in {html_dir}; run `asv publish` first")
    pages = {path: TAG.sub(localize_tag, html) for path, html in originals.items()}
    references = {url for html in pages.values() for url in referenced_urls(html)}
    remote = sorted(url for url in references if REMOTE_URL.match(url))
    if remote:
        raise VendorError(
            "these scripts/stylesheets would still load from the internet (asv's template changed? "
            "add them to ASSETS in tools/dashboard/assets.py):\n  " + "\n  ".join(remote)
        )
    missing = sorted(url for url, path in LOCAL_PATH_BY_CDN_URL.items() if path not in references)
    if missing:
        raise VendorError(
            f"the html in {html_dir} does not load these (asv's template changed? "
            "update ASSETS in tools/dashboard/assets.py):\n  " + "\n  ".join(missing)
        )
    changed = [path for path in pages if pages[path] != originals[path]]
    for path in changed:
        path.write_text(pages[path], encoding="utf-8")
    return changed


def vendor(html_dir, cache_dir=DEFAULT_CACHE_DIR):
    """Vendor every asset into html_dir and point its html at them; return the html changed."""
    html_dir = Path(html_dir)
    if not html_dir.is_dir():
        raise VendorError(f"{html_dir} is not a directory; run `asv publish` first")
    write_assets(html_dir, cache_dir)
    return localize_pages(html_dir)


def main(argv=None):
    """Command line: vendor the assets into HTML_DIR; on failure exit 1 with the message."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html_dir", nargs="?", type=Path, default=DEFAULT_HTML_DIR,
                        help="the directory asv publish wrote (default: html/ in the repository)")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR,
                        help=f"where downloaded tarballs are kept (default: {DEFAULT_CACHE_DIR})")
    args = parser.parse_args(argv)
    try:
        changed = vendor(args.html_dir, args.cache_dir)
    except VendorError as error:
        sys.exit(f"assets: error: {error}")
    pages = ", ".join(path.name for path in changed) or "none, already offline"
    print(f"{len(ASSETS)} files in {args.html_dir / VENDOR_DIR}; html changed: {pages}")


if __name__ == "__main__":
    main()
