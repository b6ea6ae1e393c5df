"""Our pages of the dashboard (overview, claims, machines, gate) and their links in asv's navigation
bar, rendered from the Jinja2 templates in templates/. The tools that compute a page hand it plain data."""
from pathlib import Path

import jinja2

from tools.dashboard.assets import FLOT_JS, JQUERY_JS, OVERVIEW_JS

TEMPLATES = Path(__file__).with_name("templates")
ENVIRONMENT = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                 undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
ENVIRONMENT.globals.update(chart_scripts=[asset.local_path for asset in (JQUERY_JS, FLOT_JS)],
                           chart_code=OVERVIEW_JS.read_text())


def render(template, **data):
    """The text of templates/<template> filled in with data."""
    return ENVIRONMENT.get_template(template).render(**data)


def write(path, template, **data):
    """Write templates/<template>, filled in with data, to path."""
    with open(path, "w") as f:
        f.write(render(template, **data))
