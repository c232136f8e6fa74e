---@brief
--- citels: cite papers by what you remember of them (title words, abstract words, typos,
--- acronyms) in LaTeX and Markdown; hover for the abstract; accepting a paper writes its
--- BibTeX entry into the document's bibliography.
---
--- Install the server (`pip install citels`, or `pip install -e .` in a checkout), put this
--- plugin on the runtimepath, then:
---
--- ```lua
--- vim.lsp.enable('citels')
--- ```
---
--- Override anything with `vim.lsp.config`, for example your own corpus and citation macro:
---
--- ```lua
--- vim.lsp.config('citels', {
---   settings = { citels = { corpus = { '~/papers/library.bib' }, citationCommands = { 'mycite' } } },
--- })
--- ```

---@type vim.lsp.Config
return {
  cmd = { 'citels', 'serve' },
  filetypes = { 'tex', 'plaintex', 'markdown', 'quarto', 'rmd', 'bib', 'typst', 'org' },
  root_markers = { '.git', 'latexmkrc', '.latexmkrc', '_quarto.yml', '.citels' },
  settings = { citels = {} },
  -- The server reads `citels` settings through workspace/configuration; Neovim answers
  -- from `settings` above.
}
