"""Page layouts trafilatura misreads, rewritten in the parsed tree before it extracts the body.

Measured on pages of each class (tests/fixtures/layouts, bench/differential.py):
- Layout tables: trafilatura deletes every <table> when tables are not extracted, so a page laid out with a
  table (a side cell with the menu, the article in the next cell; nested tables; text straight in a <td>)
  has no body left and goes to its baseline, which returns the whole page as one paragraph. A table that
  holds a page's blocks is a layout, not data: it becomes <div>s, and the data tables inside it stay tables.
- <br> paragraphs: many Arabic CMSs (ASP.NET labels, PHP sites, <font> pages) write a body as one run of
  text with <br> between paragraphs. With no <p> in sight trafilatura's main pass finds nothing and the
  baseline merges everything; each run of text between <br>s becomes a <p>.
- <noscript> bodies: an application shell whose article is only in <noscript>, which trafilatura deletes.
"""
from __future__ import annotations

from lxml.html import HtmlElement

# elements whose presence in a table cell makes the table a page layout
_BLOCKS = frozenset({"div", "p", "table", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "form", "blockquote",
                     "center", "section", "article", "header", "footer", "nav", "main", "aside", "dl", "pre"})
_TABLE_PARTS = frozenset({"tr", "td", "th"})
_TABLE_GROUPS = frozenset({"tbody", "thead", "tfoot", "caption", "colgroup"})
# containers whose <br>-separated text is read as paragraphs (a <p> keeps its <br>s: extract.py splits there)
_BR_CONTAINERS = frozenset({"div", "span", "font", "td", "th", "center", "section", "article", "main", "body",
                            "form", "blockquote", "dd", "b", "strong"})
LONG_CELL_CHARS = 100  # a data table's cells are short; a layout's cells hold the article's paragraphs
MENU_LINKS, MENU_LINK_SHARE = 4, 0.6  # a layout cell with this many links making this share of its text
PARAGRAPH_CHARS = 60  # a run of text this long, outside links, makes a <br> container running text
NOSCRIPT_CHARS = 200


def repair_layouts(tree: HtmlElement) -> None:
    """Rewrite, in place, the layouts above so that trafilatura sees blocks and paragraphs."""
    _unwrap_layout_tables(tree)
    _reveal_noscript_body(tree)
    for container in dict.fromkeys(br.getparent() for br in tree.iter("br")):
        # never a <p> inside a <p>: a paragraph's own <br>s are split after extraction (extract.py)
        if container is not None and container.tag in _BR_CONTAINERS and next(container.iterancestors("p"), None) is None:
            _paragraphs_from_br_runs(container)


def is_layout_table(table: HtmlElement) -> bool:
    if table.get("role") in ("presentation", "none") or table.find(".//table") is not None:
        return True
    for cell in table.iter("td", "th"):
        if any(child.tag in _BLOCKS for child in cell.iterdescendants()):
            return True
        if _text_outside_links(cell) >= LONG_CELL_CHARS:
            return True
    return False


def _unwrap_layout_tables(tree: HtmlElement) -> None:
    """Each layout table becomes <div>s; a cell made of links (a side menu) becomes a <nav>, which
    trafilatura leaves out."""
    layouts = [t for t in tree.iter("table") if is_layout_table(t)]
    parts = [(table, _own_parts(table)) for table in layouts]  # read before any table is renamed
    for table, own in parts:
        table.tag = "div"
        for element in own:
            if element.tag in _TABLE_GROUPS:
                element.drop_tag()
            elif element.tag in ("td", "th") and _is_menu(element):
                element.tag = "nav"
            else:
                element.tag = "div"


def _own_parts(table: HtmlElement) -> list[HtmlElement]:
    """Rows, cells and groups of this table, not of the tables nested in it."""
    return [e for e in table.iter(*_TABLE_PARTS, *_TABLE_GROUPS) if next(e.iterancestors("table")) is table]


def _is_menu(cell: HtmlElement) -> bool:
    links = cell.findall(".//a")
    if len(links) < MENU_LINKS:
        return False
    text = len("".join(cell.text_content().split()))
    return text > 0 and sum(len("".join(a.text_content().split())) for a in links) >= MENU_LINK_SHARE * text


def _reveal_noscript_body(tree: HtmlElement) -> None:
    """A <noscript> holding more text than the rest of the page is where the article is."""
    candidates = [n for n in tree.iter("noscript") if len(n.text_content()) >= NOSCRIPT_CHARS]
    if not candidates:
        return
    body = tree.find("body")
    total = len((body if body is not None else tree).text_content())
    for noscript in candidates:
        inside = len(noscript.text_content())
        if inside > total - inside:
            noscript.tag = "div"


def _text_outside_links(element: HtmlElement) -> int:
    links = sum(len(a.text_content()) for a in element.iter("a"))
    return len(element.text_content()) - links


def _paragraphs_from_br_runs(container: HtmlElement) -> None:
    """text<br><br>text<br>text -> <p>text</p><p>text</p><p>text</p>, when the runs are running text.

    Inline children (links, bold, spans) stay inside their run; a block child ends the run before it.
    A menu of links separated by <br>s is left alone: no run there has text of its own.
    """
    runs: list[list] = [[container.text]]  # each run: leading text, then (element) children
    items: list = []  # runs and block children, in order
    for child in list(container):
        if child.tag == "br":
            items.append(runs[-1])
            runs.append([child.tail])
        elif child.tag in _BLOCKS:
            items.append(runs[-1])
            items.append(child)
            runs.append([child.tail])
        else:
            runs[-1].append(child)
    items.append(runs[-1])
    texts = [r for r in items if isinstance(r, list) and _run_has_text(r)]
    if len(texts) < 2 or not any(_run_text_outside_links(r) >= PARAGRAPH_CHARS for r in texts):
        return
    for child in list(container):
        if child.tag == "br":
            container.remove(child)  # its tail, the next run's text, goes with it
        elif child.tag in _BLOCKS:
            child.tail = None
    container.text = None
    position = 0
    for item in items:
        if not isinstance(item, list):
            position = container.index(item) + 1
            continue
        if not _run_has_text(item):
            continue
        paragraph = container.makeelement("p", {})
        paragraph.text = item[0]
        for child in item[1:]:
            paragraph.append(child)  # moves it, tail included
        container.insert(position, paragraph)
        position += 1


def _run_has_text(run: list) -> bool:
    return bool((run[0] or "").strip()) or any(
        isinstance(c.tag, str) and (c.text_content().strip() or (c.tail or "").strip()) for c in run[1:])


def _run_text_outside_links(run: list) -> int:
    total = len((run[0] or "").strip())
    for child in run[1:]:
        if isinstance(child.tag, str):
            total += len((child.tail or "").strip())
            if child.tag != "a":
                total += _text_outside_links(child)
    return total
