#!/usr/bin/env python3
"""Fails on a broken link or image in the built book: every relative href and src must name a
file the build wrote, and every #fragment an id in that file. `check_links.py target/book`."""
import html.parser, pathlib, sys, urllib.parse

root = pathlib.Path(sys.argv[1]).resolve()

class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if a.get(key) and tag in ("a", "img", "link", "script"):
                self.links.append(a[key])

pages = {}
for f in root.rglob("*.html"):
    p = Page()
    p.feed(f.read_text(encoding="utf-8"))
    pages[f.resolve()] = p
broken = []
for f, p in pages.items():
    if f.name in ("print.html", "404.html", "toc.html"):
        continue  # mdBook's own pages; every chapter is checked where it lives
    for link in p.links:
        u = urllib.parse.urlparse(link)
        if u.scheme or link.startswith("//") or link.startswith("mailto:"):
            continue
        target = f if not u.path else (f.parent / urllib.parse.unquote(u.path)).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            broken.append(f"{f.relative_to(root)}: {link} (no such file)")
        elif u.fragment and target.suffix == ".html" and u.fragment not in pages[target].ids:
            broken.append(f"{f.relative_to(root)}: {link} (no #{u.fragment} there)")
if broken:
    print("broken links in the book:\n  " + "\n  ".join(broken), file=sys.stderr)
    sys.exit(1)
print(f"book: {len(pages)} pages, every link and image resolves")
