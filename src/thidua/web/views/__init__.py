"""Web views, one module per page family. Each is thin: parse → service or query → render."""
