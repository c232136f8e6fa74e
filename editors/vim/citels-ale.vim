" citels in Vim (or Neovim) with ALE: paste into your vimrc. `citels' must be on your PATH.
" Debian's vim-ale is an optional package: add `packadd! ale` before this.
" Complete with <C-x><C-o> after ONE word that starts the key, e.g. \cite{mirror:
" ALE completes only the word before the cursor and keeps only items starting with it.
filetype plugin on
for s:filetype in ['tex', 'plaintex', 'markdown', 'bib']
  call ale#linter#Define(s:filetype, {
  \   'name': 'citels',
  \   'lsp': 'stdio',
  \   'executable': 'citels',
  \   'command': '%e serve',
  \   'project_root': {buffer -> fnamemodify(bufname(buffer), ':p:h')},
  \})
endfor
set omnifunc=ale#completion#OmniFunc
