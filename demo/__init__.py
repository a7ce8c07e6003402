"""The README demo: shared FastAPI dependencies used from several callers."""
