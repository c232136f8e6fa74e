"""The writer's own bibliography files, one module for each thing citels does with them.

- `locate`: which bibliographies a document uses, and the file its new entries go to;
- `entry`: a paper rendered as a BibTeX entry;
- `append`: the append that ends a .bib file, everything before it left byte for byte;
- `read`: one entry of a user's .bib read back (for hover and go-to);
- `formats`: which of the above serve a file, chosen by its suffix (BibTeX, Hayagriva YAML);
- `hayagriva`: Typst's own format, read and written.

Reading bibliographies into the search index is the corpus readers' job (`citels.corpus`).
"""
