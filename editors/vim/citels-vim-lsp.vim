" citels in Vim with vim-lsp (prabirshrestha/vim-lsp): paste into your vimrc.
if executable('citels')
  autocmd User lsp_setup call lsp#register_server({
  \   'name': 'citels',
  \   'cmd': {server_info -> ['citels', 'serve']},
  \   'allowlist': ['tex', 'plaintex', 'markdown', 'bib'],
  \ })
endif
