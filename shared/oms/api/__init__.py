"""HTTP routes, one module per audience; each ``functions/*_api/app.py`` only exposes one of them."""
