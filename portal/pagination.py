"""A long list a page at a time: which page is shown, how many there are, where it starts.

A list's own page (access.service.LogPage, office.accounts.AccountPage) is a Page with its
items added; `paginate` picks the page to show, `page_number` reads ?pagina=... from an
address, and the template's links are the `pager` macro (templates/macros/ui.html).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    page: int  # the page shown, from 1
    pages: int  # at least 1: an empty list has one empty page
    total: int  # items in the whole list

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def previous_page(self) -> int:
        return self.page - 1

    @property
    def next_page(self) -> int:
        return self.page + 1


def paginate(total: int, requested: int, per_page: int) -> tuple[Page, int]:
    """The page to show of a list of `total` items, `per_page` a page - the one `requested`,
    kept between the first and the last - and the offset of its first item."""
    pages = max(1, -(-total // per_page))
    page = min(max(1, requested), pages)
    return Page(page=page, pages=pages, total=total), (page - 1) * per_page


def page_number(text: str | None) -> int:
    """?pagina=... as a page number: anything that is no positive whole number is page 1."""
    cleaned = (text or "").strip()
    if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > 6:
        return 1
    return max(1, int(cleaned))
