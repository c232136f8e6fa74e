;;; citels-lsp-mode.el --- citels in Emacs with lsp-mode
;; Paste into your init file. `citels' must be on your PATH (`pipx install .' in a citels checkout).
;; An add-on server: it runs beside texlab or digestif if you use one of them.
(with-eval-after-load 'lsp-mode
  (lsp-register-client
   (make-lsp-client :new-connection (lsp-stdio-connection '("citels" "serve"))
                    :activation-fn (lsp-activate-on "latex" "tex" "markdown" "bibtex")
                    :add-on? t
                    :server-id 'citels)))
(dolist (hook '(latex-mode-hook LaTeX-mode-hook markdown-mode-hook bibtex-mode-hook))
  (add-hook hook #'lsp-deferred))
