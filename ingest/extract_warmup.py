"""Imported by the extraction workers' fork server (ingest.extract_pool): the import is the warm-up.

Why: every extraction process otherwise pays the same one-off costs by itself: importing
trafilatura, htmldate and lxml (~0.4 s of CPU); the first time htmldate hands a date to
dateparser, building dateparser's split and relative-date regexes for all ~200 locales
(~3 s of CPU, `regex` compiles them in Python); and, on the pages that need them,
reading justext's stop lists of all languages and the public-suffix list (~0.3 s). Two workers paid this twice per crawl, ~7 s
of CPU, a tenth of all extraction time of a 1,000-page crawl on two cores. The fork server
pays it once, and every worker forked from it starts with those tables built.

Only caches are filled: a page gives the same document warm or cold (htmldate's parser is
built without `try_previous_locales`, so dates seen before do not change the order in which
locales are tried; a test compares warm and cold results).
"""
from __future__ import annotations

# letters that no locale knows, so that every locale is tried (and its regexes built)
UNKNOWN_DATE = "zqxv 2020"


def warm() -> bool:
    """Import the extractor, build dateparser's locale tables, read the stop and suffix lists; False on failure.

    Never raises: the fork server only survives ImportError from its preloaded modules,
    and a failed warm-up must cost nothing but the time it would have saved."""
    try:
        from courlan.urlutils import get_tldinfo
        from htmldate.extractors import get_external_parser
        from trafilatura import external

        import ingest.extract  # noqa: F401 - the import is the point: trafilatura, htmldate, lxml

        get_external_parser().get_date_data(UNKNOWN_DATE)
        if external.JT_STOPLIST is None:   # what trafilatura's justext fallback does on first use
            external.jt_stoplist_init()
        get_tldinfo("https://www.example.org/")   # loads the public-suffix list
    except Exception:  # noqa: BLE001 - see the docstring
        return False
    return True


warm()
