-- Drive Neovim 0.11 (headless) as a user citing a paper with the omnifunc <C-x><C-o>, after
-- the user's init (editors/nvim/init-omnifunc.lua): in each \cite{}, type the query, open the
-- menu, pick the paper, accept, :wall; then quit. The environment (CITELS_TEST_*) names the
-- query, the title, the key and the report file.
vim.o.swapfile = false
vim.o.showmode = false
vim.opt.shortmess:append('c')
local env = vim.env
local data = { steps = {} }
local function finish(err)
  data.error = err
  vim.fn.writefile({ vim.json.encode(data) }, env.CITELS_TEST_REPORT)
  vim.cmd(err and 'cquit! 1' or 'qall!')
end
vim.defer_fn(function() finish('watchdog: 40 s') end, 40000)
local function keys(s)
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(s, true, false, true), 'nt', false)
end
local function poll(pred, timeout_ms, next_step, what)
  local start = vim.uv.now()
  local function tick()
    local ok, value = pcall(pred)
    if ok and value then
      local done, err = pcall(next_step)
      if not done then finish(tostring(err)) end
    elseif vim.uv.now() - start > timeout_ms then
      finish('timeout waiting for ' .. what)
    else
      vim.defer_fn(tick, 20)
    end
  end
  tick()
end

local cite
local function save(round)
  vim.cmd('silent wall')
  table.insert(data.steps, 'saved ' .. round)
  if round == 1 then return vim.defer_fn(function() cite(2) end, 500) end
  -- the entry may be written just after the save: a person glances at the .bib
  local glance = vim.uv.now()
  poll(function()
    local bib = table.concat(vim.fn.readfile('refs.bib'), '\n')
    return bib:find(env.CITELS_TEST_KEY, 1, true) or vim.uv.now() - glance > 3000
  end, 5000, function() vim.cmd('silent! wall'); finish(nil) end, 'a glance')
end

cite = function(round)
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  vim.fn.search('\\\\cite{}', 'W')
  vim.cmd('normal! f{')
  keys('a' .. env.CITELS_TEST_TYPED .. '<C-x><C-o>')
  poll(function() return vim.fn.pumvisible() == 1 end, 15000, function()
    local info = vim.fn.complete_info({ 'items', 'selected' })
    data.received = #info.items
    data.offered, data.completed_from = {}, env.CITELS_TEST_TYPED
    local index
    for i, item in ipairs(info.items) do
      table.insert(data.offered, item.abbr ~= '' and item.abbr or item.word)
      if item.abbr == env.CITELS_TEST_TITLE and not index then index = i - 1 end
    end
    if not index then return finish('the completion offered no ' .. env.CITELS_TEST_TITLE) end
    local moves = info.selected < 0 and index + 1 or index - info.selected
    keys(string.rep('<C-n>', moves) .. '<C-y><Esc>')
    poll(function() return vim.api.nvim_get_mode().mode == 'n' end, 5000, function()
      table.insert(data.steps, 'accepted ' .. round)
      data['line_' .. round] = vim.api.nvim_get_current_line()
      -- a person's pause: whatever accepting started (a command, an edit) lands meanwhile
      vim.defer_fn(function() save(round) end, 1000)
    end, 'normal mode')
  end, 'the completion menu')
end

vim.api.nvim_create_autocmd('LspAttach', {
  callback = function(args)
    if vim.api.nvim_buf_get_name(args.buf):match('main%.tex$') and #data.steps == 0 then
      table.insert(data.steps, 'server attached')
      vim.schedule(function() cite(1) end)
    end
  end,
})
vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  nested = true, -- so that :edit fires FileType and the client starts
  callback = function() vim.cmd('edit main.tex') end,
})
