__version__ = "2.31.0"
