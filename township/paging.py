"""Pages of long lists whose full count would cost more than the page itself.

A county's visits or households run to hundreds of thousands of rows: counting them all for
"page 1 of N" would take longer than showing the page. ``BoundedPaginator`` counts no
further than a few pages past the page asked for (and at least ``BOUND`` rows): below that
the count is exact, above it the pager says "more than". Paging on moves the bound with it.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

BOUND = 1000
PAGES_AHEAD = 5
MOST_PAGES = 100_000


class BoundedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, asked=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        try:
            # A page beyond any list is answered with the last one (``get_page``); the
            # bound must stay a number the database takes.
            page = min(max(1, int(asked)), MOST_PAGES)
        except (TypeError, ValueError):
            page = 1
        self.bound = max(BOUND, (page + PAGES_AHEAD) * per_page)
        self.more = False

    @cached_property
    def count(self) -> int:
        counted = self.object_list.order_by()[: self.bound + 1].count()
        self.more = counted > self.bound
        return min(counted, self.bound)


def page_of(object_list, per_page: int, request, *, param: str = "page"):
    """The page of ``object_list`` the request asks for, counted no further than needed."""
    asked = request.GET.get(param)
    return BoundedPaginator(object_list, per_page, asked=asked).get_page(asked)


class CountedPaginator(Paginator):
    """A paginator told its count by ``count()``, read when the pager needs it (a count kept
    elsewhere: ``households.selectors.households_count``)."""

    def __init__(self, object_list, per_page, *, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count()
