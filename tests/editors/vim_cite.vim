" Drive Vim (ALE) as a user citing a paper, after the user's vimrc, with main.tex loaded.
" In each \cite{}: type the query, <C-x><C-o>, pick the paper, accept, :wall; then quit.
" The environment (CITELS_TEST_*) names the query, the title, the key and the report file.
let s:data = {'steps': [], 'error': v:null}
let s:typed = $CITELS_TEST_TYPED

function! s:Finish(error) abort
  let s:data.error = a:error
  call writefile([json_encode(s:data)], $CITELS_TEST_REPORT)
  if a:error is v:null | qall! | else | cquit! | endif
endfunction

function! s:Step(name) abort
  call add(s:data.steps, a:name)
endfunction

" Call Next() once Pred() holds, checking every 20 ms without blocking Vim's event loop.
function! s:Poll(Pred, timeout_ms, Next, what) abort
  let s:poll = {'Pred': a:Pred, 'Next': a:Next, 'what': a:what, 'start': reltime(),
  \             'timeout': a:timeout_ms / 1000.0}
  call timer_start(20, function('s:Tick'))
endfunction

function! s:Tick(timer) abort
  try
    if s:poll.Pred()
      call s:poll.Next()
    elseif reltimefloat(reltime(s:poll.start)) > s:poll.timeout
      call s:Finish('timeout waiting for ' . s:poll.what)
    else
      call timer_start(20, function('s:Tick'))
    endif
  catch
    call s:Finish(v:exception . ' at ' . v:throwpoint)
  endtry
endfunction

function! s:Ready() abort
  for [l:id, l:conn] in items(ale#lsp#GetConnections())
    if get(l:conn, 'initialized', 0)
      call ale#lsp#RegisterCallback(l:id, function('s:CountItems'))
      return 1
    endif
  endfor
  return 0
endfunction

" How many items the server sent, before ALE's own filtering.
function! s:CountItems(conn_id, response) abort
  let l:result = get(a:response, 'result', v:null)
  if type(l:result) is v:t_dict && has_key(l:result, 'items')
    let s:data.received = len(l:result.items)
  endif
endfunction

function! s:Cite(round) abort
  call cursor(1, 1)
  call search('\\cite{}', 'W')
  normal! f{
  let s:round = a:round
  call feedkeys('a' . s:typed . "\<C-x>\<C-o>", 'nt')
  " the menu, or (when ALE kept no item) an answer and no menu
  let s:data.received = 0
  call s:Poll({-> pumvisible() || (s:data.received && getline('.') =~# s:typed
  \                                 && reltimefloat(reltime(s:poll.start)) > 3)},
  \           15000, function('s:Pick'), 'the completion menu')
endfunction

function! s:Pick() abort
  let l:items = complete_info(['items']).items
  let s:data.offered = map(copy(l:items), {_, item -> empty(get(item, 'abbr', '')) ? item.word : item.abbr})
  let s:data.completed_from = matchstr(getline('.')[: col('.') - 2], '\v[a-zA-Z$_][a-zA-Z$_0-9]*$')
  " the menu shows the title when the item has one, the key otherwise
  let l:index = index(map(copy(l:items), {_, item -> get(item, 'abbr', '') ==# $CITELS_TEST_TITLE
  \                                           || item.word ==# $CITELS_TEST_KEY}), 1)
  if l:index < 0
    return s:Finish('the completion offered no ' . $CITELS_TEST_TITLE)
  endif
  let l:selected = complete_info(['selected']).selected
  let l:moves = l:selected < 0 ? l:index + 1 : l:index - l:selected
  call feedkeys(repeat("\<C-n>", l:moves) . "\<C-y>\<Esc>", 'nt')
  call s:Poll({-> mode() ==# 'n'}, 5000, function('s:Accepted'), 'normal mode')
endfunction

function! s:Accepted() abort
  call s:Step('accepted ' . s:round)
  let s:data['line_' . s:round] = getline('.')
  " a person's pause: whatever accepting started (a command, an edit) lands meanwhile
  call timer_start(1000, function('s:Save'))
endfunction

function! s:Save(timer) abort
  try
    silent wall
    call s:Step('saved ' . s:round)
    if s:round == 1
      call timer_start(500, {-> s:Cite(2)})
    else
      " the entry may be written just after the save: a person glances at the .bib
      let s:glance = reltime()
      call s:Poll({-> match(readfile('refs.bib'), $CITELS_TEST_KEY) >= 0
      \              || reltimefloat(reltime(s:glance)) > 3}, 5000, function('s:Quit'), 'a glance')
    endif
  catch
    call s:Finish(v:exception . ' at ' . v:throwpoint)
  endtry
endfunction

function! s:Quit() abort
  silent! wall
  call s:Finish(v:null)
endfunction

set noswapfile nobackup nowritebackup shortmess+=c
call timer_start(40000, {-> s:Finish('watchdog: 40 s')})
call s:Poll(function('s:Ready'), 20000, {-> [s:Step('server attached'), s:Cite(1)]},
\           'the language server')
