;;; citels-eglot.el --- citels in Emacs with eglot (built in since Emacs 29; the `eglot' package before)
;; Paste into your init file. `citels' must be on your PATH (`pipx install .' in a citels checkout).
;; Attaching citels to BibTeX files too lets it add entries to a .bib you have open.
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               '((latex-mode LaTeX-mode tex-mode plain-tex-mode markdown-mode bibtex-mode)
                 . ("citels" "serve"))))
(dolist (hook '(latex-mode-hook LaTeX-mode-hook markdown-mode-hook bibtex-mode-hook))
  (add-hook hook #'eglot-ensure))
