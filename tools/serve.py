"""Serve the published asv dashboard on http://127.0.0.1:PORT/ until Ctrl-C.

asv pages need a web server (file:// does not work). This binds to 127.0.0.1 only.

Usage: python tools/serve.py [DIR] [--port PORT]   (DIR: default html/ in the repository;
--port 0 picks a free port)
"""
import argparse
import functools
import http.server
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "html"


def main(argv=None):
    """Serve the directory given on the command line and print its URL."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR,
                        help="the directory to serve (default: html/ in the repository)")
    parser.add_argument("--port", type=int, default=8080, help="default 8080; 0 picks a free port")
    args = parser.parse_args(argv)
    if not args.directory.is_dir():
        parser.error(f"{args.directory} is not a directory; run `make publish` first")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=args.directory)
    with http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler) as server:
        print(f"Serving {args.directory} at http://127.0.0.1:{server.server_address[1]}/ "
              "(Ctrl-C to stop)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print()


if __name__ == "__main__":
    main()
