"""Production mode: several servers over shared stores behind nginx."""
