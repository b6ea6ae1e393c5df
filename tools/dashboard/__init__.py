"""The dashboard in html/: asv's pages published with ours (publish), our pages rendered from the
templates in templates/ (pages), the scripts and styles they load, vendored for offline use (assets),
and a local server for it all (serve)."""
