" citels in Vim (or Neovim) with ALE: paste into your vimrc. `citels' must be on your PATH.
" Debian's vim-ale is an optional package: add `packadd! ale` before this.
" Complete with <C-x><C-o> after a few words of a title, e.g. \cite{mirror desc.
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
