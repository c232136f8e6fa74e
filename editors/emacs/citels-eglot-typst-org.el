;;; citels-eglot-typst-org.el --- citels for Org and Typst files in Emacs with eglot
;; Paste into your init file after citels-eglot.el. Org citations are org-cite's
;; ([cite:@key]); Typst needs the typst-ts-mode package. citels knows a Typst file by its .typ
;; ending whatever language id eglot sends.
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               '((org-mode typst-ts-mode) . ("citels" "serve"))))
(dolist (hook '(org-mode-hook typst-ts-mode-hook))
  (add-hook hook #'eglot-ensure))
