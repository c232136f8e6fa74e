"""The protocol edge: LSP params in, the protocol-free stages called, lsprotocol types out.

Only this package imports pygls or lsprotocol.
"""
