-- :checkhealth citels — is the server installed, which version, how big is its corpus.
local M = {}

local function command()
  local config = vim.lsp.config and vim.lsp.config.citels
  return (config and config.cmd) or { 'citels', 'serve' }
end

function M.check()
  vim.health.start('citels')
  local cmd = command()
  local executable = type(cmd) == 'table' and cmd[1] or nil
  if not executable or vim.fn.executable(executable) == 0 then
    vim.health.error(
      ('`%s` is not executable'):format(tostring(executable)),
      { 'Install the server: pip install citels (or pip install -e . in a checkout)' }
    )
    return
  end
  vim.health.ok(('`%s` found at %s'):format(executable, vim.fn.exepath(executable)))
  local version = vim.system({ executable, '--version' }, { text = true }):wait()
  if version.code == 0 then
    vim.health.ok(vim.trim(version.stdout))
  else
    vim.health.warn('`citels --version` failed: ' .. vim.trim(version.stderr or ''))
  end
  local stats = vim.system({ executable, 'stats', '--json' }, { text = true }):wait(60000)
  if stats.code ~= 0 then
    vim.health.warn('`citels stats` failed: ' .. vim.trim(stats.stderr or ''))
    return
  end
  local ok, data = pcall(vim.json.decode, stats.stdout)
  if ok and type(data) == 'table' then
    vim.health.ok(('corpus: %d papers (%d titled, %d abstract-only)'):format(
      data.papers, data.titled, data.abstract_only))
  else
    vim.health.warn('`citels stats --json` printed something unexpected')
  end
end

return M
