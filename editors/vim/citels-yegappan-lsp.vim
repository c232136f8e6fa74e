" citels in Vim 9 with yegappan/lsp: paste into your vimrc.
autocmd User LspSetup call LspAddServer([#{
\   name: 'citels',
\   filetype: ['tex', 'plaintex', 'markdown', 'bib'],
\   path: 'citels',
\   args: ['serve'],
\ }])
