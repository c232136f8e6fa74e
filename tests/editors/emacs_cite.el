;;; emacs_cite.el --- drive Emacs (eglot or lsp-mode) as a user citing a paper -*- lexical-binding: t -*-
;; emacs --batch -l emacs_start.el -l <the user's snippet> -l emacs_cite.el
;; In each `\cite{}' of main.tex: type the query, complete at point, accept the paper whose
;; label is the wanted title, save all buffers; then wait for the .bib, quit.  The environment
;; (CITELS_TEST_*) names the folder, the query, the title and the report file.
(require 'json)
(require 'seq)

(defvar citels-test-report (getenv "CITELS_TEST_REPORT"))
(defvar citels-test-title (getenv "CITELS_TEST_TITLE"))
(defvar citels-test-client (getenv "CITELS_TEST_CLIENT"))
(defvar citels-test-steps nil)
(defvar citels-test-data nil)
(defvar citels-test-t0 (float-time))

(defun citels-test-step (name)
  (push name citels-test-steps)
  (message "[%.1fs] %s" (- (float-time) citels-test-t0) name))

(defun citels-test-finish (error)
  (with-temp-file citels-test-report
    (insert (json-encode `((steps . ,(vconcat (reverse citels-test-steps)))
                           (error . ,error)
                           ,@citels-test-data))))
  (kill-emacs (if error 1 0)))

(defun citels-test-wait (predicate seconds what)
  "Let Emacs run (process output, timers) until PREDICATE holds, at most SECONDS."
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (citels-test-pause 0.05))
    (unless (funcall predicate) (error "timeout after %ss waiting for %s" seconds what))))

(defun citels-test-idle ()
  "What the command loop does once Emacs waits for a key: run the idle timers, once.
Batch mode has no command loop, and lsp-mode starts its server from an idle timer."
  (run-hooks 'post-command-hook)
  (dolist (timer (copy-sequence timer-idle-list))
    (timer-event-handler timer)))

(defun citels-test-pause (seconds)
  "A person's pause of SECONDS: Emacs idle, reading process output and running timers."
  (citels-test-idle)
  (let ((deadline (+ (float-time) seconds)))
    (while (< (float-time) deadline) (accept-process-output nil 0.05))))

(defun citels-test-label (candidate)
  "The LSP label of a completion CANDIDATE, as eglot or lsp-mode keep it."
  (let ((item (or (get-text-property 0 'eglot--lsp-item candidate)
                  (get-text-property 0 'lsp-completion-item candidate))))
    (cond ((hash-table-p item) (gethash "label" item))
          ((listp item) (plist-get item :label)))))

(defun citels-test-server-ready ()
  (if (equal citels-test-client "eglot")
      (eglot-current-server)
    (seq-some (lambda (workspace) (eq (lsp--workspace-status workspace) 'initialized))
              (lsp-workspaces))))

(defun citels-test-choose (start end collection predicate)
  "A completion UI (like corfu or vertico): the client's own filtering, then one pick.
Offers what the completion styles keep of COLLECTION for the text START..END, accepts the
candidate labelled with the wanted title, and runs the client's exit function."
  (let* ((input (buffer-substring-no-properties start end))
         (received (all-completions "" collection predicate))
         (metadata (completion-metadata input collection predicate))
         (offered (completion-all-completions input collection predicate (length input) metadata))
         (last (last offered)))
    (when (consp last) (setcdr last nil))  ; drop the base size
    (push `(received . ,(length received)) citels-test-data)
    (push `(completed_from . ,input) citels-test-data)
    (push `(offered . ,(vconcat (mapcar #'citels-test-label offered))) citels-test-data)
    (let ((choice (seq-find (lambda (c) (equal (citels-test-label c) citels-test-title))
                            offered)))
      (when choice
        (completion--replace start end (substring-no-properties choice))
        (let ((exit (plist-get completion-extra-properties :exit-function)))
          (when exit (funcall exit choice 'finished)))
        t))))

(defun citels-test-cite (round)
  "Type the query into the ROUND-th empty \\cite{} and accept the paper."
  (goto-char (point-min))
  (search-forward "\\cite{}")
  (backward-char)
  (dolist (char (string-to-list (getenv "CITELS_TEST_TYPED")))
    (insert char)
    (run-hooks 'post-command-hook))  ; what the command loop does after each key
  (citels-test-pause 0.6)  ; a person's pause; the client sends the change meanwhile
  (let ((completion-in-region-function #'citels-test-choose))
    (completion-at-point))
  (unless (member citels-test-title (append (alist-get 'offered citels-test-data) nil))
    (error "the completion offered no %S" citels-test-title))
  (citels-test-step (format "accepted %d" round))
  (push `(,(intern (format "line_%d" round))
          . ,(buffer-substring-no-properties (line-beginning-position) (line-end-position)))
        citels-test-data)
  (citels-test-pause 1.0)  ; whatever accepting started (a command, an edit) lands
  (save-some-buffers t)    ; C-x s !
  (citels-test-step (format "saved %d" round))
  (citels-test-pause 0.5))

(setq make-backup-files nil create-lockfiles nil auto-save-default nil
      lsp-auto-guess-root t  ; the answer a user gives to lsp-mode's "import project?" question
      lsp-enable-file-watchers nil)
(run-at-time 40 nil (lambda () (citels-test-finish "watchdog: 40 s")))
(condition-case err
    (let* ((folder (file-name-as-directory (getenv "CITELS_TEST_DIR")))
           (bib (concat folder "refs.bib")))
      (find-file (concat folder "main.tex"))
      (citels-test-step (format "opened in %s" major-mode))
      (citels-test-wait #'citels-test-server-ready 20 "the language server")
      (citels-test-step "server attached")
      (citels-test-cite 1)
      (citels-test-cite 2)
      ;; the entry may be written just after the save: a person glances at the .bib
      (ignore-errors
        (citels-test-wait (lambda () (with-temp-buffer
                                       (insert-file-contents bib)
                                       (search-forward (getenv "CITELS_TEST_KEY") nil t)))
                          3 "the entry"))
      (save-some-buffers t)
      (citels-test-finish nil))
  (error (citels-test-finish (error-message-string err))))
