-- citels in Neovim 0.11+ with nothing but the built-in client: paste into init.lua once the
-- plugin (editors/nvim) is on your runtimepath. Complete with <C-x><C-o> (Neovim sets
-- 'omnifunc' to vim.lsp.omnifunc when the server attaches).
vim.lsp.enable('citels')
