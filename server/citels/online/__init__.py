"""Identifiers no index holds, looked up in public metadata services, only when the user
turns it on (`citels.online`): Crossref and DataCite for DOIs, the arXiv API for arXiv ids.

One module per service maps its documented response to a CSL-JSON item (the format citels
already reads from Zotero, so a looked-up paper is read, keyed and written as BibTeX like
any other); `http.py` is the cached, bounded HTTP client; `lookup.py` says which service
answers which identifier; `kept.py` keeps what was found as papers of an index of its own.
Nothing here raises for a network failure, a timeout, a 404 or garbage: that is "not
found", logged at debug level.
"""
