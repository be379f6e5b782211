"""The bundled offline demo site (see site.py)."""
from crawler.demo.site import EXPECTED, DemoServer, build_site, sources_toml

__all__ = ["EXPECTED", "DemoServer", "build_site", "sources_toml"]
