"""tools/dashboard/assets.py makes asv's dashboard template load nothing from the internet.

The tarballs come from the shared cache (assets.DEFAULT_CACHE_DIR: .asv/vendor-cache/, or
$NPOPT_VENDOR_CACHE), so only the first run downloads them.
"""
import io
import re
import shutil
import tarfile
from html.parser import HTMLParser
from pathlib import Path

import asv
import pytest

from tools.dashboard import assets

ASV_WWW = Path(asv.__file__).parent / "www"


class ResourceCollector(HTMLParser):
    """Collects the src of <script> tags and the href of stylesheet <link> tags.

    (Other links, like the regressions.xml feed, point at files that only `asv publish` writes.)
    """

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and "stylesheet" in attrs.get("rel", "").split() and attrs.get("href"):
            self.urls.append(attrs["href"])


def resource_urls(html_dir):
    """Return the script src and stylesheet href of every html file in html_dir."""
    collector = ResourceCollector()
    for page in html_dir.glob("*.html"):
        collector.feed(page.read_text(encoding="utf-8"))
    return collector.urls


def snapshot(directory):
    """Map every file under directory to its bytes."""
    return {path: path.read_bytes() for path in directory.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def html_dir(tmp_path_factory):
    """A copy of asv's dashboard template, vendored."""
    html = tmp_path_factory.mktemp("offline") / "html"
    shutil.copytree(ASV_WWW, html)
    assets.vendor(html, assets.DEFAULT_CACHE_DIR)
    return html


def test_template_is_what_the_table_expects():
    template = (ASV_WWW / "index.html").read_text(encoding="utf-8")
    for url in assets.LOCAL_PATH_BY_CDN_URL:
        assert f'"{url}"' in template


def test_no_remote_script_or_stylesheet_remains(html_dir):
    urls = resource_urls(html_dir)
    assert set(assets.LOCAL_PATH_BY_CDN_URL.values()) <= set(urls)
    assert [url for url in urls if re.match(r"(https?:)?//", url)] == []


def test_every_referenced_file_exists(html_dir):
    for url in resource_urls(html_dir):
        assert (html_dir / url).is_file(), url


def test_cdn_tags_lose_their_sri_attributes(html_dir):
    index = (html_dir / "index.html").read_text(encoding="utf-8")
    for attribute in ("integrity=", "crossorigin=", "referrerpolicy="):
        assert attribute not in index


def test_bootstrap_fonts_exist(html_dir):
    css = html_dir / assets.LOCAL_PATH_BY_CDN_URL[
        "https://cdn.jsdelivr.net/npm/bootstrap@3.1.1/dist/css/bootstrap.min.css"]
    fonts = {re.split(r"[?#]", url)[0] for url in re.findall(r"url\(([^)]*)\)", css.read_text())}
    assert {Path(font).suffix for font in fonts} == {".eot", ".svg", ".ttf", ".woff"}
    for font in fonts:
        assert (css.parent / font).is_file(), font


def test_stupidtable_provides_what_asv_calls(html_dir):
    script = (html_dir / "vendor/stupid-table-plugin/stupidtable.min.js").read_text()
    assert "fn.stupidtable=" in script
    assert "fn.stupidsort=" in script


def test_running_twice_changes_nothing(html_dir):
    before = snapshot(html_dir)
    assert assets.vendor(html_dir, assets.DEFAULT_CACHE_DIR) == []
    assert snapshot(html_dir) == before


def fake_tarball():
    """Return a small valid .tgz that matches no pinned integrity."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tarball:
        content = b"window.jQuery = 'not jquery';"
        info = tarfile.TarInfo("package/dist/jquery.min.js")
        info.size = len(content)
        tarball.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def test_tampered_cached_tarball_is_rejected(tmp_path):
    (tmp_path / assets.JQUERY.tarball_name).write_bytes(fake_tarball())
    with pytest.raises(assets.VendorError, match="integrity mismatch for jquery-3.3.1.tgz"):
        assets.fetch_tarball(assets.JQUERY, tmp_path)


def test_tampered_download_is_rejected_and_not_cached(tmp_path, monkeypatch):
    monkeypatch.setattr(assets.urllib.request, "urlopen",
                        lambda url, timeout: io.BytesIO(fake_tarball()))
    with pytest.raises(assets.VendorError, match="integrity mismatch for jquery-3.3.1.tgz"):
        assets.fetch_tarball(assets.JQUERY, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_template_without_an_expected_cdn_tag_fails(tmp_path):
    template = (ASV_WWW / "index.html").read_text(encoding="utf-8")
    jquery = re.search(r'<script src="https://code\.jquery\.com/[^>]*></script>', template).group(0)
    (tmp_path / "index.html").write_text(template.replace(jquery, ""))
    with pytest.raises(assets.VendorError, match="jquery-3.3.1.min.js"):
        assets.localize_pages(tmp_path)
    assert (tmp_path / "index.html").read_text() == template.replace(jquery, "")


def test_unknown_remote_script_fails(tmp_path):
    template = (ASV_WWW / "index.html").read_text(encoding="utf-8")
    unknown = '<script src="https://cdn.example.org/new.js"></script>'
    (tmp_path / "index.html").write_text(template.replace("</head>", unknown + "</head>"))
    with pytest.raises(assets.VendorError, match="cdn.example.org/new.js"):
        assets.localize_pages(tmp_path)


def test_command_line_exits_with_the_error_message(tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        assets.main([str(tmp_path / "missing"), "--cache-dir", str(tmp_path)])
    assert exit_info.value.code.startswith(f"assets: error: {tmp_path / 'missing'} is not")
