-- Drive real Neovim (headless) with the citels plugin: type a citation query, open the
-- completion menu, accept the first paper, save, hover the key. Writes a JSON report.
-- Environment: CITELS_PLUGIN (editors/nvim), CITELS_FILE, CITELS_LINE (1-based line to
-- append to), CITELS_TYPE (text typed there), CITELS_OUT (report path).
local plugin, file = assert(vim.env.CITELS_PLUGIN), assert(vim.env.CITELS_FILE)
local line_number, typed = tonumber(assert(vim.env.CITELS_LINE)), assert(vim.env.CITELS_TYPE)
local out = assert(vim.env.CITELS_OUT)
vim.opt.rtp:prepend(plugin)
vim.o.swapfile = false
vim.o.showmode = false
vim.opt.shortmess:append('c')
vim.o.completeopt = 'menuone,noselect,popup'

local uv = vim.uv
local t0 = uv.hrtime()
local function ms() return math.floor((uv.hrtime() - t0) / 1e6) end
local result = { nvim = vim.fn.execute('version'):match('NVIM v[^\n]+'), log = {} }
local function log(s) table.insert(result.log, ms() .. 'ms ' .. s) end
local function finish(ok, err)
  result.ok, result.error, result.total_ms = ok, err, ms()
  vim.fn.writefile({ vim.json.encode(result) }, out)
  vim.cmd(ok and 'qall!' or 'cquit! 1')
end
vim.defer_fn(function() finish(false, 'watchdog: 45 s') end, 45000)

local function keys(s)
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(s, true, false, true), 'n', false)
end
local function poll(pred, timeout, cb, what)
  local start = ms()
  local function tick()
    local ok, value = pcall(pred)
    if ok and value then return cb() end
    if ms() - start > timeout then return finish(false, 'timeout waiting for ' .. what) end
    vim.defer_fn(tick, 20)
  end
  tick()
end

local function hover_text(bufnr, row, col)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = row, character = col },
  }
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, 10000) or {}
  for _, response in pairs(responses) do
    local hover = response.result
    if hover and hover.contents then return hover.contents.value end
  end
  return ''
end

vim.lsp.enable('citels') -- everything else comes from the plugin's lsp/citels.lua

vim.api.nvim_create_autocmd('LspAttach', {
  callback = function(args)
    local client = vim.lsp.get_client_by_id(args.data.client_id)
    -- only the document under test (the .bib the server edits attaches later)
    if client.name ~= 'citels' or vim.api.nvim_buf_get_name(args.buf) ~= vim.fn.fnamemodify(file, ':p') then
      return
    end
    log('attached')
    vim.lsp.completion.enable(true, client.id, args.buf, { autotrigger = true })
    vim.schedule(function()
      vim.api.nvim_win_set_cursor(0, { line_number, 0 })
      keys('A' .. typed)
      -- ask for completion at the end of what was typed (the real menu, not a request)
      poll(function() return vim.api.nvim_get_current_line():sub(-#typed) == typed end, 5000,
        function()
          vim.lsp.completion.get()
          poll(function()
            local info = vim.fn.complete_info({ 'items' })
            return vim.fn.pumvisible() == 1 and #info.items > 0
          end, 15000, function()
            local info = vim.fn.complete_info({ 'items', 'selected' })
            result.menu = {}
            for _, item in ipairs(info.items) do
              table.insert(result.menu, { word = item.word, abbr = item.abbr, menu = item.menu })
            end
            log('menu of ' .. #info.items)
            keys((info.selected == -1 and '<C-n>' or '') .. '<C-y><Esc>')
            poll(function() return vim.api.nvim_get_mode().mode == 'n' end, 5000, function()
              result.line = vim.api.nvim_buf_get_lines(0, line_number - 1, line_number, false)[1]
              local key = result.menu[1].word:gsub('^@', '')
              -- the entry is appended on disk (the .bib is not open), or, for an open .bib,
              -- arrives through workspace/applyEdit into its buffer: then save it
              poll(function()
                for _, buf in ipairs(vim.api.nvim_list_bufs()) do
                  local name = vim.api.nvim_buf_get_name(buf)
                  if name:match('%.bib$') and vim.api.nvim_buf_is_loaded(buf) then
                    local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
                    if text:find(key, 1, true) then return true end
                  end
                end
                for _, name in ipairs(vim.fn.glob(vim.fn.fnamemodify(file, ':p:h') .. '/*.bib', false, true)) do
                  if table.concat(vim.fn.readfile(name), '\n'):find(key, 1, true) then return true end
                end
              end, 10000, function()
                vim.cmd('silent! wall')
                local row = line_number - 1
                local col = result.line:find(key, 1, true) -- 1-based start: inside the key
                -- Neovim sends buffer changes to the server debounced: ask until the server
                -- has the accepted text (a person hovers later than this script does).
                poll(function()
                  result.hover = hover_text(0, row, col)
                  return result.hover ~= ''
                end, 5000, function() finish(true) end, 'a hover on the key')
              end, 'the BibTeX entry in the bibliography buffer')
            end, 'normal mode')
          end, 'the completion menu')
        end, 'the typed text')
    end)
  end,
})

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  nested = true, -- so that :edit fires FileType and the client starts
  callback = function() vim.cmd('edit ' .. vim.fn.fnameescape(file)) end,
})
