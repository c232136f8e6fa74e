"""The real-editor tests' shared fixtures (defined in editor_session.py)."""

from editor_session import corpus_index, workspace  # noqa: F401
