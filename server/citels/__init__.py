"""citels: cite papers by title, abstract words, typos or acronyms from LaTeX and Markdown."""

__version__ = "0.1.0"
